-- spec/crossings_spec.lua: how often a training step calls into C. Each crossing costs a Lua
-- call, argument checks and often a table; the lecture CNN's step (batch 32) needs at most 40:
-- one kernel call per fused step and direction, the loss, the metric, the optimizer and the
-- gradient zero-fill, the batch's rows. Counted per step as the difference between fits of 8
-- and 4 batches, so the per-fit work (callbacks, the epoch's shuffle) cancels out.
local cv = require "cvision"
local L = cv.layers
local c_calls = require "spec.helpers.c_calls"

local function lecture_cnn()
  return cv.Sequential{
    L.Input{80, 60, 1}, L.Rescaling(1 / 255),
    L.Conv2D(16, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D(),
    L.Conv2D(32, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D(),
    L.Conv2D(64, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D{pool_size = 4},
    L.Flatten(), L.Dense(64, {activation = "relu"}), L.Dense(55)}
end

local function per_step(m, x, y, shuffle)
  local function fit(batches)
    return c_calls.count(function()
      m:fit(x:slice(1, 32 * batches), y:slice(1, 32 * batches), {epochs = 1, verbose = 0, shuffle = shuffle})
    end)
  end
  fit(2)                         -- buffers, optimizer slots, plan: made once
  local c4, by4 = fit(4)
  local c8, by8 = fit(8)
  local diff = {}
  for k, v in pairs(by8) do
    local d = (v - (by4[k] or 0)) / 4
    if d ~= 0 then diff[#diff + 1] = ("%s %g"):format(k, d) end
  end
  table.sort(diff)
  return (c8 - c4) / 4, table.concat(diff, ", ")
end

describe("a training step of the lecture CNN", function()
  local m, x, y
  setup(function()
    cv.manual_seed(1)
    m = lecture_cnn()
    m:compile{optimizer = "adam", loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true},
      metrics = {"accuracy"}}
    x = cv.rand{32 * 8, 80, 60, 1} * 255
    local t = {}
    for i = 1, 32 * 8 do t[i] = i % 55 + 1 end
    y = cv.tensor(t)
  end)

  it("calls into C at most 40 times (batch 32, in order)", function()
    local n, detail = per_step(m, x, y, false)
    assert.is_true(n <= 40, ("%g calls into C per step: %s"):format(n, detail))
    assert.is_true(n >= 10, "the hook counted too little: " .. detail)   -- kernels do run
  end)

  it("calls into C at most 40 times with shuffled batches", function()
    local n, detail = per_step(m, x, y, true)
    assert.is_true(n <= 40, ("%g calls into C per step: %s"):format(n, detail))
  end)

  it("reads a tensor's shape without calling into C after its first read", function()
    local t = cv.zeros{3, 4}
    local _ = t.shape
    local n = c_calls.count(function()
      for _ = 1, 100 do local s = t.shape; assert(s[2] == 4 and t.dtype == "float32" and t:numel() == 12) end
    end)
    assert.are.equal(0, n)
  end)
end)
