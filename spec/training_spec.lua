-- spec/training_spec.lua: fit end to end: loss falls, a small CNN memorises 64 samples, the same
-- seed gives the same history, validation_split, datasets, and the progress output formats.
local cv = require "cvision"
local L = cv.layers

local tmp = os.tmpname()

-- runs f with io.output() sent to a file --> what was written
local function capture(f)
  local out = io.output()
  io.output(tmp)
  local ok, err = pcall(f)
  io.output():close()
  io.output(out)
  if not ok then error(err, 0) end
  local fh = assert(io.open(tmp, "rb"))
  local s = fh:read("a")
  fh:close()
  return s
end

-- 3 blobs in 4-D: class k has +3 on feature k
local function blobs(n)
  local x = cv.randn{n, 4}
  local y = {}
  for i = 1, n do
    y[i] = (i % 3) + 1
    x:set(i, y[i], x:at(i, y[i]) + 3)
  end
  return x, cv.tensor(y)
end

local function mlp()
  local m = cv.Sequential{cv.Input{4}, L.Dense(8, {activation = "relu"}), L.Dense(3)}
  m:compile{optimizer = cv.optimizers.Adam{learning_rate = 0.02},
            loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true}, metrics = {"accuracy"}}
  return m
end

describe("model:fit", function()
  teardown(function() os.remove(tmp) end)

  it("reduces the loss on a small problem and returns a History", function()
    cv.manual_seed(1)
    local x, y = blobs(60)
    local m = mlp()
    local h = m:fit(x, y, {epochs = 8, batch_size = 10, verbose = 0})
    assert.are.same({1, 2, 3, 4, 5, 6, 7, 8}, h.epoch)
    assert.are.equal(8, #h.history.loss)
    assert.are.equal(8, #h.history.accuracy)
    assert.is_true(h.history.loss[8] < 0.5 * h.history.loss[1])
    assert.is_true(h.history.accuracy[8] > 0.9)
    assert.are.equal(h, m.history)
  end)

  it("lets a small CNN memorise 64 random images to 100% accuracy", function()
    cv.manual_seed(2)
    local x = cv.rand{64, 8, 8, 1}
    local labels = {}
    for i = 1, 64 do labels[i] = (i * 7) % 4 + 1 end
    local y = cv.tensor(labels)
    local m = cv.Sequential{
      cv.Input{8, 8, 1},
      L.Conv2D(8, 3, {padding = "same", activation = "relu"}),
      L.MaxPooling2D(), L.Flatten(),
      L.Dense(32, {activation = "relu"}), L.Dense(4),
    }
    m:compile{optimizer = cv.optimizers.Adam{learning_rate = 0.01},
              loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true}, metrics = {"accuracy"}}
    local h = m:fit(x, y, {epochs = 100, batch_size = 16, verbose = 0, callbacks = {cv.callbacks.LambdaCallback{
      on_epoch_end = function(_, logs) if logs.accuracy == 1 then m.stop_training = true end end}}})
    assert.is_true(#h.epoch < 100)
    local r = m:evaluate(x, y, {verbose = 0})
    assert.are.equal(1, r[2])
  end)

  it("gives identical histories and weights for the same seed", function()
    local function run()
      cv.manual_seed(3)
      local x, y = blobs(30)
      local m = mlp()
      local h = m:fit(x, y, {epochs = 3, batch_size = 8, verbose = 0, validation_split = 0.2})
      return h.history, cv.core.tobytes(m:get_weights()[1])
    end
    local h1, w1 = run()
    local h2, w2 = run()
    assert.are.same(h1, h2)
    assert.are.equal(w1, w2)
  end)

  it("validates on the last fraction of the data with validation_split (before shuffling)", function()
    cv.manual_seed(4)
    local x, y = blobs(20)
    local m = mlp()
    m.optimizer = cv.optimizers.SGD{learning_rate = 0}          -- weights stay put
    local h = m:fit(x, y, {epochs = 1, validation_split = 0.25, verbose = 0})
    local r = m:evaluate(x:slice(16, 20), y:slice(16, 20), {verbose = 0})
    assert.are.equal(r[1], h.history.val_loss[1])
    assert.are.equal(r[2], h.history.val_accuracy[1])
    local t = m:evaluate(x:slice(1, 15), y:slice(1, 15), {verbose = 0})
    assert.is_true(math.abs(t[1] - h.history.loss[1]) < 1e-6)
  end)

  it("reports validation_data as val_ entries", function()
    cv.manual_seed(5)
    local x, y = blobs(12)
    local m = mlp()
    local h = m:fit(x, y, {epochs = 2, validation_data = {x, y}, verbose = 0})
    for _, k in ipairs{"loss", "accuracy", "val_loss", "val_accuracy"} do assert.are.equal(2, #h.history[k]) end
  end)

  it("accepts datasets with to_tensors() or batches()", function()
    cv.manual_seed(6)
    local x, y = blobs(12)
    local m = mlp()
    local ds = {to_tensors = function() return x, y end}
    local h = m:fit(ds, {epochs = 2, verbose = 0})
    assert.are.equal(2, #h.history.loss)
    local it = {batches = function()
      local i = 0
      return function()
        i = i + 1
        if i > 3 then return nil end
        return x:slice(4 * i - 3, 4 * i), y:slice(4 * i - 3, 4 * i)
      end
    end}
    h = m:fit(it, {epochs = 1, verbose = 0})
    assert.are.equal(1, #h.history.loss)
    assert.are.equal(2, #m:evaluate(it, {verbose = 0}))
  end)

  it("checks what a dataset yields: tensors of the right shape, at least one batch", function()
    local m = mlp()
    local function dataset(batches)
      return {batches = function()
        local i = 0
        return function()
          i = i + 1
          if batches[i] then return batches[i][1], batches[i][2] end
        end
      end}
    end
    local function err(f) local ok, e = pcall(f) assert.is_false(ok) return e end
    assert.are.equal("fit: x must be a tensor, got string", err(function() m:fit(dataset{{"x", 1}}, {verbose = 0}) end))
    assert.are.equal("fit: expected input of shape (None, 4) but got (2, 5)",
      err(function() m:fit(dataset{{cv.zeros{2, 5}, cv.ones{2}}}, {verbose = 0}) end))
    assert.truthy(err(function() m:fit(dataset{}, {verbose = 0}) end):find("fit: the dataset yielded no batch", 1, true))
    assert.are.equal("evaluate: the data yielded no batch", err(function() m:evaluate(dataset{}, {verbose = 0}) end))
    assert.are.equal("fit (validation data): the data yielded no batch",
      err(function() m:fit(cv.zeros{4, 4}, cv.ones{4}, {verbose = 0, validation_data = dataset{}}) end))
    -- uint8 batches are converted like tensors given to fit
    local u8 = dataset{{cv.zeros({2, 4}, "uint8"), cv.tensor({1, 3}, "uint8")}}
    assert.are.equal(1, #m:fit(u8, {verbose = 0}).history.loss)
  end)

  it("leaves frozen layers alone and trains the rest", function()
    cv.manual_seed(9)
    local x, y = blobs(12)
    local m = mlp()
    local first, last = m.layers[1], m.layers[2]
    first.trainable = false
    local w1, w2 = cv.core.tobytes(first.weights[1]), cv.core.tobytes(last.weights[1])
    m:fit(x, y, {epochs = 2, verbose = 0})
    assert.are.equal(w1, cv.core.tobytes(first.weights[1]))
    assert.are_not.equal(w2, cv.core.tobytes(last.weights[1]))
    first.trainable = true
    m:fit(x, y, {epochs = 1, verbose = 0})
    assert.are_not.equal(w1, cv.core.tobytes(first.weights[1]))
  end)

  it("needs compile first and explains bad options", function()
    local m = cv.Sequential{cv.Input{4}, L.Dense(3)}
    local function err(f) local ok, e = pcall(f) assert.is_false(ok) return e end
    assert.truthy(err(function() m:fit(cv.ones{2, 4}, cv.ones{2, 3}, {verbose = 0}) end)
      :find("fit: compile the model first", 1, true))
    m:compile{optimizer = "adam", loss = "mse"}
    assert.truthy(err(function() m:fit(cv.ones{2, 4}, cv.ones{2, 3}, {epoch = 2}) end)
      :find("bad argument to 'fit' (unknown option 'epoch')", 1, true))
    assert.are.equal("fit: x has 2 samples but y has 3",
      err(function() m:fit(cv.ones{2, 4}, cv.ones{3, 3}, {verbose = 0}) end))
  end)

  describe("progress output", function()
    it("prints Keras' one line per epoch at verbose = 2", function()
      cv.manual_seed(7)
      local x, y = blobs(12)
      local m = mlp()
      local out = capture(function()
        m:fit(x, y, {epochs = 2, batch_size = 4, verbose = 2, validation_data = {x, y}})
      end)
      local lines = {}
      for l in out:gmatch("[^\n]+") do lines[#lines + 1] = l end
      assert.are.equal(4, #lines)
      assert.are.equal("Epoch 1/2", lines[1])
      assert.truthy(lines[2]:match("^3/3 %- %d+s %- %d+[mu]?s/step %- accuracy: %d%.%d%d%d%d %- loss: %d%.%d%d%d%d"
        .. " %- val_accuracy: %d%.%d%d%d%d %- val_loss: %d%.%d%d%d%d$"), lines[2])
    end)

    it("prints the bar's final line per epoch at verbose = 1 when output is not a terminal", function()
      cv.manual_seed(8)
      local x, y = blobs(12)
      local m = mlp()
      local out = capture(function() m:fit(x, y, {epochs = 1, batch_size = 4, verbose = 1}) end)
      assert.truthy(out:match("^3/3 ━━━━━━━━━━━━━━━━━━━━ %d+s %d+[mu]?s/step %- accuracy: %d%.%d%d%d%d %- loss: %d%.%d%d%d%d\n$"), out)
      assert.are.equal("", capture(function() m:fit(x, y, {epochs = 1, verbose = 0}) end))
    end)

    it("redraws the bar in place on a terminal", function()
      local pb = require("cvision.progbar")
      local out = capture(function()
        local bar = pb.new(10, {verbose = 1, dynamic = true, color = false, interval = 0})
        for i = 1, 9 do bar:update(i, {{"loss", 1 / i}}, false) end
        bar:update(10, {{"loss", 0.1}}, true)
      end)
      assert.truthy(out:find("\r 5/10 ━━━━━━━━━━━━━━━━━━━━ %d+s %d+[mu]?s/step %- loss: 0%.2000"))
      assert.truthy(out:match("\r10/10 ━━━━━━━━━━━━━━━━━━━━ %d+s %d+[mu]?s/step %- loss: 0%.1000 *\n$"), out)
    end)
  end)

  describe("over many steps", function()
    local core = require "cvision.core"
    local LUA = os.getenv("CVISION_BIN") or "lua5.4"
    local function q(x) return "'" .. x:gsub("'", "'\\''") .. "'" end

    it("writes bit-identical model files and histories from two processes with the same seed, at any thread count", function()
      local script = tmp .. ".lua"
      local f = assert(io.open(script, "w"))
      f:write([[
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath
local cv = require "cvision"
local L = cv.layers
cv.manual_seed(42)
local x = cv.rand{24, 8, 8, 1}
local y = cv.tensor{1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3}
local m = cv.Sequential{cv.Input{8, 8, 1}, L.RandomFlip(), L.RandomRotation(0.1), L.Conv2D(4, 3, {activation = "relu"}),
  L.BatchNormalization(), L.MaxPooling2D(2), L.Flatten(), L.Dropout(0.3), L.Dense(3)}
m:compile{optimizer = "adam", loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true}, metrics = {"accuracy"}}
local h = m:fit(x, y, {epochs = 2, batch_size = 8, verbose = 0, validation_split = 0.25})
m:save(arg[1])
cv.models.save_history(h, arg[1] .. ".json")
]])
      f:close()
      local outs = {}
      for i, threads in ipairs{1, 1, 3} do
        outs[i] = tmp .. ".run" .. i
        local cmd = ("CVISION_NUM_THREADS=%d %s %s %s 2>&1"):format(threads, q(LUA), q(script), q(outs[i]))
        local p = io.popen(cmd)
        local msg = p:read("a")
        assert.is_true(p:close(), msg)
      end
      local function slurp(p)
        local fh = assert(io.open(p, "rb"))
        local s = fh:read("a")
        fh:close()
        return s
      end
      local first, hist = slurp(outs[1]), slurp(outs[1] .. ".json")
      assert.is_true(#first > 1000)
      for i = 2, 3 do
        assert.is_true(first == slurp(outs[i]), "model file of run " .. i .. " differs")
        assert.are.equal(hist, slurp(outs[i] .. ".json"))
      end
      for _, o in ipairs(outs) do os.remove(o) os.remove(o .. ".json") end
      os.remove(script)
    end)

    it("keeps the tensor memory flat from epoch to epoch (no per-step leak)", function()
      cv.manual_seed(10)
      local x = cv.rand{32, 8, 8, 1}
      local y = cv.tensor{1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4}
      local m = cv.Sequential{cv.Input{8, 8, 1}, L.RandomFlip(), L.RandomContrast(0.2), L.Conv2D(4, 3, {activation = "relu"}),
        L.ReLU(6, 0.1, 0.5), L.BatchNormalization(), L.MaxPooling2D(2), L.Flatten(), L.Dropout(0.2), L.Dense(4)}
      m:compile{optimizer = "adam", loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true}, metrics = {"accuracy"}}
      local live, lua_kb = {}, {}
      for e = 1, 6 do
        m:fit(x, y, {epochs = 1, batch_size = 8, verbose = 0, validation_data = {x, y}})
        collectgarbage()
        collectgarbage()
        live[e], lua_kb[e] = core.live_bytes(), collectgarbage("count")
      end
      -- after the first epochs have made every buffer and optimizer slot, nothing grows
      assert.are.equal(live[2], live[6])
      assert.is_true(lua_kb[6] < lua_kb[2] + 64, ("Lua heap grew from %.0f KB to %.0f KB"):format(lua_kb[2], lua_kb[6]))
    end)
  end)
end)
