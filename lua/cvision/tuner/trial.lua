-- cvision.tuner.trial: one trial (its hyperparameters, the metrics it reported, its status and
-- score) and the objective that scores it, saved as KerasTuner's trial.json:
--   {"trial_id": "03", "hyperparameters": {"space": [...], "values": {...}},
--    "metrics": {"metrics": {"val_loss": {"direction": "min",
--                                         "observations": [{"value": [0.31], "step": 4}]}}},
--    "score": 0.31, "best_step": 4, "status": "COMPLETED", "message": null}
local hpmod = require "cvision.tuner.hyperparameters"
local saving = require "cvision.saving"
local errors = require "cvision.util.errors"

local M = {}

M.RUNNING, M.IDLE, M.INVALID, M.FAILED, M.STOPPED, M.COMPLETED =
  "RUNNING", "IDLE", "INVALID", "FAILED", "STOPPED", "COMPLETED"

---------------------------------------------------------------------------------------------------
-- Objective
---------------------------------------------------------------------------------------------------

local Objective = {class_name = "Objective"}
Objective.__index = Objective
M.Objective = Objective

--- Objective(name, direction) --> the metric to optimise: direction "min" or "max"
function Objective.new(name, direction)
  if type(name) ~= "string" or name == "" then
    error(errors.bad_argument("Objective", "name must be a metric name (a string)", 1), 2)
  end
  if direction ~= "min" and direction ~= "max" then
    error(errors.bad_argument("Objective", ("direction must be \"min\" or \"max\", got %s"):format(tostring(direction)), 2), 2)
  end
  return setmetatable({name = name, direction = direction}, Objective)
end
setmetatable(Objective, {__call = function(_, ...) return Objective.new(...) end})

function Objective:__tostring()
  return ('Objective(name="%s", direction="%s")'):format(self.name, self.direction)
end

--- obj:better(a, b) --> true when score a beats score b (nil loses)
function Objective:better(a, b)
  if a == nil or a ~= a then return false end
  if b == nil or b ~= b then return true end
  if self.direction == "min" then return a < b end
  return a > b
end

local MAX = {accuracy = true, acc = true, binary_accuracy = true, categorical_accuracy = true,
  sparse_categorical_accuracy = true, top_k_categorical_accuracy = true,
  sparse_top_k_categorical_accuracy = true, auc = true, precision = true, recall = true,
  f1_score = true, r2_score = true}

--- M.infer_direction(metric) --> "min", "max" or nil (KerasTuner: losses and errors are
--- minimised, accuracies, AUC, precision and recall maximised)
function M.infer_direction(name)
  local m = name:gsub("^val_", ""):gsub("^weighted_", "")
  if MAX[m] then return "max" end
  if m == "loss" or m == "crossentropy" or m == "ce" then return "min" end
  local ok, losses = pcall(require, "cvision.losses")
  if ok and losses.names then
    for _, n in ipairs(losses.names) do if n == m then return "min" end end
  end
  local known_min = {mse = true, mae = true, mape = true, msle = true, mean_squared_error = true,
    mean_absolute_error = true, root_mean_squared_error = true, rmse = true, poisson = true,
    mean_absolute_percentage_error = true, mean_squared_logarithmic_error = true, hinge = true,
    binary_crossentropy = true, categorical_crossentropy = true, sparse_categorical_crossentropy = true,
    kl_divergence = true, huber = true, log_cosh = true}
  if known_min[m] then return "min" end
  return nil
end

--- M.objective(v) --> an Objective from a name ("val_loss"), an Objective, or nil (the default:
--- "default_objective", minimised, for run_trial returning a number)
function M.objective(v, fname)
  fname = fname or "Tuner"
  if v == nil then return Objective.new("default_objective", "min") end
  if getmetatable(v) == Objective then return v end
  if type(v) ~= "string" then
    error(errors.bad_argument(fname, "objective must be a metric name or cv.tuner.Objective(name, direction), got " .. type(v)), 3)
  end
  local d = M.infer_direction(v)
  if not d then
    error(('%s: cannot infer the direction ("min" or "max") of the objective "%s": pass '
      .. 'cv.tuner.Objective("%s", "min") or "max"'):format(fname, v, v), 3)
  end
  return Objective.new(v, d)
end

---------------------------------------------------------------------------------------------------
-- Trial
---------------------------------------------------------------------------------------------------

local Trial = {class_name = "Trial"}
Trial.__index = Trial
M.Trial = Trial

--- Trial.new(hyperparameters, trial_id [, status]) --> a trial (status "RUNNING" by default)
function Trial.new(hp, trial_id, status)
  return setmetatable({hyperparameters = hp, trial_id = trial_id, status = status or M.RUNNING,
    metrics = {}, score = nil, best_step = 0, message = nil}, Trial)
end

--- trial:update(name, value, step, direction): records one observation of a metric
function Trial:update(name, value, step, direction)
  local m = self.metrics[name]
  if not m then m = {direction = direction or M.infer_direction(name) or "min", observations = {}}; self.metrics[name] = m end
  m.observations[#m.observations + 1] = {value = {value}, step = step or 0}
end

--- trial:best_value(name) --> the best observation of a metric (by its direction) and its step
function Trial:best_value(name)
  local m = self.metrics[name]
  if not m then return nil end
  local best, step
  for _, o in ipairs(m.observations) do
    local v = o.value[1]
    if best == nil or (m.direction == "min" and v < best) or (m.direction == "max" and v > best) then
      best, step = v, o.step
    end
  end
  return best, step
end

--- M.repr(v) --> the value as Python prints it: the shortest digits that read back to the same
--- double, positional from 1e-4 to 1e16 and "1e-05" style outside (0.0021043482724264983, 8,
--- True, tanh)
function M.repr(v)
  if type(v) == "boolean" then return v and "True" or "False" end
  if math.type(v) == "integer" then return tostring(v) end
  if type(v) ~= "number" then return tostring(v) end
  if v ~= v then return "nan" end
  if v == math.huge then return "inf" end
  if v == -math.huge then return "-inf" end
  if v == 0 then return (1 / v < 0) and "-0.0" or "0.0" end
  local s
  for p = 0, 16 do
    s = ("%." .. p .. "e"):format(v)
    if tonumber(s) == v then break end
  end
  local sign, d1, rest, e = s:match("^(-?)(%d)%.?(%d*)e([-+]%d+)$")
  local digits, ex = (d1 .. rest):gsub("0+$", ""), tonumber(e)
  if digits == "" then digits = "0" end
  if ex < -4 or ex >= 16 then
    local m = digits:sub(1, 1) .. (#digits > 1 and "." .. digits:sub(2) or "")
    return ("%s%se%s%02d"):format(sign, m, ex < 0 and "-" or "+", math.abs(ex))
  end
  if ex >= 0 then
    local int = digits:sub(1, ex + 1)
    int = int .. ("0"):rep(ex + 1 - #int)
    local frac = digits:sub(ex + 2)
    return sign .. int .. "." .. (frac ~= "" and frac or "0")
  end
  return sign .. "0." .. ("0"):rep(-ex - 1) .. digits
end
local fmt = M.repr

--- trial:summary(): prints KerasTuner's "Trial NN summary / Hyperparameters: / name: value / Score:"
function Trial:summary(write)
  write = write or function(s) io.write(s, "\n") end
  write(("Trial %s summary"):format(self.trial_id))
  write("Hyperparameters:")
  local vals = self.hyperparameters:ordered_values()
  local shown = 0
  for _, nv in ipairs(vals) do
    write(("%s: %s"):format(nv[1], fmt(nv[2])))
    shown = shown + 1
  end
  if shown == 0 then write("default configuration") end
  if self.score ~= nil then write(("Score: %s"):format(fmt(self.score))) end
  if self.message ~= nil then write(self.message) end
end

--- trial:get_state() --> the table written as trial.json
function Trial:get_state()
  local metrics = saving.object()
  for name, m in pairs(self.metrics) do metrics[name] = {direction = m.direction, observations = m.observations} end
  local function null(v) if v == nil then return saving.null end return v end
  return {trial_id = self.trial_id, hyperparameters = self.hyperparameters:get_config(),
    metrics = {metrics = metrics}, score = null(self.score), best_step = self.best_step,
    status = self.status, message = null(self.message)}
end

--- Trial.from_state(t [, path]) --> the trial a trial.json held (errors name the file)
function Trial.from_state(t, path)
  local where = path or "trial.json"
  if type(t) ~= "table" or type(t.trial_id) ~= "string" or type(t.status) ~= "string" then
    error(where .. ": not a trial (trial_id and status expected)", 0)
  end
  local ok, hp = pcall(hpmod.HyperParameters.from_config, t.hyperparameters)
  if not ok then error(where .. ": " .. errors.clean(hp), 0) end
  local tr = Trial.new(hp, t.trial_id, t.status)
  local ms = type(t.metrics) == "table" and t.metrics.metrics or {}
  for name, m in pairs(ms) do
    if type(m) ~= "table" or type(m.observations) ~= "table" then error(where .. ": metric " .. tostring(name) .. " malformed", 0) end
    tr.metrics[name] = {direction = m.direction or "min", observations = m.observations}
  end
  if t.score ~= nil and type(t.score) ~= "number" then error(where .. ": score must be a number", 0) end
  tr.score, tr.best_step, tr.message = t.score, t.best_step or 0, t.message
  return tr
end

--- trial:save(path): writes trial.json atomically
function Trial:save(path) saving.save_json(path, self:get_state()) end

--- Trial.load(path) --> the trial in a trial.json
function Trial.load(path)
  local ok, t = pcall(saving.load_json, path)
  if not ok then error(errors.clean(t), 0) end
  return Trial.from_state(t, path)
end

function Trial:__tostring()
  return ("<Trial %s %s score=%s>"):format(self.trial_id, self.status, tostring(self.score))
end

return M
