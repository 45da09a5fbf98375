-- cvision.tuner.oracles.bayesian: BayesianOptimizationOracle and the BayesianOptimization tuner,
-- as KerasTuner's: the first num_initial_points trials (default 3 per tuned hyperparameter, at
-- least 3) are random; after that a Gaussian process (Matern 5/2 kernel, alpha = 1e-4 added to
-- its diagonal, normalised scores; cvision.tuner.gp) is fitted to the completed trials, each
-- trial a point of the unit cube whose coordinates are its hyperparameters' values mapped to
-- [0, 1) (log-scaled ones in log space, a Choice's index at the centre of its bucket), and the
-- next trial is the point that minimises the lower confidence bound mean - beta * std (KerasTuner's
-- "upper confidence bound" for a minimised score; beta = 2.6), or maximises the expected
-- improvement with acquisition = "ei". Candidates are snapped to values a trial can take before
-- they are scored. A maximised objective is negated. Trials still running in other workers
-- count as their predicted mean plus one standard deviation, so workers do not pick the same point.
local oracle = require "cvision.tuner.oracle"
local hpmod = require "cvision.tuner.hyperparameters"
local gp = require "cvision.tuner.gp"
local rs = require "cvision.tuner.oracles.random_search"
local tunermod = require "cvision.tuner.tuner"
local errors = require "cvision.util.errors"

local M = {}

local BO = oracle.subclass("BayesianOptimizationOracle")
M.BayesianOptimizationOracle = BO

local extra = {num_initial_points = true, alpha = true, beta = true, acquisition = true}

--- BayesianOptimizationOracle.new{objective, max_trials = 10, num_initial_points, alpha = 1e-4,
--- beta = 2.6, acquisition = "ucb"|"ei", seed, ...}
function BO.new(o)
  o = rs.check_opts("BayesianOptimizationOracle", o, extra)
  local own = {}
  for k in pairs(extra) do own[k] = o[k]; o[k] = nil end
  if o.max_trials == nil then o.max_trials = 10 end
  local self = setmetatable({}, BO)
  self:init(o, "BayesianOptimization")
  if own.num_initial_points ~= nil and (math.type(own.num_initial_points) ~= "integer" or own.num_initial_points < 1) then
    error(errors.bad_argument("BayesianOptimization", "num_initial_points must be a positive integer"), 3)
  end
  self.num_initial_points = own.num_initial_points
  self.alpha = own.alpha or 1e-4
  self.beta = own.beta or 2.6
  self.acquisition = own.acquisition or "ucb"
  if self.acquisition ~= "ucb" and self.acquisition ~= "ei" then
    error(errors.bad_argument("BayesianOptimization", ("acquisition must be \"ucb\" or \"ei\", got %s"):format(tostring(self.acquisition))), 3)
  end
  if type(self.alpha) ~= "number" or self.alpha <= 0 then error(errors.bad_argument("BayesianOptimization", "alpha must be a positive number"), 3) end
  if type(self.beta) ~= "number" or self.beta < 0 then error(errors.bad_argument("BayesianOptimization", "beta must be a number >= 0"), 3) end
  return self
end

-- the tuned (non-Fixed) hyperparameters, in space order
local function tuned(self)
  local out = {}
  for _, h in ipairs(self.hyperparameters.space) do
    if h.class_name ~= "Fixed" then out[#out + 1] = h end
  end
  return out
end

-- a trial's point: each tuned hyperparameter's value (its default where the trial lacks it)
local function vector(dims, values)
  local x = {}
  for i, h in ipairs(dims) do
    local v = values[h.name]
    if v == nil then v = h.default end
    local p = h:value_to_prob(v)
    if p ~= p or p == math.huge or p == -math.huge then p = 0 end
    x[i] = p
  end
  return x
end

-- a point --> the values of a trial (active hyperparameters only)
function BO:_values_of(x)
  local hps = hpmod.HyperParameters.new()
  local k = 0
  for _, h in ipairs(self.hyperparameters.space) do
    hps:merge({h})
    local v
    if h.class_name == "Fixed" then v = h.value
    else
      k = k + 1
      v = h:prob_to_value(math.min(math.max(x[k], 0), 1 - 1e-12))
    end
    if hps:is_active(h) then hps.values[h.name] = v end
  end
  return hps.values
end

-- x --> the point of the values a trial would take there (each coordinate moved to its value's
-- place in [0, 1); an inactive one to its default's), cheaply: suggest calls it for every candidate
function BO:_snapper(dims)
  local fixed = {}
  for _, h in ipairs(self.hyperparameters.space) do
    if h.class_name == "Fixed" then fixed[h.name] = h.value end
  end
  return function(x)
    local vals = {}
    for k, v in pairs(fixed) do vals[k] = v end
    for i, h in ipairs(dims) do vals[h.name] = h:prob_to_value(math.min(math.max(x[i], 0), 1 - 1e-12)) end
    local out = {}
    for i, h in ipairs(dims) do
      local active = true
      for _, c in ipairs(h.conditions or {}) do
        local hit = false
        for _, v in ipairs(c.values) do if vals[c.name] == v then hit = true break end end
        if not hit then active = false break end
      end
      out[i] = h:value_to_prob(active and vals[h.name] or h.default)
    end
    return out
  end
end

function BO:_rng()
  return function()
    local u = hpmod.uniform(self.seed_state)
    self.seed_state = self.seed_state + 1
    return u
  end
end

--- oracle:populate_space(trial_id) --> random values for the first trials, then the Gaussian
--- process's choice
function BO:populate_space()
  local done = {}
  for _, t in pairs(self.trials) do
    if t.status == "COMPLETED" and t.score ~= nil and t.score == t.score then done[#done + 1] = t end
  end
  table.sort(done, function(a, b) return a.trial_id < b.trial_id end)
  local dims = tuned(self)
  local n0 = self.num_initial_points or math.max(3 * #dims, 3)
  if #done < n0 or #dims == 0 then
    local values = self:random_values()
    if values == nil then return {status = "STOPPED"} end
    return {status = "RUNNING", values = values}
  end
  local sign = self.objective.direction == "max" and -1 or 1
  local X, Y = {}, {}
  for i, t in ipairs(done) do
    X[i] = vector(dims, t.hyperparameters.values)
    Y[i] = sign * t.score
  end
  local model = gp.GP.new{alpha = self.alpha}
  model:fit(X, Y)
  -- trials running elsewhere: their predicted mean plus one standard deviation
  local running = {}
  for _, id in pairs(self.ongoing) do running[#running + 1] = id end
  table.sort(running)
  if #running > 0 then
    for _, id in ipairs(running) do
      local t = self.trials[id]
      if t then
        local x = vector(dims, t.hyperparameters.values)
        local m, s = model:predict(x)
        X[#X + 1], Y[#Y + 1] = x, m + s
      end
    end
    model = gp.GP.new{alpha = self.alpha}
    model:fit(X, Y)
  end
  local best = math.huge
  for _, y in ipairs(Y) do if y < best then best = y end end
  local snap = self:_snapper(dims)
  local x = gp.suggest(model, #dims, {acquisition = self.acquisition, beta = self.beta, best = best,
    rng = self:_rng(), snap = snap})
  local values = self:_values_of(x)
  if self.tried_so_far[self:values_hash(values)] then
    values = self:random_values()
    if values == nil then return {status = "STOPPED"} end
  end
  return {status = "RUNNING", values = values}
end

--- oracle:get_state() --> the Oracle's state plus num_initial_points, alpha, beta, acquisition
function BO:get_state()
  local s = oracle.Oracle.get_state(self)
  s.num_initial_points, s.alpha, s.beta, s.acquisition = self.num_initial_points, self.alpha, self.beta, self.acquisition
  return s
end

local options = {}
for k in pairs(oracle.common_options) do options[k] = true end
for k in pairs(extra) do options[k] = true end

--- BayesianOptimization(build_model, {objective, max_trials = 10, num_initial_points, alpha, beta,
--- acquisition, seed, directory, project_name, overwrite, ...}) --> a tuner
M.BayesianOptimization = tunermod.define("BayesianOptimization", tunermod.Tuner, BO.new, options)

return M
