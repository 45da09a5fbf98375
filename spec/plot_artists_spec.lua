-- spec/plot_artists_spec.lua - the artist contract of cvision.plot: a kind registered from outside
-- the plot files (here, from this spec) is drawn through the same axes machinery as the built-in
-- ones: its limits hook sets the view, its draw hook paints inside the box, its legend hook draws
-- its legend entry, its obstacles keep the "best" legend away, and its methods are Axes methods
-- and pyplot functions.
local plt = require "cvision.plot"
local artists = require "cvision.plot.artists"

local function rgb(cv, x, y)
  local r, g, b = cv:pixel(math.floor(x), math.floor(y))
  return { r, g, b }
end

-- A square of side `size` data units centred on (x, y): the smallest plot type there is.
local square = { name = "square", printed = "Square", methods = {} }

function square.methods.square(ax, x, y, opts)
  opts = opts or {}
  return artists.add(ax, { kind = "square", x = x, y = y, size = opts.size or 1,
    color = opts.color or "red", label = opts.label })
end

function square.limits(a, lim)
  lim:x(a.x - a.size / 2); lim:x(a.x + a.size / 2)
  lim:y(a.y - a.size / 2); lim:y(a.y + a.size / 2)
end

function square.draw(a, ctx)
  local x0, y0 = ctx.ax:transform(a.x - a.size / 2, a.y + a.size / 2)
  local x1, y1 = ctx.ax:transform(a.x + a.size / 2, a.y - a.size / 2)
  ctx.cv:fill_rect(x0 - ctx.ox, y0 - ctx.oy, x1 - x0, y1 - y0, plt.to_rgba(a.color))
end

function square.legend(a, ctx, x, cy, length, fs)
  ctx.cv:fill_rect(x, cy - fs / 2, length, fs, plt.to_rgba(a.color))
end

function square.obstacles(a, ax, _, rects)
  local x0, y0 = ax:transform(a.x - a.size / 2, a.y + a.size / 2)
  local x1, y1 = ax:transform(a.x + a.size / 2, a.y - a.size / 2)
  rects[#rects + 1] = { x0, y0, x1, y1 }
end

describe("cvision.plot's artist contract", function()
  setup(function() plt.register_artist(square) end)
  before_each(function() plt.close("all") end)

  it("makes a registered kind's methods Axes methods and pyplot functions", function()
    plt.figure()
    local a = plt.square(2, 3, { label = "sq" })
    assert.are.equal("square", a.kind)
    assert.are.equal(a, plt.gca().artists[1])
    assert.are.equal("<Square: sq>", tostring(a))
    local b = plt.gca():square(0, 0)
    assert.are.equal(b, plt.gca().artists[2])
  end)

  it("takes the view from the kind's limits hook, with matplotlib's 5% margins", function()
    plt.figure()
    plt.square(10, 20, { size = 2 })
    local ax = plt.gca()
    plt.render()
    assert.near(9 - 0.1, ax.view[1], 1e-9)
    assert.near(11 + 0.1, ax.view[2], 1e-9)
    assert.near(19 - 0.1, ax.view[3], 1e-9)
    assert.near(21 + 0.1, ax.view[4], 1e-9)
  end)

  it("paints through the kind's draw hook inside the box, beside built-in artists", function()
    plt.figure()
    plt.plot({ 0, 10 }, { 10, 10 }, { color = "blue" })
    plt.square(5, 5, { size = 2, color = "red" })
    local ax = plt.gca()
    local cv = plt.render()
    assert.same({ 255, 0, 0 }, rgb(cv, ax:transform(5, 5)))
    assert.same({ 255, 255, 255 }, rgb(cv, ax:transform(2, 8)))
    local line = rgb(cv, ax:transform(5, 10))
    assert.is_true(line[3] == 255 and line[1] < 100 and line[2] < 100, "the blue line is still drawn")
  end)

  it("draws the kind's legend entry with its label, where its obstacles are not", function()
    plt.figure()
    plt.square(9, 9, { size = 2, color = "#00ff00", label = "green square" })
    plt.square(1, 1, { size = 2, color = "#00ff00" })
    plt.legend()
    local ax = plt.gca()
    local cv = plt.render()
    local lb = ax.legend_box
    assert.is_truthy(lb)
    -- the squares fill the upper right and lower left corners: "best" takes neither
    assert.is_true(lb.loc ~= "upper right" and lb.loc ~= "lower left", lb.loc)
    -- the handle: green pixels inside the legend box, left of the label
    local green = 0
    for px = math.floor(lb[1]), math.floor(lb[1] + (lb[3] - lb[1]) / 3) do
      for py = math.floor(lb[2]), math.floor(lb[4]) do
        local c = rgb(cv, px, py)
        if c[1] == 0 and c[2] == 255 and c[3] == 0 then green = green + 1 end
      end
    end
    assert.is_true(green > 50, "green handle pixels: " .. green)
    assert.is_true(cv:ink(math.floor(lb[1] + (lb[3] - lb[1]) / 2), math.floor(lb[2]) + 2,
      math.floor(lb[3]) - 2, math.floor(lb[4]) - 2) > 50, "label ink")
  end)

  it("gives a kind registered straight with the registry its pyplot function on first use", function()
    artists.register { name = "dot", methods = { dot = function(ax, x, y)
      return artists.add(ax, { kind = "dot", x = x, y = y })
    end }, limits = function(a, lim) lim:x(a.x); lim:y(a.y) end,
      draw = function(a, ctx)
        local px, py = ctx.ax:transform(a.x, a.y)
        ctx.cv:circle(px - ctx.ox, py - ctx.oy, 6, { 0, 0, 0, 1 })
      end }
    plt.figure()
    plt.dot(1, 1)
    plt.dot(3, 2)
    local ax = plt.gca()
    local cv = plt.render()
    assert.same({ 0, 0, 0 }, rgb(cv, ax:transform(3, 2)))
    assert.are.equal("<dot>", tostring(ax.artists[1]))
  end)

  it("keeps the built-in kinds in the registry, each with its hooks", function()
    for _, name in ipairs({ "line", "bars", "image", "hline", "vline" }) do
      local k = artists.kind(name)
      assert.is_truthy(k, name)
      assert.is_function(k.limits, name)
      assert.is_function(k.draw, name)
    end
    assert.is_function(artists.kind("line").legend)
    assert.is_function(artists.kind("bars").legend)
    assert.is_function(artists.kind("text").draw)
    assert.has_error(function() plt.register_artist { "no name" } end)
  end)
end)
