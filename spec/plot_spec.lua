-- spec/plot_spec.lua - cvision.plot checked by the pixels it draws, not by files existing: colours
-- and colour maps, ticks, figures, axes and their layout, files and the terminal image protocols.
-- Each plot type is in spec/plot_kinds_spec.lua, the artist contract in spec/plot_artists_spec.lua,
-- the ready-made figures in spec/plot_figures_spec.lua.
local core = require "cvision.core"
local plt = require "cvision.plot"

local tmpdir = require("spec.helpers.tmpdir").dir
local pixels = require "spec.helpers.plot_pixels"
local rgb, near, WHITE, RED, C0, png_size = pixels.rgb, pixels.near, pixels.WHITE, pixels.RED, pixels.C0, pixels.png_size

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

    it("knows RdBu and jet, and every map reversed as NAME_r", function()
      assert.same({ 103, 0, 31 }, { core.plot_colormap("RdBu", 0) })        -- ColorBrewer 67001f
      assert.same({ 5, 48, 97 }, { core.plot_colormap("RdBu", 1) })         -- 053061
      assert.same({ 0, 0, 127 }, { core.plot_colormap("jet", 0) })          -- blue 0.5
      assert.same({ 127, 0, 0 }, { core.plot_colormap("jet", 1) })
      -- lookup entry 128 is x = 128/255: red 0.4902, green 1, blue 0.4775 on jet's segments
      assert.same({ 125, 255, 121 }, { core.plot_colormap("jet", 128, 0, 256) })
      for _, name in ipairs(core.plot_colormaps()) do
        if not name:find("_r$") then
          -- 0.31: inside a bin for every map's N (0.3 * 510 is a bin edge of twilight's 510)
          for _, v in ipairs{ 0, 0.31, 1 } do
            assert.same({ core.plot_colormap(name, 1 - v) }, { core.plot_colormap(name .. "_r", v) }, name)
          end
        end
      end
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

  describe("files", function()
    it("close() right after savefig() closes the saved figure, as pyplot's, and nothing else", function()
      local d = tmpdir()
      plt.close("all")
      local keep = plt.figure()
      plt.plot({ 1, 2 })
      local fig = plt.figure()
      plt.plot({ 2, 1 })
      plt.savefig(d .. "/b.png")
      plt.close()
      assert.same({ keep }, plt._state.figures)
      assert.equal(keep, plt.gcf())                -- the last figure left is current again
      plt.close()
      assert.same({}, plt._state.figures)
      plt.close()                                  -- none left: a no-op
      assert.are_not.equal(fig, keep)
      plt.close("all")
    end)

    it("savefig writes a PNG of the figure's size", function()
      local d = tmpdir()
      plt.figure { figsize = { 3, 2 }, dpi = 80 }
      plt.plot({ 0, 1 }, { 1, 0 })
      local ax = plt.gca()
      local p = plt.savefig(d .. "/a.png")
      assert.are_not.equal(ax.fig, plt.gcf())   -- savefig ends the figure, as in a notebook
      plt.close()
      assert.same({ 240, 160 }, { png_size(p) })
      local ok, cvm = pcall(require, "cvision")
      if ok and cvm.imread then
        local img = cvm.imread(p)
        assert.same({ 160, 240 }, { img.shape[1], img.shape[2] })
        -- the line from (0, 1) to (1, 0) runs through the middle of the picture
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
      plt.title("next line")
      local same = plt._repl_after_eval()
      io.output(out)
      sink:seek("set")
      local printed = sink:read("a")
      sink:close()
      plt.plot_dir = nil
      assert.are.equal(d .. "/figure-", p:sub(1, #d + 8))
      assert.is_truthy(printed:find(p, 1, true))
      assert.same({ 640, 480 }, { png_size(p) })
      assert.is_nil(again)
      assert.are.equal(p, same)                        -- the same file, rewritten
      assert.is_nil(printed:find(p, printed:find(p, 1, true) + 1, true))  -- its path printed once
      plt.close()
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
end)
