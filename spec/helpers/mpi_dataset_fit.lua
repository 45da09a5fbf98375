-- spec/helpers/mpi_dataset_fit.lua DIR MODE: writes (rank 0, or the single process) a folder of
-- 3 classes x 9 small PNGs under DIR/images, trains a small CNN for 2 epochs on
-- image_dataset_from_directory(DIR/images, {batch_size = 8, shuffle = true, seed = 3}) with MODE
-- "single" (streaming the dataset's batches) or "distributed" (under mpirun: each rank its part), logging the files each rank read to
-- DIR/<MODE>-read-<rank>.txt and its final weights to DIR/<MODE>-<rank>.txt. Used by
-- spec/distributed_spec.lua.
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath
local cv = require "cvision"
local L = cv.layers
local T = require "cvision.tensor"

local dir, mode = arg[1], arg[2]
local dist = cv.distributed
if mode == "distributed" then dist.init() end
local root = dir .. "/images"
if dist.rank() == 0 then
  cv.manual_seed(5)
  for c, name in ipairs({ "a", "b", "c" }) do
    os.execute(("mkdir -p '%s/%s'"):format(root, name))
    for i = 1, 9 do
      local img = T.rand({ 12, 12, 1 }):mul(80 * c):astype("uint8")
      cv.imwrite(("%s/%s/%d.png"):format(root, name, i), img)
    end
  end
end
dist.barrier()
local ds = cv.data.image_dataset_from_directory(root, { batch_size = 8, shuffle = true, seed = 3,
  image_size = { 12, 12 }, color_mode = "grayscale", verbose = false })
local log = assert(io.open(("%s/%s-read-%d.txt"):format(dir, mode, dist.rank()), "w"))
local images = ds._images
function ds._images(self, idx)
  for _, i in ipairs(idx) do log:write(self.file_paths[i], "\n") end
  return images(self, idx)
end
cv.manual_seed(42)
local model = cv.Sequential {
  cv.Input { 12, 12, 1 }, L.Rescaling(1 / 255),
  L.Conv2D(4, 3, { activation = "relu" }), L.MaxPooling2D(), L.Flatten(), L.Dense(3),
}
model:compile { optimizer = cv.optimizers.SGD(0.05),
  loss = cv.losses.SparseCategoricalCrossentropy { from_logits = true }, metrics = { "accuracy" } }
-- one process streams the same batches (a mapped dataset is read batch by batch, in the
-- dataset's order of each pass) that the ranks share out
local data = mode == "distributed" and ds or ds:map(function(x, y) return x, y end)
local mark = cv.callbacks.LambdaCallback { on_epoch_begin = function() log:write("epoch\n") end }
local h = model:fit(data, { epochs = 2, verbose = 0, distributed = mode == "distributed", callbacks = { mark } })
log:close()
local f = assert(io.open(("%s/%s-%d.txt"):format(dir, mode, dist.rank()), "w"))
for _, k in ipairs({ "loss", "accuracy" }) do
  for _, v in ipairs(h.history[k]) do f:write(("%.9g\n"):format(v)) end
end
for _, p in ipairs(model:params()) do
  for _, v in ipairs(p.value:reshape({ p.value:numel() }):totable()) do f:write(("%.9g\n"):format(v)) end
end
f:close()
