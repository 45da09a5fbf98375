-- cvision.tuner.gp: a small Gaussian process for Bayesian optimisation on the unit cube [0, 1]^d,
-- in the spirit of what KerasTuner's BayesianOptimizationOracle uses (sklearn's
-- GaussianProcessRegressor with Matern(nu = 2.5), normalize_y = True, alpha = 1e-4):
--
--   local model = gp.GP.new{alpha = 1e-4}          -- length_scale = nil: chosen by the likelihood
--   model:fit(X, y)                                 -- X = {{x1, ..., xd}, ...}, y = {y1, ...}
--   local mean, std = model:predict(x)              -- in y's units
--   local x = gp.suggest(model, d, {rng = rng, acquisition = "ucb", beta = 2.6})
--
-- The kernel is an isotropic Matern 5/2 with unit amplitude on the normalised scores (y minus its
-- mean, over its standard deviation), so the only hyperparameter is the length scale; when none is
-- given it is the maximiser of the log marginal likelihood over a log grid from 0.05 to 5, refined
-- by a golden-section search between the grid's neighbours (sklearn runs L-BFGS from restarts;
-- on the unit cube a grid is as good and never diverges). Scores are to be MINIMISED, as in
-- KerasTuner's oracle (a maximised objective is negated before it gets here).
--
-- Everything is deterministic: suggest draws its random candidates only from opts.rng.
local class = require "cvision.util.class"

local M = {}

local sqrt, exp, log, abs, huge = math.sqrt, math.exp, math.log, math.abs, math.huge
local SQRT5 = sqrt(5)
local LOG_2PI = log(2 * math.pi)

-- jitter added to alpha, in turn, when the Cholesky factorisation fails (duplicate points with a
-- tiny alpha, rounding at long length scales); past the last one fit gives up with an error
local JITTER = {1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2}

-- the length-scale grid the likelihood is maximised over: 12 values, log-spaced, 0.05 .. 5
local GRID = {}
for i = 0, 11 do GRID[i + 1] = 0.05 * 100 ^ (i / 11) end

local function is_finite(v) return type(v) == "number" and v == v and v ~= huge and v ~= -huge end

-- "gp.suggest: unknown option 'n_sample' (known: a, b, c)"
local function check_options(fname, opts, known)
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    error(("%s: table of options expected, got %s"):format(fname, type(opts)), 3)
  end
  for k in pairs(opts) do
    if not known[k] then
      local names = {}
      for n in pairs(known) do names[#names + 1] = n end
      table.sort(names)
      error(("%s: unknown option '%s' (known: %s)"):format(fname, tostring(k), table.concat(names, ", ")), 3)
    end
  end
  return opts
end

-- checks that x is a list of d finite numbers (what names the point in the message)
local function check_point(fname, x, d, what)
  if type(x) ~= "table" then error(("%s: %s must be a list of numbers, got %s"):format(fname, what, type(x)), 3) end
  if #x ~= d then error(("%s: expected points of dimension %d, got %d (%s)"):format(fname, d, #x, what), 3) end
  for j = 1, d do
    if not is_finite(x[j]) then
      error(("%s: %s[%d] is %s, expected a finite number"):format(fname, what, j, tostring(x[j])), 3)
    end
  end
end

---------------------------------------------------------------------------------------------------
-- kernel and linear algebra
---------------------------------------------------------------------------------------------------

-- Matern 5/2 of a distance r at length scale l
local function matern_r(r, l)
  local s = SQRT5 * r / l
  return (1 + s + s * s / 3) * exp(-s)
end

--- matern52(x1, x2, length_scale) --> k: the Matern 5/2 kernel (1 + sqrt5 r/l + 5 r^2/(3 l^2))
--- * exp(-sqrt5 r/l) of the Euclidean distance r between the points x1 and x2 (lists of numbers of
--- one length), for a positive number length_scale l; k(x, x) = 1
function M.matern52(x1, x2, length_scale)
  if type(x1) ~= "table" or type(x2) ~= "table" then error("gp.matern52: x1 and x2 must be lists of numbers", 2) end
  if #x1 ~= #x2 then error(("gp.matern52: x1 and x2 differ in dimension (%d vs %d)"):format(#x1, #x2), 2) end
  if not is_finite(length_scale) or length_scale <= 0 then
    error(("gp.matern52: length_scale must be a positive number, got %s"):format(tostring(length_scale)), 2)
  end
  local r2 = 0
  for j = 1, #x1 do
    local dj = x1[j] - x2[j]
    r2 = r2 + dj * dj
  end
  return matern_r(sqrt(r2), length_scale)
end

-- in-place Cholesky of the n x n symmetric matrix in the flat row-major array a (lower triangle
-- read, L written there, upper triangle zeroed) --> true, or false and the failing pivot
local function cholesky_flat(a, n)
  for i = 1, n do
    local ri = (i - 1) * n
    for j = 1, i do
      local rj = (j - 1) * n
      local s = a[ri + j]
      for k = 1, j - 1 do s = s - a[ri + k] * a[rj + k] end
      if i == j then
        if not (s > 0) then return false, i end -- a NaN pivot fails too
        a[ri + i] = sqrt(s)
      else
        a[ri + j] = s / a[rj + j]
      end
    end
    for j = i + 1, n do a[ri + j] = 0 end
  end
  return true
end

--- cholesky(A) --> L: the lower-triangular L with L * L^T = A, for a symmetric positive-definite
--- A given as a list of n rows of n numbers (only its lower triangle is read); nil and a message
--- naming the failing pivot when A is not positive definite
function M.cholesky(A)
  if type(A) ~= "table" then error("gp.cholesky: A must be a list of rows", 2) end
  local n = #A
  local a = {}
  for i = 1, n do
    if type(A[i]) ~= "table" or #A[i] ~= n then error(("gp.cholesky: A must be square (row %d)"):format(i), 2) end
    for j = 1, n do a[(i - 1) * n + j] = A[i][j] end
  end
  local ok, pivot = cholesky_flat(a, n)
  if not ok then return nil, ("gp.cholesky: matrix not positive definite (pivot %d)"):format(pivot) end
  local L = {}
  for i = 1, n do
    local row = {}
    for j = 1, n do row[j] = a[(i - 1) * n + j] end
    L[i] = row
  end
  return L
end

-- solves L v = b (forward) into v
local function forward(L, n, b, v)
  for i = 1, n do
    local ri = (i - 1) * n
    local s = b[i]
    for k = 1, i - 1 do s = s - L[ri + k] * v[k] end
    v[i] = s / L[ri + i]
  end
  return v
end

-- solves L^T v = b (backward) into v
local function backward(L, n, b, v)
  for i = n, 1, -1 do
    local s = b[i]
    for k = i + 1, n do s = s - L[(k - 1) * n + i] * v[k] end
    v[i] = s / L[(i - 1) * n + i]
  end
  return v
end

---------------------------------------------------------------------------------------------------
-- the Gaussian process
---------------------------------------------------------------------------------------------------

local GP = class.define("GP")
M.GP = GP

local NEW_OPTIONS = {alpha = true, length_scale = true}

--- GP.new{alpha = 1e-4, length_scale = nil} --> an unfitted Gaussian process: alpha (>= 0) is
--- added to the kernel matrix's diagonal (observation noise, on the normalised scores);
--- length_scale (a positive number) fixes the Matern length scale, nil lets fit choose it by the
--- log marginal likelihood
function GP.new(opts)
  opts = check_options("gp.GP.new", opts, NEW_OPTIONS)
  local alpha = opts.alpha
  if alpha == nil then alpha = 1e-4 end
  if not is_finite(alpha) or alpha < 0 then
    error(("gp.GP.new: alpha must be a number >= 0, got %s"):format(tostring(alpha)), 2)
  end
  local l = opts.length_scale
  if l ~= nil and (not is_finite(l) or l <= 0) then
    error(("gp.GP.new: length_scale must be a positive number, got %s"):format(tostring(l)), 2)
  end
  return setmetatable({alpha = alpha, fixed_length_scale = l, n = 0, d = nil}, GP)
end

-- K + (alpha + jitter) I at length scale l, factorised --> L, the alpha vector, the log marginal
-- likelihood and the jitter used; nil when even the largest jitter fails
local function factor(self, l)
  local n, D, yn = self.n, self.D, self.yn
  local base = {}
  for i = 1, n do
    local ri = (i - 1) * n
    for j = 1, i - 1 do
      local k = matern_r(D[ri + j], l)
      base[ri + j] = k
      base[(j - 1) * n + i] = k
    end
    base[ri + i] = 1
  end
  local jitter = 0
  for attempt = 0, #JITTER do
    if attempt > 0 then jitter = JITTER[attempt] end
    local a = table.move(base, 1, n * n, 1, {})
    local add = self.alpha + jitter
    for i = 1, n do a[(i - 1) * n + i] = 1 + add end
    if cholesky_flat(a, n) then
      local w = backward(a, n, forward(a, n, yn, {}), {})
      local lml = -0.5 * n * LOG_2PI
      for i = 1, n do lml = lml - 0.5 * yn[i] * w[i] - log(a[(i - 1) * n + i]) end
      return a, w, lml, jitter
    end
  end
  return nil
end

-- the log marginal likelihood at length scale l (-inf where the matrix cannot be factorised)
local function lml_at(self, l)
  local _, _, lml = factor(self, l)
  return lml or -huge
end

-- the grid's best length scale, refined by golden-section search on log l between its neighbours
local function choose_length_scale(self)
  local best, best_i = -huge, 1
  local values = {}
  for i, l in ipairs(GRID) do
    values[i] = lml_at(self, l)
    if values[i] > best then best, best_i = values[i], i end
  end
  if best == -huge then return GRID[1] end
  local lo = log(GRID[math.max(best_i - 1, 1)])
  local hi = log(GRID[math.min(best_i + 1, #GRID)])
  local g = (sqrt(5) - 1) / 2
  local c, d = hi - g * (hi - lo), lo + g * (hi - lo)
  local fc, fd = lml_at(self, exp(c)), lml_at(self, exp(d))
  for _ = 1, 14 do
    if fc > fd then
      hi, d, fd = d, c, fc
      c = hi - g * (hi - lo)
      fc = lml_at(self, exp(c))
    else
      lo, c, fc = c, d, fd
      d = lo + g * (hi - lo)
      fd = lml_at(self, exp(d))
    end
  end
  local l, f = exp((lo + hi) / 2), lml_at(self, exp((lo + hi) / 2))
  if f >= best then return l end
  return GRID[best_i]
end

--- gp:fit(X, y) --> gp: fits the process to the points X (a list of n >= 1 points, each a list
--- of d finite numbers, normally in [0, 1]) and their scores y (a list of n finite numbers):
--- normalises y (mean, standard deviation; a constant y has std 1), picks the length scale when
--- none was given, factorises K + alpha I (adding a growing jitter if that fails) and solves for
--- the weights. Raises an error naming gp:fit on bad input or a matrix that stays singular.
function GP:fit(X, y)
  if getmetatable(self) ~= GP then error("gp:fit: call it as gp:fit(X, y)", 2) end
  if type(X) ~= "table" then error(("gp:fit: X must be a list of points, got %s"):format(type(X)), 2) end
  if type(y) ~= "table" then error(("gp:fit: y must be a list of numbers, got %s"):format(type(y)), 2) end
  local n = #X
  if n ~= #y then error(("gp:fit: X and y differ in length (%d vs %d)"):format(n, #y), 2) end
  if n == 0 then error("gp:fit: no points to fit", 2) end
  if type(X[1]) ~= "table" then error(("gp:fit: X[1] must be a list of numbers, got %s"):format(type(X[1])), 2) end
  local d = #X[1]
  if d == 0 then error("gp:fit: points must have at least one dimension", 2) end
  local flat = {}
  for i = 1, n do
    check_point("gp:fit", X[i], d, ("X[%d]"):format(i))
    for j = 1, d do flat[(i - 1) * d + j] = X[i][j] end
  end
  local mean = 0
  for i = 1, n do
    if not is_finite(y[i]) then error(("gp:fit: y[%d] is %s, expected a finite number"):format(i, tostring(y[i])), 2) end
    mean = mean + y[i]
  end
  mean = mean / n
  local var = 0
  for i = 1, n do var = var + (y[i] - mean) ^ 2 end
  local std = sqrt(var / n)
  if not (std > 0) then std = 1 end -- a constant y: nothing to scale
  local yn = {}
  for i = 1, n do yn[i] = (y[i] - mean) / std end
  -- pairwise distances once: every length scale tried reuses them
  local D = {}
  for i = 1, n do
    local ri, xi = (i - 1) * n, (i - 1) * d
    D[ri + i] = 0
    for j = 1, i - 1 do
      local xj, r2 = (j - 1) * d, 0
      for k = 1, d do
        local dk = flat[xi + k] - flat[xj + k]
        r2 = r2 + dk * dk
      end
      local r = sqrt(r2)
      D[ri + j], D[(j - 1) * n + i] = r, r
    end
  end
  self.n, self.d, self.X, self.D, self.yn, self.y_mean, self.y_std = n, d, flat, D, yn, mean, std
  self.y_min = huge
  for i = 1, n do if y[i] < self.y_min then self.y_min = y[i] end end
  local l = self.fixed_length_scale or choose_length_scale(self)
  local L, w, lml, jitter = factor(self, l)
  if not L then
    self.n = 0
    error(("gp:fit: the kernel matrix is not positive definite even with jitter %g added to alpha %g")
      :format(JITTER[#JITTER], self.alpha), 2)
  end
  self.length_scale, self.L, self.w, self.lml, self.jitter = l, L, w, lml, jitter
  self.kbuf, self.vbuf = {}, {}
  return self
end

-- normalised mean and variance at the point x (a list of self.d numbers; not checked)
local function predict_raw(self, x)
  local n, d, X, L, w = self.n, self.d, self.X, self.L, self.w
  local c = SQRT5 / self.length_scale
  local k, v = self.kbuf, self.vbuf
  local mean = 0
  for i = 1, n do
    local base, r2 = (i - 1) * d, 0
    for j = 1, d do
      local dj = x[j] - X[base + j]
      r2 = r2 + dj * dj
    end
    local s = c * sqrt(r2)
    local ki = (1 + s + s * s / 3) * exp(-s)
    k[i] = ki
    mean = mean + ki * w[i]
  end
  local var = 1
  for i = 1, n do
    local ri = (i - 1) * n
    local s = k[i]
    for j = 1, i - 1 do s = s - L[ri + j] * v[j] end
    s = s / L[ri + i]
    v[i] = s
    var = var - s * s
  end
  if var < 0 then var = 0 end
  return mean, var
end

-- the fitted process or an error naming fname
local function check_fitted(fname, self)
  if getmetatable(self) ~= GP then error(("%s: expected a gp.GP, got %s"):format(fname, type(self)), 3) end
  if self.n == 0 then error(("%s: the process is not fitted (call gp:fit(X, y) first)"):format(fname), 3) end
end

--- gp:predict(x) --> mean, std: the posterior mean and standard deviation (>= 0; a negative
--- variance from rounding is clamped to 0) at the point x (a list of d numbers), in y's units.
--- The noise alpha is not part of std, as in sklearn.
function GP:predict(x)
  check_fitted("gp:predict", self)
  check_point("gp:predict", x, self.d, "x")
  local m, var = predict_raw(self, x)
  return m * self.y_std + self.y_mean, sqrt(var) * self.y_std
end

--- gp:log_marginal_likelihood([length_scale]) --> number: the log marginal likelihood of the
--- normalised scores at the fitted length scale (or at length_scale, leaving the fit as it is)
function GP:log_marginal_likelihood(length_scale)
  check_fitted("gp:log_marginal_likelihood", self)
  if length_scale == nil then return self.lml end
  if not is_finite(length_scale) or length_scale <= 0 then
    error(("gp:log_marginal_likelihood: length_scale must be a positive number, got %s"):format(tostring(length_scale)), 2)
  end
  return lml_at(self, length_scale)
end

---------------------------------------------------------------------------------------------------
-- acquisition functions
---------------------------------------------------------------------------------------------------

local INV_SQRT_2PI = 1 / sqrt(2 * math.pi)

--- normal_pdf(z) --> the standard normal density at z
function M.normal_pdf(z) return INV_SQRT_2PI * exp(-0.5 * z * z) end

--- normal_cdf(z) --> the standard normal distribution function at z (Hart's rational
--- approximation as given by G. West, 2005: double precision, about 1e-15 absolute)
function M.normal_cdf(z)
  local x = abs(z)
  local c
  if x > 37 then
    c = 0
  else
    local e = exp(-x * x / 2)
    if x < 7.07106781186547 then
      local b = 3.52624965998911e-02 * x + 0.700383064443688
      b = b * x + 6.37396220353165
      b = b * x + 33.912866078383
      b = b * x + 112.079291497871
      b = b * x + 221.213596169931
      b = b * x + 220.206867912376
      c = e * b
      b = 8.83883476483184e-02 * x + 1.75566716318264
      b = b * x + 16.064177579207
      b = b * x + 86.7807322029461
      b = b * x + 296.564248779674
      b = b * x + 637.333633378831
      b = b * x + 793.826512519948
      b = b * x + 440.413735824752
      c = c / b
    else
      local b = x + 0.65
      b = x + 4 / b
      b = x + 3 / b
      b = x + 2 / b
      b = x + 1 / b
      c = e / b / 2.506628274631
    end
  end
  if z > 0 then return 1 - c end
  return c
end

local normal_pdf, normal_cdf = M.normal_pdf, M.normal_cdf

--- expected_improvement(mean, std, best [, xi = 0.01]) --> ei >= 0: the expected improvement
--- below best (the lowest score seen; scores are minimised) of a normal with this mean and std,
--- less the margin xi: (best - mean - xi) Phi(z) + std phi(z), z = (best - mean - xi) / std;
--- 0 where std is 0. Larger is better.
function M.expected_improvement(mean, std, best, xi)
  xi = xi or 0.01
  if not (std > 0) then return 0 end -- no uncertainty, no expected gain (and NaN-safe)
  local imp = best - mean - xi
  local z = imp / std
  local ei = imp * normal_cdf(z) + std * normal_pdf(z)
  if ei < 0 then return 0 end
  return ei
end

--- lower_confidence_bound(mean, std [, beta = 2.6]) --> mean - beta * std: the score KerasTuner's
--- BayesianOptimizationOracle minimises (it calls it its "upper confidence bound"); smaller is better
function M.lower_confidence_bound(mean, std, beta)
  return mean - (beta or 2.6) * std
end

--- upper_confidence_bound(mean, std [, beta = 2.6]) --> beta * std - mean: the upper confidence
--- bound of the negated score, i.e. -lower_confidence_bound(mean, std, beta); larger is better.
--- Maximising it (acquisition = "ucb" in suggest) is KerasTuner's minimising of mean - beta * std.
function M.upper_confidence_bound(mean, std, beta)
  return (beta or 2.6) * std - mean
end

---------------------------------------------------------------------------------------------------
-- suggest: maximise the acquisition over the cube
---------------------------------------------------------------------------------------------------

local SUGGEST_OPTIONS = {acquisition = true, beta = true, xi = true, best = true, rng = true,
  n_samples = true, restarts = true, snap = true}

-- compass search from x (score fx): steps of `step` along each axis, in both directions, taking
-- the first that improves; the step halves when none does, down to MIN_STEP or the budget
local FIRST_STEP, MIN_STEP = 0.2, 1e-3

local function refine(score, prepare, x, fx, d, budget)
  local step, evals = FIRST_STEP, 0
  while step >= MIN_STEP and evals < budget do
    local improved = false
    for j = 1, d do
      for sign = 1, -1, -2 do
        local v = x[j] + sign * step
        if v < 0 then v = 0 elseif v > 1 then v = 1 end
        if v ~= x[j] then
          local y = table.move(x, 1, d, 1, {})
          y[j] = v
          y = prepare(y)
          local fy = score(y)
          evals = evals + 1
          if fy > fx then
            x, fx, improved = y, fy, true
            break
          end
        end
      end
    end
    if not improved then step = step / 2 end
  end
  return x, fx
end

local function same_point(a, b, d)
  for j = 1, d do if a[j] ~= b[j] then return false end end
  return true
end

--- suggest(gp, d, opts) --> x: the point of [0, 1]^d (a list of d numbers) that maximises the
--- acquisition of the fitted gp, found by scoring opts.n_samples random candidates and refining
--- the opts.restarts best distinct ones by compass search (axis steps from 0.2 down to 1e-3).
--- opts: rng (required: a function returning uniform numbers in [0, 1); the only source of
--- randomness), acquisition = "ucb" (minimise mean - beta * std, KerasTuner's default) or "ei"
--- (expected improvement below best), beta = 2.6, xi = 0.01, best (default the lowest fitted y),
--- n_samples = 2000, restarts = 10, snap (a function x --> x projecting a point onto the values a
--- trial can take, applied to every candidate before it is scored).
function M.suggest(gp, d, opts)
  check_fitted("gp.suggest", gp)
  if math.type(d) ~= "integer" or d < 1 then
    error(("gp.suggest: d must be a positive integer, got %s"):format(tostring(d)), 2)
  end
  if d ~= gp.d then error(("gp.suggest: expected points of dimension %d, got %d"):format(gp.d, d), 2) end
  opts = check_options("gp.suggest", opts, SUGGEST_OPTIONS)
  local rng = opts.rng
  if type(rng) ~= "function" then
    error("gp.suggest: opts.rng (a function returning uniform numbers in [0, 1)) is required", 2)
  end
  local acquisition = opts.acquisition or "ucb"
  if acquisition ~= "ucb" and acquisition ~= "ei" then
    error(("gp.suggest: acquisition must be \"ucb\" or \"ei\", got %s"):format(tostring(acquisition)), 2)
  end
  local beta, xi, best = opts.beta or 2.6, opts.xi or 0.01, opts.best or gp.y_min
  for name, v in pairs{beta = beta, xi = xi, best = best} do
    if not is_finite(v) then error(("gp.suggest: %s must be a finite number, got %s"):format(name, tostring(v)), 2) end
  end
  local n_samples, restarts = opts.n_samples or 2000, opts.restarts or 10
  for name, v in pairs{n_samples = n_samples, restarts = restarts} do
    if math.type(v) ~= "integer" or v < 0 then
      error(("gp.suggest: %s must be an integer >= 0, got %s"):format(name, tostring(v)), 2)
    end
  end
  if n_samples < 1 then error("gp.suggest: n_samples must be at least 1", 2) end
  local snap = opts.snap
  if snap ~= nil and type(snap) ~= "function" then
    error(("gp.suggest: snap must be a function, got %s"):format(type(snap)), 2)
  end

  local y_mean, y_std = gp.y_mean, gp.y_std
  local score
  if acquisition == "ei" then
    local ei = M.expected_improvement
    score = function(x)
      local m, var = predict_raw(gp, x)
      return ei(m * y_std + y_mean, sqrt(var) * y_std, best, xi)
    end
  else
    score = function(x)
      local m, var = predict_raw(gp, x)
      return beta * sqrt(var) * y_std - (m * y_std + y_mean)
    end
  end
  local prepare = function(x) return x end
  if snap then
    prepare = function(x)
      local y = snap(x)
      if type(y) ~= "table" or #y ~= d then
        error(("gp.suggest: snap must return a list of %d numbers"):format(d), 0)
      end
      for j = 1, d do
        local v = y[j]
        if not is_finite(v) then error(("gp.suggest: snap returned %s at coordinate %d"):format(tostring(v), j), 0) end
        if v < 0 then y[j] = 0 elseif v > 1 then y[j] = 1 end
      end
      return y
    end
  end

  -- random candidates; the `restarts` best distinct ones kept, best first
  local top, top_f = {}, {}
  local keep = math.max(restarts, 1)
  for _ = 1, n_samples do
    local x = {}
    for j = 1, d do
      local u = rng()
      if type(u) ~= "number" or not (u >= 0 and u < 1) then
        error(("gp.suggest: rng must return numbers in [0, 1), got %s"):format(tostring(u)), 0)
      end
      x[j] = u
    end
    x = prepare(x)
    local f = score(x)
    if #top < keep or f > top_f[#top] then
      local dup = false
      for i = 1, #top do if same_point(top[i], x, d) then dup = true break end end
      if not dup then
        local i = #top + 1
        while i > 1 and top_f[i - 1] < f do
          top[i], top_f[i] = top[i - 1], top_f[i - 1]
          i = i - 1
        end
        top[i], top_f[i] = x, f
        if #top > keep then top[#top], top_f[#top_f] = nil, nil end
      end
    end
  end
  local bx, bf = top[1], top_f[1]
  local budget = math.max(50, 20 * d)
  for i = 1, math.min(restarts, #top) do
    local x, f = refine(score, prepare, top[i], top_f[i], d, budget)
    if f > bf then bx, bf = x, f end
  end
  return table.move(bx, 1, d, 1, {})
end

return M
