-- cvision.tuner.oracles.random_search: RandomSearchOracle and GridSearchOracle.
--   random: every hyperparameter drawn independently in its [0, 1) space (uniform, log-uniform for
--           sampling = "log"), a combination never repeated; stops at max_trials or when 20
--           draws in a row were all tried before.
--   grid:   every combination in order, the last hyperparameter changing fastest (KerasTuner's
--           order); a Float without step takes 10 evenly spaced values of its [0, 1) space.
local oracle = require "cvision.tuner.oracle"
local hpmod = require "cvision.tuner.hyperparameters"
local errors = require "cvision.util.errors"

local M = {}

local function check_opts(fname, o, extra)
  local allowed = {}
  for k in pairs(oracle.common_options) do allowed[k] = true end
  for k in pairs(extra or {}) do allowed[k] = true end
  return errors.check_options(fname, o, allowed, 4)
end
M.check_opts = check_opts

local RandomSearchOracle = oracle.subclass("RandomSearchOracle")
M.RandomSearchOracle = RandomSearchOracle

--- RandomSearchOracle.new{objective, max_trials = 10, seed, hyperparameters, ...}
function RandomSearchOracle.new(o)
  o = check_opts("RandomSearchOracle", o)
  if o.max_trials == nil then o.max_trials = 10 end
  local self = setmetatable({}, RandomSearchOracle)
  return self:init(o, "RandomSearch")
end

--- oracle:populate_space(trial_id) --> random values never tried, or STOPPED
function RandomSearchOracle:populate_space()
  local values = self:random_values()
  if values == nil then return {status = "STOPPED"} end
  return {status = "RUNNING", values = values}
end

---------------------------------------------------------------------------------------------------
-- grid
---------------------------------------------------------------------------------------------------

local GridSearchOracle = oracle.subclass("GridSearchOracle")
M.GridSearchOracle = GridSearchOracle

--- GridSearchOracle.new{objective, max_trials (default: the whole grid), seed, ...}
function GridSearchOracle.new(o)
  o = check_opts("GridSearchOracle", o)
  local self = setmetatable({}, GridSearchOracle)
  return self:init(o, "GridSearch")
end

-- the values a hyperparameter takes on the grid
local function grid_values(h)
  if h.class_name == "Choice" then return h.values end
  if h.class_name == "Boolean" then return {false, true} end
  if h.class_name == "Fixed" then return {h.value} end
  local out = {}
  if h.step ~= nil then
    for i = 0, h:n_values() - 1 do
      local v = h:value_at(i)
      if h.class_name == "Int" then v = math.tointeger(math.floor(v + 0.5)) end
      out[#out + 1] = v
    end
  else
    local seen = {}
    for i = 0, 9 do
      local v = h:prob_to_value(i * 0.1 + 0.05)
      if not seen[v] then seen[v] = true; out[#out + 1] = v end
    end
  end
  return out
end
M.grid_values = grid_values

local LIMIT = 1000000

--- oracle:populate_space(trial_id) --> the first combination (in grid order) not tried yet
function GridSearchOracle:populate_space()
  local space = self.hyperparameters.space
  local found, visited = nil, 0
  local hps = hpmod.HyperParameters.new()
  for _, h in ipairs(space) do hps:merge({h}) end
  local values = {}
  local function walk(i)
    if found or visited > LIMIT then return end
    if i > #space then
      visited = visited + 1
      local v = {}
      for k, x in pairs(values) do v[k] = x end
      if not self.tried_so_far[self:values_hash(v)] then found = v end
      return
    end
    local h = space[i]
    hps.values = values
    if not hps:is_active(h) then return walk(i + 1) end
    for _, x in ipairs(grid_values(h)) do
      values[h.name] = x
      walk(i + 1)
      if found then return end
    end
    values[h.name] = nil
  end
  walk(1)
  if visited > LIMIT then
    error(("GridSearch: the grid has more than %d combinations; give Floats a step or use RandomSearch"):format(LIMIT), 0)
  end
  if not found then return {status = "STOPPED"} end
  return {status = "RUNNING", values = found}
end

return M
