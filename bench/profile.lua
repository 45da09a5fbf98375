-- bench/profile.lua - the quick A/B measurement behind bench/NOTES.md: per-layer forward and
-- backward times of the lecture CNN at batch 32, and train-step images/s measured in CPU time
-- (os.clock), which a busy shared machine disturbs far less than wall time. One thread.
-- Usage: OPENBLAS_NUM_THREADS=1 bin/cvision bench/profile.lua [lecture|fashion|logistic]
-- (without OPENBLAS_NUM_THREADS=1 OpenBLAS's worker thread spins for ~0.1 s after start-up, as long
-- as this whole run for the logistic model, and that spinning counts in the process's CPU time: the
-- logistic step read 2x slower than it is)
local cv = require "cvision"
if os.getenv("OPENBLAS_NUM_THREADS") ~= "1" then
  io.stderr:write("profile.lua: set OPENBLAS_NUM_THREADS=1, or OpenBLAS's spinning worker inflates the CPU times\n")
end
local L = cv.layers
cv.set_num_threads(1)
cv.manual_seed(1)

local which = arg[1] or "lecture"
local models = {
  lecture = function()
    return cv.Sequential{L.Input{80, 60, 1}, L.Rescaling(1 / 255),
      L.Conv2D(16, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D(),
      L.Conv2D(32, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D(),
      L.Conv2D(64, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D{pool_size = 4},
      L.Flatten(), L.Dense(64, {activation = "relu"}), L.Dense(55)}, {80, 60, 1}, 55
  end,
  fashion = function()
    return cv.Sequential{L.Input{28, 28, 1}, L.Conv2D(32, 3, {activation = "relu"}), L.MaxPooling2D(),
      L.Conv2D(64, 3, {activation = "relu"}), L.MaxPooling2D(), L.Flatten(),
      L.Dense(128, {activation = "relu"}), L.Dense(10)}, {28, 28, 1}, 10
  end,
  logistic = function()
    return cv.Sequential{L.Input{80, 60, 1}, L.Flatten(), L.Rescaling(1 / 255), L.Dense(55)}, {80, 60, 1}, 55
  end,
}
local model, shape, classes = models[which]()
model:compile{optimizer = cv.optimizers.Adam(), loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true}}
local x = cv.rand{32, shape[1], shape[2], shape[3]} * 255
local y = cv.tensor((function() local t = {} for i = 1, 32 do t[i] = (i - 1) % classes + 1 end return t end)())
for _ = 1, 3 do model:train_on_batch(x, y) end

local function best_of(n, reps, f)
  local best = math.huge
  for _ = 1, n do
    local t0 = os.clock()
    for _ = 1, reps do f() end
    best = math.min(best, (os.clock() - t0) / reps)
  end
  return best
end

-- per layer, as the model runs them in training (the first trainable layer skips dx)
local h = x
for _, l in ipairs(model.layers) do
  local out
  local tf = best_of(5, 5, function() out = l:forward(h, true) end)
  local dy = cv.rand(out.shape)
  local tb = best_of(5, 5, function() l:backward(dy) end)
  print(("%-14s %-16s fwd %6.2f ms  bwd %6.2f ms"):format(l.class_name, table.concat(out.shape, "x"),
    tf * 1e3, tb * 1e3))
  h = out
end
local t = best_of(5, 10, function() model:train_on_batch(x, y) end)
print(("%s train step: %.0f images/s (CPU time, best of 5)"):format(which, 32 / t))
