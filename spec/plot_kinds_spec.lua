-- spec/plot_kinds_spec.lua - each plot type of cvision.plot checked by the pixels it draws: hist and
-- bar, imshow, text, the colour bar and the legend.
local core = require "cvision.core"
local plt = require "cvision.plot"
local pixels = require "spec.helpers.plot_pixels"
local rgb, near, WHITE, C0 = pixels.rgb, pixels.near, pixels.WHITE, pixels.C0

describe("cvision.plot", function()
  before_each(function() plt.close("all") end)

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

    it("draws text outside the axes box unless clip_on, as matplotlib", function()
      local function ink_left(opts)
        plt.close("all")
        plt.figure()
        plt.plot({ 0, 1 })
        plt.text(-0.02, 0.5, "label", opts)
        local cv = plt.render()
        local b = plt.gca().box
        return cv:ink(2, b[2], b[1] - 40, b[4])
      end
      assert.is_true(ink_left({ transform = "axes", ha = "right", fontsize = 14 }) > 50)
      assert.are.equal(0, ink_left({ transform = "axes", ha = "right", fontsize = 14, clip_on = true }))
      plt.close("all")
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
end)

describe("imshow of an int8 tensor", function()
  it("draws its own values (as the float32 tensor of the same numbers)", function()
    local cv = require "cvision"
    local vals = {{-100, 100, 7}, {0, 50, -3}}
    local paths = {}
    for i, dt in ipairs{"int8", "float32"} do
      plt.figure{figsize = {2, 2}}
      plt.imshow(cv.tensor(vals, dt), {cmap = "gray"})
      paths[i] = os.tmpname()
      plt.savefig(paths[i])
      plt.close("all")
    end
    local a, b = io.open(paths[1], "rb"):read("a"), io.open(paths[2], "rb"):read("a")
    os.remove(paths[1]); os.remove(paths[2])
    assert.is_true(#a > 100)
    assert.equal(b, a)
  end)
end)
