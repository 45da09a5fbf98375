-- cvision.tuner.hyperparameters: the search space, as KerasTuner's HyperParameters.
--
--   hp:Choice(name, values [, {default, ordered}])          one of a list
--   hp:Int(name, min, max [, {step, sampling, default}])     an integer in [min, max]
--   hp:Float(name, min, max [, {step, sampling, default}])   a number in [min, max]
--   hp:Boolean(name [, {default}])                           true or false
--   hp:Fixed(name, value)                                    a constant (recorded, never tuned)
--   hp:conditional_scope(parent, values, fn)                 hyperparameters made inside fn exist
--                                                             only while parent's value is in values
--   hp.values[name]                                          the values of this trial
--
-- Each kind maps its values to [0, 1) and back (prob_to_value / value_to_prob) exactly as
-- KerasTuner does, so random search samples uniformly in that space (log-uniformly for
-- sampling = "log") and Bayesian optimisation works on the unit cube. A name met for the first time
-- is registered with its default value; the oracle fills in sampled values for later trials.
-- Names read while a model was built are remembered (hp.accessed), so a trial records only the
-- names it reached (the lecture's neurons_{i} exist only in trials with at least i+1 layers).
local errors = require "cvision.util.errors"

local M = {}

local function fail(fname, msg) error(errors.bad_argument(fname, msg), 3) end

-- prob (a number in [0, 1)) --> index 0..n-1, and the centre of index's bucket back
local function prob_to_index(prob, n)
  local i = math.floor(prob * n)
  if i >= n then i = n - 1 end
  if i < 0 then i = 0 end
  return i
end
local function index_to_prob(i, n) return (i + 0.5) / n end
M.prob_to_index, M.index_to_prob = prob_to_index, index_to_prob

--- M.uniform(seed) --> a number in [0, 1) that depends only on the integer seed (SplitMix64):
--- the oracle draws its k-th sample from uniform(seed_state + k), so a saved integer resumes it
function M.uniform(seed)
  local z = (seed * 0x9E3779B97F4A7C15 + 0x9E3779B97F4A7C15)
  z = (z ~ (z >> 30)) * 0xBF58476D1CE4E5B9
  z = (z ~ (z >> 27)) * 0x94D049BB133111EB
  z = z ~ (z >> 31)
  return (z >> 11) * (1.0 / 9007199254740992.0)
end

---------------------------------------------------------------------------------------------------
-- the kinds
---------------------------------------------------------------------------------------------------

local kinds = {}

local function new_kind(class_name)
  local k = {class_name = class_name}
  k.__index = k
  kinds[class_name] = k
  return k
end

local function same(a, b)
  if type(a) ~= type(b) then return false end
  if type(a) ~= "table" then return a == b end
  if #a ~= #b then return false end
  for i = 1, #a do if not same(a[i], b[i]) then return false end end
  for k, v in pairs(a) do if not same(v, b[k]) then return false end end
  return true
end
M.same = same

local function copy_conditions(c)
  local out = {}
  for i, cond in ipairs(c or {}) do
    local vals = {}
    for j, v in ipairs(cond.values) do vals[j] = v end
    out[i] = {name = cond.name, values = vals}
  end
  return out
end

local function conditions_config(c)
  local out = {}
  for i, cond in ipairs(c) do
    out[i] = {class_name = "Parent", config = {name = cond.name, values = cond.values}}
  end
  return out
end

local function conditions_from_config(list, fname)
  local out = {}
  for i, c in ipairs(list or {}) do
    if type(c) ~= "table" or type(c.config) ~= "table" or type(c.config.name) ~= "string"
        or type(c.config.values) ~= "table" then
      error(fname .. ": condition " .. i .. " is not {class_name = \"Parent\", config = {name, values}}", 0)
    end
    out[i] = {name = c.config.name, values = c.config.values}
  end
  return out
end

local function is_number(v) return type(v) == "number" end

-- Choice ------------------------------------------------------------------------------------------
local Choice = new_kind("Choice")

--- Choice.create(fname, name, values, {default = values[1], ordered}) --> a Choice
-- values: a non-empty list of unique numbers, strings or booleans, all of one type; ordered
-- defaults to true for numbers (and needs numbers). Errors are bad arguments of fname.
function Choice.create(fname, name, values, o)
  if type(values) ~= "table" or #values == 0 then fail(fname, "values must be a non-empty list") end
  local t = type(values[1])
  if t ~= "number" and t ~= "string" and t ~= "boolean" then
    fail(fname, "values must be numbers, strings or booleans")
  end
  local seen = {}
  for i, v in ipairs(values) do
    if type(v) ~= t then
      fail(fname, ("values must all be of one type (value %d is a %s, value 1 a %s)"):format(i, type(v), t))
    end
    if seen[v] then fail(fname, ("values must be unique (%s appears twice)"):format(tostring(v))) end
    seen[v] = true
  end
  local default = o.default
  if default == nil then default = values[1] end
  if not seen[default] then fail(fname, ("default %s is not one of the values"):format(tostring(default))) end
  local ordered = o.ordered
  if ordered == nil then ordered = t == "number" end
  if ordered and t ~= "number" then fail(fname, "ordered = true needs numeric values") end
  local vals = {}
  for i, v in ipairs(values) do vals[i] = v end
  return setmetatable({name = name, values = vals, default = default, ordered = ordered}, Choice)
end

--- choice:prob_to_value(p) --> the value of p's bucket: [0, 1) cut into #values equal parts
function Choice:prob_to_value(p) return self.values[prob_to_index(p, #self.values) + 1] end
--- choice:value_to_prob(v) --> the centre of v's bucket (0.5 for a value not in the list)
function Choice:value_to_prob(v)
  for i, x in ipairs(self.values) do
    if x == v then return index_to_prob(i - 1, #self.values) end
  end
  return 0.5
end
--- choice:get_config() --> {name, default, conditions, values, ordered} (KerasTuner's config)
function Choice:get_config()
  return {name = self.name, default = self.default, conditions = conditions_config(self.conditions),
    values = self.values, ordered = self.ordered}
end
--- choice:describe() --> {default, conditions, values, ordered}: the search_space_summary() entry
function Choice:describe()
  return {default = self.default, conditions = self.conditions, values = self.values, ordered = self.ordered}
end
--- Choice.from_config(config) --> a Choice from get_config()'s table, its conditions included
function Choice.from_config(c)
  local h = Choice.create("Choice", c.name, c.values, {default = c.default, ordered = c.ordered})
  h.conditions = conditions_from_config(c.conditions, "Choice")
  return h
end

-- Int and Float -----------------------------------------------------------------------------------
local function check_range(fname, name, lo, hi, o, integer)
  local function num(v, what)
    if integer then
      if math.type(v) ~= "integer" then
        if is_number(v) and v == math.floor(v) and math.abs(v) < 2^53 then return math.tointeger(v) end
        fail(fname, ("%s must be an integer, got %s"):format(what, tostring(v)))
      end
    elseif not is_number(v) or v ~= v then
      fail(fname, ("%s must be a number, got %s"):format(what, tostring(v)))
    end
    return v
  end
  lo, hi = num(lo, "min_value"), num(hi, "max_value")
  if lo > hi then fail(fname, ("min_value %s is greater than max_value %s"):format(lo, hi)) end
  local sampling = o.sampling or "linear"
  if sampling ~= "linear" and sampling ~= "log" and sampling ~= "reverse_log" then
    fail(fname, ("sampling must be \"linear\", \"log\" or \"reverse_log\", got %s"):format(tostring(sampling)))
  end
  if sampling ~= "linear" and lo <= 0 then
    fail(fname, ("sampling = \"%s\" needs min_value > 0, got %s"):format(sampling, tostring(lo)))
  end
  local step = o.step
  if step ~= nil then
    step = num(step, "step")
    if step <= 0 then fail(fname, "step must be positive") end
    if sampling ~= "linear" and step <= 1 then
      fail(fname, ("step must be > 1 with sampling = \"%s\" (it multiplies), got %s"):format(sampling, tostring(step)))
    end
  elseif integer and sampling == "linear" then
    step = 1
  end
  local default = o.default
  if default ~= nil then
    default = num(default, "default")
    if default < lo or default > hi then
      fail(fname, ("default %s is outside [%s, %s]"):format(tostring(default), lo, hi))
    end
  end
  if not integer then
    lo, hi = lo + 0.0, hi + 0.0
    if step ~= nil then step = step + 0.0 end
    if default ~= nil then default = default + 0.0 end
  end
  return setmetatable({name = name, min_value = lo, max_value = hi, step = step, sampling = sampling,
    _default = default}, integer and kinds.Int or kinds.Float)
end

local Numerical = {}
function Numerical:_sample(p, hi)
  hi = hi or self.max_value
  local lo = self.min_value
  if self.sampling == "linear" then return p * (hi - lo) + lo end
  if self.sampling == "log" then return lo * (hi / lo) ^ p end
  return hi + lo - lo * (hi / lo) ^ (1 - p)
end
function Numerical:_to_prob(v, hi)
  hi = hi or self.max_value
  local lo = self.min_value
  if hi == lo then return 0.5 end
  if self.sampling == "linear" then return (v - lo) / (hi - lo) end
  if self.sampling == "log" then return math.log(v / lo) / math.log(hi / lo) end
  return 1 - math.log((hi + lo - v) / lo) / math.log(hi / lo)
end
--- h:n_values() --> the number of values of an Int or Float with a step: floor((max - min) / step)
--- + 1 for linear sampling, floor(log(max / min) / log(step)) + 1 for "log"/"reverse_log"
function Numerical:n_values()
  if self.sampling == "linear" then return math.floor((self.max_value - self.min_value) / self.step + 1e-9) + 1 end
  return math.floor(math.log(self.max_value / self.min_value) / math.log(self.step) + 1e-8) + 1
end
--- h:value_at(i) --> the i-th (0-based) value of the step grid: min + i * step (linear),
--- min * step^i ("log"), max + min - min * step^i ("reverse_log")
function Numerical:value_at(i)
  local lo, hi = self.min_value, self.max_value
  if self.sampling == "linear" then return lo + i * self.step end
  if self.sampling == "log" then return lo * self.step ^ i end
  return hi + lo - lo * self.step ^ i
end
function Numerical:_index_of(v)
  local lo, hi = self.min_value, self.max_value
  if self.sampling == "linear" then return math.floor((v - lo) / self.step + 1e-9) end
  if self.sampling == "log" then return math.log(v / lo) / math.log(self.step) end
  return math.log((hi - v + lo) / lo) / math.log(self.step)
end
local function null(v) if v == nil then return require("cvision.saving").null end return v end

--- h:get_config() --> {name, default, conditions, min_value, max_value, step, sampling}; an unset
--- default or step is JSON null
function Numerical:get_config()
  return {name = self.name, default = null(self._default), conditions = conditions_config(self.conditions),
    min_value = self.min_value, max_value = self.max_value, step = null(self.step), sampling = self.sampling}
end
--- h:describe() --> {default, conditions, min_value, max_value, step, sampling}: the
--- search_space_summary() entry
function Numerical:describe()
  return {default = self.default, conditions = self.conditions, min_value = self.min_value,
    max_value = self.max_value, step = self.step, sampling = self.sampling}
end

local Int = new_kind("Int")
for k, f in pairs(Numerical) do Int[k] = f end
--- Int.create(fname, name, min_value, max_value, {step, sampling = "linear", default}) --> an Int
-- Integers (integral floats accepted), min <= max; sampling "linear", "log" or "reverse_log" (the
-- last two need min > 0 and a step > 1, which multiplies); step defaults to 1 for linear sampling,
-- default to min_value; default within [min, max].
function Int.create(fname, name, lo, hi, o) return check_range(fname, name, lo, hi, o, true) end
--- int:prob_to_value(p) --> the integer of p: the grid value of p's bucket with a step (linear
--- sampling always has one), else the floor of a draw in [min, max + 1) by sampling
function Int:prob_to_value(p)
  if self.step == nil then return math.floor(self:_sample(p, self.max_value + 1)) end
  return math.tointeger(math.floor(self:value_at(prob_to_index(p, self:n_values())) + 0.5))
end
--- int:value_to_prob(v) --> the p whose value is v (the centre of its bucket)
function Int:value_to_prob(v)
  if self.step == nil then return self:_to_prob(v + 0.5, self.max_value + 1) end
  return index_to_prob(self:_index_of(v), self:n_values())
end

local Float = new_kind("Float")
for k, f in pairs(Numerical) do Float[k] = f end
--- Float.create(fname, name, min_value, max_value, {step, sampling = "linear", default}) --> a
--- Float (checked as Int.create, without the integer rule; no step by default)
function Float.create(fname, name, lo, hi, o)
  return check_range(fname, name, lo + 0.0, hi + 0.0, o, false)
end
--- float:prob_to_value(p) --> the number of p: min..max sampled by sampling without a step, else
--- the grid value of p's bucket
function Float:prob_to_value(p)
  if self.step == nil then return self:_sample(p) + 0.0 end
  return self:value_at(prob_to_index(p, self:n_values())) + 0.0
end
--- float:value_to_prob(v) --> the p whose value is v
function Float:value_to_prob(v)
  if self.step == nil then return self:_to_prob(v) end
  return index_to_prob(self:_index_of(v), self:n_values())
end

for _, kind in ipairs{Int, Float} do
  kind.from_config = function(c)
    local h = kind.create(kind.class_name, c.name, c.min_value, c.max_value,
      {step = c.step, sampling = c.sampling, default = c.default})
    h.conditions = conditions_from_config(c.conditions, kind.class_name)
    return h
  end
end

-- the default of Int and Float is min_value unless given (KerasTuner)
Int.__index = function(t, k)
  if k == "default" then return rawget(t, "_default") or rawget(t, "min_value") end
  return Int[k]
end
Float.__index = function(t, k)
  if k == "default" then return rawget(t, "_default") or rawget(t, "min_value") end
  return Float[k]
end

-- Boolean -----------------------------------------------------------------------------------------
local Boolean = new_kind("Boolean")
--- Boolean.create(fname, name, {default = false}) --> a Boolean
function Boolean.create(fname, name, o)
  local d = o.default
  if d == nil then d = false end
  if type(d) ~= "boolean" then fail(fname, "default must be a boolean") end
  return setmetatable({name = name, default = d}, Boolean)
end
--- bool:prob_to_value(p) --> p >= 0.5
function Boolean:prob_to_value(p) return p >= 0.5 end
--- bool:value_to_prob(v) --> 0.75 for true, 0.25 for false
function Boolean:value_to_prob(v) return v and 0.75 or 0.25 end
--- bool:get_config() --> {name, default, conditions}
function Boolean:get_config()
  return {name = self.name, default = self.default, conditions = conditions_config(self.conditions)}
end
--- bool:describe() --> {default, conditions}: the search_space_summary() entry
function Boolean:describe() return {default = self.default, conditions = self.conditions} end
--- Boolean.from_config(config) --> a Boolean from get_config()'s table
function Boolean.from_config(c)
  local h = Boolean.create("Boolean", c.name, {default = c.default})
  h.conditions = conditions_from_config(c.conditions, "Boolean")
  return h
end

-- Fixed -------------------------------------------------------------------------------------------
local Fixed = new_kind("Fixed")
--- Fixed.create(fname, name, value) --> a Fixed: value (a number, string or boolean) is also its
--- default
function Fixed.create(fname, name, value)
  local t = type(value)
  if t ~= "number" and t ~= "string" and t ~= "boolean" then
    fail(fname, "value must be a number, a string or a boolean, got " .. t)
  end
  return setmetatable({name = name, value = value, default = value}, Fixed)
end
--- fixed:prob_to_value() --> its value, whatever p
function Fixed:prob_to_value() return self.value end
--- fixed:value_to_prob() --> 0.5
function Fixed:value_to_prob() return 0.5 end
--- fixed:get_config() --> {name, conditions, value}
function Fixed:get_config()
  return {name = self.name, conditions = conditions_config(self.conditions), value = self.value}
end
--- fixed:describe() --> {conditions, value}: the search_space_summary() entry
function Fixed:describe() return {conditions = self.conditions, value = self.value} end
--- Fixed.from_config(config) --> a Fixed from get_config()'s table
function Fixed.from_config(c)
  local h = Fixed.create("Fixed", c.name, c.value)
  h.conditions = conditions_from_config(c.conditions, "Fixed")
  return h
end

for _, k in pairs(kinds) do
  --- h:random_sample(seed) --> a value drawn uniformly in the kind's [0, 1) space
  k.random_sample = function(self, seed) return self:prob_to_value(M.uniform(seed)) end
  k.__tostring = function(self)
    return ("%s(name: '%s')"):format(self.class_name, self.name)
  end
end
M.kinds = kinds

--- M.from_config{class_name =, config =} --> a hyperparameter of that kind
function M.hp_from_config(c)
  local kind = type(c) == "table" and kinds[c.class_name]
  if not kind then
    error("HyperParameters.from_config: unknown hyperparameter kind " .. tostring(type(c) == "table" and c.class_name or c), 0)
  end
  if type(c.config) ~= "table" or type(c.config.name) ~= "string" then
    error("HyperParameters.from_config: a " .. c.class_name .. " without a config name", 0)
  end
  local saving = require "cvision.saving"
  local cfg = {}
  for k, v in pairs(c.config) do if v ~= saving.null then cfg[k] = v end end
  return kind.from_config(cfg)
end

---------------------------------------------------------------------------------------------------
-- HyperParameters: the space (an ordered list), the values of one trial, the open scopes
---------------------------------------------------------------------------------------------------

local HP = {class_name = "HyperParameters"}
HP.__index = HP
M.HyperParameters = HP

--- HyperParameters() --> an empty container (values = {}, space = {})
function HP.new()
  return setmetatable({space = {}, values = {}, _by_name = {}, _conditions = {}, accessed = {}}, HP)
end
setmetatable(HP, {__call = function(_, ...) return HP.new(...) end})

local function conditions_active(self, conditions)
  for _, c in ipairs(conditions) do
    local v = self.values[c.name]
    local hit = false
    for _, x in ipairs(c.values) do if x == v then hit = true break end end
    if not hit then return false end
  end
  return true
end

--- hp:is_active(h_or_name) --> true when every condition of the hyperparameter holds
function HP:is_active(h)
  if type(h) == "string" then
    for _, x in ipairs(self._by_name[h] or {}) do
      if conditions_active(self, x.conditions) then return true end
    end
    return false
  end
  return conditions_active(self, h.conditions)
end

local function find(self, name, conditions)
  for _, x in ipairs(self._by_name[name] or {}) do
    if same(x.conditions, conditions) then return x end
  end
  return nil
end

-- register a hyperparameter (a copy) in the space; its value is the default unless already set
function HP:_register(h, overwrite)
  local list = self._by_name[h.name]
  if not list then list = {}; self._by_name[h.name] = list end
  list[#list + 1] = h
  self.space[#self.space + 1] = h
  if self:is_active(h) then
    if overwrite or self.values[h.name] == nil then self.values[h.name] = h.default end
    return self.values[h.name]
  end
  return nil
end

local function retrieve(self, h)
  h.conditions = copy_conditions(self._conditions)
  local existing = find(self, h.name, h.conditions)
  self.accessed[h.name] = true
  if existing then
    if existing.class_name ~= h.class_name then
      error(errors.bad_argument(h.class_name, ("'%s' is already a %s"):format(h.name, existing.class_name)), 3)
    end
    if self:is_active(existing) then
      local v = self.values[h.name]
      if v == nil then v = existing.default; self.values[h.name] = v end
      return v
    end
    return nil
  end
  return self:_register(h)
end

local function check_name(fname, name)
  if type(name) ~= "string" or name == "" then
    error(errors.bad_argument(fname, "name must be a non-empty string, got " .. tostring(name), 1), 3)
  end
  if name:find("^tuner/") then
    error(errors.bad_argument(fname, "names starting with 'tuner/' are reserved for the tuner", 1), 3)
  end
end

--- hp:Choice(name, values [, {default, ordered}]) --> this trial's value
function HP:Choice(name, values, o)
  check_name("Choice", name)
  o = errors.check_options("Choice", o, {default = true, ordered = true})
  return retrieve(self, Choice.create("Choice", name, values, o))
end

--- hp:Int(name, min_value, max_value [, {step, sampling = "linear"|"log"|"reverse_log", default}])
--- --> this trial's integer
function HP:Int(name, lo, hi, o)
  check_name("Int", name)
  o = errors.check_options("Int", o, {step = true, sampling = true, default = true})
  return retrieve(self, Int.create("Int", name, lo, hi, o))
end

--- hp:Float(name, min_value, max_value [, {step, sampling, default}]) --> this trial's number
function HP:Float(name, lo, hi, o)
  check_name("Float", name)
  o = errors.check_options("Float", o, {step = true, sampling = true, default = true})
  if not is_number(lo) or not is_number(hi) then
    error(errors.bad_argument("Float", "min_value and max_value must be numbers"), 2)
  end
  return retrieve(self, Float.create("Float", name, lo, hi, o))
end

--- hp:Boolean(name [, {default = false}]) --> this trial's boolean
function HP:Boolean(name, o)
  check_name("Boolean", name)
  o = errors.check_options("Boolean", o, {default = true})
  return retrieve(self, Boolean.create("Boolean", name, o))
end

--- hp:Fixed(name, value) --> value (recorded in the trial, never tuned)
function HP:Fixed(name, value)
  check_name("Fixed", name)
  local h = Fixed.create("Fixed", name, value)
  local v = retrieve(self, h)
  if v ~= nil then self.values[name] = value end
  return v ~= nil and value or nil
end

--- hp:conditional_scope(parent_name, parent_values, fn) --> fn's results, or nothing: fn runs
--- only while parent's value is one of parent_values (a value or a list), and the
--- hyperparameters it creates exist only then
function HP:conditional_scope(parent, values, fn)
  if type(parent) ~= "string" then error(errors.bad_argument("conditional_scope", "parent name must be a string", 1), 2) end
  if type(fn) ~= "function" then error(errors.bad_argument("conditional_scope", "a function expected", 3), 2) end
  if type(values) ~= "table" then values = {values} end
  if not self._by_name[parent] then
    error(("conditional_scope: '%s' is not a hyperparameter yet (create the parent before its scope)"):format(parent), 2)
  end
  local cond = {name = parent, values = {}}
  for i, v in ipairs(values) do cond.values[i] = v end
  self._conditions[#self._conditions + 1] = cond
  local scope = copy_conditions(self._conditions)
  if not conditions_active(self, self._conditions) then
    table.remove(self._conditions)
    if self.inactive_scopes then self.inactive_scopes[#self.inactive_scopes + 1] = scope end
    return
  end
  if self.active_scopes then self.active_scopes[#self.active_scopes + 1] = scope end
  local res = table.pack(pcall(fn))
  table.remove(self._conditions)
  if not res[1] then error(res[2], 0) end
  return table.unpack(res, 2, res.n)
end

--- hp:get(name) --> the value; an error naming the hyperparameter when it is unknown or inactive
function HP:get(name)
  local v = self.values[name]
  if v ~= nil then return v end
  if self._by_name[name] then error(("HyperParameters: '%s' is currently inactive"):format(name), 2) end
  error(("HyperParameters: '%s' does not exist"):format(tostring(name)), 2)
end

--- hp:exists(name, conditions) --> the hyperparameter registered under name with those conditions
function HP:exists(name, conditions) return find(self, name, conditions or {}) end

--- hp:get_config() --> {space = {{class_name, config}, ...}, values = {...}} (KerasTuner's layout)
function HP:get_config()
  local saving = require "cvision.saving"
  local space = {}
  for i, h in ipairs(self.space) do space[i] = {class_name = h.class_name, config = h:get_config()} end
  local values = saving.object()
  for k, v in pairs(self.values) do values[k] = v end
  return {space = space, values = values}
end

--- HyperParameters.from_config(config) --> a container with that space and those values
function HP.from_config(c)
  if type(c) ~= "table" or type(c.space) ~= "table" then
    error("HyperParameters.from_config: {space = {...}, values = {...}} expected", 0)
  end
  local hp = HP.new()
  for _, e in ipairs(c.space) do
    local h = M.hp_from_config(e)
    local list = hp._by_name[h.name]
    if not list then list = {}; hp._by_name[h.name] = list end
    list[#list + 1] = h
    hp.space[#hp.space + 1] = h
  end
  for k, v in pairs(c.values or {}) do hp.values[k] = v end
  -- JSON keeps no difference between 1 and 1.0: a Float's value reads back as a float
  for _, h in ipairs(hp.space) do
    if h.class_name == "Float" and math.type(hp.values[h.name]) == "integer" then
      hp.values[h.name] = hp.values[h.name] + 0.0
    end
  end
  return hp
end

--- hp:copy() --> an independent container with the same space and values
function HP:copy() return HP.from_config(self:get_config()) end

--- hp:merge(list_or_hp [, overwrite = true]): registers each hyperparameter not yet known
function HP:merge(hps, overwrite)
  if overwrite == nil then overwrite = true end
  local list = getmetatable(hps) == HP and hps.space or hps
  for _, h in ipairs(list) do
    local existing = find(self, h.name, h.conditions)
    if not existing or overwrite then
      local c = M.hp_from_config({class_name = h.class_name, config = h:get_config()})
      if existing then
        -- replace in place, keeping the order of the space
        for i, x in ipairs(self.space) do if x == existing then self.space[i] = c end end
        for i, x in ipairs(self._by_name[h.name]) do if x == existing then self._by_name[h.name][i] = c end end
        if self:is_active(c) and overwrite then self.values[c.name] = self.values[c.name] end
      else
        self:_register(c, false)
      end
    end
  end
end

--- hp:ordered_values() --> list of {name, value} in the order the names were registered, then the
--- tuner's own "tuner/..." entries
function HP:ordered_values()
  local out, done = {}, {}
  for _, h in ipairs(self.space) do
    if not done[h.name] and self.values[h.name] ~= nil then
      out[#out + 1] = {h.name, self.values[h.name]}
      done[h.name] = true
    end
  end
  local extra = {}
  for k in pairs(self.values) do if not done[k] then extra[#extra + 1] = k end end
  local rank = {["tuner/epochs"] = 1, ["tuner/initial_epoch"] = 2, ["tuner/bracket"] = 3,
    ["tuner/round"] = 4, ["tuner/trial_id"] = 5}
  table.sort(extra, function(a, b)
    local ra, rb = rank[a] or 99, rank[b] or 99
    if ra ~= rb then return ra < rb end
    return a < b
  end)
  for _, k in ipairs(extra) do out[#out + 1] = {k, self.values[k]} end
  return out
end

function HP:__tostring()
  return ("<HyperParameters: %d in the space, %d values>"):format(#self.space, #self:ordered_values())
end

return M
