-- cvision.tuner.oracles.hyperband: HyperbandOracle and the Hyperband tuner, as KerasTuner's
-- (Li et al., "Hyperband", JMLR 18, 2018). One iteration runs brackets from the most aggressive
-- (many models, 1 epoch each) to plain random search (few models, max_epochs each). In bracket b
-- (b = number of brackets - 1 down to 0) round r trains
--   size(b, r)   = ceil(ceil(1 + log_factor(max_epochs)) / (b + 1) * factor^(b - r)) models
--   epochs(b, r) = ceil(max_epochs / factor^(b - r)) epochs each,
-- round 0 with random values, each later round with the best of the previous round, which
-- continues from its saved weights (tuner/trial_id, tuner/initial_epoch). For max_epochs = 27,
-- factor = 3: brackets of 27x1, 9x3, 3x9, 1x27 / 12x3, 4x9, 2x27 / 6x9, 2x27 / 4x27 (models x
-- epochs). The trial's values carry tuner/epochs, tuner/initial_epoch, tuner/bracket, tuner/round.
local oracle = require "cvision.tuner.oracle"
local rs = require "cvision.tuner.oracles.random_search"
local tunermod = require "cvision.tuner.tuner"
local saving = require "cvision.saving"
local errors = require "cvision.util.errors"

local M = {}

local HB = oracle.subclass("HyperbandOracle")
M.HyperbandOracle = HB

local extra = {max_epochs = true, factor = true, hyperband_iterations = true}

--- HyperbandOracle.new{objective, max_epochs = 100, factor = 3, hyperband_iterations = 1, seed, ...}
function HB.new(o)
  o = rs.check_opts("HyperbandOracle", o, extra)
  if o.max_trials ~= nil then
    error(errors.bad_argument("Hyperband", "max_trials is not an option of Hyperband (its brackets "
      .. "set the number of trials: max_epochs, factor, hyperband_iterations)"), 3)
  end
  local own = {}
  for k in pairs(extra) do own[k] = o[k]; o[k] = nil end
  local self = setmetatable({}, HB)
  self:init(o, "Hyperband")
  local function int(k, d, min)
    local v = own[k]
    if v == nil then return d end
    if math.type(v) ~= "integer" or v < min then
      error(errors.bad_argument("Hyperband", ("%s must be an integer >= %d, got %s"):format(k, min, tostring(v))), 4)
    end
    return v
  end
  self.max_epochs = int("max_epochs", 100, 1)
  self.factor = int("factor", 3, 2)
  self.hyperband_iterations = int("hyperband_iterations", 1, 1)
  self.min_epochs = 1
  self.current_iteration = 0
  self.current_bracket = self:num_brackets() - 1
  self.brackets = {}
  self:_start_bracket()
  return self
end

--- oracle:num_brackets() --> how many brackets one iteration has
function HB:num_brackets()
  local e, b = self.max_epochs, 0
  while e >= self.min_epochs do e = e / self.factor; b = b + 1 end
  return b
end

--- oracle:size(bracket, round) --> the number of models of that round
function HB:size(b, r)
  local end0 = math.ceil(1 + math.log(self.max_epochs) / math.log(self.factor))
  return math.ceil(end0 / (b + 1) * self.factor ^ (b - r))
end

--- oracle:epochs(bracket, round) --> the epochs each model of that round reaches
function HB:epochs(b, r)
  return math.ceil(self.max_epochs / self.factor ^ (b - r))
end

function HB:_start_bracket()
  local rounds = {}
  for i = 1, self.current_bracket + 1 do rounds[i] = {} end
  self.brackets[#self.brackets + 1] = {bracket_num = self.current_bracket, rounds = rounds}
end

function HB:_next_bracket()
  self.current_bracket = self.current_bracket - 1
  if self.current_bracket < 0 then
    self.current_bracket = self:num_brackets() - 1
    self.current_iteration = self.current_iteration + 1
  end
end

local function incomplete(self, br)
  local last = #br.rounds
  return #br.rounds[last] ~= self:size(br.bracket_num, last - 1)
end

function HB:_random_trial(trial_id, br)
  local values = self:random_values()
  if values then
    values["tuner/epochs"] = self:epochs(br.bracket_num, 0)
    values["tuner/initial_epoch"] = 0
    values["tuner/bracket"] = self.current_bracket
    values["tuner/round"] = 0
    local r0 = br.rounds[1]
    r0[#r0 + 1] = {past_id = nil, id = trial_id}
    return {status = "RUNNING", values = values}
  end
  if next(self.ongoing) then return {status = "IDLE"} end
  return {status = "STOPPED"}
end

--- oracle:populate_space(trial_id) --> the next model of a bracket: a new random one for round
--- 0, else the best unpromoted model of the previous round; IDLE while others must finish first
function HB:populate_space(trial_id)
  local keep = {}
  for _, br in ipairs(self.brackets) do if incomplete(self, br) then keep[#keep + 1] = br end end
  self.brackets = keep
  for _, br in ipairs(self.brackets) do
    local b, rounds = br.bracket_num, br.rounds
    if #rounds[1] < self:size(b, 0) then return self:_random_trial(trial_id, br) end
    for r = 2, #rounds do
      local this, past = rounds[r], rounds[r - 1]
      local size, past_size = self:size(b, r - 1), self:size(b, r - 2)
      local selected = {}
      for _, info in ipairs(this) do selected[info.past_id] = true end
      local cands = {}
      for _, info in ipairs(past) do
        local t = self.trials[info.id]
        if not selected[info.id] and t and t.status == "COMPLETED" and t.score ~= nil then cands[#cands + 1] = t end
      end
      if #cands > past_size - size then
        local obj = self.objective
        table.sort(cands, function(x, y)
          if x.score ~= y.score then return obj:better(x.score, y.score) end
          return x.trial_id < y.trial_id
        end)
        local best = cands[1]
        local values = {}
        for k, v in pairs(best.hyperparameters.values) do values[k] = v end
        values["tuner/trial_id"] = best.trial_id
        values["tuner/epochs"] = self:epochs(b, r - 1)
        values["tuner/initial_epoch"] = self:epochs(b, r - 2)
        values["tuner/bracket"] = self.current_bracket
        values["tuner/round"] = r - 1
        this[#this + 1] = {past_id = best.trial_id, id = trial_id}
        return {status = "RUNNING", values = values}
      end
    end
  end
  if self.current_bracket == 0 and self.current_iteration + 1 == self.hyperband_iterations then
    if next(self.ongoing) then return {status = "IDLE"} end
    return {status = "STOPPED"}
  end
  self:_next_bracket()
  self:_start_bracket()
  return self:_random_trial(trial_id, self.brackets[#self.brackets])
end

--- oracle:get_state() --> the Oracle's state plus the brackets (each round's trial ids),
--- hyperband_iterations, max_epochs, min_epochs, factor, current_bracket, current_iteration
function HB:get_state()
  local s = oracle.Oracle.get_state(self)
  local brackets = {}
  for i, br in ipairs(self.brackets) do
    local rounds = {}
    for r, list in ipairs(br.rounds) do
      local l = {}
      for j, info in ipairs(list) do l[j] = {past_id = info.past_id, id = info.id} end
      rounds[r] = l
    end
    brackets[i] = {bracket_num = br.bracket_num, rounds = rounds}
  end
  s.hyperband_iterations, s.max_epochs, s.min_epochs, s.factor = self.hyperband_iterations,
    self.max_epochs, self.min_epochs, self.factor
  s.brackets, s.current_bracket, s.current_iteration = brackets, self.current_bracket, self.current_iteration
  return s
end

--- oracle:set_state(state): continues from get_state()'s state (the brackets and the position in
--- the current iteration)
function HB:set_state(s)
  oracle.Oracle.set_state(self, s)
  self.hyperband_iterations = s.hyperband_iterations or self.hyperband_iterations
  self.max_epochs, self.min_epochs, self.factor = s.max_epochs or self.max_epochs, s.min_epochs or 1, s.factor or self.factor
  self.brackets = {}
  for i, br in ipairs(s.brackets or {}) do
    local rounds = {}
    for r, list in ipairs(br.rounds or {}) do
      local l = {}
      for j, info in ipairs(list) do l[j] = {past_id = info.past_id, id = info.id} end
      rounds[r] = l
    end
    self.brackets[i] = {bracket_num = br.bracket_num, rounds = rounds}
  end
  self.current_bracket = s.current_bracket or self.current_bracket
  self.current_iteration = s.current_iteration or 0
end

---------------------------------------------------------------------------------------------------
-- the tuner: epochs from the trial, weights from the trial it continues
---------------------------------------------------------------------------------------------------

local options = {}
for k in pairs(oracle.common_options) do options[k] = true end
options.max_trials = nil
for k in pairs(extra) do options[k] = true end

--- Hyperband(build_model, {objective, max_epochs = 100, factor = 3, hyperband_iterations = 1,
--- seed, directory, project_name, overwrite, ...}) --> a tuner
local Hyperband = tunermod.define("Hyperband", tunermod.Tuner, HB.new, options)
M.Hyperband = Hyperband

--- tuner:run_trial(trial, x, y, fit_opts): fits from tuner/initial_epoch to tuner/epochs
function Hyperband:run_trial(trial, x, y, fit_opts)
  local v = trial.hyperparameters.values
  local opts = {}
  for k, val in pairs(fit_opts or {}) do opts[k] = val end
  if v["tuner/epochs"] then
    opts.epochs = v["tuner/epochs"]
    opts.initial_epoch = v["tuner/initial_epoch"]
  end
  return tunermod.Tuner.run_trial(self, trial, x, y, opts)
end

-- a promoted trial starts from the weights its earlier round ended with
function Hyperband:_build_for_trial(hp)
  local model = self:_build(hp)
  local past = hp.values["tuner/trial_id"]
  if past then
    local dir = self.project_dir .. "/trial_" .. past
    if not model.built then
      local ok, cfg = pcall(saving.load_json, dir .. "/build_config.json")
      if ok and type(cfg) == "table" and type(cfg.input_shape) == "table" then model:build(cfg.input_shape) end
    end
    model:load_weights(dir .. "/checkpoint.weights.safetensors")
  end
  return model
end

return M
