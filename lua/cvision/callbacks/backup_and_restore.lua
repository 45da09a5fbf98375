-- cvision.callbacks.backup_and_restore: Keras' BackupAndRestore callback. A training run killed at
-- any moment (SIGKILL included) and run again with the same script resumes from its last backup
-- exactly: the model's weights, the optimizer's slots, iteration count and learning rate, the
-- epoch and the batch within it, the random stream (so the epoch's shuffle and the dropout masks
-- continue as they would have), the epoch's running loss and metrics, and every callback's state
-- (History, EarlyStopping, ModelCheckpoint, ReduceLROnPlateau: get_state / set_state). With a
-- seed, the final weights are bit-identical to an uninterrupted run's.
--
-- The backup is one file, <backup_dir>/backup.safetensors, written atomically (saving.write_atomic:
-- a kill mid-save leaves the previous backup); numbers in its state are written as hexadecimal
-- floats ("%a") so they come back bit for bit. fit runs these callbacks after all others (and after
-- History), so a backup holds what every callback did at the epoch or batch it ends.
local core = require "cvision.core"
local saving = require "cvision.saving"
local errors = require "cvision.util.errors"

local M = {}

-- the methods, put on the class by M.install
local BR = {}

local function init(self, a)
  local dir = a.backup_dir or a[1]
  if type(dir) ~= "string" or dir == "" then error("backup_dir (a folder path) is required", 0) end
  for k in pairs(a) do
    if k ~= 1 and k ~= "backup_dir" and k ~= "save_freq" and k ~= "delete_checkpoint" then
      error(("unknown option '%s'"):format(tostring(k)), 0)
    end
  end
  local freq = a.save_freq == nil and "epoch" or a.save_freq
  if freq ~= "epoch" and not (math.type(freq) == "integer" and freq >= 1) then
    error(("save_freq must be \"epoch\" or a positive integer (batches), got %s"):format(tostring(freq)), 0)
  end
  if a.delete_checkpoint ~= nil and type(a.delete_checkpoint) ~= "boolean" then
    error(("delete_checkpoint must be a boolean, got %s"):format(tostring(a.delete_checkpoint)), 0)
  end
  self.backup_dir, self.save_freq = dir, freq
  self.delete_checkpoint = a.delete_checkpoint ~= false
  self._is_backup = true
end


-- numbers exactly: "%a" strings inside {"#": ...}; other values as they are
local function pack(v)
  if type(v) == "number" then
    if v ~= v then return {["#"] = "nan"} end
    if v == math.huge or v == -math.huge then return {["#"] = v > 0 and "inf" or "-inf"} end
    return {["#"] = math.type(v) == "integer" and ("%d"):format(v) or ("%a"):format(v)}
  elseif type(v) == "table" then
    local out = {}
    for k, x in pairs(v) do out[k] = pack(x) end
    return out
  end
  return v
end
local function unpack_(v)
  if type(v) == "table" then
    local n = v["#"]
    if type(n) == "string" then
      if n == "nan" then return 0 / 0 elseif n == "inf" then return math.huge elseif n == "-inf" then return -math.huge end
      return n:find("^%-?%d+$") and math.tointeger(tonumber(n)) or tonumber(n)
    end
    local out = {}
    for k, x in pairs(v) do out[tonumber(k) or k] = unpack_(x) end
    return out
  end
  return v
end

--- br:path() --> the backup file
function BR:path() return self.backup_dir .. "/backup.safetensors" end

-- true on the ranks of a data-parallel fit other than rank 0: they read the backup rank 0 writes
local function follower(model)
  local d = package.loaded["cvision.distributed"]
  return rawget(model, "_data_parallel") ~= nil and d ~= nil and not d.is_chief()
end

-- the state at this point of fit: epoch = epochs finished, step = batches of the next one done
-- (in a data-parallel fit only rank 0 writes it; every rank restores from it, as rank 0 sends it)
function BR:_save(epoch, step)
  local model = self.model
  if follower(model) then return end
  local mf = require "cvision.saving.model_file"
  local entries = mf.weight_entries(model)
  local opt = mf.optimizer_entries(model, entries)
  local fs = rawget(model, "_fit_state") or {}
  local state = {epoch = epoch, step = step, rng_now = core.rng_state(), rng_epoch = fs.rng_epoch,
    loss_sum = step > 0 and fs.loss_sum or 0, seen = step > 0 and fs.seen or 0, batches = self._batches,
    optimizer = opt, metrics = {}, callbacks = {}}
  for i, m in ipairs(model.metrics or {}) do state.metrics[i] = m:get_state() end
  state.peers = {}
  for i, cb in ipairs(self._peers or {}) do state.peers[i] = cb.class_name end
  for i, cb in ipairs(self._peers or {}) do
    local s = cb:get_state()
    if s then
      local ts = s.tensors
      s.tensors = nil
      if ts then
        s.n_tensors = #ts
        for j, t in ipairs(ts) do entries[#entries + 1] = {("callback.%d.%d"):format(i, j), t} end
      end
      state.callbacks[tostring(i)] = {class_name = cb.class_name, state = s}
    end
  end
  require("cvision.data").makedirs(self.backup_dir)
  saving.write_safetensors(self:path(), entries, {format = "cvision-backup",
    state = saving.encode_json(pack(state))})
end

-- reads the backup into the model and the callbacks; returns the fit state, or nil (no backup)
-- In a data-parallel fit rank 0 reads the backup and sends its bytes to the other ranks (their
-- hosts may not see rank 0's folder), which read them from a temporary file of their own.
local function shared_backup(self)
  local d = package.loaded["cvision.distributed"]
  if not (rawget(self.model, "_data_parallel") and d) then return self:path(), nil end
  local bytes = ""
  if d.is_chief() then
    local f = io.open(self:path(), "rb")
    if f then bytes = f:read("a"); f:close() end
  end
  bytes = d.broadcast_string(bytes, 0)
  if d.is_chief() or bytes == "" then return self:path(), nil end
  local tmp = os.tmpname()
  local f = assert(io.open(tmp, "wb"))
  f:write(bytes)
  f:close()
  return tmp, tmp
end

function BR:_restore()
  local path, tmp = shared_backup(self)
  local f = io.open(path, "rb")
  if not f then return nil end
  f:close()
  local function fail(reason) error(("BackupAndRestore: %s: %s"):format(self:path(), reason), 0) end
  local st, why = saving.read_safetensors(path)
  if tmp then os.remove(tmp) end
  if not st then fail(why) end
  if st.metadata.format ~= "cvision-backup" or not st.header_checked then fail("not a backup of BackupAndRestore") end
  local raw, derr = saving.decode_json(st.metadata.state or "")
  if type(raw) ~= "table" then fail("bad state: " .. tostring(derr)) end
  local state = unpack_(raw)
  local have = {}
  for i, cb in ipairs(self._peers or {}) do have[i] = cb.class_name end
  if table.concat(state.peers or {}, ", ") ~= table.concat(have, ", ") then
    fail(("the backup was made with the callbacks {%s}, this fit has {%s}: run with the same callbacks")
      :format(table.concat(state.peers or {}, ", "), table.concat(have, ", ")))
  end
  local model = self.model
  local mf = require "cvision.saving.model_file"
  local used = {}
  mf.restore_weights(model, st, fail, used)
  mf.restore_optimizer(model, st, state.optimizer or {}, fail, used)
  for i, cb in ipairs(self._peers or {}) do
    local c = state.callbacks[i]
    if c then
      if c.class_name ~= cb.class_name then
        fail(("callback %d is a %s, the backup's a %s: run with the same callbacks"):format(i, cb.class_name,
          tostring(c.class_name)))
      end
      local s = c.state
      if s.n_tensors then
        s.tensors = {}
        for j = 1, s.n_tensors do s.tensors[j] = st.tensors[("callback.%d.%d"):format(i, j)] end
      end
      cb:set_state(s)
    end
  end
  self._batches = state.batches or 0
  return state
end

--- br:on_train_begin(): resumes from the backup when there is one
function BR:on_train_begin()
  self._batches = 0
  local ok, state = pcall(self._restore, self)
  if not ok then error(errors.clean(state), 0) end
  if state then self.model._resume = state end
end

--- br:on_train_batch_end(step): a backup every save_freq batches (when save_freq is a number)
function BR:on_train_batch_end(step)
  if self.save_freq == "epoch" then return end
  self._batches = (self._batches or 0) + 1
  if self._batches % self.save_freq == 0 then
    local fs = rawget(self.model, "_fit_state")
    self:_save(fs.epoch - 1, step)
  end
end

--- br:on_epoch_end(epoch): a backup at the end of every epoch (save_freq "epoch")
function BR:on_epoch_end(epoch)
  if self.save_freq == "epoch" then self:_save(epoch, 0) end
end

--- br:on_train_end(): training finished: the backup is deleted (delete_checkpoint)
function BR:on_train_end()
  if self.delete_checkpoint and not follower(self.model) then os.remove(self:path()) end
end


--- install(callbacks): defines callbacks.BackupAndRestore (cvision.callbacks calls it)
function M.install(callbacks)
  local cls = callbacks.class("BackupAndRestore", init)
  for k, f in pairs(BR) do cls[k] = f end
  return cls
end

return M
