-- spec/plot_subplots_spec.lua - subplots as matplotlib's: a 2-D grid axs[r][c], squeezed to a list
-- for one row or column and to the Axes for 1 x 1 (squeeze = false keeps the grid), sharex/sharey
-- sharing the limits of a group and hiding the tick labels inside the grid (checked by the ink
-- where the labels would be), and its options checked.
local plt = require "cvision.plot"

local function is_axes(a) return getmetatable(a) == plt.Axes end

-- Ink (non-white pixels) in the band just below an axes box (its x tick labels) and just left of
-- it (its y tick labels), ticks themselves excluded.
local function xlabel_ink(cv, ax)
  local b = ax.box
  return cv:ink(b[1] + 4, b[4] + 6, b[3] - 4, b[4] + 20)
end
local function ylabel_ink(cv, ax)
  local b = ax.box
  return cv:ink(b[1] - 30, b[2] + 4, b[1] - 6, b[4] - 4)
end

describe("subplots", function()
  before_each(function() plt.close("all") end)

  it("returns a grid axs[r][c] row by row for 2 x 2", function()
    local fig, axs = plt.subplots(2, 2)
    assert.equal(2, #axs)
    assert.equal(2, #axs[1])
    for r = 1, 2 do for c = 1, 2 do assert.is_true(is_axes(axs[r][c])) end end
    assert.equal(4, #fig.axes)
    for _, ax in ipairs({ axs[1][1], axs[1][2], axs[2][1], axs[2][2] }) do ax:plot({ 0, 1 }) end
    plt.render()
    assert.is_true(axs[1][2].box[1] > axs[1][1].box[3], "[1][2] right of [1][1]")
    assert.is_true(axs[2][1].box[2] > axs[1][1].box[4], "[2][1] below [1][1]")
    assert.equal(axs[1][1], plt.gca())
  end)

  it("squeezes one row or column to a list and 1 x 1 to the Axes, unless squeeze = false", function()
    local _, row = plt.subplots(1, 3)
    assert.equal(3, #row)
    assert.is_true(is_axes(row[3]))
    local _, col = plt.subplots(3, 1)
    assert.equal(3, #col)
    assert.is_true(is_axes(col[2]))
    assert.is_true(col[2].box == nil and col[2].rect[2] < col[1].rect[2])
    local _, one = plt.subplots()
    assert.is_true(is_axes(one))
    local _, g = plt.subplots(1, 1, { squeeze = false })
    assert.is_true(is_axes(g[1][1]))
    _, g = plt.subplots(1, 3, { squeeze = false, figsize = { 6, 2 } })
    assert.equal(1, #g)
    assert.is_true(is_axes(g[1][3]))
    local fig = plt.subplots({ figsize = { 3, 2 } })
    assert.equal(300, fig.width)
  end)

  it("shares the x limits of all axes with sharex = true and hides the inner x tick labels", function()
    local _, axs = plt.subplots(2, 2, { sharex = true })
    axs[1][1]:plot({ 0, 1 }, { 0, 1 })
    axs[2][2]:plot({ 0, 10 }, { 5, 6 })
    local cv = plt.render()
    for _, ax in ipairs({ axs[1][1], axs[1][2], axs[2][1] }) do
      assert.same(axs[2][2].view[1], ax.view[1])
      assert.same(axs[2][2].view[2], ax.view[2])
    end
    assert.is_true(axs[1][1].view[4] < axs[2][2].view[3], "the y limits stay each axes' own")
    assert.equal(0, xlabel_ink(cv, axs[1][1]))
    assert.equal(0, xlabel_ink(cv, axs[1][2]))
    assert.is_true(xlabel_ink(cv, axs[2][1]) > 0)
    assert.is_true(xlabel_ink(cv, axs[2][2]) > 0)
    assert.is_true(ylabel_ink(cv, axs[1][2]) > 0, "y labels stay without sharey")
  end)

  it("shares y by row with sharey = \"row\" and hides the y tick labels right of the first column", function()
    local _, axs = plt.subplots(2, 2, { sharey = "row" })
    axs[1][1]:plot({ 0, 1 }, { 0, 1 })
    axs[1][2]:plot({ 0, 1 }, { 0, 100 })
    axs[2][1]:plot({ 0, 1 }, { 0, 3 })
    axs[2][2]:plot({ 0, 1 }, { 0, 3 })
    local cv = plt.render()
    assert.same(axs[1][2].view[4], axs[1][1].view[4])
    assert.is_true(axs[2][1].view[4] < 10, "row 2 is not row 1's")
    assert.is_true(ylabel_ink(cv, axs[1][1]) > 0)
    assert.equal(0, ylabel_ink(cv, axs[1][2]))
    assert.equal(0, ylabel_ink(cv, axs[2][2]))
    assert.is_true(xlabel_ink(cv, axs[1][1]) > 0, "x labels stay without sharex")
  end)

  it("shares x by column and takes limits set on one axes of the group for all", function()
    local _, axs = plt.subplots(2, 2, { sharex = "col" })
    for r = 1, 2 do for c = 1, 2 do axs[r][c]:plot({ 0, c * 10 }) end end
    axs[2][1]:set_xlim(-3, 3)
    local cv = plt.render()
    assert.same({ -3, 3 }, { axs[1][1].view[1], axs[1][1].view[2] })
    assert.same({ axs[1][2].view[1], axs[1][2].view[2] }, { axs[2][2].view[1], axs[2][2].view[2] })
    assert.is_true(axs[1][2].view[2] ~= 3)
    assert.equal(0, xlabel_ink(cv, axs[1][2]))
  end)

  it("names an unknown option or share mode", function()
    assert.has_error(function() plt.subplots(2, 2, { shrex = true }) end,
      "subplots: unknown option 'shrex' (did you mean 'sharex'?)")
    assert.has_error(function() plt.subplots(2, 2, { sharey = "rows" }) end,
      "subplots: unknown sharey 'rows' (did you mean 'row'?)")
    assert.has_error(function() plt.subplots(0, 2) end, "subplots: rows and cols must be positive integers")
  end)
end)

-- a small figure with default margins cuts its x label off (as matplotlib's savefig does); the
-- kernel fits such a figure before sending it, as Jupyter's inline backend (bbox_inches "tight")
describe("layout.clipped", function()
  local layout = require "cvision.plot.layout"
  after_each(function() plt.close("all") end)

  it("finds a label the margins cut off, and none after tight_layout", function()
    local fig = plt.figure{figsize = {6, 3.5}}
    plt.plot({0.1, 0.5, 0.8})
    plt.xlabel("epoch")
    assert.is_true(layout.clipped(fig))
    fig:tight_layout()
    assert.is_false(layout.clipped(fig))
  end)

  it("finds nothing cut off at the default size, or without labels", function()
    local fig = plt.figure()
    plt.plot({1, 2, 3})
    plt.xlabel("epoch")
    plt.ylabel("loss")
    plt.title("training")
    assert.is_false(layout.clipped(fig))
    local small = plt.figure{figsize = {3, 2}}
    plt.imshow(require("cvision").zeros{8, 8, 1})
    plt.axis("off")
    assert.is_false(layout.clipped(small))
  end)
end)
