-- cvision.datasets.claims: a synthetic motor-insurance claim-frequency data set, for the
-- lecture's Poisson regression and its tuning. Each policy has
--   driver_age     18..85 years
--   vehicle_age    0..20 years
--   vehicle_power  4..15 (tax horsepower classes)
--   density        inhabitants per km2 where the driver lives (log-normal)
--   region         one of R11, R24, R52, R53, R82, R93
--   exposure       the fraction of a year the policy ran, in (0, 1]
--   claims         the number of claims in that time
-- and the claims are drawn from the true model (known exactly, so a fitted model can be compared
-- with it):
--   claims ~ Poisson(exposure * rate),   log(rate) = -2.7
--     + 0.9 ((age - 45) / 20)^2 - 0.35 (age - 45) / 20       young and old drivers claim more
--     + 0.12 (log(density) - 6)                              towns more than the country
--     + 0.05 (power - 6) - 0.03 vehicle_age
--     + region effect {R11 = 0.15, R24 = 0, R52 = -0.1, R53 = -0.05, R82 = 0.1, R93 = 0.2}
--     + 0.35 when age < 25 and power >= 9                    an interaction
-- so the average rate is about 0.13 claims a year (freMTPL2's is about 0.1). The random numbers
-- come from numpy's RandomState (cvision.data.RandomState) seeded with `seed`: the same seed gives
-- the same policies on every run; another seed gives data from the same process but other draws.
local data = require "cvision.data"
local errors = require "cvision.util.errors"

local M = {}

M.columns = {"driver_age", "vehicle_age", "vehicle_power", "density", "region", "exposure", "claims"}
M.regions = {"R11", "R24", "R52", "R53", "R82", "R93"}
M.region_share = {0.30, 0.10, 0.15, 0.15, 0.20, 0.10}
M.region_effect = {R11 = 0.15, R24 = 0.0, R52 = -0.1, R53 = -0.05, R82 = 0.1, R93 = 0.2}

--- claims.log_rate(driver_age, vehicle_age, vehicle_power, density, region) --> log of the true
--- yearly claim frequency
function M.log_rate(age, vage, power, density, region)
  local a = (age - 45) / 20
  local eff = M.region_effect[region]
  if eff == nil then error(("claims.log_rate: unknown region %s"):format(tostring(region)), 2) end
  local v = -2.7 + 0.9 * a * a - 0.35 * a + 0.12 * (math.log(density) - 6) + 0.05 * (power - 6)
    - 0.03 * vage + eff
  if age < 25 and power >= 9 then v = v + 0.35 end
  return v
end

--- claims.true_rate(df_or_columns_or_row) --> list of the true yearly frequencies of each policy;
--- for one row ({driver_age = 30, vehicle_age = 2, ...}, as df:row(i)) the frequency itself
function M.true_rate(t)
  if type(t) ~= "table" then error(errors.bad_argument("claims.true_rate", "a frame, columns or a row expected", 1), 2) end
  local cols = t.columns or t
  if type(cols.driver_age) == "number" then
    return math.exp(M.log_rate(cols.driver_age, cols.vehicle_age, cols.vehicle_power, cols.density, cols.region))
  end
  local out = {}
  for i = 1, #cols.driver_age do
    out[i] = math.exp(M.log_rate(cols.driver_age[i], cols.vehicle_age[i], cols.vehicle_power[i],
      cols.density[i], cols.region[i]))
  end
  return out
end

--- claims.true_mean(df_or_columns) --> list of exposure * true rate: each policy's expected claims
function M.true_mean(t)
  local cols = t.columns or t
  local rate = M.true_rate(cols)
  for i = 1, #rate do rate[i] = rate[i] * cols.exposure[i] end
  return rate
end

-- a Poisson draw with mean mu (inversion: mu here is well below 10)
local function poisson(rs, mu)
  local u = rs:random()
  local k, p = 0, math.exp(-mu)
  local c = p
  while u > c and k < 100 do
    k = k + 1
    p = p * mu / k
    c = c + p
  end
  return k
end

-- a standard normal draw (Box-Muller)
local function normal(rs)
  local u1 = rs:random()
  if u1 < 1e-300 then u1 = 1e-300 end
  return math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * rs:random())
end

--- claims.generate{n = 20000, seed = 1} --> DataFrame of n policies (columns above)
function M.generate(o)
  o = o or {}
  if type(o) ~= "table" then error(errors.options_expected("claims.generate", o), 2) end
  for k in pairs(o) do if k ~= "n" and k ~= "seed" then error(errors.unknown_option("claims.generate", k), 2) end end
  local n, seed = o.n or 20000, o.seed or 1
  if math.type(n) ~= "integer" or n < 1 then error(errors.bad_argument("claims.generate", "n must be a positive integer"), 2) end
  if math.type(seed) ~= "integer" or seed < 0 then error(errors.bad_argument("claims.generate", "seed must be an integer >= 0"), 2) end
  local rs = data.RandomState(seed)
  local cols = {}
  for _, c in ipairs(M.columns) do cols[c] = {} end
  for i = 1, n do
    -- ages: more drivers in mid-life (the sum of two uniforms)
    local age = math.floor(18 + 67 * (rs:random() + rs:random()) / 2 + 0.5)
    local vage = math.min(20, math.floor(-5 * math.log(1 - rs:random())))
    local power = 4 + math.floor(12 * rs:random() ^ 1.6)
    local density = math.floor(math.min(27000, math.exp(6 + 1.5 * normal(rs))) + 1)
    local u, region = rs:random(), M.regions[#M.regions]
    local acc = 0
    for r, share in ipairs(M.region_share) do
      acc = acc + share
      if u < acc then region = M.regions[r] break end
    end
    local exposure = rs:random() < 0.5 and 1.0 or math.floor((0.05 + 0.95 * rs:random()) * 100 + 0.5) / 100
    local mu = exposure * math.exp(M.log_rate(age, vage, power, density, region))
    cols.driver_age[i], cols.vehicle_age[i], cols.vehicle_power[i] = age, vage, power
    cols.density[i], cols.region[i], cols.exposure[i] = density, region, exposure
    cols.claims[i] = poisson(rs, mu)
  end
  return require("cvision.analysis").DataFrame(cols, M.columns)
end

--- claims.write_csv(path, {n, seed}) --> the DataFrame, also written to path as CSV
function M.write_csv(path, o)
  local df = M.generate(o)
  data.write_csv(path, df)
  return df
end

--- claims.poisson_deviance(y, mu [, weights]) --> the mean Poisson deviance
--- 2 * mean(w * (y log(y / mu) - (y - mu))) (y log y = 0 at y = 0), as scikit-learn's
--- mean_poisson_deviance; y and mu are lists (or 1-column tensors)
function M.poisson_deviance(y, mu, w)
  local function list(v)
    if type(v) == "userdata" then
      local t = v:totable()
      if type(t[1]) == "table" then for i = 1, #t do t[i] = t[i][1] end end
      return t
    end
    return v
  end
  y, mu, w = list(y), list(mu), w and list(w)
  if type(y) ~= "table" or type(mu) ~= "table" or #y ~= #mu or #y == 0 then
    error("poisson_deviance: y and mu must be lists (or tensors) of one non-zero length", 2)
  end
  local s, sw = 0, 0
  for i = 1, #y do
    local m = mu[i]
    if not (m > 0) then error(("poisson_deviance: mu[%d] = %s is not positive"):format(i, tostring(m)), 2) end
    local yi = y[i]
    local d = (yi > 0 and yi * math.log(yi / m) or 0) - (yi - m)
    local wi = w and w[i] or 1
    s, sw = s + wi * d, sw + wi
  end
  return 2 * s / sw
end

return M
