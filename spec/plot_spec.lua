-- spec/plot_spec.lua - cvision.plot checked by the pixels it draws, not by files existing.
local core = require "cvision.core"
local plt = require "cvision.plot"

local tmpdir = require("spec.helpers.tmpdir").dir

local function rgb(cv, x, y)
  local r, g, b = cv:pixel(math.floor(x), math.floor(y))
  return { r, g, b }
end

local function near(c, ref, tol)
  tol = tol or 40
  return math.abs(c[1] - ref[1]) <= tol and math.abs(c[2] - ref[2]) <= tol and math.abs(c[3] - ref[3]) <= tol
end

local WHITE = { 255, 255, 255 }
local RED = { 255, 0, 0 }
local C0 = { 31, 119, 180 }

-- width and height of a PNG file from its IHDR chunk
local function png_size(path)
  local f = assert(io.open(path, "rb"))
  local head = f:read(24)
  f:close()
  assert(head:sub(2, 4) == "PNG", "not a PNG file")
  local w, h = string.unpack(">I4I4", head, 17)
  return w, h
end

describe("cvision.plot", function()
  before_each(function() plt.close("all") end)

  describe("colours", function()
    it("reads names, cycle entries, hex and grey levels as matplotlib", function()
      assert.same({ 1, 0, 0, 1 }, plt.to_rgba("red"))
      local c = plt.to_rgba("C1")
      assert.are.equal(255, math.floor(c[1] * 255 + 0.5))
      assert.are.equal(127, math.floor(c[2] * 255 + 0.5))
      assert.same({ 0.5, 0.5, 0.5, 1 }, plt.to_rgba("0.5"))
      assert.same({ 1, 1, 1, 0.25 }, plt.to_rgba("#fff", 0.25))
      assert.has_error(function() plt.to_rgba("no-such-colour") end)
    end)

    it("has matplotlib's default colour cycle", function()
      assert.same({ "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
        "#7f7f7f", "#bcbd22", "#17becf" }, plt.color_cycle)
    end)
  end)

  describe("colour maps", function()
    it("gives viridis' exact bytes at both ends and the middle", function()
      assert.same({ 68, 1, 84 }, { core.plot_colormap("viridis", 0, 0, 1) })
      assert.same({ 253, 231, 36 }, { core.plot_colormap("viridis", 1, 0, 1) })
      -- entry 128 of _viridis_data: 0.127568, 0.566949, 0.550556 (times 255, truncated)
      assert.same({ 32, 144, 140 }, { core.plot_colormap("viridis", 128, 0, 255) })
    end)

    it("maps gray linearly and knows Blues and RdYlGn", function()
      assert.same({ 100, 100, 100 }, { core.plot_colormap("gray", 100, 0, 255) })
      assert.same({ 247, 251, 255 }, { core.plot_colormap("Blues", 0) })
      assert.same({ 8, 48, 107 }, { core.plot_colormap("Blues", 1) })
      assert.same({ 165, 0, 38 }, { core.plot_colormap("RdYlGn", 0) })
      assert.has_error(function() core.plot_colormap("nope", 0) end)
    end)
  end)

  describe("ticks", function()
    it("picks 1-2-5 steps", function()
      assert.same({ 0, 0.2, 0.4, 0.6, 0.8, 1.0 }, (plt.nice_ticks(0, 1, 9)))
      local t, step = plt.nice_ticks(-0.05, 30.05, 9)
      assert.are.equal(5, step)
      assert.same({ 0, 5, 10, 15, 20, 25, 30 }, t)
      assert.are.equal(250, select(2, plt.nice_ticks(0, 2000, 9)))
    end)

    it("writes very large and small numbers with an offset text, as matplotlib", function()
      plt.figure()
      plt.plot({ 1e6, 3e6 }, { 1e-5, 5e-5 })
      local ax = plt.gca()
      plt.render()
      assert.are.equal("1e6", ax.xoffset)
      assert.are.equal("1e\u{2212}5", ax.yoffset)
      assert.are.equal("2.00", ax.xtl[5])
    end)

    it("formats labels with just enough decimals and a real minus", function()
      assert.are.equal("0.25", plt.format_tick(0.25, 0.25))
      assert.are.equal("0.5", plt.format_tick(0.5, 0.1))
      assert.are.equal("10", plt.format_tick(10, 5))
      assert.are.equal("7.5", plt.format_tick(7.5, 2.5))
      assert.are.equal("5.0", plt.format_tick(5, 2.5))
      assert.are.equal("\u{2212}2", plt.format_tick(-2, 1))
      assert.are.equal("0", plt.format_tick(-0.0, 1))
    end)
  end)

  describe("figures and axes", function()
    it("makes canvases of figsize times dpi pixels", function()
      plt.figure { figsize = { 4, 3 }, dpi = 50 }
      plt.plot({ 1, 2 }, { 1, 2 })
      local cv = plt.render()
      assert.same({ 200, 150 }, { cv:size() })
      plt.figure()
      plt.plot({ 1, 2 })
      assert.same({ 640, 480 }, { plt.render():size() })
    end)

    it("draws a red line from (0,0) to (1,1) along the diagonal, leaving the corners white", function()
      plt.figure()
      plt.plot({ 0, 1 }, { 0, 1 }, { color = "red" })
      local ax = plt.gca()
      local cv = plt.render()
      for _, t in ipairs({ 0.1, 0.25, 0.5, 0.75, 0.9 }) do
        local x, y = ax:transform(t, t)
        assert.is_true(near(rgb(cv, x, y), RED, 60), "diagonal at " .. t)
      end
      local w, h = cv:size()
      for _, p in ipairs({ { 0, 0 }, { w - 1, 0 }, { 0, h - 1 }, { w - 1, h - 1 } }) do
        assert.same(WHITE, rgb(cv, p[1], p[2]))
      end
      -- inside the axes but off the line: white
      local x, y = ax:transform(0.8, 0.2)
      assert.same(WHITE, rgb(cv, x, y))
      x, y = ax:transform(0.2, 0.8)
      assert.same(WHITE, rgb(cv, x, y))
    end)

    it("draws axhline and axvline across the whole axes at their data value", function()
      plt.figure()
      plt.plot({ 0, 10 }, { 0, 10 }, { color = "white" })
      plt.axhline(3, { color = "red" })
      plt.axvline(7, { color = "blue", linewidth = 2 })
      local ax = plt.gca()
      local cv = plt.render()
      for _, x in ipairs({ 0.5, 2, 5, 9.5 }) do
        local px, py = ax:transform(x, 3)
        assert.is_true(near(rgb(cv, px, py), RED, 60), "hline at x = " .. x)
      end
      for _, y in ipairs({ 0.5, 5, 9.5 }) do
        local px, py = ax:transform(7, y)
        assert.is_true(near(rgb(cv, px, py), { 0, 0, 255 }, 60), "vline at y = " .. y)
      end
      local px, py = ax:transform(2, 6)  -- off both lines
      assert.same(WHITE, rgb(cv, px, py))
      px, py = ax:transform(2, 3.8)      -- above the hline, not on it
      assert.same(WHITE, rgb(cv, px, py))
    end)

    it("cycles colours for successive lines and honours format strings", function()
      plt.figure()
      plt.plot({ 0, 1 }, { 0, 0 })
      plt.plot({ 0, 1 }, { 1, 1 })
      plt.plot({ 0, 1 }, { 0.5, 0.5 }, "g--")
      local ax = plt.gca()
      local cv = plt.render()
      local x, y = ax:transform(0.5, 0)
      assert.is_true(near(rgb(cv, x, y), C0, 30))
      x, y = ax:transform(0.5, 1)
      assert.is_true(near(rgb(cv, x, y), { 255, 127, 14 }, 30))
      assert.are.equal("--", ax.artists[3].linestyle)
      assert.are.equal("g", ax.artists[3].color)
    end)

    it("accepts tensors for x and y", function()
      local cv_ = require "cvision"
      plt.figure()
      plt.plot(cv_.tensor({ 0, 1, 2 }), cv_.tensor({ 0, 2, 4 }), { color = "red" })
      local ax = plt.gca()
      local cv = plt.render()
      local x, y = ax:transform(1.5, 3)
      assert.is_true(near(rgb(cv, x, y), RED, 60))
    end)

    it("lays subplots out in a grid, row by row", function()
      plt.figure()
      local a = plt.subplot(2, 2, 1)
      local b = plt.subplot(2, 2, 2)
      local c = plt.subplot(2, 2, 3)
      assert.are.equal(a, plt.subplot(2, 2, 1))
      for _, ax in ipairs({ a, b, c }) do ax:plot({ 0, 1 }) end
      plt.render()
      assert.is_true(b.box[1] > a.box[3], "2 right of 1")
      assert.are.equal(a.box[2], b.box[2])
      assert.is_true(c.box[2] > a.box[4], "3 below 1")
      assert.are.equal(a.box[1], c.box[1])
      assert.are.equal(a.box[3] - a.box[1], b.box[3] - b.box[1])
      assert.has_error(function() plt.subplot(2, 2, 5) end)
    end)

    it("turns the frame and ticks off with axis('off')", function()
      plt.figure()
      plt.plot({ 0, 1 }, { 0, 1 })
      local ax = plt.gca()
      plt.axis("off")
      local cv = plt.render()
      local b = ax.box
      assert.same(WHITE, rgb(cv, b[1], b[2] + (b[4] - b[2]) // 2))
      assert.are.equal(0, cv:ink(0, b[4] + 2, cv:size(), select(2, cv:size())))
    end)
  end)

  describe("hist and bar", function()
    it("draws bars as tall as the counts", function()
      plt.figure()
      local counts, edges = plt.hist({ 1, 1, 2, 3, 3, 3 }, { bins = 3 })
      assert.same({ 2, 1, 3 }, counts)
      assert.are.equal(4, #edges)
      local ax = plt.gca()
      local cv = plt.render()
      local centres = { (edges[1] + edges[2]) / 2, (edges[2] + edges[3]) / 2, (edges[3] + edges[4]) / 2 }
      for i, h in ipairs(counts) do
        local x, y = ax:transform(centres[i], h - 0.06)
        assert.is_true(near(rgb(cv, x, y), C0, 10), "bar " .. i .. " reaches its count")
        x, y = ax:transform(centres[i], h + 0.06)
        assert.same(WHITE, rgb(cv, x, y), "bar " .. i .. " stops at its count")
      end
      -- the y axis starts at 0 under bars, as matplotlib's sticky edges
      assert.are.equal(0, ax.view[3])
    end)

    it("normalises with density and blends with alpha", function()
      plt.figure()
      local d = plt.hist({ 0, 0, 1, 1 }, { bins = 2, density = true, alpha = 0.5, color = "red" })
      assert.same({ 1, 1 }, d)
      local ax = plt.gca()
      local cv = plt.render()
      local x, y = ax:transform(0.25, 0.5)
      assert.is_true(near(rgb(cv, x, y), { 255, 128, 128 }, 3))
    end)

    it("puts Chinese tick labels under categorical bars", function()
      plt.figure()
      plt.bar({ "日", "大", "吠" }, { 0, 0.2, 0.14 })
      plt.xticks { rotation = 0 }
      local ax = plt.gca()
      local cv = plt.render()
      local x = ax:transform(1, 0)
      local b = ax.box
      local ink = cv:ink(math.floor(x - 8), b[4] + 4, math.floor(x + 8), b[4] + 30)
      assert.is_true(ink > 20, "ink of 大 below its bar: " .. ink)
      assert.same({ 0, 1, 2 }, ax.xt)
    end)
  end)

  describe("imshow", function()
    it("colours a known gradient through viridis, left to right", function()
      local row = {}
      for i = 0, 255 do row[#row + 1] = i end
      plt.figure { figsize = { 6.4, 2 } }
      plt.imshow({ row, row })
      local ax = plt.gca()
      local cv = plt.render()
      for _, k in ipairs({ 3, 64, 128, 200, 252 }) do
        local x, y = ax:transform(k, 0)
        assert.same({ core.plot_colormap("viridis", k, 0, 255) }, rgb(cv, x, y))
      end
    end)

    it("shows gray tensors of shape (H, W, 1) scaled to their range, and RGB uint8 as is", function()
      local cv_ = require "cvision"
      local t = cv_.tensor({ { { 10 }, { 20 } }, { { 30 }, { 50 } } })
      plt.figure()
      plt.imshow(t, { cmap = "gray" })
      local ax = plt.gca()
      local cv = plt.render()
      local x, y = ax:transform(0, 0)
      assert.same({ 0, 0, 0 }, rgb(cv, x, y))
      x, y = ax:transform(1, 1)
      assert.same({ 255, 255, 255 }, rgb(cv, x, y))
      x, y = ax:transform(0, 1)   -- 30 of 10..50: index floor(0.5 * 256) = 128
      assert.same({ 128, 128, 128 }, rgb(cv, x, y))
      local img = cv_.tensor({ { { 255, 0, 0 }, { 0, 0, 255 } } }, "uint8")
      plt.figure()
      plt.imshow(img)
      ax = plt.gca()
      cv = plt.render()
      x, y = ax:transform(0, 0)
      assert.same({ 255, 0, 0 }, rgb(cv, x, y))
      x, y = ax:transform(1, 0)
      assert.same({ 0, 0, 255 }, rgb(cv, x, y))
    end)

    it("keeps square pixels and puts row 0 at the top", function()
      local cv_ = require "cvision"
      local t = cv_.zeros { 80, 60 }
      t:set(1, 1, 1)
      plt.figure()
      plt.imshow(t)
      local ax = plt.gca()
      plt.render()
      local b = ax.box
      assert.is_true(math.abs((b[3] - b[1]) / (b[4] - b[2]) - 60 / 80) < 0.02)
      local _, ytop = ax:transform(0, -0.5)
      assert.is_true(math.abs(ytop - b[2]) < 1)
      assert.has_error(function() plt.imshow(cv_.zeros { 2, 2, 2 }) end)
    end)
  end)

  describe("text", function()
    it("puts the ink of a Chinese title where the title is", function()
      plt.figure()
      plt.plot({ 0, 1 })
      plt.title("东人", { fontsize = 20 })
      local ax = plt.gca()
      local cv = plt.render()
      local b = ax.box
      local cx = (b[1] + b[3]) // 2
      local ink = cv:ink(cx - 30, b[2] - 40, cx + 30, b[2] - 2)
      assert.is_true(ink > 100, "title ink " .. ink)
      -- nothing far left of the centred title
      assert.are.equal(0, cv:ink(b[1], b[2] - 40, b[1] + 100, b[2] - 2))
    end)

    it("draws real Chinese glyphs, not the missing-glyph box", function()
      assert.is_true(core.plot_has_glyphs("东炎人啖囡"))
      assert.is_false(core.plot_has_glyphs("\u{10FFFD}"))
      local function draw(s)
        local cv = core.canvas(60, 60)
        cv:text(s, 30, 30, 40, { 0, 0, 0 }, "center", "center")
        return cv
      end
      local dong, tofu = draw("东"), draw("\u{10FFFD}")
      local differ = 0
      for y = 0, 59 do
        for x = 0, 59 do
          local a, b = dong:pixel(x, y), tofu:pixel(x, y)
          if math.abs(a - b) > 64 then differ = differ + 1 end
        end
      end
      assert.is_true(differ > 150, "东 differs from the missing glyph in " .. differ .. " pixels")
      -- 东's strokes cross the middle of its box: its centre column has ink in many rows
      local col = 0
      for y = 10, 50 do if dong:pixel(30, y) < 128 then col = col + 1 end end
      assert.is_true(col > 10)
      -- and two different characters render differently
      local ren = draw("人")
      assert.is_true(ren:ink(0, 0, 60, 60) ~= dong:ink(0, 0, 60, 60))
    end)

    it("renders Latin labels under the axes and measures text", function()
      plt.figure()
      plt.plot({ 0, 1 })
      plt.xlabel("Epoch")
      local ax = plt.gca()
      local cv = plt.render()
      local b = ax.box
      local cx = (b[1] + b[3]) // 2
      local w, asc, desc = core.plot_text_size("Epoch", 10 * 100 / 72)
      assert.is_true(w > 25 and w < 60 and asc > 8 and desc > 1)
      -- ticks labels end at about b[4] + 7 + 13 px; the label lies below them
      assert.is_true(cv:ink(cx - 25, b[4] + 22, cx + 25, b[4] + 45) > 40)
    end)

    it("switches fonts with font(path) and back with font()", function()
      local w0 = core.plot_text_size("Hello", 20)
      assert.has_error(function() plt.font("/no/such/font.ttf") end)
      plt.font("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
      local w1 = core.plot_text_size("Hello", 20)
      assert.is_true(core.plot_has_glyphs("东"))
      plt.font()
      assert.are.equal(w0, core.plot_text_size("Hello", 20))
      assert.are_not.equal(w0, w1)
    end)

    it("rotates tick labels", function()
      local function depth(rot)
        plt.figure()
        plt.bar({ "a long label", "another one" }, { 1, 2 })
        plt.xticks { rotation = rot }
        local ax = plt.gca()
        local cv = plt.render()
        local w, h = cv:size()
        local deepest = 0
        for y = ax.box[4] + 2, h - 1 do
          if cv:ink(0, y, w, y + 1) > 0 then deepest = y end
        end
        return deepest - ax.box[4]
      end
      local flat, upright = depth(0), depth(90)
      assert.is_true(upright > flat + 20, "90° labels reach deeper: " .. upright .. " vs " .. flat)
    end)
  end)

  describe("colorbar", function()
    it("draws the colour map beside the image, low values at the bottom", function()
      plt.figure()
      plt.imshow({ { 0, 1 }, { 2, 3 } })
      local cb = plt.colorbar()
      local ax = plt.gca()
      local cv = plt.render()
      local b = cb.box
      assert.is_true(b[1] > ax.box[3])
      local cx = (b[1] + b[3]) // 2
      assert.is_true(near(rgb(cv, cx, b[4] - 2), { core.plot_colormap("viridis", 0) }, 3))
      assert.is_true(near(rgb(cv, cx, b[2] + 2), { core.plot_colormap("viridis", 1) }, 3))
      assert.has_error(function() plt.figure(); plt.plot({ 1 }); plt.colorbar() end)
    end)
  end)

  describe("legend", function()
    it("is drawn with its labels where it hides no data", function()
      plt.figure()
      plt.plot({ 0, 1, 2, 3 }, { 0, 1, 2, 3 }, { label = "train" })
      plt.plot({ 0, 1, 2, 3 }, { 0, 0.9, 1.9, 2.9 }, { label = "validation" })
      plt.legend()
      local ax = plt.gca()
      local cv = plt.render()
      local lb = ax.legend_box
      assert.is_truthy(lb)
      assert.is_true(lb.loc == "upper left" or lb.loc == "lower right", lb.loc)
      assert.is_true(cv:ink(math.floor(lb[1]) + 2, math.floor(lb[2]) + 2, math.floor(lb[3]) - 2,
        math.floor(lb[4]) - 2) > 100)
    end)

    it("stays away from histogram bars", function()
      plt.figure()
      local v = {}
      for i = 1, 100 do v[i] = (i % 10) < 7 and 8 or 1 end
      plt.hist(v, { label = "tall on the right" })
      plt.legend()
      plt.render()
      assert.are_not.equal("upper right", plt.gca().legend_box.loc)
    end)
  end)

  describe("files", function()
    it("savefig writes a PNG of the figure's size", function()
      local d = tmpdir()
      plt.figure { figsize = { 3, 2 }, dpi = 80 }
      plt.plot({ 0, 1 }, { 1, 0 })
      local p = plt.savefig(d .. "/a.png")
      assert.same({ 240, 160 }, { png_size(p) })
      local ok, cvm = pcall(require, "cvision")
      if ok and cvm.imread then
        local img = cvm.imread(p)
        assert.same({ 160, 240 }, { img.shape[1], img.shape[2] })
        -- the line from (0, 1) to (1, 0) runs through the middle of the picture
        local ax = plt.gca()
        local x, y = ax:transform(0.5, 0.5)
        assert.is_true(img:at(math.floor(y) + 1, math.floor(x) + 1, 1) < 100)
      end
      os.execute("rm -rf " .. d)
    end)

    it("shows an unsaved figure after a REPL line, once", function()
      local d = tmpdir()
      plt.plot_dir = d
      plt.plot({ 1, 3, 2 })
      local out = io.output()
      local sink = io.tmpfile()
      io.output(sink)
      local p = plt._repl_after_eval()
      local again = plt._repl_after_eval()
      io.output(out)
      sink:seek("set")
      local printed = sink:read("a")
      sink:close()
      plt.plot_dir = nil
      assert.are.equal(d .. "/figure-", p:sub(1, #d + 8))
      assert.is_truthy(printed:find(p, 1, true))
      assert.same({ 640, 480 }, { png_size(p) })
      assert.is_nil(again)
      os.execute("rm -rf " .. d)
    end)

    it("encodes base64 and kitty/iTerm2 inline images", function()
      assert.are.equal("TWFu", plt._base64("Man"))
      assert.are.equal("TWE=", plt._base64("Ma"))
      assert.are.equal("TQ==", plt._base64("M"))
      local png = core.canvas(2, 2):png()
      assert.are.equal("\137PNG", png:sub(1, 4))
      local k = plt.inline_escape(png, "kitty")
      assert.are.equal("\27_Gf=100,a=T,m=0;", k:sub(1, 17))
      local c = core.canvas(8, 7, { 1, 0, 0 })
      c:fill_rect(0, 0, 4, 7, { 1, 1, 1 })
      local six = c:sixel()
      assert.are.equal("\27P0;1;0q\"1;1;8;7", six:sub(1, 16))
      assert.is_truthy(six:find("#180!4?!4~$#215!4~-", 1, true))   -- red right, white left
      assert.are.equal("\27\\", six:sub(-2))
      local i2 = plt.inline_escape(png, "iterm2")
      assert.is_truthy(i2:find("^\27%]1337;File=inline=1"))
    end)
  end)

  describe("ready-made figures", function()
    local names = { "东", "炎", "人" }

    it("plots a history as loss and accuracy panels with train and validation", function()
      local fig = plt.history { history = { loss = { 3, 2, 1 }, val_loss = { 3.2, 2.5, 2 },
        accuracy = { 0.1, 0.5, 0.9 }, val_accuracy = { 0.1, 0.4, 0.7 } } }
      assert.are.equal(2, #fig.axes)
      assert.are.equal("Loss", fig.axes[1].title.text)
      assert.are.equal("Accuracy", fig.axes[2].title.text)
      assert.are.equal(2, #fig.axes[1].artists)
      local cv = fig:render()
      local x, y = fig.axes[2]:transform(3, 0.9)
      assert.is_true(near(rgb(cv, x, y), C0, 40))
      assert.same({ 1000, 400 }, { cv:size() })
    end)

    it("titles failed predictions 'true not predicted (confidence)'", function()
      local cv_ = require "cvision"
      local X = cv_.rand { 3, 8, 6, 1 }
      local probs = { { 0.37, 0.63, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }
      local fig, wrong = plt.failed_predictions(probs, X, { 1, 2, 3 }, names)
      assert.same({ 1 }, wrong)
      assert.are.equal("东 not 炎 (63%)", fig.axes[1].title.text)
      local cv = fig:render()
      local b = fig.axes[1].box
      assert.is_true(cv:ink(b[1], b[2], b[3], b[4]) > 0)
    end)

    it("predicts with a model and turns logits into probabilities", function()
      local cv_ = require "cvision"
      local model = { predict = function(_, X)
        assert.are.equal(2, #X)
        return cv_.tensor({ { 2, 0, 0 }, { 0, 0, 3 } })
      end }
      local X = cv_.rand { 2, 8, 6, 1 }
      local fig, wrong = plt.failed_predictions(model, X, { 2, 3 }, names)
      assert.same({ 1 }, wrong)
      local p = math.exp(2) / (math.exp(2) + 2)
      assert.are.equal(string.format("炎 not 东 (%d%%)", math.floor(p * 100 + 0.5)), fig.axes[1].title.text)
    end)

    it("shows images with their class names and no axes", function()
      local cv_ = require "cvision"
      local X = cv_.rand { 4, 10, 8, 1 }
      local fig = plt.images(X, { 1, 2, 3, 1 }, names, { n = 3 })
      assert.are.equal(3, #fig.axes)
      assert.are.equal("东", fig.axes[1].title.text)
      assert.are.equal("人", fig.axes[3].title.text)
      assert.is_false(fig.axes[1].axis_on)
    end)

    it("counts a confusion matrix and histograms confidence", function()
      local probs = { { 0.9, 0.1, 0 }, { 0.2, 0.8, 0 }, { 0.6, 0.4, 0 }, { 0, 0.3, 0.7 } }
      local _, m = plt.confusion_matrix({ 1, 2, 2, 3 }, probs, names)
      assert.same({ { 1, 0, 0 }, { 1, 1, 0 }, { 0, 0, 1 } }, m)
      local _, right, wrong = plt.confidence(probs, nil, { 1, 2, 2, 3 })
      assert.are.equal(3, #right)
      assert.are.equal(1, #wrong)
      assert.near(0.6, wrong[1], 1e-6)
      local _, acc = plt.class_accuracy(probs, nil, { 1, 2, 2, 3 }, names)
      assert.same({ 1, 0.5, 1 }, acc)
    end)

    it("draws a model's layers with their shapes", function()
      local model = { layers = {
        { name = "conv2d", class_name = "Conv2D", input_shape = { 80, 60, 1 }, output_shape = { 80, 60, 16 } },
        { name = "dense", class_name = "Dense", input_shape = { 16 }, output_shape = { 55 } },
      } }
      local fig = plt.model(model, { show_shapes = true })
      local cv = fig:render()
      local w, h = cv:size()
      assert.is_true(h > w / 2)
      assert.is_true(cv:ink(0, 0, w, h) > 1000)
      assert.are.equal("(None, 80, 60, 16)", require("cvision.plot.figures")._shape_str({ 80, 60, 16 }))
    end)
  end)
end)

describe("cvision.plot ready-made figures and labels", function()
  it("refuses 0-based labels instead of guessing", function()
    local cv_ = require "cvision"
    assert.has_error(function() plt.images(cv_.rand{2, 4, 4, 1}, {0, 1}, {"a", "b"}) end,
      "plot: label 0 at position 1 is not a class number in 1..K")
  end)
end)
