-- cvision.data.scalers: scikit-learn's StandardScaler and OneHotEncoder for tabular inputs.
--   local sc = cv.data.StandardScaler()
--   local X_train_sc = sc:fit_transform(X_train)   -- (n, k) float tensors
--   local X_val_sc = sc:transform(X_val)
--   local enc = cv.data.OneHotEncoder{handle_unknown = "ignore"}
--   local R = enc:fit_transform(df:column("region"))   -- (n, categories) float tensor
-- Statistics are computed in double precision (as numpy does) from the tensor's values.
local core = require "cvision.core"
local tensor = require "cvision.tensor"
local class = require "cvision.util.class"
local errors = require "cvision.util.errors"

local M = {}

local function matrix(fname, X)
  if not core.is_tensor(X) then
    error(errors.bad_argument(fname, "a 2-D tensor (samples, features) expected, got " .. type(X), 1), 3)
  end
  if X:dim() ~= 2 then
    error(errors.bad_argument(fname, ("a 2-D tensor (samples, features) expected, got shape (%s)"):format(
      table.concat(X.shape, ", ")), 1), 3)
  end
  return X
end

---------------------------------------------------------------------------------------------------
-- StandardScaler
---------------------------------------------------------------------------------------------------

local StandardScaler = class.define("StandardScaler")
M.StandardScaler = StandardScaler

--- StandardScaler([{with_mean = true, with_std = true}]) --> a scaler: (x - mean_) / scale_
function StandardScaler.new(o)
  o = o or {}
  if type(o) ~= "table" then error(errors.options_expected("StandardScaler", o), 2) end
  for k in pairs(o) do
    if k ~= "with_mean" and k ~= "with_std" then error(errors.unknown_option("StandardScaler", k), 2) end
  end
  return setmetatable({with_mean = o.with_mean ~= false, with_std = o.with_std ~= false}, StandardScaler)
end

--- sc:fit(X) --> sc: learns each column's mean_ and scale_ (the population standard deviation,
--- 1 where it is 0), var_, n_features_in_ and n_samples_seen_
function StandardScaler:fit(X)
  matrix("fit", X)
  local n, k = X.shape[1], X.shape[2]
  if n == 0 then error("StandardScaler:fit: no samples", 2) end
  local rows = X:totable()
  local mean, var = {}, {}
  for j = 1, k do
    local s = 0
    for i = 1, n do s = s + rows[i][j] end
    local m = s / n
    local q = 0
    for i = 1, n do local d = rows[i][j] - m; q = q + d * d end
    mean[j], var[j] = m, q / n
  end
  local scale = {}
  for j = 1, k do scale[j] = var[j] > 0 and math.sqrt(var[j]) or 1.0 end
  self.mean_, self.var_, self.scale_ = mean, var, scale
  self.n_features_in_, self.n_samples_seen_ = k, n
  return self
end

local function fitted(self, fname, X)
  if not self.mean_ then error(("StandardScaler:%s: fit the scaler first"):format(fname), 3) end
  matrix(fname, X)
  if X.shape[2] ~= self.n_features_in_ then
    error(("StandardScaler:%s: X has %d features, but the scaler was fitted with %d"):format(fname,
      X.shape[2], self.n_features_in_), 3)
  end
end

local function row_tensor(list) return tensor.tensor({list}) end

--- sc:transform(X) --> (X - mean_) / scale_ (a new tensor)
function StandardScaler:transform(X)
  fitted(self, "transform", X)
  local out = X:float()
  if self.with_mean then out = out - row_tensor(self.mean_) end
  if self.with_std then out = out / row_tensor(self.scale_) end
  return out
end

--- sc:fit_transform(X) --> sc:fit(X):transform(X)
function StandardScaler:fit_transform(X) return self:fit(X):transform(X) end

--- sc:inverse_transform(Z) --> Z * scale_ + mean_
function StandardScaler:inverse_transform(Z)
  fitted(self, "inverse_transform", Z)
  local out = Z:float()
  if self.with_std then out = out * row_tensor(self.scale_) end
  if self.with_mean then out = out + row_tensor(self.mean_) end
  return out
end

function StandardScaler:__tostring()
  return self.mean_ and ("StandardScaler(%d features)"):format(self.n_features_in_) or "StandardScaler()"
end

---------------------------------------------------------------------------------------------------
-- OneHotEncoder
---------------------------------------------------------------------------------------------------

local OneHotEncoder = class.define("OneHotEncoder")
M.OneHotEncoder = OneHotEncoder

--- OneHotEncoder([{handle_unknown = "error"|"ignore"}]) --> an encoder of categorical columns
function OneHotEncoder.new(o)
  o = o or {}
  if type(o) ~= "table" then error(errors.options_expected("OneHotEncoder", o), 2) end
  for k in pairs(o) do
    if k ~= "handle_unknown" then error(errors.unknown_option("OneHotEncoder", k), 2) end
  end
  local h = o.handle_unknown or "error"
  if h ~= "error" and h ~= "ignore" then
    error(errors.bad_argument("OneHotEncoder", ("handle_unknown must be \"error\" or \"ignore\", got %s"):format(tostring(h))), 2)
  end
  return setmetatable({handle_unknown = h}, OneHotEncoder)
end

-- the input as a list of features, each a list of values (one list = one feature)
local function features(fname, X)
  if type(X) ~= "table" or #X == 0 then
    error(errors.bad_argument(fname, "a list of values, or a list of such lists (one per feature), expected", 1), 3)
  end
  local cols = type(X[1]) == "table" and X or {X}
  local n = #cols[1]
  for f, col in ipairs(cols) do
    if type(col) ~= "table" then error(errors.bad_argument(fname, ("feature %d is not a list"):format(f), 1), 3) end
    if #col ~= n then error(errors.bad_argument(fname, ("feature %d has %d values, feature 1 has %d"):format(f, #col, n), 1), 3) end
    for i = 1, n do
      local t = type(col[i])
      if t ~= "string" and t ~= "number" and t ~= "boolean" then
        error(errors.bad_argument(fname, ("feature %d, value %d is a %s"):format(f, i, t), 1), 3)
      end
    end
  end
  return cols, n
end

-- sorted as numpy sorts: numbers before strings, each in order
local function less(a, b)
  local ta, tb = type(a), type(b)
  if ta ~= tb then return ta < tb end
  if ta == "boolean" then return (not a) and b end
  return a < b
end

--- enc:fit(X) --> enc: learns categories_ (each feature's sorted distinct values)
function OneHotEncoder:fit(X)
  local cols = features("fit", X)
  self.categories_, self._index = {}, {}
  for f, col in ipairs(cols) do
    local seen, cats = {}, {}
    for _, v in ipairs(col) do if not seen[v] then seen[v] = true; cats[#cats + 1] = v end end
    table.sort(cats, less)
    local idx = {}
    for i, c in ipairs(cats) do idx[c] = i end
    self.categories_[f], self._index[f] = cats, idx
  end
  self.n_features_in_ = #cols
  return self
end

--- enc:transform(X) --> float32 tensor (samples, total categories) of 0s and 1s
function OneHotEncoder:transform(X)
  if not self.categories_ then error("OneHotEncoder:transform: fit the encoder first", 2) end
  local cols, n = features("transform", X)
  if #cols ~= self.n_features_in_ then
    error(("OneHotEncoder:transform: X has %d features, but the encoder was fitted with %d"):format(#cols, self.n_features_in_), 2)
  end
  local width, offset = 0, {}
  for f, cats in ipairs(self.categories_) do offset[f] = width; width = width + #cats end
  local out = tensor.zeros({n, width})
  for f, col in ipairs(cols) do
    local idx = self._index[f]
    for i, v in ipairs(col) do
      local c = idx[v]
      if c then
        out[i][offset[f] + c] = 1
      elseif self.handle_unknown == "error" then
        error(("OneHotEncoder:transform: unknown category %s in feature %d (handle_unknown = \"ignore\" "
          .. "encodes it as all zeros)"):format(tostring(v), f), 2)
      end
    end
  end
  return out
end

--- enc:fit_transform(X) --> enc:fit(X):transform(X)
function OneHotEncoder:fit_transform(X) return self:fit(X):transform(X) end

--- enc:inverse_transform(T) --> the list of values (one feature) or of lists (several); a row of
--- zeros (an ignored unknown) gives nil
function OneHotEncoder:inverse_transform(T)
  if not self.categories_ then error("OneHotEncoder:inverse_transform: fit the encoder first", 2) end
  matrix("inverse_transform", T)
  local rows = T:totable()
  local out = {}
  local offset = 0
  for f, cats in ipairs(self.categories_) do
    local col = {}
    for i, r in ipairs(rows) do
      local best, bv = nil, 0
      for c = 1, #cats do
        if r[offset + c] > bv then best, bv = c, r[offset + c] end
      end
      col[i] = best and cats[best] or nil
    end
    out[f] = col
    offset = offset + #cats
  end
  return #out == 1 and out[1] or out
end

--- enc:get_feature_names_out([names]) --> {"region_A", "region_B", ...} (names default "x0", "x1", ...)
function OneHotEncoder:get_feature_names_out(names)
  if not self.categories_ then error("OneHotEncoder:get_feature_names_out: fit the encoder first", 2) end
  if type(names) == "string" then names = {names} end
  local out = {}
  for f, cats in ipairs(self.categories_) do
    local prefix = names and names[f] or ("x" .. (f - 1))
    for _, c in ipairs(cats) do out[#out + 1] = prefix .. "_" .. tostring(c) end
  end
  return out
end

return M
