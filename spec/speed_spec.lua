-- speed_spec.lua - the fast paths of issue 6 seen from Lua: the fused ReLU of nn.conv2d_forward /
-- nn.conv2d_backward against conv then activation, and training that gives bit-identical weights
-- at 1 and 2 threads (the kernels fix their reduction order).
local cv = require "cvision"
local core = require "cvision.core"
local nn = core.nn
local L = cv.layers

local function flat(t)
  local out = {}
  local function walk(v)
    if type(v) == "table" then for _, u in ipairs(v) do walk(u) end else out[#out + 1] = v end
  end
  walk(t:totable())
  return out
end

local function max_diff(a, b)
  local x, y = flat(a), flat(b)
  assert.are.equal(#x, #y)
  local worst = 0
  for i = 1, #x do worst = math.max(worst, math.abs(x[i] - y[i])) end
  return worst
end

describe("fused conv2d + relu", function()
  it("forward equals conv2d_forward then relu", function()
    cv.manual_seed(3)
    local x, w, b = cv.randn{3, 9, 7, 4}, cv.randn{3, 3, 4, 8}, cv.randn{8}
    local y, z, r = cv.zeros{3, 9, 7, 8}, cv.zeros{3, 9, 7, 8}, cv.zeros{3, 9, 7, 8}
    nn.conv2d_forward(y, x, w, b, 1, 1, 1, 1, "relu")
    nn.conv2d_forward(z, x, w, b, 1, 1, 1, 1)
    nn.activation_forward(r, z, "relu")
    assert.is_true(max_diff(y, r) < 1e-5)
  end)

  it("backward with y and \"relu\" equals the relu gradient then conv2d_backward", function()
    cv.manual_seed(4)
    local x, w = cv.randn{2, 6, 5, 3}, cv.randn{3, 3, 3, 8}
    local y, z = cv.zeros{2, 6, 5, 8}, cv.zeros{2, 6, 5, 8}
    nn.conv2d_forward(y, x, w, nil, 1, 1, 1, 1, "relu")
    nn.conv2d_forward(z, x, w, nil, 1, 1, 1, 1)
    local dy, dz = cv.randn{2, 6, 5, 8}, cv.zeros{2, 6, 5, 8}
    nn.activation_backward(dz, dy, z, nil, "relu")
    local dx1, dw1, db1 = cv.zeros{2, 6, 5, 3}, cv.zeros{3, 3, 3, 8}, cv.zeros{8}
    local dx2, dw2, db2 = cv.zeros{2, 6, 5, 3}, cv.zeros{3, 3, 3, 8}, cv.zeros{8}
    nn.conv2d_backward(dx1, dw1, db1, dy, x, w, 1, 1, 1, 1, y, "relu")
    nn.conv2d_backward(dx2, dw2, db2, dz, x, w, 1, 1, 1, 1)
    assert.is_true(max_diff(dx1, dx2) < 1e-4)
    assert.is_true(max_diff(dw1, dw2) < 1e-4)
    assert.is_true(max_diff(db1, db2) < 1e-4)
  end)

  it("refuses relu without y and unknown activations", function()
    local x, w = cv.zeros{1, 4, 4, 1}, cv.zeros{3, 3, 1, 2}
    local y = cv.zeros{1, 4, 4, 2}
    assert.has_error(function() nn.conv2d_backward(nil, nil, nil, y, x, w, 1, 1, 1, 1, nil, "relu") end)
    assert.has_error(function() nn.conv2d_forward(y, x, w, nil, 1, 1, 1, 1, "tanh") end)
  end)
end)

describe("thread count", function()
  local function train(threads)
    local saved = cv.get_num_threads()
    cv.set_num_threads(threads)
    cv.manual_seed(11)
    local m = cv.Sequential{L.Input{12, 10, 1}, L.Conv2D(8, 3, {padding = "same", activation = "relu"}),
      L.MaxPooling2D(), L.Conv2D(16, 3, {activation = "relu"}), L.Flatten(), L.Dense(10)}
    m:compile{optimizer = "adam", loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true}}
    local x = cv.rand{13, 12, 10, 1}
    local y = cv.tensor{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3}
    for _ = 1, 3 do m:train_on_batch(x, y) end
    local out = m:predict(x)
    cv.set_num_threads(saved)
    return m:get_weights(), out
  end

  it("does not change a single bit of trained weights or predictions", function()
    local w1, p1 = train(1)
    local w2, p2 = train(2)
    for i = 1, #w1 do assert.are.same(flat(w1[i]), flat(w2[i]), "weight " .. i) end
    assert.are.same(flat(p1), flat(p2))
  end)
end)

describe("predict through a conv + max-pool pair", function()
  it("gives the layer-by-layer forward's values bit for bit without writing the conv output", function()
    for _, threads in ipairs{1, 2, 3} do
      local saved = cv.get_num_threads()
      cv.set_num_threads(threads)
      cv.manual_seed(5)
      local m = cv.Sequential{L.Input{11, 9, 3}, L.Conv2D(8, 3, {padding = "same", activation = "relu"}),
        L.MaxPooling2D(), L.Conv2D(5, 2, {activation = "relu"}), L.MaxPooling2D{pool_size = 3, padding = "same"},
        L.Flatten(), L.Dense(4)}
      local x = cv.rand{7, 11, 9, 3} - 0.5
      local function by_layers()
        local h = x
        for _, l in ipairs(m.layers) do h = l:forward(h, false) end
        return h
      end
      local want = flat(by_layers())
      local steps = m:plan().steps
      assert.are.equal("fusion", steps[1].kind)     -- the plan fuses from the first call on
      assert.are.equal("fusion", steps[2].kind)
      for _ = 1, 3 do assert.are.same(want, flat(m:predict(x, {batch_size = 3}))) end
      m:predict(x)
      steps[1]._bufs.y:fill(7)                       -- a sentinel: predict must not write it
      assert.are.same(want, flat(m:predict(x)))
      assert.are.equal(7, steps[1]._bufs.y:min())
      assert.are.equal(7, steps[1]._bufs.y:max())
      assert.has_error(function() m:backprop(cv.zeros{3, 4}) end)
      assert.are.same(want, flat(by_layers()))       -- the layers' own path is unchanged
      cv.set_num_threads(saved)
    end
  end)
end)

describe("backprop through a max pool after a fused-ReLU Conv2D", function()
  it("gives the gradients of the layer-by-layer backward bit for bit (the pool's dx never written)", function()
    for _, threads in ipairs{1, 2, 3} do
      local saved = cv.get_num_threads()
      cv.set_num_threads(threads)
      cv.manual_seed(9)
      local m = cv.Sequential{L.Input{22, 19, 3}, L.Conv2D(8, 3, {padding = "same", activation = "relu"}),
        L.MaxPooling2D(), L.Conv2D(16, 2, {activation = "relu"}), L.MaxPooling2D{pool_size = 3, padding = "same"},
        L.Conv2D(8, 1, {activation = "relu"}), L.MaxPooling2D{pool_size = 2, strides = 1},
        L.Flatten(), L.Dense(4)}
      local x = cv.rand{7, 22, 19, 3} - 0.5
      local g = cv.rand{7, 4} - 0.5
      local function grads()
        local out = {}
        for _, l in ipairs(m.layers) do
          for i = 1, #l.grads do out[#out + 1] = flat(l.grads[i]); l.grads[i]:fill(0) end
        end
        return out
      end
      m:call(x, true)                               -- the first call pools inside the convolutions
      local kinds = {}
      for k, step in ipairs(m:plan().steps) do kinds[k] = step.kind end
      assert.are.same({"fusion", "fusion", "fusion", "layer", "layer"}, kinds)
      m:backprop(g)
      for i = 2, 6, 2 do                            -- each pool left its gradient to its conv
        assert.is_nil(m.layers[i]._bufs.dx)
      end
      local fused = grads()
      local h = x
      for _, l in ipairs(m.layers) do h = l:forward(h, true) end
      local d = g
      for i = #m.layers, 1, -1 do d = m.layers[i]:backward(d) end
      local plain = grads()
      assert.are.equal(#plain, #fused)
      for i = 1, #plain do assert.are.same(plain[i], fused[i], "gradient " .. i) end
      cv.set_num_threads(saved)
    end
  end)
end)

describe("no tensor allocation in a training step after the first batches", function()
  -- core.alloc_stats counts every tensor storage ever allocated: a step that reuses its buffers
  -- (layers' outputs and gradients, the loss, the optimizer's slots) adds nothing
  local function allocations_per_step(model, shape, classes)
    model:compile{optimizer = cv.optimizers.Adam(), loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true},
                  metrics = {"accuracy"}}
    cv.manual_seed(3)
    local x = cv.rand{8, table.unpack(shape)} * 255
    local y = cv.tensor((function() local t = {} for i = 1, 8 do t[i] = (i - 1) % classes + 1 end return t end)())
    for _ = 1, 2 do model:train_on_batch(x, y) end
    local c0, b0 = core.alloc_stats()
    for _ = 1, 3 do model:train_on_batch(x, y) end
    local c1, b1 = core.alloc_stats()
    return c1 - c0, b1 - b0
  end

  it("the lecture's kind of CNN (Sequential, fused conv + pool, Winograd layers)", function()
    local m = cv.Sequential{L.Input{20, 16, 1}, L.Rescaling(1 / 255),
      L.Conv2D(8, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D(),
      L.Conv2D(16, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D{pool_size = 4},
      L.Flatten(), L.Dense(16, {activation = "relu"}), L.Dense(5)}
    assert.same({0, 0}, {allocations_per_step(m, {20, 16, 1}, 5)})
  end)

  it("the logistic regression", function()
    local m = cv.Sequential{L.Input{20, 16, 1}, L.Flatten(), L.Rescaling(1 / 255), L.Dense(5)}
    assert.same({0, 0}, {allocations_per_step(m, {20, 16, 1}, 5)})
  end)

  it("a functional model with Concatenate, Add, batch normalization and dropout", function()
    local inp = L.Input{12, 12, 1}
    local a = L.Conv2D(8, 3, {padding = "same", activation = "relu"})(inp)
    local b = L.Conv2D(8, 3, {padding = "same", activation = "relu"})(a)
    local c = L.Concatenate()({a, b})
    local d = L.Add()({L.Conv2D(16, 1)(c), c})
    local e = L.GlobalAveragePooling2D()(L.BatchNormalization()(d))
    local m = cv.Model(inp, L.Dense(4)(L.Dropout(0.2)(e)))
    assert.same({0, 0}, {allocations_per_step(m, {12, 12, 1}, 4)})
  end)

  it("fit with shuffled batches, uint8 images and a last partial batch (after its first epoch)", function()
    cv.manual_seed(3)
    local m = cv.Sequential{L.Input{20, 16, 1}, L.Rescaling(1 / 255),
      L.Conv2D(8, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D(), L.Flatten(), L.Dense(5)}
    m:compile{optimizer = cv.optimizers.Adam(), loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true},
              metrics = {"accuracy"}}
    local x = (cv.rand{40, 20, 16, 1} * 255):astype("uint8")
    local t = {}
    for i = 1, 40 do t[i] = (i - 1) % 5 + 1 end
    local y = cv.tensor(t)
    local function storages(batches)
      local c0 = core.alloc_stats()
      m:fit(x:slice(1, 8 * batches - 3), y:slice(1, 8 * batches - 3), {epochs = 1, batch_size = 8, verbose = 0})
      return core.alloc_stats() - c0
    end
    storages(5)
    -- the epoch's own allocations (its permutation, history) do not grow with the number of steps
    assert.are.equal(storages(2), storages(5))
  end)

  it("counts what does allocate", function()
    local c0, b0 = core.alloc_stats()
    local t = cv.zeros{10, 10}
    local c1, b1 = core.alloc_stats()
    assert.equal(1, c1 - c0)
    assert.equal(400, b1 - b0)
    local v = t:reshape{100}                 -- a view shares the storage: nothing counted
    assert.equal(100, v:numel())
    assert.equal(c1, (core.alloc_stats()))
  end)
end)
