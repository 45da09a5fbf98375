-- spec/plot_pyplot2_spec.lua - boxplot, violinplot, matshow, contour, contourf and clabel of
-- cvision.plot, checked by the pixels they draw and by the errors bad options raise.
local core = require "cvision.core"
local plt = require "cvision.plot"
local pixels = require "spec.helpers.plot_pixels"
local rgb, near, WHITE, C0 = pixels.rgb, pixels.near, pixels.WHITE, pixels.C0

local C1 = { 255, 127, 14 }

local function dark(c) return c[1] < 90 and c[2] < 90 and c[3] < 90 end

local function viridis(t)
  local r, g, b = core.plot_colormap("viridis", t, 0, 1)
  return { r, g, b }
end

local function err_of(f)
  local ok, e = pcall(f)
  assert.is_false(ok)
  return tostring(e)
end

-- x^2 + y^2 on an n x n grid over [-2, 2]^2: axis values and rows.
local function bowl(n)
  local x, Z = {}, {}
  for i = 1, n do x[i] = -2 + 4 * (i - 1) / (n - 1) end
  for i = 1, n do
    Z[i] = {}
    for j = 1, n do Z[i][j] = x[j] ^ 2 + x[i] ^ 2 end
  end
  return x, Z
end

describe("cvision.plot (boxplot, violinplot, matshow, contour)", function()
  before_each(function() plt.close("all") end)

  describe("boxplot", function()
    it("computes quartiles as numpy's percentile with linear interpolation", function()
      local B = require "cvision.plot.artists.boxplot"
      -- numpy: percentile([1, 2, 3, 4], 25) = 1 + 0.75 * (2 - 1)
      assert.are.equal(1.75, B.percentile({ 1, 2, 3, 4 }, 25))
      assert.are.equal(2.5, B.percentile({ 1, 2, 3, 4 }, 50))
      assert.are.equal(4, B.percentile({ 1, 2, 3, 4 }, 100))
    end)

    it("draws the box edges at the quartile rows and an orange median", function()
      plt.figure()
      local bp = plt.boxplot({ 1, 2, 3, 4, 5, 6, 7, 8, 9 })
      local st = bp.stats[1]
      assert.same({ 3, 5, 7, 1, 9 }, { st.q1, st.med, st.q3, st.whislo, st.whishi })
      local ax = plt.gca()
      local cv = plt.render()
      local w = bp.widths[1]
      -- the box's left edge, between the quartiles
      local x, y = ax:transform(1 - w / 2, 4)
      assert.is_true(dark(rgb(cv, x, y)), "left edge of the box")
      -- the bottom and top edges at q1 and q3, off the whisker
      x, y = ax:transform(1 - w / 4, st.q1)
      assert.is_true(dark(rgb(cv, x, y)), "box edge at q1")
      x, y = ax:transform(1 - w / 4, st.q3)
      assert.is_true(dark(rgb(cv, x, y)), "box edge at q3")
      -- inside the box: white (patch_artist = false); the median line is C1
      x, y = ax:transform(1 - w / 4, 4)
      assert.same(WHITE, rgb(cv, x, y))
      x, y = ax:transform(1 - w / 4, st.med)
      assert.is_true(near(rgb(cv, x, y), C1, 40), "median colour")
      -- the whisker runs down from q1 to the minimum, and not past the cap
      x, y = ax:transform(1, 2)
      assert.is_true(dark(rgb(cv, x, y)), "lower whisker")
      x, y = ax:transform(1, (st.whislo + ax.view[3]) / 2)
      assert.same(WHITE, rgb(cv, x, y))
    end)

    it("draws an outlier beyond the whiskers as an open circle", function()
      plt.figure()
      local bp = plt.boxplot({ 1, 2, 3, 4, 5, 6, 7, 8, 9, 30 })
      local st = bp.stats[1]
      assert.are.equal(9, st.whishi)
      assert.same({ 30 }, st.fliers)
      local ax = plt.gca()
      local cv = plt.render()
      local x, y = ax:transform(1, 30)
      local r = 6 * 100 / 72 / 2                   -- markersize 6 pt: its radius in pixels
      assert.same(WHITE, rgb(cv, x, y), "the circle is open")
      assert.is_true(cv:ink(math.floor(x - r - 2), math.floor(y - r - 2), math.floor(x + r + 2),
        math.floor(y + r + 2)) > 10, "the circle's ring")
      -- showfliers = false: nothing there
      plt.close("all")
      plt.figure()
      plt.boxplot({ 1, 2, 3, 4, 5, 6, 7, 8, 9, 30 }, { showfliers = false })
      ax = plt.gca()
      plt.render()
      assert.is_true(ax.view[4] < 30)
    end)

    it("places boxes at 1..n with their labels, half a unit inside the limits", function()
      plt.figure()
      plt.boxplot({ { 1, 2, 3 }, { 2, 3, 4 }, { 5, 6, 9 } }, { tick_labels = { "a", "b", "c" } })
      local ax = plt.gca()
      plt.render()
      assert.same({ 1, 2, 3 }, ax.xt)
      assert.same({ "a", "b", "c" }, ax.xtl)
      assert.are.equal(0.5, ax.view[1])
      assert.are.equal(3.5, ax.view[2])
      assert.is_true(ax.view[3] < 1 and ax.view[4] > 9, "the value axis keeps its margins")
    end)

    it("fills the boxes with patch_artist and lies down with vert = false", function()
      plt.figure()
      plt.boxplot({ 1, 2, 3, 4, 5, 6, 7, 8, 9 }, { vert = false, patch_artist = true,
        medianprops = { color = "red" } })
      local ax = plt.gca()
      local cv = plt.render()
      local x, y = ax:transform(4, 1)
      assert.is_true(near(rgb(cv, x, y), C0, 10), "the box is filled with C0")
      x, y = ax:transform(5, 1)
      assert.is_true(near(rgb(cv, x, y), { 255, 0, 0 }, 40), "the median is red, across the value axis")
      assert.same({ 1 }, ax.yt)
    end)

    it("names the function and the option in its errors", function()
      assert.matches("boxplot: unknown option 'widhts' %(did you mean 'widths'%?%)",
        err_of(function() plt.boxplot({ 1, 2 }, { widhts = 1 }) end))
      assert.matches("boxplot medianprops: unknown option 'colour' %(did you mean 'color'%?%)",
        err_of(function() plt.boxplot({ 1, 2 }, { medianprops = { colour = "red" } }) end))
      assert.matches("boxplot: whis must be", err_of(function() plt.boxplot({ 1, 2 }, { whis = -1 }) end))
      assert.matches("boxplot: unknown colour 'rde'",
        err_of(function() plt.boxplot({ 1, 2 }, { boxprops = { color = "rde" } }) end))
      assert.matches("boxplot: labels must be a list of 2",
        err_of(function() plt.boxplot({ { 1 }, { 2 } }, { labels = { "a" } }) end))
    end)
  end)

  describe("violinplot", function()
    it("is widest near the mode, as wide as widths there", function()
      local data = { 2, 2, 2, 2, 2.1, 1.9, 2.2, 1.8, 2.05, 1.95, 0, 4, 5, 1, 3, 6 }
      plt.figure()
      local v = plt.violinplot(data, { showextrema = false })
      local ax = plt.gca()
      local cv = plt.render()
      local b = ax.box
      local best, best_y = -1, nil
      for py = b[2] + 2, b[4] - 2 do
        local n = 0
        for px = b[1] + 1, b[3] - 1 do
          local c = rgb(cv, px, py)
          if not near(c, WHITE, 8) then n = n + 1 end
        end
        if n > best then best, best_y = n, py end
      end
      local best_w = best
      local y = ax.view[3] + (b[4] - best_y) / (b[4] - b[2]) * (ax.view[4] - ax.view[3])
      assert.is_true(math.abs(y - 2) < 0.3, "widest at " .. y)
      local x0 = ax:transform(0.75, 0)
      local x1 = ax:transform(1.25, 0)
      assert.is_true(math.abs(best_w - (x1 - x0)) <= 3, "as wide as widths: " .. best_w .. " vs " .. (x1 - x0))
      -- a body colour of C0 at alpha 0.3 over white
      local cx, cy = ax:transform(1, 2)
      local want = {}
      for k = 1, 3 do want[k] = 255 * 0.7 + C0[k] * 0.3 end
      assert.is_true(near(rgb(cv, cx, cy), want, 3))
      assert.are.equal(100, #v.stats[1].coords)
    end)

    it("estimates the density as matplotlib's gaussian KDE: integrates to 1, narrower with a smaller factor", function()
      local V = require "cvision.plot.artists.violin"
      local x = { 0, 1, 1.5, 3, 4 }
      for _, bw in ipairs({ "scott", "silverman", 0.3 }) do
        local f = V.kde(x, bw)
        local s, h = 0, 0.01
        for v = -20, 25, h do s = s + f(v) * h end
        assert.is_true(math.abs(s - 1) < 1e-3, tostring(bw) .. " integrates to " .. s)
      end
      local _, scott = V.kde(x, "scott")
      assert.are.equal(5 ^ (-1 / 5), scott)
      local _, silver = V.kde(x, "silverman")
      assert.are.equal((5 * 3 / 4) ^ (-1 / 5), silver)
      assert.is_true(V.kde(x, 0.1)(3) > V.kde(x, "scott")(3))
    end)

    it("draws the extrema and the centre bar in the body's colour", function()
      plt.figure()
      plt.violinplot({ { 1, 2, 2, 3, 6 }, { 0, 4, 5, 5, 9 } })
      local ax = plt.gca()
      local cv = plt.render()
      for _, p in ipairs({ { 1, 6 }, { 1, 1 }, { 2, 9 }, { 2, 0 }, { 1.1, 6 }, { 2, 7 } }) do
        local x, y = ax:transform(p[1], p[2])
        assert.is_true(near(rgb(cv, x, y), C0, 30), ("line at (%g, %g)"):format(p[1], p[2]))
      end
      local x, y = ax:transform(1.2, 6)      -- the extrema span half the width (0.25)
      assert.is_false(near(rgb(cv, x, y), C0, 30))
    end)

    it("names the function and the option in its errors", function()
      assert.matches("violinplot: unknown bw_method 'scot' %(did you mean 'scott'%?%)",
        err_of(function() plt.violinplot({ 1, 2, 3 }, { bw_method = "scot" }) end))
      assert.matches("violinplot: unknown option 'showmean' %(did you mean 'showmeans'%?%)",
        err_of(function() plt.violinplot({ 1, 2, 3 }, { showmean = true }) end))
      assert.matches("violinplot: data set 1 needs at least two different values",
        err_of(function() plt.violinplot({ 1 }) end))
      assert.matches("violinplot: points must be", err_of(function() plt.violinplot({ 1, 2 }, { points = 1 }) end))
    end)
  end)

  describe("matshow", function()
    local A = { { 0, 1, 2, 3 }, { 4, 5, 6, 7 }, { 8, 9, 10, 11 } }

    it("shows each cell in its colour, row 0 at the top, on a figure shaped as the matrix", function()
      plt.matshow(A)
      local fig, ax = plt.gcf(), plt.gca()
      local cv = plt.render()
      for i = 1, 3 do
        for j = 1, 4 do
          local x, y = ax:transform(j - 1, i - 1)
          assert.same(viridis(A[i][j] / 11), rgb(cv, x, y), ("cell %d, %d"):format(i, j))
        end
      end
      local _, ytop = ax:transform(0, 0)
      local _, ybot = ax:transform(0, 2)
      assert.is_true(ytop < ybot, "row 0 at the top")
      -- figaspect: 3 rows by 4 columns at 4.8 in high
      assert.are.equal(640, fig.width)
      assert.are.equal(480, fig.height)
      plt.matshow({ { 1, 2 }, { 3, 4 } })
      assert.are.equal(plt.gcf().width, plt.gcf().height)
      assert.are_not.equal(fig, plt.gcf())
    end)

    it("has integer ticks, the column ticks' labels above the matrix", function()
      local big = {}
      for i = 1, 12 do
        big[i] = {}
        for j = 1, 12 do big[i][j] = i * j end
      end
      plt.matshow(big, { cmap = "gray" })
      local ax = plt.gca()
      local cv = plt.render()
      for _, t in ipairs(ax.xt) do assert.are.equal(math.floor(t), t) end
      assert.is_true(#ax.xt >= 3)
      local b = ax.box
      local above = cv:ink(b[1], b[2] - 25, b[3], b[2] - 9)
      local below = cv:ink(b[1], b[4] + 9, b[3], b[4] + 25)
      assert.is_true(above > 30, "labels above: " .. above)
      assert.are.equal(0, below)
    end)

    it("names the function in its errors", function()
      assert.matches("matshow: a matrix", err_of(function() plt.matshow({ 1, 2, 3 }) end))
      assert.matches("matshow: unknown option 'cmpa' %(did you mean 'cmap'%?%)",
        err_of(function() plt.matshow(A, { cmpa = "gray" }) end))
      assert.matches("matshow: unknown colour map 'virdis'",
        err_of(function() plt.matshow(A, { cmap = "virdis" }) end))
    end)
  end)

  describe("contour and contourf", function()
    it("picks matplotlib's levels (MaxNLocator) for an integer", function()
      local x, Z = bowl(21)
      plt.figure()
      -- matplotlib 3.6: contourf(X, Y, Z) levels [0, 1, ..., 8], contour(.., 3) [0, 2, 4, 6, 8],
      -- contour(.., 5) [0, 1.5, ..., 9]
      assert.same({ 0, 1, 2, 3, 4, 5, 6, 7, 8 }, plt.contourf(x, x, Z).levels)
      assert.same({ 0, 2, 4, 6, 8 }, plt.contour(x, x, Z, 3).levels)
      assert.same({ 0, 1.5, 3, 4.5, 6, 7.5, 9 }, plt.contour(x, x, Z, 5).levels)
    end)

    it("draws the line of level c where Z = c", function()
      local x, Z = bowl(41)
      plt.figure()
      plt.contour(x, x, Z, { 1, 3 }, { colors = "red" })
      local ax = plt.gca()
      local cv = plt.render()
      for _, r in ipairs({ 1, math.sqrt(3) }) do
        for k = 0, 11 do
          local t = 2 * math.pi * (k + 0.3) / 12
          local px, py = ax:transform(r * math.cos(t), r * math.sin(t))
          local c = rgb(cv, px, py)
          assert.is_true(c[1] > 200 and c[2] < 150, ("level %g at angle %d: %d %d %d"):format(r * r, k, c[1], c[2], c[3]))
        end
      end
      local px, py = ax:transform(0.6, 0.6)      -- Z = 0.72: between the lines, nothing drawn
      assert.same(WHITE, rgb(cv, px, py))
      -- no margins around the field
      assert.same({ -2, 2, -2, 2 }, ax.view)
    end)

    it("fills the bands in the colour map's colours of their midpoints", function()
      local x, Z = bowl(41)
      plt.figure()
      local cs = plt.contourf(x, x, Z, { 0, 1, 2, 4, 8 })
      local ax = plt.gca()
      local cv = plt.render()
      -- points of known Z: 0.5 (band 1), 1.5 (band 2), 3 (band 3), 6 (band 4, a corner)
      for band, z in ipairs({ 0.5, 1.5, 3, 6 }) do
        local r = math.sqrt(z)
        local px, py = ax:transform(r * math.cos(0.9), r * math.sin(0.9))
        local mid = (cs.levels[band] + cs.levels[band + 1]) / 2
        assert.same(viridis(mid / 8), rgb(cv, px, py), "band " .. band)
      end
    end)

    it("resolves a saddle cell by its centre value", function()
      local Z = { { 0, 1 }, { 1, 0 } }       -- centre 0.5
      for _, case in ipairs({ { 0.4, 2 }, { 0.6, 1 } }) do
        plt.figure()
        local cs = plt.contourf(Z, { -1, case[1], 2 })
        local ax = plt.gca()
        local cv = plt.render()
        local px, py = ax:transform(0.5, 0.5)
        local c = cs.colors[case[2]]
        local want = { math.floor(c[1] * 255 + 0.5), math.floor(c[2] * 255 + 0.5), math.floor(c[3] * 255 + 0.5) }
        assert.same(want, rgb(cv, px, py), "level " .. case[1])
        plt.close("all")
      end
    end)

    it("takes a tensor, draws negative levels dashed with one colour", function()
      local cv_ = require "cvision"
      local rows = {}
      for i = 1, 20 do
        rows[i] = {}
        for j = 1, 20 do rows[i][j] = (j - 10.5) / 9.5 end     -- -1 .. 1 along x
      end
      plt.figure()
      local cs = plt.contour(cv_.tensor(rows), { -0.5, 0.5 }, { colors = "k" })
      assert.same({ "--", "-" }, cs.linestyles)
      local ax = plt.gca()
      local cv = plt.render()
      local function gaps(z)
        local j = z * 9.5 + 10.5 - 1                        -- the column of value z
        local n = 0
        for i = 2, 17 do
          local px, py = ax:transform(j, i + 0.5)
          if not dark(rgb(cv, px, py)) then n = n + 1 end
        end
        return n
      end
      assert.is_true(gaps(-0.5) > 2, "dashed")
      assert.are.equal(0, gaps(0.5))
    end)

    it("shows contourf's bands in the colour bar", function()
      local x, Z = bowl(21)
      plt.figure()
      local cs = plt.contourf(x, x, Z, { 0, 2, 4, 8 })
      plt.colorbar()
      local ax = plt.gca()
      local cv = plt.render()
      local b = ax.cbar.box
      local cx = (b[1] + b[3]) / 2
      local function at(v) return b[4] - (v - 0) / 8 * (b[4] - b[2]) end
      assert.same(viridis(cs.layers[3] / 8 - 0), rgb(cv, cx, at(4.5)))
      assert.same(rgb(cv, cx, at(4.5)), rgb(cv, cx, at(7.5)), "one colour over a band")
      assert.same(viridis(1 / 8), rgb(cv, cx, at(1)))
    end)

    it("labels the lines with clabel", function()
      local x, Z = bowl(41)
      plt.figure()
      local cs = plt.contour(x, x, Z, { 1, 3 }, { colors = "red" })
      local cv0 = plt.render()
      plt.clabel(cs, { colors = "blue", fmt = "%.1f" })
      local ax = plt.gca()
      local cv = plt.render()
      local b = ax.box
      local blue, blue0 = 0, 0
      for py = b[2], b[4] - 1, 2 do
        for px = b[1], b[3] - 1, 2 do
          local c = rgb(cv, px, py)
          if c[3] > 150 and c[1] < 120 then blue = blue + 1 end
          c = rgb(cv0, px, py)
          if c[3] > 150 and c[1] < 120 then blue0 = blue0 + 1 end
        end
      end
      assert.are.equal(0, blue0)
      assert.is_true(blue > 10, "blue label pixels: " .. blue)
    end)

    it("writes contourf to SVG as filled paths", function()
      local x, Z = bowl(11)
      plt.figure()
      local cs = plt.contourf(x, x, Z, { 0, 4, 8 })
      local path = os.tmpname() .. ".svg"
      plt.savefig(path)
      local svg = assert(io.open(path)):read("a")
      os.remove(path)
      local c = cs.colors[1]
      local fill = ('fill="rgb(%d,%d,%d)"'):format(math.floor(c[1] * 255 + 0.5), math.floor(c[2] * 255 + 0.5),
        math.floor(c[3] * 255 + 0.5))
      assert.is_truthy(svg:find("<path d=\"M", 1, true))
      assert.is_truthy(svg:find(fill, 1, true), fill)
    end)

    it("names the function and the option in its errors", function()
      local x, Z = bowl(5)
      assert.matches("contour: unknown option 'linewidth' %(did you mean 'linewidths'%?%)",
        err_of(function() plt.contour(Z, { linewidth = 2 }) end))
      assert.matches("contourf: unknown option 'linewidths'",
        err_of(function() plt.contourf(Z, { linewidths = 2 }) end))
      assert.matches("contour: levels must be increasing", err_of(function() plt.contour(Z, { 3, 1 }) end))
      assert.matches("contourf: filled contours need at least 2 levels",
        err_of(function() plt.contourf(Z, { 3 }) end))
      assert.matches("contour: Z must be a list of rows", err_of(function() plt.contour({ 1, 2, 3 }) end))
      assert.matches("contour: X has 4 values but Z has 5 columns",
        err_of(function() plt.contour({ 1, 2, 3, 4 }, x, Z) end))
      assert.matches("contour: unknown colour map 'virdis'",
        err_of(function() plt.contour(Z, { cmap = "virdis" }) end))
      assert.matches("clabel: a contour set expected", err_of(function() plt.clabel({}) end))
      local cs = plt.contour(Z, { 1, 2 })
      assert.matches("clabel: 5 is not a level", err_of(function() plt.clabel(cs, { 5 }) end))
      assert.matches("clabel: unknown option 'fontsise' %(did you mean 'fontsize'%?%)",
        err_of(function() plt.clabel(cs, { fontsise = 8 }) end))
    end)
  end)
end)
