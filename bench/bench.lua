-- bench/bench.lua - cvision's side of `make bench`: the models of bench/torch_bench.py, timed the
-- same way (warm-up, then the median of repeated runs), one JSON object per line.
-- Usage: bin/cvision bench/bench.lua THREADS [REPEATS [CASES]]
local cv = require "cvision"
local core = require "cvision.core"
local cjson = require "cjson"
local L = cv.layers

local threads = tonumber(arg[1]) or 1
local repeats = tonumber(arg[2]) or 5
local only = arg[3]
cv.set_num_threads(threads)
cv.manual_seed(123)

local models = {}
function models.lecture_cnn()
  return cv.Sequential{
    L.Input{80, 60, 1}, L.Rescaling(1 / 255),
    L.Conv2D(16, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D(),
    L.Conv2D(32, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D(),
    L.Conv2D(64, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D{pool_size = 4},
    L.Flatten(), L.Dense(64, {activation = "relu"}), L.Dense(55)}, {80, 60, 1}, 55
end
function models.logistic()
  return cv.Sequential{L.Input{80, 60, 1}, L.Flatten(), L.Rescaling(1 / 255), L.Dense(55)},
    {80, 60, 1}, 55
end
function models.fashion_cnn()
  return cv.Sequential{
    L.Input{28, 28, 1},
    L.Conv2D(32, 3, {activation = "relu"}), L.MaxPooling2D(),
    L.Conv2D(64, 3, {activation = "relu"}), L.MaxPooling2D(),
    L.Flatten(), L.Dense(128, {activation = "relu"}), L.Dense(10)}, {28, 28, 1}, 10
end

-- multiply-adds of one image's forward pass, and of a training step (the first layer computes no
-- input gradient); FLOPs = 2 * MACs
local function macs(model)
  local fwd, first = 0, nil
  for _, l in ipairs(model.layers) do
    local m = 0
    if l.class_name == "Conv2D" then
      local o, i = l.output_shape, l.input_shape
      local kh, kw = l.kernel_size[1], l.kernel_size[2]
      m = o[1] * o[2] * o[3] * kh * kw * i[3]
    elseif l.class_name == "Dense" then
      m = l.input_shape[#l.input_shape] * l.output_shape[#l.output_shape]
    end
    if m > 0 and not first then first = m end
    fwd = fwd + m
  end
  return fwd, 3 * fwd - (first or 0)
end

local function median(t)
  table.sort(t)
  return t[(#t + 1) // 2]
end

local function run(name, kind, batch, steps)
  local model, shape, classes = models[name]()
  model:compile{optimizer = cv.optimizers.Adam(),
    loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true}}
  local x = cv.rand{batch, shape[1], shape[2], shape[3]} * 255
  local y = cv.tensor((function()
    local t = {}
    for i = 1, batch do t[i] = (i - 1) % classes + 1 end
    return t
  end)())
  local step
  if kind == "train" then
    step = function() model:train_on_batch(x, y) end
  else
    step = function() model:predict(x, {batch_size = batch}) end
  end
  for _ = 1, 3 do step() end
  local times = {}
  for r = 1, repeats do
    local t0 = core.monotonic()
    for _ = 1, steps do step() end
    times[r] = (core.monotonic() - t0) / steps
  end
  local fwd, train = macs(model)
  local flops = 2 * (kind == "train" and train or fwd) * batch
  local t = median(times)
  return {case = ("%s/%s/%d"):format(name, kind, batch), threads = threads,
          images_per_s = batch / t, gflops = flops / t * 1e-9}
end

local cases = {
  {"lecture_cnn", "train", 32, 20}, {"lecture_cnn", "infer", 32, 40},
  {"lecture_cnn", "infer", 256, 5}, {"logistic", "train", 32, 200},
  {"fashion_cnn", "train", 32, 30},
}
for _, c in ipairs(cases) do
  local key = ("%s/%s/%d"):format(c[1], c[2], c[3])
  if not only or ("," .. only .. ","):find("," .. key .. ",", 1, true) then
    print(cjson.encode(run(c[1], c[2], c[3], c[4])))
    io.stdout:flush()
  end
end

-- "memory": peak resident memory of a training run of the lecture CNN (run it in its own process)
if only == "memory" then
  local model, shape = models.lecture_cnn()
  model:compile{optimizer = "adam", loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true}}
  local n = 2048
  local x = cv.rand{n, shape[1], shape[2], shape[3]} * 255
  local yt = {}
  for i = 1, n do yt[i] = (i - 1) % 55 + 1 end
  model:fit(x, cv.tensor(yt), {epochs = 1, batch_size = 32, verbose = 0})
  local f = assert(io.open("/proc/self/status"))
  local kb = tonumber(f:read("a"):match("VmHWM:%s*(%d+)"))
  f:close()
  print(cjson.encode{case = "memory", threads = threads, peak_mb = kb / 1024})
end
