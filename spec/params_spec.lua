-- spec/params_spec.lua: cvision.models.params, a model's trainable weights and gradients as views
-- into one block each, and Optimizer:apply_block, the one-call update over it.
local cv = require "cvision"
local L = cv.layers
local core = require "cvision.core"
local params = require "cvision.models.params"

local function bytes(list)
  local out = {}
  for i, t in ipairs(list) do out[i] = core.tobytes(t) end
  return out
end

local function make(opt)
  cv.manual_seed(7)
  local m = cv.Sequential{cv.Input{6, 5, 1}, L.Conv2D(3, 3, {activation = "relu"}), L.Flatten(),
    L.Dense(7, {activation = "tanh", name = "middle"}), L.Dense(4)}
  m:compile{optimizer = opt or cv.optimizers.Adam{learning_rate = 0.01},
    loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true}}
  return m
end

local function data()
  cv.manual_seed(2)
  return cv.rand{9, 6, 5, 1}, cv.tensor{1, 2, 3, 4, 1, 2, 3, 4, 1}
end

describe("the parameter block", function()
  it("makes every trainable weight and gradient a view of one tensor, the values unchanged", function()
    local m = make()
    local before = bytes(m:get_weights())
    local b = params.block(m, {})
    assert.are.same(before, bytes(m:get_weights()))
    assert.are.equal(6, #b.entries)
    for _, e in ipairs(b.entries) do
      assert.are.equal(0, e.offset % 16)                 -- 64-byte aligned
      e.value:fill(e.offset + 1)                         -- writing the view writes the block
      assert.are.equal(e.offset + 1, b.value:slice(e.offset + 1, e.offset + 1):item())
      e.grad:fill(-1)
      assert.are.equal(-1, b.grad:slice(e.offset + e.n, e.offset + e.n):item())
    end
    assert.are.equal(1, #b.runs)
    assert.are.equal(params.block(m, {}), b)              -- kept while nothing changed
  end)

  it("trains to the same bits as weight-by-weight updates, with Adam, SGD and RMSprop", function()
    for _, opt in ipairs{function() return cv.optimizers.Adam{learning_rate = 0.01} end,
        function() return cv.optimizers.SGD{learning_rate = 0.1, momentum = 0.9} end,
        function() return cv.optimizers.RMSprop{momentum = 0.5} end} do
      local x, y = data()
      local a, r = make(opt()), make(opt())
      local apply_block = r.optimizer.apply_block
      r.optimizer.apply_block = nil                      -- r: the per-parameter path
      for _ = 1, 4 do a:train_on_batch(x, y); r:train_on_batch(x, y) end
      r.optimizer.apply_block = apply_block
      assert.are.same(bytes(r:get_weights()), bytes(a:get_weights()))
      local _, sa = a.optimizer:get_state()
      local _, sr = r.optimizer:get_state()
      assert.are.equal(#sr, #sa)
      for i = 1, #sa do
        assert.are.equal(sr[i][2], sa[i][2])
        assert.are.equal(core.tobytes(sr[i][3]), core.tobytes(sa[i][3]))
      end
    end
  end)

  it("splits the update into runs around a frozen layer and leaves that layer alone", function()
    local x, y = data()
    local m = make()
    m:train_on_batch(x, y)
    local mid = m:get_layer("middle")
    mid.trainable = false
    local frozen = bytes(mid:get_weights())
    m:train_on_batch(x, y)
    local b = params.block(m, m:_overwritten())
    assert.are.equal(2, #b.runs)
    assert.are.same(frozen, bytes(mid:get_weights()))
    mid.trainable = true
    m:train_on_batch(x, y)
    assert.are.equal(1, #params.block(m, m:_overwritten()).runs)
    assert.are_not.same(frozen, bytes(mid:get_weights()))
  end)

  it("is made again when a weight tensor is replaced, keeping the optimizer's state", function()
    local x, y = data()
    local a, r = make(), make()
    for _ = 1, 2 do a:train_on_batch(x, y); r:train_on_batch(x, y) end
    local l = a.layers[1]
    l.weights[1] = l.weights[1]:clone()                  -- a tensor of its own again
    for _ = 1, 2 do a:train_on_batch(x, y); r:train_on_batch(x, y) end
    assert.are.same(bytes(r:get_weights()), bytes(a:get_weights()))
  end)

  it("takes a restored optimizer state into its slot blocks (load_model, then train)", function()
    local tmp = require("spec.helpers.tmpdir")
    local dir = tmp.dir()
    local x, y = data()
    local a = make()
    for _ = 1, 2 do a:train_on_batch(x, y) end
    a:save(dir .. "/m.safetensors")
    local b = cv.models.load_model(dir .. "/m.safetensors")
    for _ = 1, 2 do a:train_on_batch(x, y); b:train_on_batch(x, y) end
    assert.are.same(bytes(a:get_weights()), bytes(b:get_weights()))
    tmp.rmtree(dir)
  end)
end)

describe("t:index(idx, out)", function()
  it("writes the rows into out and returns it; refuses an out of another shape or dtype", function()
    local t = cv.tensor{{1, 2}, {3, 4}, {5, 6}}
    local out = cv.zeros{2, 2}
    assert.are.equal(out, t:index(cv.tensor{3, 1}, out))
    assert.are.same({{5, 6}, {1, 2}}, out:totable())
    assert.has_error(function() t:index({1}, out) end)
    assert.has_error(function() t:index({1, 2}, cv.zeros({2, 2}, "uint8")) end)
  end)
end)
