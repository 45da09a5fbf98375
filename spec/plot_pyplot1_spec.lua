-- spec/plot_pyplot1_spec.lua - fill_between / fill_betweenx, errorbar, step, hlines / vlines,
-- axhspan / axvspan, pie and annotate of cvision.plot, checked by the pixels they draw where
-- matplotlib draws them, by the records they return, and by the errors bad options raise.
local plt = require "cvision.plot"
local pixels = require "spec.helpers.plot_pixels"
local rgb, near, WHITE, C0, RED = pixels.rgb, pixels.near, pixels.WHITE, pixels.C0, pixels.RED

local BLUE, GREEN, BLACK = { 0, 0, 255 }, { 0, 128, 0 }, { 0, 0, 0 }

-- The pixel at data point (x, y) of the current axes, on canvas cv.
local function at(cv, x, y, dx, dy)
  local px, py = plt.gca():transform(x, y)
  return rgb(cv, px + (dx or 0), py + (dy or 0))
end

-- How many pixels of the rectangle [x0, x1) x [y0, y1) are within tol of colour c.
local function count(cv, c, x0, y0, x1, y1, tol)
  local n = 0
  for y = math.floor(y0), math.floor(y1) - 1 do
    for x = math.floor(x0), math.floor(x1) - 1 do
      if near(rgb(cv, x, y), c, tol or 30) then n = n + 1 end
    end
  end
  return n
end

local function errmsg(f)
  local ok, err = pcall(f)
  assert.is_false(ok, "expected an error")
  return tostring(err)
end

describe("cvision.plot pyplot functions (1)", function()
  before_each(function() plt.close("all") end)

  describe("fill_between", function()
    it("fills between two curves in the fill colour and nothing outside them", function()
      local x, y1, y2 = {}, {}, {}
      for i = 0, 10 do x[#x + 1] = i; y1[#y1 + 1] = i; y2[#y2 + 1] = i + 2 end
      plt.figure()
      local pc = plt.fill_between(x, y1, y2, { facecolor = "red" })
      assert.are.equal("<PolyCollection>", tostring(pc))
      local cv = plt.render()
      for _, xv in ipairs({ 2, 5, 8 }) do
        assert.same(RED, at(cv, xv, xv + 1), "inside at x = " .. xv)
        assert.same(WHITE, at(cv, xv, xv + 2.6), "above y2 at x = " .. xv)
        assert.same(WHITE, at(cv, xv, xv - 0.6), "below y1 at x = " .. xv)
      end
      -- the limits hold both curves
      local v = plt.gca().view
      assert.is_true(v[3] < 0 and v[4] > 12)
    end)

    it("fills down to y2 = 0 by default and takes the next colour of the cycle", function()
      plt.figure()
      plt.plot({ 0, 2 }, { 3, 3 })
      plt.fill_between({ 0, 1, 2 }, { 1, 2, 1 })
      local cv = plt.render()
      assert.is_true(near(at(cv, 1, 0.3), { 255, 127, 14 }, 3), "C1 under the curve")
      assert.same(WHITE, at(cv, 1, 2.4))
      assert.is_true(plt.gca().view[3] < 0, "0 is in the limits")
    end)

    it("leaves gaps where `where` is false and at NaN points", function()
      plt.figure()
      local x = { 0, 1, 2, 3, 4, 5, 6, 7 }
      plt.fill_between(x, 1, 0, { where = { true, true, false, false, true, true, true, true }, color = "red" })
      plt.fill_between(x, 3, 2, { facecolor = "blue" })
      local cv = plt.render()
      assert.same(RED, at(cv, 0.5, 0.5))
      assert.same(WHITE, at(cv, 2.5, 0.5), "gap where where is false")
      assert.same(RED, at(cv, 4.5, 0.5))
      plt.close("all")
      plt.figure()
      plt.fill_between(x, { 1, 1, 1, 0 / 0, 1, 1, 1, 1 }, 0, { facecolor = "red" })
      cv = plt.render()
      assert.same(RED, at(cv, 1, 0.5))
      assert.same(WHITE, at(cv, 3, 0.5), "a NaN point breaks the fill")
      assert.same(RED, at(cv, 5.5, 0.5))
    end)

    it("closes each run at the curves' crossing with interpolate", function()
      local x, y1, w = { 0, 1, 2 }, { -1, 1, 1 }, { false, true, true }
      plt.figure()
      plt.axis({ 0, 2, -1, 1.2 })      -- the limits hold only the points where `where` holds
      plt.fill_between(x, y1, 0, { where = w, facecolor = "red" })
      local cv = plt.render()
      assert.same(WHITE, at(cv, 0.8, 0.1), "without interpolate the run starts at x = 1")
      assert.same(RED, at(cv, 1.5, 0.5))
      plt.close("all")
      plt.figure()
      plt.axis({ 0, 2, -1, 1.2 })
      plt.fill_between(x, y1, 0, { where = w, interpolate = true, facecolor = "red" })
      cv = plt.render()
      assert.same(RED, at(cv, 0.8, 0.1), "with interpolate it starts at the crossing x = 0.5")
      assert.same(WHITE, at(cv, 0.6, 0.5), "above the line from the crossing to (1, 1)")
    end)

    it("draws staircases with step", function()
      local function filled(where, x)
        plt.close("all")
        plt.figure()
        plt.fill_between({ 0, 1, 2 }, { 1, 2, 1 }, 0, { step = where, facecolor = "red" })
        return near(at(plt.render(), x, 1.5), RED, 5)
      end
      assert.is_true(filled("pre", 0.5)); assert.is_false(filled("pre", 1.5))
      assert.is_false(filled("post", 0.5)); assert.is_true(filled("post", 1.5))
      assert.is_true(filled("mid", 1.4)); assert.is_false(filled("mid", 0.3))
    end)

    it("draws color= as face and edge, facecolor= as face only, and alpha over what is below", function()
      plt.figure()
      plt.fill_between({ 0, 10 }, { 1, 1 }, 0, { color = "red", alpha = 0.5 })
      local cv = plt.render()
      assert.is_true(near(at(cv, 5, 0.5), { 255, 128, 128 }, 3))
      -- the edge (1 pt, alpha 0.5 over the face) darkens the top border
      local g = 255
      for dy = -1, 1 do g = math.min(g, at(cv, 5, 1, 0, dy)[2]) end
      assert.is_true(g < 100, "edge at y1: green " .. g)
    end)

    it("fills between x curves with fill_betweenx", function()
      plt.figure()
      plt.fill_betweenx({ 0, 10 }, { 2, 2 }, { 5, 5 }, { facecolor = "blue" })
      local cv = plt.render()
      assert.same(BLUE, at(cv, 3.5, 5))
      assert.same(WHITE, at(cv, 1.5, 5))
      assert.same(WHITE, at(cv, 5.5, 5))
      local v = plt.gca().view
      assert.is_true(v[1] < 2 and v[2] > 5 and v[3] < 0 and v[4] > 10)
    end)

    it("has a filled patch as legend handle", function()
      plt.figure()
      plt.fill_between({ 0, 1 }, { 1, 1 }, 0, { facecolor = "green", label = "band" })
      plt.legend { loc = "upper right" }
      local cv = plt.render()
      local b = plt.gca().legend_box
      assert.is_truthy(b, "a legend was drawn")
      assert.is_true(count(cv, GREEN, b[1], b[2], b[3], b[4], 10) > 50)
    end)

    it("raises errors naming the function and the option", function()
      plt.figure()
      assert.matches("fill_between: unknown option 'wher' %(did you mean 'where'%?%)",
        errmsg(function() plt.fill_between({ 0, 1 }, { 1, 1 }, { wher = { true, true } }) end))
      assert.matches("fill_between: unknown step 'sideways'",
        errmsg(function() plt.fill_between({ 0, 1 }, { 1, 1 }, { step = "sideways" }) end))
      assert.matches("fill_between: where has 3 values for 2 points",
        errmsg(function() plt.fill_between({ 0, 1 }, { 1, 1 }, { where = { true, true, true } }) end))
      assert.matches("fill_between: y2 has 3 values for 2 points",
        errmsg(function() plt.fill_between({ 0, 1 }, { 1, 1 }, { 0, 0, 0 }) end))
      assert.matches("fill_betweenx: unknown colour 'rde'",
        errmsg(function() plt.fill_betweenx({ 0, 1 }, { 1, 1 }, { color = "rde" }) end))
    end)
  end)

  describe("errorbar", function()
    it("puts the caps at y +- err on the right pixel rows, 2 * capsize points long", function()
      plt.figure()
      plt.errorbar({ 1, 2, 3 }, { 2, 2, 2 }, { yerr = 0.5, capsize = 5, capthick = 3, fmt = "none", ecolor = "red" })
      local ax = plt.gca()
      local cv = plt.render()
      local px, ytop = ax:transform(2, 2.5)
      local _, ybot = ax:transform(2, 1.5)
      local half = 5 * 100 / 72
      for _, y in ipairs({ ytop, ybot }) do
        assert.same(RED, rgb(cv, px + half - 2, y), "cap end")
        assert.same(WHITE, rgb(cv, px + half + 2, y), "past the cap")
        assert.same(WHITE, rgb(cv, px + 3, y - 5), "above the cap row")
        assert.same(WHITE, rgb(cv, px + 3, y + 5), "below the cap row")
      end
      assert.same(RED, at(cv, 2, 2.25), "the bar")
      assert.same(WHITE, at(cv, 2, 2.54), "nothing above the bar")
      assert.same(WHITE, at(cv, 2.5, 2), "fmt 'none' draws no line")
      local v = ax.view
      assert.is_true(v[3] < 1.5 and v[4] > 2.5, "the limits hold the bars")
    end)

    it("reads yerr as {lower, upper} and draws xerr across", function()
      plt.figure()
      plt.errorbar({ 1, 2, 3 }, { 2, 2, 2 }, { yerr = { { 0.2, 0.2, 0.2 }, { 1, 1, 1 } }, xerr = 0.3,
        fmt = "none", ecolor = "blue" })
      local cv = plt.render()
      assert.same(BLUE, at(cv, 2, 2.8))
      assert.same(WHITE, at(cv, 2, 1.6), "the lower error is 0.2")
      assert.same(BLUE, at(cv, 2, 1.9))
      assert.same(BLUE, at(cv, 2.2, 2), "xerr")
      assert.same(WHITE, at(cv, 2.45, 2))
      assert.is_true(plt.gca().view[4] > 3)
    end)

    it("draws the data line as plot's format string says, above the bars", function()
      plt.figure()
      local eb = plt.errorbar({ 0, 1, 2 }, { 0, 1, 2 }, 0.3, { ecolor = "red" })
      assert.are.equal("<ErrorbarContainer object of 3 artists>", tostring(eb))
      local cv = plt.render()
      assert.is_true(near(at(cv, 0.5, 0.5), C0, 10), "fmt '' is a solid line in the next colour")
      assert.is_true(near(at(cv, 1, 1), C0, 10), "the line is drawn above the bar")
      plt.close("all")
      plt.figure()
      plt.errorbar({ 0, 1, 2 }, { 0, 1, 2 }, { yerr = 0.3, fmt = "rs" })
      cv = plt.render()
      assert.same(WHITE, at(cv, 0.5, 0.5), "a marker format draws no line")
      assert.is_true(near(at(cv, 1, 1, 2, 2), { 214, 39, 40 }, 3), "the 'rs' square at the point")
      assert.is_true(near(at(cv, 1, 1.2), { 214, 39, 40 }, 3), "ecolor defaults to the line's colour")
    end)

    it("draws a legend handle crossed by the bar", function()
      plt.figure()
      plt.errorbar({ 0, 1 }, { 0, 1 }, { yerr = 0.1, fmt = "none", ecolor = "red", label = "err" })
      plt.legend { loc = "upper left" }
      local cv = plt.render()
      local b = plt.gca().legend_box
      assert.is_truthy(b)
      assert.is_true(count(cv, RED, b[1], b[2], b[3], b[4]) > 8)
    end)

    it("raises errors naming errorbar and the option", function()
      plt.figure()
      assert.matches("errorbar: yerr must not contain negative values",
        errmsg(function() plt.errorbar({ 0, 1 }, { 0, 1 }, { yerr = { 0.1, -1 } }) end))
      assert.matches("errorbar: xerr has 3 values for 2 points",
        errmsg(function() plt.errorbar({ 0, 1 }, { 0, 1 }, { xerr = { 1, 1, 1 } }) end))
      assert.matches("errorbar: unknown option 'capsise' %(did you mean 'capsize'%?%)",
        errmsg(function() plt.errorbar({ 0, 1 }, { 0, 1 }, { capsise = 3 }) end))
      assert.matches("errorbar: bad format string 'q'",
        errmsg(function() plt.errorbar({ 0, 1 }, { 0, 1 }, { fmt = "q" }) end))
      assert.matches("errorbar: capsize must be a non%-negative number",
        errmsg(function() plt.errorbar({ 0, 1 }, { 0, 1 }, { capsize = -2 }) end))
      assert.matches("errorbar: unknown colour 'rde'",
        errmsg(function() plt.errorbar({ 0, 1 }, { 0, 1 }, { ecolor = "rde" }) end))
    end)
  end)

  describe("step", function()
    -- red, 3 pt staircase through (0, 0), (2, 2), (4, 0)
    local function draw(where, opts)
      plt.close("all")
      plt.figure()
      local o = { where = where, color = "red", linewidth = 3 }
      for k, v in pairs(opts or {}) do o[k] = v end
      local l = plt.step({ 0, 2, 4 }, { 0, 2, 0 }, o)
      return plt.render(), l
    end

    it("puts the corners where matplotlib's pre, post and mid do", function()
      local cv, l = draw("pre", { label = "s" })
      assert.are.equal("<Line2D: s>", tostring(l))
      assert.same(RED, at(cv, 1, 2), "pre: y = 2 over (0, 2]")
      assert.same(WHITE, at(cv, 3, 2))
      assert.same(RED, at(cv, 0, 1), "pre: the rise at x = 0")
      cv = draw("post")
      assert.same(RED, at(cv, 3, 2), "post: y = 2 over [2, 4)")
      assert.same(WHITE, at(cv, 1, 2))
      assert.same(RED, at(cv, 2, 1), "post: the rise at x = 2")
      cv = draw("mid")
      assert.same(RED, at(cv, 2, 2), "mid: y = 2 over [1, 3]")
      assert.same(WHITE, at(cv, 0.5, 2))
      assert.same(WHITE, at(cv, 3.5, 2))
      assert.same(RED, at(cv, 1, 1), "mid: the rise half-way, at x = 1")
      cv = draw(nil)
      assert.same(RED, at(cv, 1, 2), "pre is the default")
    end)

    it("puts markers at the data points, not at the corners, and takes limits from the data", function()
      local cv = draw("pre", { marker = "s", markersize = 10 })
      assert.same(RED, at(cv, 2, 2, -4, 4), "a marker at the data point (2, 2)")
      assert.same(WHITE, at(cv, 2, 0, -4, -4), "no marker at the corner (2, 0)")
      local v = plt.gca().view
      assert.is_true(v[1] < 0 and v[2] > 4 and v[3] < 0 and v[4] > 2)
    end)

    it("takes plot's format string", function()
      plt.figure()
      local l = plt.step({ 0, 1, 2 }, { 0, 1, 0 }, "g--", { where = "post" })
      assert.are.equal("g", l.color)
      assert.are.equal("--", l.linestyle)
      assert.are.equal("post", l.where)
    end)

    it("raises errors naming step and the option", function()
      plt.figure()
      assert.matches("step: unknown where 'sideways'",
        errmsg(function() plt.step({ 0, 1 }, { 0, 1 }, { where = "sideways" }) end))
      assert.matches("step: unknown option 'wehre' %(did you mean 'where'%?%)",
        errmsg(function() plt.step({ 0, 1 }, { 0, 1 }, { wehre = "post" }) end))
      assert.matches("step: bad format string 'gq'",
        errmsg(function() plt.step({ 0, 1 }, { 0, 1 }, "gq") end))
      assert.matches("x and y must have the same length",
        errmsg(function() plt.step({ 0, 1, 2 }, { 0, 1 }) end))
    end)
  end)

  describe("hlines and vlines", function()
    it("draws a segment per value, numbers repeated, colours one per segment", function()
      plt.figure()
      local lc = plt.hlines({ 1, 2 }, 0, { 1, 3 }, { colors = { "red", "blue" }, linewidth = 3 })
      assert.are.equal("<LineCollection>", tostring(lc))
      local cv = plt.render()
      assert.same(RED, at(cv, 0.5, 1))
      assert.same(RED, at(cv, 0.95, 1))
      assert.same(WHITE, at(cv, 1.1, 1), "the first stops at xmax = 1")
      assert.same(BLUE, at(cv, 2, 2))
      local v = plt.gca().view
      assert.is_true(v[1] < 0 and v[2] > 3 and v[3] < 1 and v[4] > 2)
    end)

    it("draws vlines in C0 without moving the colour cycle", function()
      plt.figure()
      plt.vlines(1, 0, 2, { linewidth = 3 })
      local l = plt.plot({ 0, 2 }, { 3, 3 })
      assert.are.equal("#1f77b4", l.color)
      local cv = plt.render()
      assert.same(C0, at(cv, 1, 1))
      assert.same(WHITE, at(cv, 1.2, 1))
    end)

    it("dashes segments with linestyles", function()
      plt.figure()
      plt.hlines(1, 0, 10, { linestyles = "dashed", colors = "black", linewidth = 2 })
      plt.hlines(2, 0, 10, { colors = "black", linewidth = 2 })
      local ax = plt.gca()
      local cv = plt.render()
      local x0 = ax:transform(1, 1)
      local x1 = ax:transform(9, 1)
      local _, y1 = ax:transform(0, 1)
      local _, y2 = ax:transform(0, 2)
      local dashed = count(cv, BLACK, x0, y1, x1, y1 + 1, 60)
      local solid = count(cv, BLACK, x0, y2, x1, y2 + 1, 60)
      assert.is_true(dashed < 0.8 * solid and dashed > 0.3 * solid, dashed .. " of " .. solid)
    end)

    it("raises errors naming the function and the option", function()
      plt.figure()
      assert.matches("hlines: y, xmin and xmax must be numbers or lists of one length %(got 3, 2 and 1 values%)",
        errmsg(function() plt.hlines({ 1, 2, 3 }, { 0, 0 }, 1) end))
      assert.matches("vlines: unknown option 'colours' %(did you mean 'colors'%?%)",
        errmsg(function() plt.vlines(1, 0, 1, { colours = "red" }) end))
      assert.matches("vlines: unknown linestyle 'dashy'",
        errmsg(function() plt.vlines(1, 0, 1, { linestyles = "dashy" }) end))
      assert.matches("bad argument #3 to 'hlines' %(xmax expected%)",
        errmsg(function() plt.hlines(1, 0) end))
    end)
  end)

  describe("axhspan and axvspan", function()
    it("spans the axes across and counts in its own axis' limits only", function()
      plt.figure()
      plt.plot({ 0, 10 }, { 0, 5 })
      local r = plt.axhspan(1, 2, { color = "red" })
      assert.are.equal("<Rectangle>", tostring(r))
      local ax = plt.gca()
      local cv = plt.render()
      assert.same(RED, at(cv, 1, 1.5))
      assert.same(WHITE, at(cv, 1, 2.5))
      local _, y = ax:transform(0, 1.5)
      assert.same(RED, rgb(cv, ax.box[1] + 1, y), "to the box's left edge")
      assert.same(RED, rgb(cv, ax.box[3] - 2, y), "to the box's right edge")
      assert.near(-0.5, ax.view[1], 1e-9)
      assert.near(10.5, ax.view[2], 1e-9)
    end)

    it("covers a fraction of the height with axvspan", function()
      plt.figure()
      plt.plot({ 0, 10 }, { 0, 10 })
      plt.axvspan(6, 8, 0, 0.5, { facecolor = "blue" })
      local ax = plt.gca()
      local cv = plt.render()
      local x = ax:transform(7, 0)
      local b = ax.box
      assert.same(BLUE, rgb(cv, x, b[4] - 5))
      assert.same(WHITE, rgb(cv, x, b[2] + 5), "above ymax = 0.5")
      assert.matches("axvspan: unknown option 'colour' %(did you mean 'color'%?%)",
        errmsg(function() plt.axvspan(1, 2, { colour = "red" }) end))
      assert.matches("bad argument #2 to 'axhspan' %(ymax must be a number%)",
        errmsg(function() plt.axhspan(1) end))
    end)
  end)

  describe("pie", function()
    local COLS = { "red", "green", "blue", "black" }
    -- the colour at `deg` degrees, half-way out
    local function colour_at(cv, deg)
      local t = math.rad(deg)
      return at(cv, 0.5 * math.cos(t), 0.5 * math.sin(t))
    end

    it("puts the wedges at the angles startangle and counterclock give", function()
      plt.figure()
      plt.pie({ 1, 1, 1, 1 }, { colors = COLS })
      local cv = plt.render()
      assert.same(RED, colour_at(cv, 45), "first wedge from 0 degrees, counter-clockwise")
      assert.same(GREEN, colour_at(cv, 135))
      assert.same(BLUE, colour_at(cv, 225))
      assert.same(BLACK, colour_at(cv, 315))
      plt.close("all")
      plt.figure()
      plt.pie({ 1, 1, 1, 1 }, { colors = COLS, startangle = 90 })
      cv = plt.render()
      assert.same(RED, colour_at(cv, 135))
      assert.same(GREEN, colour_at(cv, 225))
      plt.close("all")
      plt.figure()
      plt.pie({ 1, 1, 1, 1 }, { colors = COLS, startangle = 90, counterclock = false })
      cv = plt.render()
      assert.same(RED, colour_at(cv, 45), "clockwise from 90 degrees")
      assert.same(GREEN, colour_at(cv, -45))
    end)

    it("sizes wedges in proportion, takes the colour cycle, and explodes along the middle", function()
      plt.figure()
      local wedges = plt.pie({ 1, 3 }, { explode = { 0.2, 0 } })
      assert.are.equal(2, #wedges)
      assert.near(90, wedges[1].theta2, 1e-9)
      assert.same({ 0.2 * math.cos(math.pi / 4), 0.2 * math.sin(math.pi / 4) }, wedges[1].center)
      assert.matches("^Wedge%(center=%(0.141421, 0.141421%), r=1, theta1=0, theta2=90", tostring(wedges[1]))
      local cv = plt.render()
      assert.same(C0, colour_at(cv, 45))
      assert.is_true(near(colour_at(cv, 200), { 255, 127, 14 }, 3), "C1")
      -- the exploded wedge leaves the centre
      assert.same(WHITE, at(cv, 0.03, 0.03))
    end)

    it("shows percentages with autopct and labels where matplotlib places them", function()
      local function draw(opts)
        plt.close("all")
        plt.figure()
        local w, t, a = plt.pie({ 1, 2, 1 }, opts)
        return plt.render(), w, t, a
      end
      local plain = draw({ colors = { "white", "white", "white" } })
      local cv, _, texts, autotexts = draw({ colors = { "white", "white", "white" }, autopct = "%1.1f%%",
        labels = { "A", "B", "C" } })
      assert.are.equal("25.0%", autotexts[1].s)
      assert.are.equal("50.0%", autotexts[2].s)
      assert.near(0.6 * math.cos(math.pi / 4), autotexts[1].x, 1e-9)
      assert.are.equal("center", autotexts[1].ha)
      -- labels at 1.1 radii, left-aligned right of the centre, right-aligned left of it
      assert.near(1.1 * math.cos(math.pi / 4), texts[1].x, 1e-9)
      assert.are.equal("left", texts[1].ha)
      assert.are.equal("right", texts[2].ha)
      assert.near(-1.1, texts[2].x, 1e-9)
      -- the percentage is drawn at its place: the pixels there differ from the pie without it
      local px, py = plt.gca():transform(autotexts[1].x, autotexts[1].y)
      local differ = 0
      for y = math.floor(py) - 8, math.floor(py) + 8 do
        for x = math.floor(px) - 20, math.floor(px) + 20 do
          local a, b = rgb(cv, x, y), rgb(plain, x, y)
          if a[1] ~= b[1] or a[2] ~= b[2] or a[3] ~= b[3] then differ = differ + 1 end
        end
      end
      assert.is_true(differ > 20, "ink of 25.0%: " .. differ)
      local _, _, _, fa = draw({ autopct = function(p) return ("%d pc"):format(math.floor(p + 0.5)) end })
      assert.are.equal("25 pc", fa[1].s)
    end)

    it("has an equal aspect, limits of 1.25 radii and no frame or ticks", function()
      plt.figure()
      plt.pie({ 1, 1 })
      local ax = plt.gca()
      local cv = plt.render()
      local b = ax.box
      assert.is_true(math.abs((b[3] - b[1]) - (b[4] - b[2])) <= 1, "a square box")
      assert.near(-1.25, ax.view[1], 1e-9)
      assert.near(1.25, ax.view[4], 1e-9)
      assert.are.equal(0, cv:ink(b[1] - 60, b[2], b[1], b[4]), "no ticks or tick labels left of the box")
      assert.same(WHITE, rgb(cv, b[1], (b[2] + b[4]) / 2), "no frame")
    end)

    it("puts each labelled wedge in the legend", function()
      plt.figure()
      plt.pie({ 1, 1 }, { labels = { "a", "b" }, colors = { "red", "blue" } })
      plt.legend { loc = "upper right" }
      local cv = plt.render()
      local lb = plt.gca().legend_box
      assert.is_truthy(lb)
      assert.is_true(count(cv, RED, lb[1], lb[2], lb[3], lb[4], 5) > 30)
      assert.is_true(count(cv, BLUE, lb[1], lb[2], lb[3], lb[4], 5) > 30)
    end)

    it("draws rings with wedgeprops width and edges with edgecolor", function()
      plt.figure()
      plt.pie({ 1, 1 }, { colors = { "red", "blue" }, wedgeprops = { width = 0.4, edgecolor = "black", linewidth = 2 } })
      local cv = plt.render()
      assert.same(WHITE, at(cv, 0.3, 0.1), "the hole")
      assert.same(RED, at(cv, 0.8, 0.2))
    end)

    it("raises errors naming pie and the option", function()
      plt.figure()
      assert.matches("pie: wedge sizes x must be non%-negative",
        errmsg(function() plt.pie({ 1, -1 }) end))
      assert.matches("pie: labels must have one entry per wedge %(2%), got 1",
        errmsg(function() plt.pie({ 1, 1 }, { labels = { "a" } }) end))
      assert.matches("pie: unknown option 'autopc' %(did you mean 'autopct'%?%)",
        errmsg(function() plt.pie({ 1, 1 }, { autopc = "%1.1f%%" }) end))
      assert.matches("pie: autopct must be a format string",
        errmsg(function() plt.pie({ 1, 1 }, { autopct = 5 }) end))
      assert.matches("pie: bad autopct format '%%q%%q'",
        errmsg(function() plt.pie({ 1, 1 }, { autopct = "%q%q" }) end))  -- two values asked for
      assert.matches("pie %(wedgeprops%): unknown option 'edgecolour' %(did you mean 'edgecolor'%?%)",
        errmsg(function() plt.pie({ 1, 1 }, { wedgeprops = { edgecolour = "w" } }) end))
      assert.matches("pie: x must have a positive sum",
        errmsg(function() plt.pie({ 0, 0 }) end))
      assert.matches("pie: radius must be a positive number",
        errmsg(function() plt.pie({ 1 }, { radius = 0 }) end))
    end)
  end)

  describe("annotate", function()
    -- The axes 0..10 x 0..10 with the annotation drawn by opts.
    local function draw(s, xy, opts)
      plt.close("all")
      plt.figure()
      plt.plot({ 0, 10 }, { 0, 10 }, { color = "white" })
      local a = plt.annotate(s, xy, opts)
      return plt.render(), a, plt.gca()
    end

    it("draws the arrow head near xy, stopping short of it as matplotlib's shrinkB", function()
      local cv, a, ax = draw("peak", { 5, 5 }, { xytext = { 1, 8 }, arrowprops = { arrowstyle = "-|>", color = "red" } })
      assert.are.equal("Annotation(5, 5, 'peak')", tostring(a))
      local ex, ey = ax:transform(5, 5)
      local sx, sy = ax:transform(1, 8)
      local d = math.sqrt((ex - sx) ^ 2 + (ey - sy) ^ 2)
      local ux, uy = (sx - ex) / d, (sy - ey) / d    -- from xy back towards the text
      local function along(k) return rgb(cv, ex + ux * k, ey + uy * k) end
      -- shrinkB: the tip stops 2 points (2.8 px) short of xy, less half the line's mitre
      assert.same(WHITE, along(0), "shrinkB: short of xy")
      assert.same(WHITE, along(2.5), "shrinkB: 2 points short of xy")
      assert.is_true(near(along(6), RED, 10), "the filled head")
      local mx, my = ex + ux * 40, ey + uy * 40
      assert.is_true(count(cv, RED, mx - 2, my - 2, mx + 3, my + 3, 60) > 0, "the shaft (1 pt)")
      -- a filled head has more ink near xy than an open one
      local function head_ink(style)
        local c = draw("peak", { 5, 5 }, { xytext = { 1, 8 }, arrowprops = { arrowstyle = style, color = "red" } })
        return count(c, RED, ex - 12, ey - 12, ex + 12, ey + 12, 80)
      end
      local filled, open, none = head_ink("-|>"), head_ink("->"), head_ink("-")
      assert.is_true(filled > open and open > none, filled .. " > " .. open .. " > " .. none)
    end)

    it("starts the arrow outside the text's box", function()
      local cv, a, ax = draw("label text", { 8, 2 }, { xytext = { 2, 8 }, fontsize = 14,
        arrowprops = { arrowstyle = "->", color = "red" } })
      local annotate = require "cvision.plot.artists.annotate"
      local _, _, x0, y0, x1, y1 = annotate.text_box(a, ax)
      assert.is_true(count(cv, BLACK, x0, y0, x1, y1, 80) > 30, "the text is drawn")
      assert.are.equal(0, count(cv, RED, x0 - 2, y0 - 2, x1 + 2, y1 + 2, 80), "no arrow over the text")
      local sx, sy = annotate.arrow_path(a, ax)
      assert.is_true(sx > x1 or sy > y1, "the arrow starts past the box")
      assert.is_true(count(cv, RED, x1, y1, x1 + 40, y1 + 40, 80) > 10, "the arrow leaves the text's corner")
    end)

    it("draws matplotlib's simple arrow without arrowstyle, shrunk by the fraction shrink", function()
      local cv, _, ax = draw("x", { 5, 5 }, { xytext = { 1, 5 }, arrowprops = { facecolor = "red", edgecolor = "red" } })
      local ex, ey = ax:transform(5, 5)
      assert.same(RED, rgb(cv, ex - 3, ey), "shrink = 0: the tip at xy")
      -- the head: 12 points long, 12 wide at its base (half of it 7 px, 14 px back); the shaft 4 wide
      assert.same(RED, rgb(cv, ex - 14, ey + 5), "the head is 12 points wide")
      assert.same(WHITE, rgb(cv, ex - 30, ey + 5), "the shaft is 4 points wide")
      cv = draw("x", { 5, 5 }, { xytext = { 1, 5 }, arrowprops = { color = "red", shrink = 0.2 } })
      assert.same(WHITE, rgb(cv, ex - 3, ey), "shrink = 0.2: a fifth short")
    end)

    it("places xy and the text in axes fractions and offset points", function()
      local cv, _, ax = draw("", { 0.5, 0.5 }, { xycoords = "axes fraction", xytext = { 0.1, 0.5 },
        textcoords = "axes fraction", arrowprops = { arrowstyle = "-", color = "red", lw = 3 } })
      local b = ax.box
      local cy = (b[2] + b[4]) / 2
      assert.same(RED, rgb(cv, b[1] + 0.3 * (b[3] - b[1]), cy))
      assert.same(WHITE, rgb(cv, b[1] + 0.7 * (b[3] - b[1]), cy))
      local cv2, a2, ax2 = draw("note", { 5, 5 }, { xytext = { 30, 20 }, textcoords = "offset points" })
      local px, py = ax2:transform(5, 5)
      local tx, ty = require("cvision.plot.artists.annotate").text_box(a2, ax2)
      assert.near(px + 30 * 100 / 72, tx, 1e-6)
      assert.near(py - 20 * 100 / 72, ty, 1e-6)
      assert.is_true(cv2:ink(math.floor(tx), math.floor(ty) - 12, math.floor(tx) + 40, math.floor(ty) + 2) > 20)
    end)

    it("draws outside the box but not when xy (data) is outside the axes", function()
      local cv, _, ax = draw("outside", { 5, 5 }, { xytext = { 1.02, 0.5 }, textcoords = "axes fraction" })
      local b = ax.box
      assert.is_true(cv:ink(b[3] + 2, b[2], b[3] + 60, b[4]) > 20, "text right of the box")
      cv = draw("gone", { 50, 50 }, { xytext = { 5, 5 } })
      assert.are.equal(0, cv:ink(b[1] + 1, b[2] + 1, b[3] - 1, b[4] - 1))
      cv = draw("kept", { 50, 50 }, { xytext = { 5, 5 }, annotation_clip = false })
      assert.is_true(cv:ink(b[1] + 1, b[2] + 1, b[3] - 1, b[4] - 1) > 20)
    end)

    it("raises errors naming annotate and the option", function()
      plt.figure()
      assert.matches("annotate: unknown option 'xytxt' %(did you mean 'xytext'%?%)",
        errmsg(function() plt.annotate("a", { 1, 1 }, { xytxt = { 2, 2 } }) end))
      assert.matches("annotate: unknown arrowstyle '=>'",
        errmsg(function() plt.annotate("a", { 1, 1 }, { arrowprops = { arrowstyle = "=>" } }) end))
      assert.matches("annotate: unknown textcoords 'offset inches'",
        errmsg(function() plt.annotate("a", { 1, 1 }, { textcoords = "offset inches" }) end))
      assert.matches("annotate %(arrowprops%): unknown option 'colour'",
        errmsg(function() plt.annotate("a", { 1, 1 }, { arrowprops = { colour = "red" } }) end))
      assert.matches("annotate: arrowprops shrink needs no arrowstyle",
        errmsg(function() plt.annotate("a", { 1, 1 }, { arrowprops = { arrowstyle = "->", shrink = 0.1 } }) end))
      assert.matches("annotate: xy must be {x, y}",
        errmsg(function() plt.annotate("a", 1) end))
      assert.matches("annotate: unknown horizontal alignment 'middle'",
        errmsg(function() plt.annotate("a", { 1, 1 }, { ha = "middle" }) end))
    end)
  end)

  it("draws every new kind on the SVG and PDF canvases too (error bars and caps as polylines)", function()
    plt.figure()
    plt.fill_between({ 0, 1, 2 }, { 1, 2, 1 })
    plt.errorbar({ 0, 1, 2 }, { 1, 1, 1 }, { yerr = 0.2, capsize = 3, fmt = "none" })
    plt.step({ 0, 1, 2 }, { 0, 1, 0 })
    plt.hlines(0.5, 0, 2)
    plt.axvspan(0.2, 0.4)
    plt.annotate("a", { 1, 1 }, { xytext = { 0.5, 1.8 }, arrowprops = { arrowstyle = "->" } })
    local doc = plt.gcf():render(true):tostring()
    local _, polylines = doc:gsub("<polyline", "")
    assert.is_true(polylines >= 12, "polylines: " .. polylines)
    assert.is_truthy(doc:find(">a</text>", 1, true))
    plt.pie({ 1, 2 }, { labels = { "p", "q" }, autopct = "%1.0f%%" })
    assert.matches("^%%PDF%-", plt.gcf():render("pdf"):tostring())
  end)
end)
