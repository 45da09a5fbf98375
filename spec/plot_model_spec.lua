-- spec/plot_model_spec.lua - cv.plot.model draws a functional model's graph: the skip edge of a
-- ResNet block is ink on the picture (an arrow in a lane right of the column, into the Add box),
-- the Add layer's input shape lists both shapes, and a chain stays a plain column.
local cv = require "cvision"
local plt = cv.plot
local L = cv.layers
local pixels = require "spec.helpers.plot_pixels"

local function resnet_block()
  local inputs = cv.Input{ 8, 8, 4 }
  local x = L.Conv2D(4, 3, { padding = "same" })(inputs)
  x = L.BatchNormalization()(x)
  x = L.ReLU()(x)
  x = L.Conv2D(4, 3, { padding = "same" })(x)
  local z = L.Add()({ x, inputs })
  return cv.Model{ inputs = inputs, outputs = L.ReLU()(z) }
end

-- Is the pixel at (x, y), or one next to it, dark (a line drawn there)?
local function dark_near(c, x, y)
  for dx = -1, 1 do
    for dy = -1, 1 do
      local p = pixels.rgb(c, x + dx, y + dy)
      if p[1] < 110 and p[2] < 110 and p[3] < 110 then return true end
    end
  end
  return false
end

describe("plot.model", function()
  before_each(function() plt.close("all") end)

  it("draws the skip edge of a ResNet block from the input into the Add box", function()
    local fig = plt.model(resnet_block())
    local c = fig:render()
    local g = fig.model_graph
    assert.equal(7, #g.nodes)
    assert.truthy(g.nodes[1].title:find("(InputLayer)", 1, true))
    assert.truthy(g.nodes[6].title:find("(Add)", 1, true))
    local skip
    for _, e in ipairs(g.edges) do if e[1] == 1 and e[2] == 6 then skip = e end end
    assert.truthy(skip, "an edge from the input to the Add layer")
    assert.equal(7, #g.edges, "six neighbour arrows and the skip")
    -- its pixels: right of the input box, down the lane, into the Add box
    local p = skip.path
    local lx, y0, y1 = p[3], p[2], p[6]
    assert.is_true(lx > g.nodes[1].box[3], "the lane is right of the boxes")
    for t = 0.05, 0.95, 0.1 do
      assert.is_true(dark_near(c, lx, y0 + (y1 - y0) * t), "the lane at " .. t)
    end
    assert.is_true(dark_near(c, (p[1] + lx) / 2, y0), "out of the input box")
    assert.is_true(dark_near(c, (p[7] + lx) / 2, y1), "into the Add box")
    -- the lane passes the boxes in between without touching them: nothing else is drawn there
    local mid = g.nodes[3].box
    assert.equal(0, c:ink(math.floor(mid[3]) + 3, math.floor(mid[2]), math.floor(lx) - 2, math.floor(mid[4])))
  end)

  it("shows both input shapes of the Add layer, never a table's address", function()
    local fig = plt.model(resnet_block())
    local g = fig.model_graph
    assert.equal("[(None, 8, 8, 4), (None, 8, 8, 4)]", g.nodes[6].ins)
    assert.equal("(None, 8, 8, 4)", g.nodes[6].outs)
    for _, nd in ipairs(g.nodes) do
      assert.is_nil(nd.ins:find("table:", 1, true))
      assert.is_nil(nd.outs:find("table:", 1, true))
    end
    -- the box is wide enough for the list
    local w = cv.core.plot_text_size(g.nodes[6].ins, 10 * 100 / 72)
    assert.is_true(g.nodes[6].box[3] - g.nodes[6].box[1] >= 2 * w)
  end)

  it("keeps a chain a column with arrows between neighbours only", function()
    local m = cv.Sequential{ cv.Input{ 6 }, L.Dense(4), L.Dense(2) }
    local fig = plt.model(m)
    local g = fig.model_graph
    for _, e in ipairs(g.edges) do
      assert.equal(e[1] + 1, e[2])
      assert.is_nil(e.lane)
    end
    local c = fig:render()
    local w, h = c:size()
    assert.equal(0, c:ink(math.ceil(g.nodes[1].box[3]) + 2, 0, w, h), "nothing right of the column")
  end)
end)
