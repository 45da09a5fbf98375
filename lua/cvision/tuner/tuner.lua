-- cvision.tuner.tuner: the Tuner, which runs the trials an Oracle hands out, as KerasTuner's
-- Tuner does: build the model with the trial's hyperparameters, fit it (executions_per_trial
-- times), report the objective at its best epoch, keep that epoch's weights.
--
--   tuner:search(x, y, {epochs, validation_data | validation_split, callbacks, batch_size,
--                       verbose, workers, ...})   the options go to model:fit (workers stays here)
--   tuner:get_best_models([n]) / get_best_hyperparameters([n]) / results_summary([n])
--   tuner:search_space_summary() / tuner:remaining_trials()
--
-- Files: <directory>/<project_name>/tuner0.json (the tuner's own state, "{}" as KerasTuner's),
-- and per trial trial_<id>/checkpoint.weights.safetensors (the best epoch's weights) and
-- build_config.json (the input shape the model was built for). A Tuner subclass may override
-- run_trial(trial, ...) and return a number (the objective), a table of metrics, a History or a
-- list of those (averaged), as KerasTuner allows.
local core = require "cvision.core"
local trialmod = require "cvision.tuner.trial"
local hpmod = require "cvision.tuner.hyperparameters"
local saving = require "cvision.saving"
local errors = require "cvision.util.errors"

local M = {}
local T = trialmod

local Tuner = {class_name = "Tuner"}
Tuner.__index = Tuner
M.Tuner = Tuner

M.tuner_options = {directory = true, project_name = true, overwrite = true,
  executions_per_trial = true, hypermodel = true}

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

-- removes a folder and everything in it
local function rmtree(path)
  local dirs, files = core.data_listdir(path)
  if not dirs then return end
  for _, f in ipairs(files) do os.remove(path .. "/" .. f) end
  for _, d in ipairs(dirs) do rmtree(path .. "/" .. d) end
  os.remove(path)
end
M.rmtree = rmtree

local function is_callable(v)
  if type(v) == "function" then return true end
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__call ~= nil
end

--- tuner:init(oracle, hypermodel, opts, fname): the common part of every tuner's constructor
function Tuner:init(oracle, hypermodel, o, fname)
  if hypermodel ~= nil and not is_callable(hypermodel)
      and not (type(hypermodel) == "table" and type(hypermodel.build) == "function") then
    error(errors.bad_argument(fname, "hypermodel must be a function build_model(hp) --> compiled model, "
      .. "or a table with :build(hp)", 1), 3)
  end
  self.oracle = oracle
  self.hypermodel = hypermodel
  local dir = o.directory or "."
  if type(dir) ~= "string" or dir == "" then error(errors.bad_argument(fname, "directory must be a folder path"), 3) end
  local project = o.project_name or "untitled_project"
  if type(project) ~= "string" or project == "" or project:find("/") then
    error(errors.bad_argument(fname, "project_name must be a folder name"), 3)
  end
  self.directory, self.project_name = dir, project
  self.project_dir = dir .. "/" .. project
  self.executions_per_trial = o.executions_per_trial or 1
  if math.type(self.executions_per_trial) ~= "integer" or self.executions_per_trial < 1 then
    error(errors.bad_argument(fname, "executions_per_trial must be a positive integer"), 3)
  end
  self.tuner_id = os.getenv("CVISION_TUNER_ID") or "tuner0"
  self.worker = os.getenv("CVISION_TUNER_WORKER") ~= nil
  -- under mpirun (more than one rank): rank r is tuner<r>; rank 0 prepares the project, the others
  -- read it when search starts (see _search_over_ranks)
  local mrank, msize = require("cvision.distributed").launched()
  if mrank and msize > 1 and not self.worker then
    self.mpi_rank = mrank
    self.tuner_id = "tuner" .. mrank
  end
  oracle:set_project_dir(dir, project)
  local follower = self.mpi_rank and self.mpi_rank > 0
  if o.overwrite and not self.worker and not follower then rmtree(self.project_dir) end
  local fname_json = self:_tuner_fname()
  -- a follower reads nothing: rank 0 may still be writing the project, and owns the oracle (search)
  if follower then return self end
  if self.worker then
    oracle.shared = true
    oracle:reload(false)
  elseif not o.overwrite and exists(fname_json) then
    io.write(("Reloading Tuner from %s\n"):format(fname_json))
    self:reload()
  else
    self:_populate_initial_space()
  end
  return self
end

function Tuner:_tuner_fname() return self.project_dir .. "/tuner0.json" end

--- tuner:save(): writes the oracle's state and tuner0.json
function Tuner:save()
  -- a worker writes nothing here: its oracle saves itself under the project's lock inside each
  -- of its operations, and the chief wrote tuner0.json before starting the workers
  if self.oracle.shared then return end
  self.oracle:save()
  saving.save_json(self:_tuner_fname(), saving.object())
end

--- tuner:reload(): reads the project back (finished trials stay done; one left running is redone)
function Tuner:reload()
  local ok, err = pcall(saving.load_json, self:_tuner_fname())
  if not ok then error(("reloading the tuner: %s"):format(errors.clean(err)), 0) end
  self.oracle:reload(true)
end

---------------------------------------------------------------------------------------------------
-- building models
---------------------------------------------------------------------------------------------------

-- calls the hypermodel with hp; hp.accessed collects the names it reads
function Tuner:_build(hp)
  local hm = self.hypermodel
  if hm == nil then error("Tuner: no hypermodel (pass build_model, or override run_trial)", 0) end
  hp.accessed = {}
  local ok, model
  if type(hm) == "table" and type(hm.build) == "function" then ok, model = pcall(hm.build, hm, hp)
  else ok, model = pcall(hm, hp) end
  if not ok then error("build_model: " .. errors.clean(model), 0) end
  local models = require "cvision.models"
  if not models.is_model(model) then
    error(("build_model must return a compiled cvision model, got %s"):format(type(model)), 0)
  end
  return model
end

-- builds the hypermodel once per conditional scope that never became active, so the oracle
-- knows the whole space before the first trial (KerasTuner's _activate_all_conditions)
function Tuner:_populate_initial_space()
  if self.hypermodel == nil then return end
  local oracle = self.oracle
  local hp = oracle:get_space()
  local never, once = {}, {}
  local function key(conds)
    local parts = {}
    for i, c in ipairs(conds) do parts[i] = c.name .. "=" .. table.concat((function()
      local v = {}
      for j, x in ipairs(c.values) do v[j] = tostring(x) end
      return v
    end)(), ",") end
    return table.concat(parts, ";")
  end
  for _ = 1, 100 do
    hp.active_scopes, hp.inactive_scopes = {}, {}
    self:_build(hp)
    oracle:update_space(hp)
    for _, c in ipairs(hp.active_scopes) do once[key(c)] = true; never[key(c)] = nil end
    for _, c in ipairs(hp.inactive_scopes) do if not once[key(c)] then never[key(c)] = c end end
    local _, pick = next(never)
    if not pick then return end
    hp = oracle:get_space()
    for _, c in ipairs(pick) do hp.values[c.name] = c.values[1] end
    never[key(pick)] = nil
    once[key(pick)] = true
  end
end

local function copy_callbacks(list)
  local out = {}
  for i, cb in ipairs(list or {}) do
    local c = {}
    for k, v in pairs(cb) do c[k] = v end
    c.model = nil
    out[i] = setmetatable(c, getmetatable(cb))
  end
  return out
end

-- the callback that saves the weights of the best epoch (by the objective) of a trial
local function save_best_epoch(objective, path)
  local callbacks = require "cvision.callbacks"
  local cb = callbacks.Callback and setmetatable({}, {__index = callbacks.Callback}) or {}
  cb.best = nil
  function cb.set_model(self, m) self.model = m end
  function cb.set_params(self, p) self.params = p end
  function cb.on_epoch_end(self, _, logs)
    local v = logs and logs[objective.name]
    if v == nil then return end
    if self.best == nil or objective:better(v, self.best) then
      self.best = v
      self.model:save_weights(path)
    end
  end
  return cb
end

function Tuner:_checkpoint(trial_id)
  return self.oracle:trial_dir(trial_id) .. "/checkpoint.weights.safetensors"
end

--- tuner:run_trial(trial, x, y, fit_opts) --> the Histories of its executions (override it to
--- tune anything: return a number, a table of metrics, a History or a list of them)
function Tuner:run_trial(trial, x, y, fit_opts)
  local hp = trial.hyperparameters
  local best = save_best_epoch(self.oracle.objective, self:_checkpoint(trial.trial_id))
  local histories = {}
  for e = 1, self.executions_per_trial do
    local opts = {}
    for k, v in pairs(fit_opts or {}) do opts[k] = v end
    opts.callbacks = copy_callbacks(fit_opts and fit_opts.callbacks)
    opts.callbacks[#opts.callbacks + 1] = best
    -- rank 0 of a search under mpirun answers the other ranks after each of its batches
    if self._serve then opts.callbacks[#opts.callbacks + 1] = self:_serve_callback() end
    local model = self:_build_for_trial(hp)
    local hm = self.hypermodel
    local h
    if type(hm) == "table" and type(hm.fit) == "function" then h = hm:fit(hp, model, x, y, opts)
    else h = model:fit(x, y, opts) end
    if model.input_shape then
      saving.save_json(self.oracle:trial_dir(trial.trial_id) .. "/build_config.json", {input_shape = model.input_shape})
    end
    histories[e] = h
  end
  return histories
end

--- tuner:_serve_callback() --> a callback answering the other ranks' oracle requests after each
--- training batch (rank 0 of a search under mpirun)
function Tuner:_serve_callback()
  local server = self._serve
  return require("cvision.callbacks").LambdaCallback{on_train_batch_end = function() server:poll() end}
end

-- builds the model of a trial (Hyperband overrides it to start from an earlier trial's weights)
function Tuner:_build_for_trial(hp) return self:_build(hp) end

-- results --> metrics at the best step, the best step
local function metrics_of(result, objective)
  if type(result) == "number" then return {[objective.name] = result}, 0 end
  if type(result) ~= "table" then return nil end
  if type(result.history) == "table" then
    local hist = result.history
    local values = hist[objective.name]
    if type(values) ~= "table" or #values == 0 then
      local keys = {}
      for k in pairs(hist) do keys[#keys + 1] = k end
      table.sort(keys)
      error(("the objective %s is not in the history (it has: %s); pass validation_data or "
        .. "validation_split for a val_ metric"):format(objective.name, table.concat(keys, ", ")), 0)
    end
    local bi
    for i, v in ipairs(values) do
      if bi == nil or objective:better(v, values[bi]) then bi = i end
    end
    local m = {}
    for k, list in pairs(hist) do if list[bi] ~= nil then m[k] = list[bi] end end
    local step = result.epoch and result.epoch[bi] or bi
    return m, step
  end
  if #result == 0 then
    for k, v in pairs(result) do
      if type(k) ~= "string" or type(v) ~= "number" then return nil end
    end
    return result, 0
  end
  return nil
end

--- M.metrics_of_results(results, objective) --> metrics (averaged over a list), best step
function M.metrics_of_results(results, objective)
  local m, step = metrics_of(results, objective)
  if m then return m, step end
  if type(results) ~= "table" or #results == 0 then
    error("run_trial must return a number, a table of metrics, a History or a list of those, got "
      .. type(results), 0)
  end
  local sum, count, first = {}, {}, nil
  for i, r in ipairs(results) do
    local mi, si = metrics_of(r, objective)
    if not mi then error(("run_trial's result %d is not a number, a table of metrics or a History"):format(i), 0) end
    if i == 1 then first = si end
    for k, v in pairs(mi) do sum[k] = (sum[k] or 0) + v; count[k] = (count[k] or 0) + 1 end
  end
  local avg = {}
  for k, v in pairs(sum) do avg[k] = v / count[k] end
  return avg, first or 0
end

-- keeps only the values the build read (and the tuner's own), so a trial lists the
-- hyperparameters it reached
local function keep_reached(hp)
  if not hp.accessed or next(hp.accessed) == nil then return end
  for k in pairs(hp.values) do
    if not hp.accessed[k] and not k:find("^tuner/") then hp.values[k] = nil end
  end
end

function Tuner:_run_and_update(trial, x, y, opts)
  local results = self:run_trial(trial, x, y, opts)
  keep_reached(trial.hyperparameters)
  local metrics, step = M.metrics_of_results(results, self.oracle.objective)
  self.oracle:update_trial(trial.trial_id, metrics, step)
end

local search_own = {workers = true, distributed = true}

--- tuner:search(x, y, opts): runs trials until the oracle stops (max_trials, the space exhausted,
--- Hyperband's brackets done). opts go to model:fit; verbose (0, 1, 2) also sets what the search
--- prints; workers = n runs the trials in n processes of bin/cvision sharing the project folder;
--- under mpirun each rank runs trials (distributed = false: each rank searches alone)
function Tuner:search(x, y, opts)
  if opts == nil and type(y) == "table" and getmetatable(y) == nil and #y == 0 and next(y) ~= nil
      and y.epochs ~= nil then
    opts, y = y, nil
  end
  opts = opts or {}
  if type(opts) ~= "table" then error(errors.options_expected("search", opts), 2) end
  local fit_opts = {}
  for k, v in pairs(opts) do if not search_own[k] then fit_opts[k] = v end end
  if opts.verbose ~= nil then self.oracle.display.verbose = opts.verbose end
  local workers = opts.workers or 1
  if math.type(workers) ~= "integer" or workers < 1 then
    error(errors.bad_argument("search", "workers must be a positive integer"), 2)
  end
  if self.mpi_rank and opts.distributed ~= false then
    local ok, err = pcall(self._search_over_ranks, self, x, y, fit_opts)
    if not ok then error(err, 2) end
    return
  end
  if workers > 1 and not self.worker then
    self._x, self._y, self._fit_opts = x, y, fit_opts
    local ok, err = pcall(self._search_in_workers, self, workers)
    self._x, self._y, self._fit_opts = nil, nil, nil
    if not ok then error(err, 2) end
    return
  end
  self:save()
  while self:_run_one(x, y, fit_opts) do end
  if self.worker then os.exit(0, true) end
end

-- creates and runs one trial --> false when the oracle has stopped
function Tuner:_run_one(x, y, fit_opts)
  local trial = self.oracle:create_trial(self.tuner_id)
  if trial.status == T.STOPPED then return false end
  if trial.status == T.IDLE then
    os.execute("sleep 0.2")
    return true
  end
  local ok, err = pcall(self._run_and_update, self, trial, x, y, fit_opts)
  if ok then
    trial.status = T.COMPLETED
  else
    trial.status = T.INVALID
    trial.message = errors.clean(err)
    io.stderr:write(("Trial %s failed: %s\n"):format(trial.trial_id, trial.message))
  end
  self.oracle:end_trial(trial)
  self:save()
  return true
end

-- search under mpirun: every rank runs trials as tuner<rank>, N at a time. Rank 0 owns the oracle
-- (cvision.tuner.remote): it alone reads and writes the project folder's oracle state, answering
-- the other ranks' requests between its trials and after each of its training batches; the
-- folder stays the whole state, so a search started under MPI resumes without it and the other
-- way round. Rank 0 alone prints.
function Tuner:_search_over_ranks(x, y, fit_opts)
  local dist = require "cvision.distributed"
  local remote = require "cvision.tuner.remote"
  local rank, size = dist.init()
  local opts = {}
  for k, v in pairs(fit_opts) do opts[k] = v end
  opts.distributed = false           -- each rank trains its own trial, even inside a Strategy's scope
  fit_opts = opts
  if rank == 0 then
    self:save()
    -- a space only a trial can reveal: its first trial first, as search{workers = n}
    if next(self.oracle.trials) == nil and #self.oracle.hyperparameters.space == 0 then
      self:_run_one(x, y, fit_opts)
    end
    dist.barrier()
    local server = remote.server(self.oracle, size - 1)
    self._serve = server
    local ok, err = pcall(function()
      while self:_run_one(x, y, fit_opts) do server:poll() end
      server:finish()
    end)
    self._serve = nil
    if not ok then error(err, 0) end
    self:save()
    dist.barrier()
  else
    local own = self.oracle
    own.display.verbose = 0
    fit_opts.verbose = 0               -- rank 0 alone prints
    dist.barrier()
    self.oracle = remote.proxy(own)
    local ok, err = pcall(function() while self:_run_one(x, y, fit_opts) do end end)
    self.oracle = own
    remote.done()
    if not ok then error(err, 0) end
    dist.barrier()
    -- the whole search, as rank 0 wrote it
    own.shared = false
    own:reload(false)
  end
end

-- the chief's side of search{workers = n}: n processes run this same script as workers
function Tuner:_search_in_workers(n)
  local script = _G.arg and _G.arg[0]
  if type(script) ~= "string" or not exists(script) then
    error("search: workers need the script to run again (run it as a file: bin/cvision script.lua)", 0)
  end
  self:save()
  -- a space only a trial can reveal (run_trial making its own hyperparameters): run the first
  -- trial here, so that the workers draw from the whole space in the same order as one process
  if next(self.oracle.trials) == nil and #self.oracle.hyperparameters.space == 0 then
    self:_run_one(self._x, self._y, self._fit_opts)
  end
  local exe = core.proc.exe()
  local threads = math.max(1, (core.get_num_threads and core.get_num_threads() or 1) // n)
  local pids = {}
  for k = 1, n do
    local argv = {exe, script}
    for i = 1, #_G.arg do argv[#argv + 1] = _G.arg[i] end
    pids[k] = core.proc.spawn(argv, {CVISION_TUNER_ID = "tuner" .. (k - 1), CVISION_TUNER_WORKER = "1",
      CVISION_NUM_THREADS = tostring(threads), LUA_PATH_5_4 = package.path, LUA_CPATH_5_4 = package.cpath})
  end
  local bad = {}
  for k, pid in ipairs(pids) do
    local code = core.proc.wait(pid)
    if code ~= 0 then bad[#bad + 1] = ("tuner%d exited with code %d"):format(k - 1, code) end
  end
  self.oracle:reload(false)
  if #bad > 0 then error("search: " .. table.concat(bad, "; "), 0) end
end

---------------------------------------------------------------------------------------------------
-- results
---------------------------------------------------------------------------------------------------

--- tuner:load_model(trial) --> the trial's model with the weights of its best epoch
function Tuner:load_model(trial)
  local hp = trial.hyperparameters:copy()
  local model = self:_build(hp)
  local dir = self.project_dir .. "/trial_" .. trial.trial_id
  if not model.built then
    local ok, cfg = pcall(saving.load_json, dir .. "/build_config.json")
    if ok and type(cfg) == "table" and type(cfg.input_shape) == "table" then model:build(cfg.input_shape) end
  end
  local ck = dir .. "/checkpoint.weights.safetensors"
  if not exists(ck) then error(("load_model: trial %s has no saved weights (%s)"):format(trial.trial_id, ck), 2) end
  model:load_weights(ck)
  return model
end

--- tuner:get_best_models([n = 1]) --> the n best models, best first, with their best weights
function Tuner:get_best_models(n)
  local out = {}
  for i, t in ipairs(self.oracle:get_best_trials(n or 1)) do out[i] = self:load_model(t) end
  return out
end

--- tuner:get_best_hyperparameters([n = 1]) --> the HyperParameters of the n best trials
function Tuner:get_best_hyperparameters(n)
  local out = {}
  for i, t in ipairs(self.oracle:get_best_trials(n or 1)) do out[i] = t.hyperparameters end
  return out
end

--- tuner:results_summary([n = 10]): prints KerasTuner's summary, best trial first
function Tuner:results_summary(n)
  n = n or 10
  local w = function(s) io.write(s, "\n") end
  w("Results summary")
  w(("Results in %s"):format(self.project_dir))
  w(("Showing %d best trials"):format(n))
  w(tostring(self.oracle.objective))
  for _, t in ipairs(self.oracle:get_best_trials(n)) do
    w("")
    t:summary(w)
  end
end

local function config_repr(v)
  if type(v) == "table" then
    local parts = {}
    for i, x in ipairs(v) do parts[i] = config_repr(x) end
    return "[" .. table.concat(parts, ", ") .. "]"
  end
  if type(v) == "string" then return "'" .. v .. "'" end
  if v == nil then return "None" end
  return T.repr(v)
end

--- tuner:search_space_summary(): prints each hyperparameter of the space and its settings
function Tuner:search_space_summary()
  local space = self.oracle.hyperparameters.space
  io.write("Search space summary\n")
  io.write(("Default search space size: %d\n"):format(#space))
  local order = {default = 1, conditions = 2, values = 3, ordered = 4, min_value = 3, max_value = 4,
    step = 5, sampling = 6, value = 3}
  for _, h in ipairs(space) do
    io.write(("%s (%s)\n"):format(h.name, h.class_name))
    local d = h:describe()
    local keys = {}
    for k in pairs(order) do if d[k] ~= nil or k == "step" and (h.class_name == "Int" or h.class_name == "Float") or k == "default" and h.class_name ~= "Fixed" then keys[#keys + 1] = k end end
    table.sort(keys, function(a, b) return order[a] < order[b] end)
    local parts = {}
    for _, k in ipairs(keys) do
      local v = d[k]
      if k == "conditions" then v = {} for i, c in ipairs(d.conditions or {}) do v[i] = c.name end end
      parts[#parts + 1] = ("'%s': %s"):format(k, config_repr(v))
    end
    io.write("{" .. table.concat(parts, ", ") .. "}\n")
  end
end

--- tuner:remaining_trials() --> trials left before max_trials (nil without it)
function Tuner:remaining_trials() return self.oracle:remaining_trials() end

function Tuner:__tostring()
  return ("<%s %s in %s>"):format(self.class_name, tostring(self.oracle.objective), self.project_dir)
end

---------------------------------------------------------------------------------------------------
-- classes: a tuner class pairs an oracle class with Tuner (or a subclass) and splits the options
---------------------------------------------------------------------------------------------------

--- M.define(class_name, parent, make_oracle(opts) --> oracle, oracle_options) --> a tuner class,
--- callable as cls(hypermodel, opts) or cls{hypermodel = ..., ...}
function M.define(class_name, parent, make_oracle, oracle_options)
  local cls = setmetatable({class_name = class_name, super = parent}, {__index = parent})
  cls.__index = cls
  cls.__tostring = parent.__tostring
  cls._make_oracle = make_oracle
  cls._oracle_options = oracle_options
  return M.callable(cls)
end

--- M.callable(cls) --> cls with cls(...) == cls.new(...), constructing an instance of cls itself
function M.callable(cls)
  local mt = getmetatable(cls)
  mt.__call = function(c, ...) return M.construct(c, ...) end
  cls.new = function(...) return M.construct(cls, ...) end
  return cls
end

--- M.construct(cls, hypermodel, opts) --> a tuner of class cls (or a subclass of it)
function M.construct(cls, hypermodel, opts)
  local fname = cls.class_name
  if opts == nil and type(hypermodel) == "table" and not getmetatable(hypermodel)
      and type(hypermodel.build) ~= "function" then
    opts, hypermodel = hypermodel, hypermodel.hypermodel
  end
  opts = opts or {}
  if type(opts) ~= "table" then error(errors.options_expected(fname, opts), 3) end
  local base = cls
  while base and not rawget(base, "_make_oracle") do base = base.super end
  if not base then error(fname .. ": not a tuner class with an oracle", 3) end
  local oracle_opts, tuner_opts = {}, {}
  for k, v in pairs(opts) do
    if base._oracle_options[k] then oracle_opts[k] = v
    elseif M.tuner_options[k] then tuner_opts[k] = v
    else error(errors.unknown_option(fname, k), 3) end
  end
  local ok, oracle = pcall(base._make_oracle, oracle_opts)
  if not ok then error(errors.clean(oracle), 3) end
  local self = setmetatable({}, cls)
  return self:init(oracle, hypermodel, tuner_opts, fname)
end

--- M.subclass(class_name, parent) --> a class deriving from a tuner class (override run_trial,
--- fit, ...); it keeps the parent's oracle
function M.subclass(class_name, parent)
  local cls = setmetatable({class_name = class_name, super = parent}, {__index = parent})
  cls.__index = cls
  cls.__tostring = parent.__tostring
  return M.callable(cls)
end

M.hp = hpmod
return M
