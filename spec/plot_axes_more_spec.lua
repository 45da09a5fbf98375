-- spec/plot_axes_more_spec.lua - axes-level features of cvision.plot checked by the pixels drawn:
-- log scales (semilogx, semilogy, loglog and their LogLocator ticks), twinx/twiny, set_aspect,
-- rcParams and the style sheets (plt.style.use, context, available), and their error messages.
local plt = require "cvision.plot"
local pixels = require "spec.helpers.plot_pixels"
local rgb, near, C0 = pixels.rgb, pixels.near, pixels.C0

local function contains(list, v)
  for _, x in ipairs(list) do if x == v then return true end end
  return false
end

-- The rows (a vertical run at column x) where the canvas is not white, between y0 and y1.
local function thickness(cv, x, y0, y1)
  local n = 0
  for y = y0, y1 do
    local c = rgb(cv, x, y)
    if not near(c, { 255, 255, 255 }, 30) then n = n + 1 end
  end
  return n
end

describe("cvision.plot axes", function()
  before_each(function()
    plt.close("all")
    plt.rcdefaults()
  end)
  after_each(function() plt.rcdefaults() end)

  describe("log scales", function()
    it("puts the tick at 10^2 half way up an axis from 10^0 to 10^4, labelled 10²", function()
      local ax = plt.gca()
      ax:semilogy({ 0, 1 }, { 1, 1e4 })
      ax:set_ylim(1, 1e4)
      local cv = plt.render()
      local b = ax.box
      assert.are.equal("log", ax:get_yscale())
      assert.are.equal("linear", ax:get_xscale())
      local _, py = ax:transform(0, 100)
      assert.is_near((b[2] + b[4]) / 2, py, 0.5)
      local _, p10 = ax:transform(0, 10)
      assert.is_near(b[4] - (b[4] - b[2]) / 4, p10, 0.5)
      -- the major tick mark: ink just left of the box at 10^2's row
      assert.is_true(cv:ink(b[1] - 5, math.floor(py) - 1, b[1] - 1, math.floor(py) + 2) > 0)
      local i = nil
      for k, v in ipairs(ax.yt) do if math.abs(v - 100) < 1e-9 then i = k end end
      assert.is_not_nil(i)
      assert.are.equal("10\u{00b2}", ax.ytl[i])
      assert.are.equal("10\u{2070}", ax.ytl[1])
    end)

    it("has minor ticks at 2..9 times each power, shorter than the major ones and unlabelled", function()
      local ax = plt.gca()
      ax:loglog({ 1, 1000 }, { 1, 1000 })
      local cv = plt.render()
      local b = ax.box
      for _, v in ipairs({ 2, 5, 9, 20, 300 }) do
        local ok = false
        for _, m in ipairs(ax.xtm) do if math.abs(m - v) < 1e-9 * v then ok = true end end
        assert.is_true(ok, "no minor tick at " .. v)
      end
      assert.is_nil(ax.xtml)
      -- the minor tick at 3 reaches below the box, but not as far as the major tick at 10
      local x3 = math.floor(ax:transform(3, 1))
      local x10 = math.floor(ax:transform(10, 1))
      local function depth(x)
        local d = 0
        for y = b[4] + 1, b[4] + 6 do if not near(rgb(cv, x, y), { 255, 255, 255 }, 60) then d = y - b[4] end end
        return d
      end
      assert.is_true(depth(x3) >= 1)
      assert.is_true(depth(x10) > depth(x3))
    end)

    it("draws an exponential as a straight line on semilogy", function()
      local x, y = {}, {}
      for i = 0, 100 do x[i + 1] = i / 20; y[i + 1] = math.exp(i / 20) end
      local ax = plt.gca()
      ax:semilogy(x, y)
      local cv = plt.render()
      local xa, ya = ax:transform(0, 1)
      local xb, yb = ax:transform(5, math.exp(5))
      for _, t in ipairs({ 0.25, 0.5, 0.75 }) do
        local px, py = xa + t * (xb - xa), ya + t * (yb - ya)
        assert.is_true(near(rgb(cv, px, py), C0, 60), "the chord at " .. t .. " is not on the line")
      end
      -- on a linear axis the curve is far from its chord
      plt.close("all")
      local ax2 = plt.gca()
      ax2:plot(x, y)
      local cv2 = plt.render()
      xa, ya = ax2:transform(0, 1)
      xb, yb = ax2:transform(5, math.exp(5))
      assert.is_false(near(rgb(cv2, (xa + xb) / 2, (ya + yb) / 2), C0, 60))
    end)

    it("pads the limits in log space and leaves values <= 0 out of them", function()
      local ax = plt.gca()
      ax:plot({ 0, 1, 2, 3 }, { -5, 0, 10, 1000 })
      ax:set_yscale("log")
      plt.render()
      -- data 10^1..10^3: 5 % of two decades on each side
      assert.is_near(10 ^ 0.9, ax.view[3], 1e-6)
      assert.is_near(10 ^ 3.1, ax.view[4], 1e-3)
    end)

    it("clips values <= 0 below the axis by default and masks them with nonpositive = 'mask'", function()
      local ax = plt.gca()
      ax:plot({ 1, 2, 3 }, { 10, 0, 100 })
      ax:set_yscale("log")
      local cv = plt.render()
      local b = ax.box
      -- the line falls (nearly straight down) to the bottom edge from x = 1 and rises again to x = 3
      for _, x in ipairs({ 1, 3 }) do
        local px = ax:transform(x, 10)
        assert.is_true(near(rgb(cv, px, b[4] - 3), C0, 60) or near(rgb(cv, px + 1, b[4] - 3), C0, 60))
      end
      plt.close("all")
      ax = plt.gca()
      ax:plot({ 1, 2, 3 }, { 10, 0, 100 })
      ax:set_yscale("log", { nonpositive = "mask" })
      cv = plt.render()
      b = ax.box
      assert.are.equal(0, cv:ink(b[1] + 2, b[2] + 2, b[3] - 2, b[4] - 2))
    end)

    it("labels powers of 2 on a base-2 axis, and xscale/yscale set the current axes", function()
      plt.plot({ 1, 64 }, { 1, 2 })
      plt.xscale("log", { base = 2 })
      plt.render()
      local ax = plt.gca()
      assert.is_true(contains(ax.xtl, "2\u{2074}"))
      assert.are.equal("log", ax:get_xscale())
    end)

    it("names the scale, the option and the close name when they are wrong", function()
      local ax = plt.gca()
      assert.has_error(function() ax:set_xscale("logg") end, "set_xscale: unknown scale 'logg' (did you mean 'log'?)")
      assert.has_error(function() ax:set_yscale("log", { bse = 2 }) end,
        "set_yscale: unknown option 'bse' (did you mean 'base'?)")
      assert.has_error(function() ax:set_yscale("log", { base = 1 }) end, "set_yscale: base must be a number above 1")
      assert.has_error(function() ax:semilogy({ 1, 2 }, { nonpositive = "drop" }) end)
    end)
  end)

  describe("twinx", function()
    it("puts the twin's tick labels right of the box and shares the x limits", function()
      local ax = plt.gca()
      ax:plot({ 0, 10 }, { 0, 1 })
      local cv0 = plt.render()
      local b0 = ax.box
      assert.are.equal(0, cv0:ink(b0[3] + 8, b0[2], b0[3] + 40, b0[4]))
      local t = ax:twinx()
      assert.are.equal(t, plt.gca())
      t:plot({ 5, 20 }, { 100, 300 })
      local cv = plt.render()
      local b = ax.box
      assert.same(b, t.box)
      assert.same({ ax.view[1], ax.view[2] }, { t.view[1], t.view[2] })
      assert.is_true(ax.view[2] >= 20)
      assert.is_true(cv:ink(b[3] + 8, b[2], b[3] + 40, b[4]) > 50)
      -- the twin's ticks are at its own y values, on the right
      local _, py = t:transform(5, t.yt[2])
      assert.is_true(cv:ink(b[3] + 1, math.floor(py) - 1, b[3] + 5, math.floor(py) + 2) > 0)
      -- no second row of x tick labels
      assert.is_true(#t.xt >= 0 and t.xaxis_on == false)
    end)

    it("starts the twin's colour cycle again and draws it over the first axes", function()
      local ax = plt.gca()
      local l1 = ax:plot({ 0, 1 }, { 0, 1 })
      local t = ax:twinx()
      local l2 = t:plot({ 0, 1 }, { 1, 0 })
      assert.are.equal("#1f77b4", l1.color)
      assert.are.equal("#1f77b4", l2.color)
      plt.close("all")
      ax = plt.gca()
      ax:plot({ 0, 1 }, { 0, 1 }, { color = "blue" })
      t = ax:twinx()
      t:plot({ 0, 1 }, { 1, 0 }, { color = "red", linewidth = 4 })
      local cv = plt.render()
      local x, y = ax:transform(0.5, 0.5)
      assert.is_true(near(rgb(cv, x, y), { 255, 0, 0 }, 60))
    end)

    it("keeps a legend for each of the two axes", function()
      local ax = plt.gca()
      ax:plot({ 0, 1 }, { 0, 1 }, { label = "left" })
      local t = ax:twinx()
      t:plot({ 0, 1 }, { 1, 0 }, { label = "right" })
      ax:legend({ loc = "upper left" })
      t:legend({ loc = "lower right" })
      plt.render()
      assert.are.equal("upper left", ax.legend_box.loc)
      assert.are.equal("lower right", t.legend_box.loc)
    end)

    it("twiny puts the twin's x ticks above the box", function()
      local ax = plt.gca()
      ax:plot({ 0, 1 }, { 0, 1 })
      local cv0 = plt.render()
      local b0 = ax.box
      local above = cv0:ink(b0[1], b0[2] - 25, b0[3], b0[2] - 6)
      local t = plt.twiny()
      t:plot({ 0, 100 }, { 0, 1 })
      local cv = plt.render()
      local b = ax.box
      assert.is_true(cv:ink(b[1], b[2] - 25, b[3], b[2] - 6) > above + 50)
    end)
  end)

  describe("set_aspect", function()
    it("makes a unit circle round: equal width and height in pixels", function()
      local x, y = {}, {}
      for i = 0, 200 do x[i + 1] = math.cos(i * math.pi / 100); y[i + 1] = math.sin(i * math.pi / 100) end
      local ax = plt.gca()
      ax:plot(x, y)
      ax:set_aspect("equal")
      plt.render()
      local x0, y0 = ax:transform(-1, -1)
      local x1, y1 = ax:transform(1, 1)
      assert.is_near(x1 - x0, y0 - y1, 1.5)
      assert.are.equal(1.0, ax:get_aspect())
      ax:set_aspect("auto")
      plt.render()
      x0, y0 = ax:transform(-1, -1)
      x1, y1 = ax:transform(1, 1)
      assert.is_true(x1 - x0 > (y0 - y1) * 1.2)
      assert.are.equal("auto", ax:get_aspect())
    end)

    it("makes a y unit twice as long as an x unit with aspect 2, and agrees with axis('equal')", function()
      local ax = plt.gca()
      ax:plot({ 0, 4 }, { 0, 1 })
      ax:set_aspect(2)
      plt.render()
      local x0, y0 = ax:transform(0, 0)
      local x1, y1 = ax:transform(1, 1)
      assert.is_near(2 * (x1 - x0), y0 - y1, 1)
      ax:axis("equal")
      assert.are.equal(1.0, ax:get_aspect())
      assert.has_error(function() ax:set_aspect("eqaul") end, "set_aspect: unknown aspect 'eqaul' (did you mean 'equal'?)")
      assert.has_error(function() ax:set_aspect(-1) end)
    end)
  end)

  describe("rcParams and style sheets", function()
    it("gives ggplot's grey background inside the box and white grid lines", function()
      plt.style.use("ggplot")
      local ax = plt.gca()
      ax:plot({ 0, 1 }, { 0, 1 })
      local cv = plt.render()
      local b = ax.box
      local c = rgb(cv, b[1] + 3, b[4] - 3)
      assert.same({ 0xE5, 0xE5, 0xE5 }, c)
      local gx = ax:transform(ax.xt[2], 0)
      assert.is_true(near(rgb(cv, gx, b[2] + 40), { 255, 255, 255 }, 8))
      assert.are.equal("#E24A33", ax.artists[1].color)
    end)

    it("makes lines thicker with rcParams['lines.linewidth'] = 4", function()
      local function drawn()
        plt.close("all")
        local ax = plt.gca()
        ax:plot({ 0, 1 }, { 0.5, 0.5 })
        local cv = plt.render()
        local px, py = ax:transform(0.5, 0.5)
        return thickness(cv, px, math.floor(py) - 10, math.floor(py) + 10)
      end
      local thin = drawn()
      plt.rcParams["lines.linewidth"] = 4
      assert.are.equal(4, plt.rcParams["lines.linewidth"])
      local thick = drawn()
      assert.is_true(thick >= thin + 3, ("%d vs %d rows"):format(thick, thin))
      plt.rcdefaults()
      assert.are.equal(1.5, plt.rcParams["lines.linewidth"])
      assert.are.equal(thin, drawn())
    end)

    it("restores the rcParams after style.context, even when its function fails", function()
      local inside
      local fig = plt.style.context("dark_background", function()
        inside = plt.rcParams["axes.facecolor"]
        local f = plt.figure()
        plt.plot({ 0, 1 }, { 0, 1 })
        return f
      end)
      assert.are.equal("black", inside)
      assert.are.equal("white", plt.rcParams["axes.facecolor"])
      -- the figure made inside keeps its style
      local cv = fig:render()
      local b = fig.axes[1].box
      assert.same({ 0, 0, 0 }, rgb(cv, b[1] + 3, b[2] + 3))
      assert.has_error(function()
        plt.style.context({ ["lines.linewidth"] = 7 }, function() error("boom") end)
      end)
      assert.are.equal(1.5, plt.rcParams["lines.linewidth"])
    end)

    it("draws ax:text in rcParams text.color unless given one", function()
      local rec = plt.style.context("dark_background", function()
        plt.figure()
        return plt.text(0.5, 0.5, "hi")
      end)
      assert.are.equal("white", rec.color)
      plt.close("all")
      plt.figure()
      assert.are.equal("black", plt.text(0.5, 0.5, "hi").color)
      plt.close("all")
    end)

    it("applies a list of styles in order and a table of rcParams, and sets the colour cycle", function()
      plt.style.use({ "bmh", { ["axes.prop_cycle"] = { "red", "green" } } })
      assert.are.equal("#eeeeee", plt.rcParams["axes.facecolor"])
      local l1 = plt.plot({ 0, 1 }, { 0, 1 })
      local l2 = plt.plot({ 0, 1 }, { 1, 0 })
      local l3 = plt.plot({ 0, 1 }, { 1, 1 })
      assert.are.same({ "red", "green", "red" }, { l1.color, l2.color, l3.color })
      assert.same({ 0, 128 / 255, 0, 1 }, plt.to_rgba("C1"))
      plt.style.use("default")
      assert.are.equal("white", plt.rcParams["axes.facecolor"])
      assert.are.equal("#1f77b4", plt.color_cycle[1])
    end)

    it("sizes figures and fonts from rcParams", function()
      plt.rcParams["figure.figsize"] = { 3, 2 }
      plt.rcParams["figure.dpi"] = 50
      local fig = plt.figure()
      assert.are.equal(150, fig.width)
      assert.are.equal(100, fig.height)
      plt.rcParams["font.size"] = 20
      local ax = fig:add_subplot(1, 1, 1)
      ax:set_title("t")
      assert.are.equal(24, ax.title.size)   -- "large" is 1.2 times font.size
    end)

    it("saves at rcParams['savefig.dpi'] unless it is 'figure'", function()
      local base = os.tmpname()
      local tmp = base .. ".png"
      plt.plot({ 0, 1 }, { 0, 1 })
      plt.savefig(tmp)
      assert.same({ 640, 480 }, { pixels.png_size(tmp) })
      plt.rcParams["savefig.dpi"] = 50
      plt.plot({ 0, 1 }, { 0, 1 })
      plt.savefig(tmp)
      assert.same({ 320, 240 }, { pixels.png_size(tmp) })
      os.remove(tmp)
      os.remove(base)
      assert.has_error(function() plt.rcParams["savefig.dpi"] = "fig" end,
        "rcParams: savefig.dpi must be a positive number or 'figure', got 'fig'")
    end)

    it("lists the style sheets in style.available", function()
      for _, name in ipairs({ "default", "ggplot", "bmh", "dark_background", "grayscale", "fivethirtyeight",
        "seaborn-v0_8" }) do
        assert.is_true(contains(plt.style.available, name), name)
        plt.style.use(name)
      end
    end)

    it("refuses unknown rc keys, bad values and unknown styles with suggestions", function()
      assert.has_error(function() plt.rcParams["lines.linewdith"] = 3 end,
        "rcParams: unknown key 'lines.linewdith' (did you mean 'lines.linewidth'?)")
      assert.has_error(function() return plt.rcParams["axes.facecolour"] end,
        "rcParams: unknown key 'axes.facecolour' (did you mean 'axes.facecolor'?)")
      assert.has_error(function() plt.rcParams["lines.linewidth"] = "thick" end,
        "rcParams: lines.linewidth must be a number, got 'thick'")
      assert.has_error(function() plt.rcParams["axes.facecolor"] = "gren" end,
        "rcParams: axes.facecolor: unknown colour 'gren' (did you mean 'green'?)")
      assert.has_error(function() plt.style.use("gglot") end, "style.use: unknown style 'gglot' (did you mean 'ggplot'?)")
      assert.has_error(function() plt.style.use({ ["grid.linestyel"] = "-" }) end,
        "style.use: unknown key 'grid.linestyel' (did you mean 'grid.linestyle'?)")
      -- a failed use changes nothing
      assert.has_error(function() plt.style.use({ "ggplot", "nope" }) end)
      assert.are.equal("white", plt.rcParams["axes.facecolor"])
    end)
  end)

  describe("svg", function()
    it("draws log axes and twins in the SVG document too", function()
      local ax = plt.gca()
      ax:semilogy({ 1, 2, 3 }, { 1, 10, 100 })
      ax:twinx():plot({ 1, 3 }, { 5, 6 })
      local doc = plt.gcf():render(true):tostring()
      assert.is_truthy(doc:find("10\u{00b2}", 1, true))
      assert.is_truthy(doc:find(">6.0<", 1, true) or doc:find(">6<", 1, true) or doc:find("5.75", 1, true))
    end)
  end)
end)
