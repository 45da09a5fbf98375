-- bench/mpi_bench.lua - `make bench`'s data-parallel row: the lecture CNN trained by
-- model:fit{distributed = true} with 32 images per rank per step (the global batch grows with the
-- ranks: weak scaling), 1 thread per rank; run under `mpirun -np N`. Rank 0 prints one JSON line:
-- images per second over all ranks (median of REPEATS epochs after a warm-up one) and the cost of
-- one step's gradient reduction (the flat gradient block), measured alone.
-- Usage: mpirun -np N bin/cvision bench/mpi_bench.lua [REPEATS]
local cv = require "cvision"
local core = require "cvision.core"
local cjson = require "cjson"
local params = require "cvision.models.params"
local L = cv.layers

local repeats = tonumber(arg[1]) or 3
local dist = cv.distributed
local rank, size = dist.init()
cv.set_num_threads(1)
cv.manual_seed(123)
local model = cv.Sequential{
  L.Input{80, 60, 1}, L.Rescaling(1 / 255),
  L.Conv2D(16, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D(),
  L.Conv2D(32, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D(),
  L.Conv2D(64, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D{pool_size = 4},
  L.Flatten(), L.Dense(64, {activation = "relu"}), L.Dense(55)}
model:compile{optimizer = cv.optimizers.Adam(),
  loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true}}
local steps, per_rank = 10, 32
local n = steps * per_rank * size
local x = cv.rand{n, 80, 60, 1} * 255
local labels = {}
for i = 1, n do labels[i] = (i - 1) % 55 + 1 end
local y = cv.tensor(labels)
local fit_opts = {epochs = 1, batch_size = per_rank * size, verbose = 0, shuffle = false, distributed = true}
model:fit(x, y, fit_opts)                     -- warm-up (and the weight block's packing)
local times = {}
for r = 1, repeats do
  dist.barrier()
  local t0 = core.monotonic()
  model:fit(x, y, fit_opts)
  times[r] = core.monotonic() - t0
end
table.sort(times)
local t = times[(#times + 1) // 2]
-- the reduction alone: one step's gradient block, 20 times
local block = params.block(model, model:_overwritten())
local red = {}
for r = 1, 20 do
  dist.barrier()
  local t0 = core.monotonic()
  dist.allreduce(block.grad)
  red[r] = core.monotonic() - t0
end
table.sort(red)
if rank == 0 then
  print(cjson.encode{case = "lecture_cnn/train/mpi", threads = size, ranks = size, images_per_s = n / t,
    allreduce_ms = red[10] * 1000, grad_mb = block.grad:numel() * 4 / 2^20, step_ms = t / steps * 1000})
end
