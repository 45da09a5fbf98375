-- spec/helpers/mpi_fit.lua OUT MODE [EPOCHS [BACKUP_DIR]]: trains the lecture's CNN (MODE "bn":
-- distributed with a BatchNormalization after its first convolution) for EPOCHS (2) epochs of 16-image batches on seeded data, with MODE "single" (one process) or "distributed"
-- (model:fit{distributed = true}, run under mpirun), and writes each rank's final weights and
-- its history to OUT/<MODE>-<rank>.txt (one number per line, %.9g). Used by
-- spec/distributed_spec.lua.
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath
local cv = require "cvision"
local L = cv.layers
local T = require "cvision.tensor"

local out, mode, epochs, backup = arg[1], arg[2], tonumber(arg[3] or "2"), arg[4]
local dist = cv.distributed
if mode == "distributed" then dist.init() end
cv.manual_seed(42)
-- the lecture's CNN (80x60 grayscale, 55 classes), on 80 seeded random images
local n, classes = 80, 55
local x = T.rand({ n, 80, 60, 1 }):mul(255)
local labels = {}
for i = 1, n do labels[i] = (i * 7) % classes + 1 end
local y = cv.core.tensor(labels)
-- MODE "bn": distributed, with a BatchNormalization after the first convolution
local bn = mode == "bn"
if bn then mode = "distributed"; dist.init() end
local model = cv.Sequential {
  cv.Input { 80, 60, 1 }, L.Rescaling(1 / 255),
  L.Conv2D(16, 3, { padding = "same", activation = bn and "linear" or "relu" }),
  bn and L.BatchNormalization() or L.Activation("linear"), L.MaxPooling2D(),
  L.Conv2D(32, 3, { padding = "same", activation = "relu" }), L.MaxPooling2D(),
  L.Conv2D(64, 3, { padding = "same", activation = "relu" }), L.MaxPooling2D { pool_size = { 4, 4 } },
  L.Flatten(), L.Dense(64, { activation = "relu" }), L.Dense(classes),
}
model:compile { optimizer = cv.optimizers.Adam(1e-2),
  loss = cv.losses.SparseCategoricalCrossentropy { from_logits = true }, metrics = { "accuracy" } }
-- with a backup folder (argument 4): BackupAndRestore there, kept after training
-- (ranks other than 0 name a folder of their own, empty, as on another host: they must get rank
-- 0's backup from rank 0)
local bdir = backup and (dist.rank() == 0 and backup or ("%s/rank%d"):format(backup, dist.rank()))
local cbs = backup and { cv.callbacks.BackupAndRestore { backup_dir = bdir, delete_checkpoint = false } } or nil
local h = model:fit(x, y, { epochs = epochs, batch_size = 16, verbose = 0, distributed = mode == "distributed",
  callbacks = cbs })
local f = assert(io.open(("%s/%s-%d.txt"):format(out, mode, dist.rank()), "w"))
for _, k in ipairs({ "loss", "accuracy" }) do
  for _, v in ipairs(backup and {} or h.history[k]) do f:write(("%.9g\n"):format(v)) end
end
-- every weight, BatchNormalization's moving statistics included
for _, w in ipairs(model:get_weights()) do
  for _, v in ipairs(w:reshape({ w:numel() }):totable()) do f:write(("%.9g\n"):format(v)) end
end
f:close()
