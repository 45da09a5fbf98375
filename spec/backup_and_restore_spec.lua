-- spec/backup_and_restore_spec.lua: cv.callbacks.BackupAndRestore (Keras' name and semantics): a
-- training process killed with SIGKILL mid-epoch and run again resumes from its last backup, and
-- with a seed its final weights and history are bit-identical to an uninterrupted run's (shuffle,
-- Dropout, BatchNormalization, Adam, EarlyStopping with restore_best_weights all in play); and
-- TerminateOnNaN names the batch and the first layer at fault.
local cv = require "cvision"
local tmp = require "spec.helpers.tmpdir"

-- the training script: argv backup_dir, kill_at (batches, or ""), out, save_freq
local SCRIPT = [[
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath
local cv = require "cvision"
local L = cv.layers
local dir, kill_at, out = arg[1], tonumber(arg[2]), arg[3]
local freq = tonumber(arg[4]) or arg[4]
cv.manual_seed(42)
local x = cv.rand({96, 6, 6, 1})
local t = {}
for i = 1, 96 do t[i] = (i % 3) + 1 end
local y = cv.tensor(t)
local m = cv.Sequential{cv.Input{6, 6, 1}, L.Conv2D(4, 3, {activation = "relu"}), L.BatchNormalization(),
  L.Flatten(), L.Dropout(0.3), L.Dense(3, {activation = "softmax"})}
m:compile{optimizer = cv.optimizers.Adam(1e-2), loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
local n = 0
local killer = cv.callbacks.LambdaCallback{on_train_batch_end = function()
  n = n + 1
  if kill_at and n == kill_at then cv.core.proc.kill(cv.core.proc.pid(), 9) end
end}
local es = cv.callbacks.EarlyStopping{monitor = "loss", patience = 2, restore_best_weights = true}
local h = m:fit(x, y, {epochs = 6, batch_size = 8, verbose = 0, callbacks = {killer, es,
  cv.callbacks.BackupAndRestore{backup_dir = dir, save_freq = freq}}})
m:save_weights(out)
local f = assert(io.open(out .. ".history", "w"))
for _, k in ipairs{"loss", "accuracy"} do
  for _, v in ipairs(h.history[k]) do f:write(("%s %a\n"):format(k, v)) end
end
f:close()
]]

local function read(p)
  local f = io.open(p, "rb")
  if not f then return nil end
  local s = f:read("a")
  f:close()
  return s
end

describe("cv.callbacks.BackupAndRestore", function()
  local dir, script
  setup(function()
    dir = tmp.dir()
    script = dir .. "/train.lua"
    assert(io.open(script, "wb")):write(SCRIPT):close()
  end)
  teardown(function() tmp.rmtree(dir) end)

  local function run(backup, kill_at, out, freq)
    local p = io.popen(("CVISION_NUM_THREADS=1 lua5.4 %s %s '%s' %s %s 2>&1; echo rc=$?"):format(script, backup,
      kill_at or "", out, freq))
    local s = p:read("a")
    p:close()
    return tonumber(s:match("rc=(%d+)%s*$")), s
  end

  for _, case in ipairs{{5, 23}, {5, 12}, {"epoch", 30}} do
    local freq, kill_at = case[1], case[2]
    it(("resumes bit-identically after SIGKILL at batch %d (save_freq = %s)"):format(kill_at, tostring(freq)), function()
      local ref, out = dir .. "/ref." .. tostring(freq), dir .. "/resumed." .. tostring(freq) .. "." .. kill_at
      local backup = dir .. "/backup." .. tostring(freq) .. "." .. kill_at
      local rc, log = run(dir .. "/unused", nil, ref, freq)
      assert.equal(0, rc, log)
      rc = run(backup, kill_at, out, freq)
      assert.equal(137, rc)                                   -- 128 + SIGKILL
      assert.is_truthy(read(backup .. "/backup.safetensors"), "no backup was written before the kill")
      assert.is_nil(read(out))
      rc, log = run(backup, nil, out, freq)
      assert.equal(0, rc, log)
      assert.is_true(read(ref) == read(out), "the resumed run's weights differ from the uninterrupted run's")
      assert.equal(read(ref .. ".history"), read(out .. ".history"))
      assert.is_nil(read(backup .. "/backup.safetensors"))    -- delete_checkpoint
    end)
  end

  it("refuses bad options by name, as Keras' keyword arguments", function()
    assert.has_error(function() cv.callbacks.BackupAndRestore{} end,
      "bad argument to 'BackupAndRestore' (backup_dir (a folder path) is required)")
    assert.has_error(function() cv.callbacks.BackupAndRestore{backup_dir = "b", save_freq = 0} end,
      "bad argument to 'BackupAndRestore' (save_freq must be \"epoch\" or a positive integer (batches), got 0)")
    assert.has_error(function() cv.callbacks.BackupAndRestore{backup_dir = "b", savefreq = 2} end,
      "bad argument to 'BackupAndRestore' (unknown option 'savefreq')")
    local br = cv.callbacks.BackupAndRestore("some/dir")
    assert.equal("some/dir/backup.safetensors", br:path())
    assert.equal("epoch", br.save_freq)
    assert.is_true(br.delete_checkpoint)
  end)

  it("refuses a backup made with other callbacks, naming the file", function()
    local b = dir .. "/other"
    local rc = run(b, 20, dir .. "/x", 5)
    assert.equal(137, rc)
    local m = cv.Sequential{cv.Input{6, 6, 1}, cv.layers.Conv2D(4, 3, {activation = "relu"}),
      cv.layers.BatchNormalization(), cv.layers.Flatten(), cv.layers.Dropout(0.3),
      cv.layers.Dense(3, {activation = "softmax"})}
    m:compile{optimizer = cv.optimizers.Adam(1e-2), loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
    local ok, err = pcall(m.fit, m, cv.rand({16, 6, 6, 1}), cv.ones({16}), {epochs = 1, verbose = 0,
      callbacks = {cv.callbacks.BackupAndRestore{backup_dir = b}}})
    assert.is_false(ok)
    assert.matches("BackupAndRestore: " .. (b .. "/backup.safetensors"):gsub("%p", "%%%0") .. ": the backup was made "
      .. "with the callbacks {LambdaCallback, EarlyStopping, History}, this fit has {History}", err)
  end)
end)

describe("cv.callbacks.TerminateOnNaN", function()
  it("names the batch and the first layer whose values became non-finite", function()
    cv.manual_seed(1)
    local m = cv.Sequential{cv.Input{4}, cv.layers.Dense(8, {activation = "relu", name = "d1"}), cv.layers.Dense(1, {name = "d2"})}
    m:compile{optimizer = cv.optimizers.SGD(1e3), loss = "mse"}
    local out = {}
    local orig = io.write
    io.write = function(...) for _, s in ipairs{...} do out[#out + 1] = s end end   -- luacheck: ignore
    local ok, err = pcall(m.fit, m, cv.rand({64, 4}) * 100, cv.rand({64, 1}) * 1e6, {epochs = 5, batch_size = 8,
      verbose = 0, callbacks = {cv.callbacks.TerminateOnNaN()}})
    io.write = orig   -- luacheck: ignore
    assert.is_true(ok, err)
    assert.matches("^Batch %d+: Invalid loss, terminating training; the first non%-finite values: weights of layer d1 %(Dense%)",
      table.concat(out))
  end)
end)
