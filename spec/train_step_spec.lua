-- spec/train_step_spec.lua: the training step's fast paths (issue 6) against the plain path they
-- replace. Dense overwrites its gradients instead of zero_grad + accumulate (bit for bit the same
-- weights), a Sequential folds a Rescaling into the Dense after it (equal up to float rounding),
-- and neither applies where it would change what the step computes.
local cv = require "cvision"
local L = cv.layers
local core = require "cvision.core"

local plan = require "cvision.models.plan"
local function layer_error(i, l, err) return ("layer %d (%s): %s"):format(i, l.name, tostring(err)) end

-- the step as it was: forward, loss, zero_grad, every gradient accumulated, update; no folding
-- (an unfused plan for a Sequential: one step per layer; a functional model's own passes)
local function reference_step(model, x, y)
  local fwd, bwd = model.call, model.backprop
  if model.class_name == "Sequential" then
    local p = plan.chain(model.layers, {fuse = false})
    fwd = function(_, xb, tr) return p:forward(xb, tr, layer_error) end
    bwd = function(_, dyb) return p:backward(dyb, false, false, layer_error) end
  end
  local out = fwd(model, x, true)
  local dy = cv.zeros(out.shape)
  local lv = model.loss:compute(out, y, dy)
  model:zero_grad()
  bwd(model, dy)
  model.optimizer:apply(model:params())
  return lv
end

local function weights_of(model)
  local out = {}
  for _, w in ipairs(model:get_weights()) do out[#out + 1] = w end
  return out
end

local function max_diff(a, b)
  local worst = 0
  for i = 1, #a do
    local d = (a[i] - b[i]):abs():max()
    if d > worst then worst = d end
  end
  return worst
end

local function identical(a, b)
  for i = 1, #a do
    if core.tobytes(a[i]) ~= core.tobytes(b[i]) then return false end
  end
  return #a == #b
end

-- two models made from the same seed, compiled alike
local function twins(make, loss)
  local models = {}
  for i = 1, 2 do
    cv.manual_seed(5)
    local m = make()
    m:compile{optimizer = cv.optimizers.Adam{learning_rate = 0.01},
      loss = loss or cv.losses.SparseCategoricalCrossentropy{from_logits = true}}
    models[i] = m
  end
  return models[1], models[2]
end

local function data(n, shape, classes)
  cv.manual_seed(9)
  local s = {n}
  for i = 1, #shape do s[i + 1] = shape[i] end
  local x = cv.rand(s) * 255
  local y = {}
  for i = 1, n do y[i] = (i * 7) % classes + 1 end
  return x, cv.tensor(y)
end

describe("the training step", function()
  it("gives the same weights bit for bit when Dense overwrites its gradients", function()
    local a, b = twins(function()
      return cv.Sequential{L.Input{12}, L.Dense(7, {activation = "relu"}), L.Dense(5)}
    end)
    local x, y = data(10, {12}, 5)
    x = x / 255
    for _ = 1, 4 do
      local la = a:train_on_batch(x, y)[1]
      local lb = reference_step(b, x, y)
      assert.are.equal(lb, la)
    end
    assert.is_true(identical(weights_of(a), weights_of(b)))
    -- the gradients left behind are the step's, as zero_grad + accumulate leaves them
    for i, l in ipairs(a.layers) do
      for j, g in ipairs(l.grads) do
        assert.are.equal(core.tobytes(b.layers[i].grads[j]), core.tobytes(g))
      end
    end
  end)

  it("accumulates both contributions of a Dense layer shared by two branches", function()
    local function make()
      local inp = cv.Input{6}
      local shared = L.Dense(6, {activation = "tanh", name = "shared"})
      local h = shared(shared(inp))
      return cv.Model{inputs = inp, outputs = L.Dense(3)(h)}
    end
    local a, b = twins(make)
    local x, y = data(8, {6}, 3)
    x = x / 255
    for _ = 1, 3 do
      a:train_on_batch(x, y)
      reference_step(b, x, y)
    end
    assert.is_true(identical(weights_of(a), weights_of(b)))
  end)

  it("leaves a frozen Dense layer's gradients at zero and its weights alone", function()
    local a = twins(function()
      return cv.Sequential{L.Input{4}, L.Dense(4, {name = "frozen"}), L.Dense(2)}
    end)
    local frozen = a:get_layer("frozen")
    local before = frozen:get_weights()[1]
    frozen.grads[1]:fill(3)
    frozen.trainable = false
    local x, y = data(6, {4}, 2)
    a:train_on_batch(x / 255, y)
    assert.are.equal(0, frozen.grads[1]:abs():max())
    assert.are.equal(core.tobytes(before), core.tobytes(frozen:get_weights()[1]))
  end)

  it("folds a Rescaling into the next Dense: the same training up to float rounding", function()
    local function make()
      return cv.Sequential{L.Input{10, 6, 1}, L.Flatten(), L.Rescaling(1 / 255), L.Dense(5)}
    end
    local a, b = twins(make)
    local x, y = data(16, {10, 6, 1}, 5)
    for _ = 1, 5 do
      local la = a:train_on_batch(x, y)[1]
      local lb = reference_step(b, x, y)
      assert.is_true(math.abs(la - lb) <= 1e-5 * math.abs(lb) + 1e-6)
    end
    assert.is_true(max_diff(weights_of(a), weights_of(b)) <= 1e-5)
    -- the Rescaling did not run: its output buffer was never made
    assert.is_nil(a.layers[2]._bufs.y)
    assert.is_not_nil(b.layers[2]._bufs.y)
    -- predict, evaluate and model(x) fold too
    local p = a:predict(x)
    local q = a(x)
    assert.is_true((p - q):abs():max() <= 1e-5)
    local ev = a:evaluate(x, y, {verbose = 0})
    local direct = a.loss(y, q)
    assert.is_true(math.abs(ev[1] - direct) <= 1e-5 * math.abs(direct))
  end)

  it("does not fold a Rescaling whose backward is needed, one with an offset, or uint8 input", function()
    -- Rescaling after a trainable layer: its backward runs, so it must run forward too
    local a, b = twins(function()
      return cv.Sequential{L.Input{8}, L.Dense(8), L.Rescaling(0.5), L.Dense(3)}
    end)
    local x, y = data(6, {8}, 3)
    x = x / 255
    for _ = 1, 3 do
      a:train_on_batch(x, y)
      reference_step(b, x, y)
    end
    assert.is_true(identical(weights_of(a), weights_of(b)))
    -- an offset: not folded (the kernel folds a scale only)
    local c, d = twins(function()
      return cv.Sequential{L.Input{8}, L.Rescaling(1 / 255, -0.5), L.Dense(3)}
    end)
    local xr = data(6, {8}, 3)
    c:train_on_batch(xr, y)
    reference_step(d, xr, y)
    assert.is_true(identical(weights_of(c), weights_of(d)))
    -- uint8 input goes through the Rescaling, which converts it
    local e, f = twins(function()
      return cv.Sequential{L.Input{8}, L.Rescaling(1 / 255), L.Dense(3)}
    end)
    local xu = xr:astype("uint8")
    e:train_on_batch(xu, y)
    reference_step(f, xu:astype("float32"), y)
    assert.is_true(max_diff(weights_of(e), weights_of(f)) <= 1e-6)
  end)

  it("gives the same weights and outputs at 1, 2 and 3 threads (fold, overwrite, K slices)", function()
    -- 80x60 inputs: the forward product (32 x 4800 x 55) is cut into K slices over the pool
    local runs, outs = {}, {}
    for t = 1, 3 do
      cv.set_num_threads(t)
      local m = twins(function()
        return cv.Sequential{L.Input{80, 60, 1}, L.Flatten(), L.Rescaling(1 / 255), L.Dense(55)}
      end)
      local x, y = data(32, {80, 60, 1}, 55)
      for _ = 1, 3 do m:train_on_batch(x, y) end
      runs[t] = weights_of(m)
      outs[t] = {m:predict(x), m(x)}
    end
    cv.set_num_threads(1)
    for t = 2, 3 do
      assert.is_true(identical(runs[1], runs[t]))
      assert.is_true(identical(outs[1], outs[t]))
    end
  end)
end)

describe("core.nn.dense_forward_ex / dense_backward_ex", function()
  it("match their reference loops and the plain kernels on a scaled copy", function()
    cv.manual_seed(3)
    local x, w, b = cv.rand{5, 9} * 255, cv.randn{9, 4}, cv.randn{4}
    local y1, y2, y3 = cv.zeros{5, 4}, cv.zeros{5, 4}, cv.zeros{5, 4}
    core.nn.dense_forward_ex(y1, x, w, b, 1 / 255)
    core.nn.dense_forward_ex(y2, x, w, b, 1 / 255, true)
    core.nn.dense_forward(y3, x * (1 / 255), w, b)
    assert.is_true((y1 - y2):abs():max() <= 1e-5)
    assert.is_true((y1 - y3):abs():max() <= 1e-5)
    local dy = cv.randn{5, 4}
    local dw1, db1 = cv.full({9, 4}, 7), cv.full({4}, 7)
    local dw2, db2 = cv.full({9, 4}, 7), cv.full({4}, 7)
    core.nn.dense_backward_ex(nil, dw1, db1, dy, x, w, 1 / 255, true)
    core.nn.dense_backward_ex(nil, dw2, db2, dy, x, w, 1 / 255, true, true)
    local dw3, db3 = cv.zeros{9, 4}, cv.zeros{4}
    core.nn.dense_backward(nil, dw3, db3, dy, x * (1 / 255), w)
    assert.is_true((dw1 - dw2):abs():max() <= 1e-5)
    assert.is_true((dw1 - dw3):abs():max() <= 1e-5)
    assert.is_true((db1 - db3):abs():max() <= 1e-6)
    -- accumulate: added to what was there
    local dw4 = cv.full({9, 4}, 7)
    core.nn.dense_backward_ex(nil, dw4, nil, dy, x, w, 1 / 255, false)
    assert.is_true((dw4 - 7 - dw3):abs():max() <= 1e-5)
  end)
end)

describe("t:all_finite (the vectorised scan of csrc/finite.c)", function()
  it("finds the first NaN or infinity at block edges and in vector tails", function()
    local x = cv.rand{7, 1000}
    assert.are.same({true}, {x:all_finite()})
    for _, pos in ipairs{1, 16, 17, 4096, 4097, 7000} do
      local y = x:clone()
      y:set((pos - 1) // 1000 + 1, (pos - 1) % 1000 + 1, 1 / 0)
      y:set(7, 1000, 0 / 0)
      assert.are.same({false, pos}, {y:all_finite()})
    end
    assert.are.same({true}, {cv.zeros{5}:astype("uint8"):all_finite()})
  end)
end)
