-- spec/plot_scatter_spec.lua - scatter as matplotlib's: the colour of each point's pixels when c is
-- numbers (through cmap, scaled by vmin/vmax or a norm), a colour per point, sizes, and the colour
-- bar after a scatter.
local core = require "cvision.core"
local plt = require "cvision.plot"
local pixels = require "spec.helpers.plot_pixels"
local rgb, near = pixels.rgb, pixels.near

-- The colour of the pixel at the centre of each point.
local function point_colours(ax, cv, xs, ys)
  local out = {}
  for i = 1, #xs do
    local px, py = ax:transform(xs[i], ys[i])
    out[i] = rgb(cv, px, py)
  end
  return out
end

local function cmap(name, t) return { core.plot_colormap(name, t, 0, 1) } end

describe("scatter", function()
  before_each(function() plt.close("all") end)

  it("maps c = values through the colour map, scaled to their range", function()
    plt.figure()
    local xs, ys, vs = { 1, 2, 3, 4, 5 }, { 1, 2, 3, 4, 5 }, { 10, 20, 30, 40, 50 }
    plt.scatter(xs, ys, { c = vs, cmap = "viridis", s = 200 })
    local ax, cv = plt.gca(), plt.render()
    local got = point_colours(ax, cv, xs, ys)
    for i = 1, 5 do
      local want = cmap("viridis", (vs[i] - 10) / 40)
      assert.is_true(near(got[i], want, 2), ("point %d: got %d,%d,%d"):format(i, got[i][1], got[i][2], got[i][3]))
    end
    -- the two ends differ: not one colour for every point
    assert.is_false(near(got[1], got[5], 60))
  end)

  it("clips to vmin/vmax and takes another colour map", function()
    plt.figure()
    local xs, ys = { 1, 2, 3 }, { 1, 2, 3 }
    plt.scatter(xs, ys, { c = { 0, 5, 10 }, cmap = "gray", vmin = 2, vmax = 8, s = 200 })
    local got = point_colours(plt.gca(), plt.render(), xs, ys)
    assert.is_true(near(got[1], { 0, 0, 0 }, 2))
    assert.is_true(near(got[2], cmap("gray", 0.5), 2))
    assert.is_true(near(got[3], { 255, 255, 255 }, 2))
  end)

  it("scales by a log norm and leaves out what it cannot map", function()
    plt.figure()
    local xs, ys = { 1, 2, 3, 4 }, { 1, 2, 3, 4 }
    plt.scatter(xs, ys, { c = { 1, 10, 100, -1 }, norm = "log", cmap = "viridis", s = 200 })
    local got = point_colours(plt.gca(), plt.render(), xs, ys)
    assert.is_true(near(got[1], cmap("viridis", 0), 2))
    assert.is_true(near(got[2], cmap("viridis", 0.5), 2))
    assert.is_true(near(got[3], cmap("viridis", 1), 2))
    assert.is_true(near(got[4], pixels.WHITE, 2))
    plt.figure()
    plt.scatter(xs, ys, { c = { 1, 10, 100, 1000 }, norm = plt.LogNorm(10, 1000), s = 200 })
    got = point_colours(plt.gca(), plt.render(), xs, ys)
    assert.is_true(near(got[1], cmap("viridis", 0), 2))
    assert.is_true(near(got[3], cmap("viridis", 0.5), 2))
  end)

  it("reads a list of colours as one per point and a number list of 3 as values for 3 points", function()
    plt.figure()
    local xs, ys = { 1, 2, 3 }, { 1, 2, 3 }
    plt.scatter(xs, ys, { c = { "red", "green", "blue" }, s = 200 })
    local got = point_colours(plt.gca(), plt.render(), xs, ys)
    assert.is_true(near(got[1], { 255, 0, 0 }, 2))
    assert.is_true(near(got[2], { 0, 128, 0 }, 2))
    assert.is_true(near(got[3], { 0, 0, 255 }, 2))
    plt.figure()
    plt.scatter(xs, ys, { c = { 0, 1, 2 }, s = 200 })
    got = point_colours(plt.gca(), plt.render(), xs, ys)
    assert.is_true(near(got[1], cmap("viridis", 0), 2))
    assert.is_true(near(got[3], cmap("viridis", 1), 2))
  end)

  it("has a colour bar showing the values' colour map", function()
    plt.figure()
    plt.scatter({ 1, 2, 3 }, { 1, 2, 3 }, { c = { 0, 5, 10 }, cmap = "viridis" })
    local cb = plt.colorbar()
    local cv = plt.render()
    local b = cb.box
    assert.is_true(b[1] > plt.gca().box[3])
    local cx = (b[1] + b[3]) // 2
    assert.is_true(near(rgb(cv, cx, b[4] - 2), cmap("viridis", 0), 3))
    assert.is_true(near(rgb(cv, cx, b[2] + 2), cmap("viridis", 1), 3))
    assert.equal(0, cb.ticks[1])
    assert.equal(10, cb.ticks[#cb.ticks])
    -- colorbar(mappable) as matplotlib's plt.colorbar(sc)
    plt.figure()
    local sc = plt.scatter({ 1, 2 }, { 1, 2 }, { c = { 1, 100 }, norm = "log" })
    cb = plt.colorbar(sc, { label = "loss" })
    plt.render()
    assert.same({ 1, 10, 100 }, cb.ticks)
    assert.same({ "10⁰", "10¹", "10²" }, cb.labels)
  end)

  it("still refuses a colour bar for one colour and names what is wrong with c", function()
    plt.figure()
    plt.scatter({ 1, 2 }, { 1, 2 }, { c = "red" })
    assert.has_error(function() plt.colorbar() end,
      "colorbar: no colour-mapped artist on these axes (imshow a 2-D image or scatter with c = values first)")
    assert.has_error(function() plt.scatter({ 1, 2 }, { 1, 2 }, { c = { 1, 2, 3, 4, 5 } }) end,
      "scatter: c has 5 values for 2 points")
    assert.has_error(function() plt.scatter({ 1, 2 }, { 1, 2 }, { c = "red", cmap = "viridis" }) end,
      "scatter: cmap, norm, vmin and vmax need c to be numbers, one per point")
    assert.has_error(function() plt.scatter({ 1, 2 }, { 1, 2 }, { c = { 1, 2 }, cmap = "virdis" }) end,
      "scatter: unknown colour map 'virdis' (did you mean 'viridis'?)")
  end)

  it("sizes points by area in points squared, one size or one per point", function()
    plt.figure{ dpi = 72 }
    plt.scatter({ 1, 2 }, { 1, 1 }, { s = { 100, 400 }, color = "black" })
    local ax, cv = plt.gca(), plt.render()
    local function width(x)
      local px, py = ax:transform(x, 1)
      local n = 0
      for dx = -14, 14 do if rgb(cv, px + dx, py)[1] < 128 then n = n + 1 end end
      return n
    end
    assert.is_true(math.abs(width(1) - 10) <= 1)
    assert.is_true(math.abs(width(2) - 20) <= 1)
  end)
end)
