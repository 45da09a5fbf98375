-- cvision.tuner.oracle: the Oracle, which decides the hyperparameters of each trial and keeps
-- the record of all of them, as KerasTuner's Oracle does. A search algorithm is an Oracle
-- subclass with its own populate_space(trial_id) --> {status =, values =} (random search,
-- grid search, Bayesian optimisation, Hyperband: cvision.tuner.oracles.*).
--
-- On disk (KerasTuner's layout), in <directory>/<project_name>/:
--   oracle.json            the oracle's state: space, start and end order, seed state, hashes of
--                          the values tried, the ongoing trials, the display's clocks
--   trial_<id>/trial.json  each trial (cvision.tuner.trial)
-- A trial that was running when the process died is still "RUNNING" in its file and listed as
-- ongoing in oracle.json; reload() sends it to the retry queue, so a resumed search redoes only it.
--
-- With several worker processes (tuner:search{workers = n}) the oracle is shared through those
-- files: every operation takes <project>/oracle.lock (an flock), re-reads the files, acts and
-- writes them back before releasing the lock.
local core = require "cvision.core"
local hpmod = require "cvision.tuner.hyperparameters"
local trialmod = require "cvision.tuner.trial"
local display = require "cvision.tuner.display"
local saving = require "cvision.saving"
local errors = require "cvision.util.errors"

local M = {}

local Oracle = {class_name = "Oracle"}
Oracle.__index = Oracle
M.Oracle = Oracle

local T = trialmod

--- M.subclass(class_name) --> an Oracle subclass (its new calls Oracle.init(self, opts))
function M.subclass(class_name, parent)
  parent = parent or Oracle
  local cls = setmetatable({class_name = class_name, super = parent}, {__index = parent})
  cls.__index = cls
  cls.__tostring = parent.__tostring
  return cls
end

M.common_options = {objective = true, max_trials = true, hyperparameters = true, seed = true,
  allow_new_entries = true, tune_new_entries = true, max_retries_per_trial = true,
  max_consecutive_failed_trials = true}

local function check_count(fname, o, key, min, allow_nil)
  local v = o[key]
  if v == nil and allow_nil then return nil end
  if math.type(v) ~= "integer" or v < min then
    error(errors.bad_argument(fname, ("%s must be an integer >= %d, got %s"):format(key, min, tostring(v))), 4)
  end
  return v
end

--- oracle:init(opts, fname): the common state (objective, max_trials, seed, the space, ...)
function Oracle:init(o, fname)
  self.objective = T.objective(o.objective, fname)
  self.max_trials = check_count(fname, o, "max_trials", 1, true)
  if o.hyperparameters ~= nil and getmetatable(o.hyperparameters) ~= hpmod.HyperParameters then
    error(errors.bad_argument(fname, "hyperparameters must be a cv.tuner.HyperParameters"), 3)
  end
  self.hyperparameters = o.hyperparameters and o.hyperparameters:copy() or hpmod.HyperParameters.new()
  self.allow_new_entries = o.allow_new_entries ~= false
  self.tune_new_entries = o.tune_new_entries ~= false
  if o.seed ~= nil and math.type(o.seed) ~= "integer" then
    error(errors.bad_argument(fname, "seed must be an integer, got " .. tostring(o.seed)), 3)
  end
  self.seed = o.seed or (os.time() % 10000 + 1)
  self.seed_state = self.seed
  self.max_retries_per_trial = o.max_retries_per_trial or 0
  check_count(fname, {v = self.max_retries_per_trial}, "v", 0)
  self.max_consecutive_failed_trials = o.max_consecutive_failed_trials or 3
  check_count(fname, {max_consecutive_failed_trials = self.max_consecutive_failed_trials},
    "max_consecutive_failed_trials", 1)
  self.trials = {}          -- trial_id -> Trial
  self.ongoing = {}         -- tuner_id -> trial_id
  self.start_order, self.end_order = {}, {}
  self.run_times = {}       -- trial_id -> runs ended
  self.retry_queue = {}
  self.tried_so_far = {}    -- hash -> true
  self.id_to_hash = {}
  self.max_collisions = 20
  self.display = display.new(self, 1)
  self.shared = false
  return self
end

--- oracle:set_project_dir(directory, project_name)
function Oracle:set_project_dir(directory, project_name)
  self.directory, self.project_name = directory, project_name
  self.project_dir = directory .. "/" .. project_name
end

local function fname_of(self, name) return self.project_dir .. "/" .. name end

--- oracle:trial_dir(trial_id) --> "<project>/trial_<id>" (created)
function Oracle:trial_dir(trial_id)
  local d = fname_of(self, "trial_" .. trial_id)
  require("cvision.data").makedirs(d)
  return d
end

---------------------------------------------------------------------------------------------------
-- values: sampling, hashing, the space
---------------------------------------------------------------------------------------------------

--- oracle:values_hash(values) --> a 16-hex-digit FNV-1a hash of "name=value" in name order,
--- ignoring the tuner's own "tuner/..." entries
function Oracle:values_hash(values)
  local keys = {}
  for k in pairs(values) do if not k:find("^tuner/") then keys[#keys + 1] = k end end
  table.sort(keys)
  local parts = {}
  for i, k in ipairs(keys) do parts[i] = k .. "=" .. T.repr(values[k]) end
  local s = table.concat(parts, ";")
  local h = -3750763034362895579   -- 14695981039346656037 as a signed 64-bit integer
  for i = 1, #s do
    h = h ~ s:byte(i)
    h = h * 1099511628211
  end
  return ("%016x"):format(h)
end

--- oracle:random_values() --> values for every active hyperparameter of the space, not tried
--- before; nil after max_collisions duplicates in a row (the space is exhausted)
function Oracle:random_values()
  local collisions = 0
  while true do
    local hps = hpmod.HyperParameters.new()
    for _, h in ipairs(self.hyperparameters.space) do
      hps:merge({h})
      if hps:is_active(h) then
        hps.values[h.name] = h:random_sample(self.seed_state)
        self.seed_state = self.seed_state + 1
      end
    end
    if not self.tried_so_far[self:values_hash(hps.values)] then return hps.values end
    collisions = collisions + 1
    if collisions > self.max_collisions then return nil end
  end
end

function Oracle:_record_values(trial)
  local hp = trial.hyperparameters
  -- the values the trial holds count; names its build did not reach stay absent (unlike
  -- KerasTuner, which fills them in: a 1-layer trial would list neurons_2)
  local new = self:values_hash(hp.values)
  self.tried_so_far[new] = true
  local old = self.id_to_hash[trial.trial_id]
  if old and old ~= new then
    self.id_to_hash[trial.trial_id] = new
    -- keep the old hash if another trial still has it
    local used = false
    for id, h in pairs(self.id_to_hash) do if h == old and id ~= trial.trial_id then used = true end end
    if not used then self.tried_so_far[old] = nil end
  end
  self.id_to_hash[trial.trial_id] = new
end

--- oracle:update_space(hp): adds the hyperparameters hp registered that the space lacks
function Oracle:update_space(hp)
  local new = {}
  for _, h in ipairs(hp.space) do
    if not self.hyperparameters:exists(h.name, h.conditions) then new[#new + 1] = h end
  end
  if #new > 0 and not self.allow_new_entries then
    error(("Oracle: allow_new_entries is false, but the model asked for new hyperparameters: %s"):format(new[1].name), 0)
  end
  if not self.tune_new_entries then return end
  self.hyperparameters:merge(new)
end

--- oracle:get_space() --> a copy of the space
function Oracle:get_space() return self.hyperparameters:copy() end

--- oracle:populate_space(trial_id) --> {status = "RUNNING"|"IDLE"|"STOPPED", values = {...}}
function Oracle:populate_space()
  error(("%s: populate_space is not implemented (an Oracle subclass defines it)"):format(self.class_name), 2)
end

---------------------------------------------------------------------------------------------------
-- trials
---------------------------------------------------------------------------------------------------

-- runs fn under the project's lock with the state re-read from disk (shared), or directly
function Oracle:_sync(fn)
  if not self.shared then return fn() end
  local lock = core.proc.lock(fname_of(self, "oracle.lock"))
  local ok, a, b = pcall(function()
    self:reload(false)
    return fn()
  end)
  lock:unlock()
  if not ok then error(a, 0) end
  return a, b
end

local function trial_count(self)
  local n = 0
  for _ in pairs(self.trials) do n = n + 1 end
  return n
end

--- oracle:id_width() --> digits of a trial id: those of max_trials (4 without it, as KerasTuner)
function Oracle:id_width() return self.max_trials and #tostring(self.max_trials) or 4 end

--- oracle:create_trial(tuner_id) --> a Trial: a retry first, then new values; status "STOPPED"
--- when max_trials trials exist or the algorithm is done, "IDLE" when it must wait for others
function Oracle:create_trial(tuner_id)
  return self:_sync(function()
    local id = self.ongoing[tuner_id]
    if id and self.trials[id] then return self.trials[id] end
    if #self.retry_queue > 0 then
      local tid = table.remove(self.retry_queue)
      local trial = self.trials[tid]
      trial.status = T.RUNNING
      self.ongoing[tuner_id] = tid
      self:_save_trial(trial)
      self:save()
      self.display:on_trial_begin(trial)
      return trial
    end
    local n = trial_count(self)
    local trial_id = ("%0" .. self:id_width() .. "d"):format(n)
    local status, values
    if self.max_trials and n >= self.max_trials then
      status = T.STOPPED
    else
      local r = self:populate_space(trial_id)
      status, values = r.status, r.values
    end
    local hp = self.hyperparameters:copy()
    hp.values = {}
    for k, v in pairs(values or {}) do hp.values[k] = v end
    local trial = T.Trial.new(hp, trial_id, status)
    if status == T.RUNNING then
      self:_record_values(trial)
      self.ongoing[tuner_id] = trial_id
      self.trials[trial_id] = trial
      self.start_order[#self.start_order + 1] = trial_id
      self:_save_trial(trial)
      self:save()
      self.display:on_trial_begin(trial)
    end
    return trial
  end)
end

--- oracle:update_trial(trial_id, metrics, step): records metric values (a table name -> number)
function Oracle:update_trial(trial_id, metrics, step)
  return self:_sync(function()
    local trial = self.trials[trial_id]
    if not trial then error("update_trial: no trial " .. tostring(trial_id), 0) end
    local obj = self.objective.name
    if metrics[obj] == nil and obj ~= "default_objective" then
      local keys = {}
      for k in pairs(metrics) do keys[#keys + 1] = k end
      table.sort(keys)
      error(("Objective value missing in metrics reported to the Oracle, expected: %s, found: %s")
        :format(obj, table.concat(keys, ", ")), 0)
    end
    for name, v in pairs(metrics) do
      trial:update(name, v, step, name == obj and self.objective.direction or nil)
    end
    self:_save_trial(trial)
    return trial
  end)
end

--- oracle:score_trial(trial): score = the best value of the objective; best_step its step
function Oracle:score_trial(trial)
  local v, step = trial:best_value(self.objective.name)
  trial.score, trial.best_step = v, step or 0
end

local function check_failures(self)
  local run = 0
  for _, id in ipairs(self.end_order) do
    local t = self.trials[id]
    if t.status == T.FAILED then run = run + 1 else run = 0 end
    if run >= self.max_consecutive_failed_trials then
      error(("Number of consecutive failures exceeded the limit of %d.\n%s"):format(
        self.max_consecutive_failed_trials, t.message or ""), 0)
    end
  end
end

--- oracle:end_trial(trial): records the final status ("COMPLETED", "INVALID" (retried while
--- max_retries_per_trial allows) or "FAILED"), scores it, saves everything
function Oracle:end_trial(trial)
  return self:_sync(function()
    local old = self.trials[trial.trial_id]
    old.hyperparameters, old.status, old.message = trial.hyperparameters, trial.status, trial.message
    for name, m in pairs(trial.metrics) do old.metrics[name] = m end
    trial = old
    self:update_space(trial.hyperparameters)
    if trial.status == T.COMPLETED then
      self:score_trial(trial)
      if trial.score == nil or trial.score ~= trial.score then
        trial.status = T.INVALID
        trial.message = trial.message or ("the objective %s is missing or NaN"):format(self.objective.name)
      end
    end
    self:_record_values(trial)
    self.run_times[trial.trial_id] = (self.run_times[trial.trial_id] or 0) + 1
    local retried = false
    if trial.status == T.INVALID then
      local max_runs = self.max_retries_per_trial + 1
      if self.run_times[trial.trial_id] >= max_runs then
        trial.status = T.FAILED
      else
        retried = true
        io.write(("Trial %s failed %d times. %d retries left.\n"):format(trial.trial_id,
          self.run_times[trial.trial_id], max_runs - self.run_times[trial.trial_id]))
        self.retry_queue[#self.retry_queue + 1] = trial.trial_id
      end
    end
    for tid, id in pairs(self.ongoing) do
      if id == trial.trial_id then self.ongoing[tid] = nil end
    end
    if not retried then self.end_order[#self.end_order + 1] = trial.trial_id end
    self:_save_trial(trial)
    self:save()
    self.display:on_trial_end(trial)
    if not retried then check_failures(self) end
  end)
end

--- oracle:get_trial(trial_id) --> the Trial
function Oracle:get_trial(id) return self.trials[id] end

--- oracle:get_best_trials([n = 1]) --> the n best completed trials, best first (then others)
function Oracle:get_best_trials(n)
  n = n or 1
  local done, rest = {}, {}
  for _, t in pairs(self.trials) do
    if t.status == T.COMPLETED and t.score ~= nil then done[#done + 1] = t else rest[#rest + 1] = t end
  end
  local obj = self.objective
  table.sort(done, function(a, b)
    if a.score ~= b.score then return obj:better(a.score, b.score) end
    return a.trial_id < b.trial_id
  end)
  table.sort(rest, function(a, b) return a.trial_id < b.trial_id end)
  local out = {}
  for i = 1, math.min(n, #done) do out[i] = done[i] end
  for i = 1, #rest do
    if #out >= n then break end
    out[#out + 1] = rest[i]
  end
  return out
end

--- oracle:remaining_trials() --> max_trials minus the trials so far (nil without max_trials)
function Oracle:remaining_trials()
  if not self.max_trials then return nil end
  return self.max_trials - trial_count(self)
end

---------------------------------------------------------------------------------------------------
-- state and files
---------------------------------------------------------------------------------------------------

local function set_list(set)
  local out = {}
  for k in pairs(set) do out[#out + 1] = k end
  table.sort(out)
  return out
end

local function obj(t)
  local o = saving.object()
  for k, v in pairs(t) do o[k] = v end
  return o
end

--- oracle:get_state() --> the table written as oracle.json (subclasses add their own keys)
function Oracle:get_state()
  return {ongoing_trials = obj(self.ongoing), hyperparameters = self.hyperparameters:get_config(),
    start_order = self.start_order, end_order = self.end_order, run_times = obj(self.run_times),
    retry_queue = self.retry_queue, seed = self.seed, seed_state = self.seed_state,
    tried_so_far = set_list(self.tried_so_far), id_to_hash = obj(self.id_to_hash),
    display = self.display:get_state(), objective = {name = self.objective.name, direction = self.objective.direction},
    max_trials = self.max_trials}
end

--- oracle:set_state(state) (from oracle.json)
function Oracle:set_state(s)
  local where = fname_of(self, "oracle.json")
  if type(s) ~= "table" or type(s.hyperparameters) ~= "table" or type(s.start_order) ~= "table" then
    error(where .. ": not an oracle state (hyperparameters and start_order expected)", 0)
  end
  local ok, hp = pcall(hpmod.HyperParameters.from_config, s.hyperparameters)
  if not ok then error(where .. ": " .. errors.clean(hp), 0) end
  self.hyperparameters = hp
  self.ongoing = {}
  for k, v in pairs(s.ongoing_trials or {}) do self.ongoing[k] = v end
  self.start_order, self.end_order = s.start_order, s.end_order or {}
  self.run_times = {}
  for k, v in pairs(s.run_times or {}) do self.run_times[k] = v end
  self.retry_queue = s.retry_queue or {}
  self.seed, self.seed_state = s.seed or self.seed, s.seed_state or self.seed_state
  self.tried_so_far = {}
  for _, h in ipairs(s.tried_so_far or {}) do self.tried_so_far[h] = true end
  self.id_to_hash = {}
  for k, v in pairs(s.id_to_hash or {}) do self.id_to_hash[k] = v end
  self.display:set_state(s.display)
end

function Oracle:_save_trial(trial)
  trial:save(self:trial_dir(trial.trial_id) .. "/trial.json")
end

--- oracle:save(): writes oracle.json (atomically)
function Oracle:save()
  require("cvision.data").makedirs(self.project_dir)
  saving.save_json(fname_of(self, "oracle.json"), self:get_state())
end

--- oracle:reload([initial = true]): reads the trials and oracle.json back; initially, trials
--- left running by a process that died are queued to run again
function Oracle:reload(initial)
  if initial == nil then initial = true end
  self.trials = {}
  local dirs = core.data_listdir(self.project_dir) or {}
  for _, d in ipairs(dirs) do
    if d:find("^trial_") then
      local path = self.project_dir .. "/" .. d .. "/trial.json"
      local f = io.open(path, "rb")
      if f then
        f:close()
        local ok, t = pcall(T.Trial.load, path)
        if not ok then error("reloading the tuner: " .. errors.clean(t), 0) end
        self.trials[t.trial_id] = t
      end
    end
  end
  local path = fname_of(self, "oracle.json")
  local ok, s = pcall(saving.load_json, path)
  if not ok then
    error(("reloading the tuner: %s (pass overwrite = true or another project_name to start afresh)"):format(errors.clean(s)), 0)
  end
  if s.objective and s.objective.name ~= self.objective.name then
    error(("reloading the tuner from %s: it was searching for %s, not %s (pass overwrite = true "
      .. "or another project_name)"):format(self.project_dir, s.objective.name, self.objective.name), 0)
  end
  self:set_state(s)
  if initial then
    for _, id in pairs(self.ongoing) do
      if self.trials[id] then self.retry_queue[#self.retry_queue + 1] = id end
    end
    self.ongoing = {}
  end
end

function Oracle:__tostring()
  return ("<%s %s, %d trials>"):format(self.class_name, tostring(self.objective), trial_count(self))
end

return M
