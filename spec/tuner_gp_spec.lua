-- spec/tuner_gp_spec.lua: cvision.tuner.gp (Matern 5/2 kernel, Gaussian process fit/predict,
-- likelihood choice of the length scale, acquisitions, suggest) on small hand-checked problems
local gp = require "cvision.tuner.gp"

-- a deterministic uniform [0, 1) generator (64-bit LCG, top 53 bits)
local function lcg(seed)
  local s = seed
  return function()
    s = s * 6364136223846793005 + 1442695040888963407
    return (s >> 11) * (1.0 / 9007199254740992.0)
  end
end

local function close(a, b, tol, what)
  assert(math.abs(a - b) <= tol, ("%s: %.10g vs %.10g (tol %g)"):format(what or "value", a, b, tol))
end

describe("gp.matern52", function()
  it("is 1 at distance 0", function()
    assert.are.equal(1, gp.matern52({0.2, 0.4}, {0.2, 0.4}, 0.7))
  end)

  it("matches hand-computed values", function()
    -- r = 0.5, l = 1: s = sqrt5 * 0.5 = 1.1180340; (1 + s + s^2/3) = 2.5347007, exp(-s) = 0.3269219
    close(gp.matern52({0, 0}, {0.3, 0.4}, 1), 0.828649142418, 1e-10, "r=0.5 l=1")
    -- r = 1, l = 0.5: s = 2 sqrt5 = 4.4721360; (1 + s + 20/3) = 12.138803, exp(-s) = 0.0114228
    close(gp.matern52({1}, {0}, 0.5), 0.138660219139, 1e-10, "r=1 l=0.5")
    -- r = sqrt(3)/2 (half the diagonal of the unit cube), l = 1
    close(gp.matern52({0, 0, 0}, {0.5, 0.5, 0.5}, 1), 0.603729759370, 1e-10, "r=sqrt3/2 l=1")
  end)

  it("decreases with distance and grows with the length scale", function()
    local a = gp.matern52({0}, {0.1}, 0.3)
    local b = gp.matern52({0}, {0.2}, 0.3)
    local c = gp.matern52({0}, {0.2}, 0.6)
    assert.is_true(a > b and c > b)
  end)

  it("rejects points of different dimensions and a bad length scale", function()
    assert.has_error(function() gp.matern52({0, 1}, {0}, 1) end, "gp.matern52: x1 and x2 differ in dimension (2 vs 1)")
    assert.has_error(function() gp.matern52({0}, {1}, 0) end, "gp.matern52: length_scale must be a positive number, got 0")
  end)
end)

describe("gp.cholesky", function()
  it("factorises a known SPD matrix", function()
    local L = assert(gp.cholesky({{4, 12, -16}, {12, 37, -43}, {-16, -43, 98}}))
    local want = {{2, 0, 0}, {6, 1, 0}, {-8, 5, 3}}
    for i = 1, 3 do
      for j = 1, 3 do close(L[i][j], want[i][j], 1e-12, ("L[%d][%d]"):format(i, j)) end
    end
  end)

  it("returns nil and a message for a matrix that is not positive definite", function()
    local L, err = gp.cholesky({{1, 2}, {2, 1}})
    assert.is_nil(L)
    assert.are.equal("gp.cholesky: matrix not positive definite (pivot 2)", err)
  end)
end)

describe("gp.GP", function()
  local X = {{0.1, 0.2}, {0.4, 0.9}, {0.8, 0.3}, {0.5, 0.5}, {0.2, 0.7}}
  local y = {3.0, -1.0, 2.5, 0.5, 1.0}

  it("interpolates its training points with a small std", function()
    local model = gp.GP.new{alpha = 1e-6}:fit(X, y)
    for i, x in ipairs(X) do
      local m, s = model:predict(x)
      close(m, y[i], 1e-3, "mean at X[" .. i .. "]")
      assert.is_true(s >= 0 and s < 0.01, "std at X[" .. i .. "] is " .. s)
    end
  end)

  it("interpolates with the default alpha too, and chooses a length scale in its grid", function()
    local model = gp.GP.new():fit(X, y)
    assert.is_true(model.length_scale >= 0.05 and model.length_scale <= 5)
    for i, x in ipairs(X) do close((model:predict(x)), y[i], 0.02, "mean at X[" .. i .. "]") end
  end)

  it("reverts toward the mean far from the data, with std rising", function()
    -- data in [0, 0.2] of a line, fixed short length scale; probe at 0.2, 0.4, 0.7, 1.0
    local X1, y1 = {}, {}
    for i = 1, 5 do X1[i], y1[i] = {0.05 * (i - 1)}, ({1, 3, 2, 5, 4})[i] end
    local model = gp.GP.new{length_scale = 0.1}:fit(X1, y1)
    local mean_y, sd = 3, math.sqrt(2) -- the mean and (population) std of y1
    local last = -1
    for _, p in ipairs{0.2, 0.4, 0.7, 1.0} do
      local _, s = model:predict({p})
      assert.is_true(s > last, ("std at %g (%g) should exceed %g"):format(p, s, last))
      last = s
    end
    local m, s = model:predict({1.0})
    close(m, mean_y, 1e-3, "mean far away")
    close(s, sd, 1e-3, "std far away")
  end)

  it("fits a constant y (std taken as 1) and a single point", function()
    local model = gp.GP.new():fit({{0.1}, {0.5}, {0.9}}, {2, 2, 2})
    close((model:predict({0.3})), 2, 1e-9, "constant")
    local one = gp.GP.new():fit({{0.5, 0.5}}, {7})
    local m, s = one:predict({0.5, 0.5})
    close(m, 7, 1e-9, "single point mean")
    assert.is_true(s < 0.05)
  end)

  it("survives duplicate points with alpha = 0 by adding jitter", function()
    local model = gp.GP.new{alpha = 0, length_scale = 0.5}:fit({{0.3}, {0.3}, {0.6}}, {1, 1.2, 2})
    assert.is_true(model.jitter > 0)
    close((model:predict({0.3})), 1.1, 1e-3, "mean at the duplicate")
  end)

  it("chooses a longer length scale for a smooth function than for a wiggly one", function()
    local Xs, smooth, wiggly = {}, {}, {}
    for i = 1, 20 do
      local t = (i - 1) / 19
      Xs[i] = {t}
      smooth[i] = math.sin(2 * t)
      wiggly[i] = math.sin(25 * t)
    end
    local ls = gp.GP.new():fit(Xs, smooth).length_scale
    local lw = gp.GP.new():fit(Xs, wiggly).length_scale
    assert.is_true(ls > 2 * lw, ("smooth %g, wiggly %g"):format(ls, lw))
  end)

  it("maximises the log marginal likelihood over the length scale", function()
    local model = gp.GP.new():fit(X, y)
    local best = model:log_marginal_likelihood()
    for _, l in ipairs{0.05, 0.1, 0.2, 0.5, 1, 2, 5} do
      assert.is_true(model:log_marginal_likelihood(l) <= best + 1e-9, "at l = " .. l)
    end
    -- by hand for one point: y normalised to 0, K = 1 + alpha: -0.5 log(2 pi) - 0.5 log(1 + alpha)
    local one = gp.GP.new{length_scale = 1}:fit({{0.5}}, {3})
    close(one:log_marginal_likelihood(), -0.5 * math.log(2 * math.pi) - 0.5 * math.log(1 + 1e-4), 1e-12, "lml")
  end)

  it("names the function and the problem in its errors", function()
    local model = gp.GP.new()
    assert.has_error(function() model:fit({{0}, {1}, {2}, {3}, {4}}, {1, 2, 3, 4}) end,
      "gp:fit: X and y differ in length (5 vs 4)")
    assert.has_error(function() model:fit({{0, 0, 0}, {1, 1}}, {1, 2}) end,
      "gp:fit: expected points of dimension 3, got 2 (X[2])")
    assert.has_error(function() model:fit({{0}, {1}}, {1, 0 / 0}) end,
      "gp:fit: y[2] is " .. tostring(0 / 0) .. ", expected a finite number")
    assert.has_error(function() model:fit({{0}, {0 / 0}}, {1, 2}) end)
    assert.has_error(function() model:predict({0.5}) end,
      "gp:predict: the process is not fitted (call gp:fit(X, y) first)")
    model:fit({{0, 0, 0}, {1, 1, 1}}, {1, 2})
    assert.has_error(function() model:predict({0.5, 0.5}) end,
      "gp:predict: expected points of dimension 3, got 2 (x)")
    assert.has_error(function() gp.GP.new{alpah = 1} end,
      "gp.GP.new: unknown option 'alpah' (known: alpha, length_scale)")
    assert.has_error(function() gp.GP.new{alpha = -1} end, "gp.GP.new: alpha must be a number >= 0, got -1")
  end)
end)

-- the test's own standard normal: density by formula, distribution by Simpson's rule on [0, |z|]
local function pdf(z) return math.exp(-z * z / 2) / math.sqrt(2 * math.pi) end
local function cdf(z)
  local n, h, s = 2000, math.abs(z) / 2000, 0
  for i = 0, n do
    local w = (i == 0 or i == n) and 1 or (i % 2 == 1 and 4 or 2)
    s = s + w * pdf(i * h)
  end
  local half = s * h / 3
  return z >= 0 and 0.5 + half or 0.5 - half
end

describe("gp acquisitions", function()
  it("has a normal cdf that matches numerical integration", function()
    for _, z in ipairs{-6, -2.5, -1, -0.3, 0, 0.01, 0.7, 1.96, 4} do
      close(gp.normal_cdf(z), cdf(z), 1e-12, "Phi(" .. z .. ")")
    end
    close(gp.normal_cdf(1.959963984540054), 0.975, 1e-12, "Phi(1.96)")
  end)

  it("gives the expected improvement's closed form (minimisation)", function()
    -- mean = best, std 1, xi = 0: imp = 0, so EI = 0 * Phi(0) + 1 * phi(0) = 1/sqrt(2 pi)
    close(gp.expected_improvement(0, 1, 0, 0), 0.3989422804014327, 1e-12, "EI(0, 1, 0)")
    for _, c in ipairs{{0, 1, 0, 0.01}, {1, 0.5, 0.2, 0.01}, {-1, 2, 0.5, 0}, {0.3, 0.1, 0.5, 0.05}} do
      local mean, std, best, xi = c[1], c[2], c[3], c[4]
      local imp = best - mean - xi
      local want = imp * cdf(imp / std) + std * pdf(imp / std)
      close(gp.expected_improvement(mean, std, best, xi), want, 1e-10, table.concat(c, ","))
    end
    -- xi defaults to 0.01
    close(gp.expected_improvement(0, 1, 0), -0.01 * cdf(-0.01) + pdf(-0.01), 1e-10, "default xi")
  end)

  it("gives 0 expected improvement where std is 0, and more for a lower mean or a larger std", function()
    assert.are.equal(0, gp.expected_improvement(-5, 0, 0))
    assert.is_true(gp.expected_improvement(-0.5, 1, 0) > gp.expected_improvement(0, 1, 0))
    assert.is_true(gp.expected_improvement(0, 2, 0) > gp.expected_improvement(0, 1, 0))
  end)

  it("has KerasTuner's lower confidence bound mean - beta * std (beta 2.6) and its negation", function()
    close(gp.lower_confidence_bound(1, 0.5), 1 - 2.6 * 0.5, 1e-15, "LCB default beta")
    close(gp.lower_confidence_bound(1, 0.5, 1), 0.5, 1e-15, "LCB beta 1")
    close(gp.upper_confidence_bound(1, 0.5, 2), -gp.lower_confidence_bound(1, 0.5, 2), 1e-15, "UCB = -LCB")
  end)
end)

describe("gp.suggest", function()
  local f = function(x) return (x[1] - 0.3) ^ 2 + (x[2] - 0.7) ^ 2 end

  -- evaluations until f <= 0.01 (limit + 1 if never): 5 random points, then GP suggestions
  local function bo_evals(seed, limit, acquisition)
    local rng = lcg(seed)
    local X, y = {}, {}
    for n = 1, limit do
      local x
      if n <= 5 then x = {rng(), rng()}
      else x = gp.suggest(gp.GP.new():fit(X, y), 2, {rng = rng, acquisition = acquisition}) end
      X[n], y[n] = x, f(x)
      if y[n] <= 0.01 then return n end
    end
    return limit + 1
  end
  local function random_evals(seed, limit)
    local rng = lcg(seed)
    for n = 1, limit do
      if f({rng(), rng()}) <= 0.01 then return n end
    end
    return limit + 1
  end

  -- computed here so that the test's name states the averages it measured (same seeds, so the
  -- first 5 points of both searches are the same)
  local bo, rnd, bo_worst, bo_ei = 0, 0, 0, 0
  for seed = 1, 10 do
    local n = bo_evals(seed, 20, "ucb")
    bo, bo_worst = bo + n, math.max(bo_worst, n)
    bo_ei = bo_ei + bo_evals(seed, 20, "ei")
    rnd = rnd + random_evals(seed, 1000)
  end
  bo, rnd, bo_ei = bo / 10, rnd / 10, bo_ei / 10

  it(("reaches within 0.01 of a 2-D quadratic's minimum in 5 random + 15 suggested points, on average in "
    .. "%.1f evaluations (LCB; EI %.1f) against %.1f for random sampling (10 seeds)"):format(bo, bo_ei, rnd), function()
    assert.is_true(bo_worst <= 20, "some seed needed more than 20 evaluations")
    assert.is_true(bo_ei <= 20)
    assert.is_true(bo < rnd and bo_ei < rnd, ("LCB %.1f, EI %.1f, random %.1f"):format(bo, bo_ei, rnd))
  end)

  local X = {{0.1, 0.2}, {0.4, 0.9}, {0.8, 0.3}, {0.5, 0.5}, {0.2, 0.7}}
  local y = {3.0, -1.0, 2.5, 0.5, 1.0}

  it("is deterministic for a given rng and returns a point of the cube", function()
    local model = gp.GP.new():fit(X, y)
    for _, acq in ipairs{"ucb", "ei"} do
      local a = gp.suggest(model, 2, {rng = lcg(7), acquisition = acq})
      local b = gp.suggest(model, 2, {rng = lcg(7), acquisition = acq})
      assert.are.same(a, b)
      assert.are.equal(2, #a)
      for j = 1, 2 do assert.is_true(a[j] >= 0 and a[j] <= 1) end
    end
  end)

  it("scores better than every random candidate it started from", function()
    local model = gp.GP.new():fit(X, y)
    local x = gp.suggest(model, 2, {rng = lcg(3), n_samples = 200})
    local m, s = model:predict(x)
    local rng = lcg(3)
    for _ = 1, 200 do
      local mc, sc = model:predict({rng(), rng()})
      assert.is_true(gp.lower_confidence_bound(m, s) <= gp.lower_confidence_bound(mc, sc))
    end
  end)

  it("returns a snapped point when given snap", function()
    local model = gp.GP.new():fit(X, y)
    local calls = 0
    local snap = function(p)
      calls = calls + 1
      return {p[1] < 0.5 and 0.25 or 0.75, p[2]}
    end
    local x = gp.suggest(model, 2, {rng = lcg(1), snap = snap, n_samples = 100, restarts = 2})
    assert.is_true(x[1] == 0.25 or x[1] == 0.75)
    assert.is_true(calls >= 100)
  end)

  it("checks its arguments", function()
    local model = gp.GP.new():fit(X, y)
    assert.has_error(function() gp.suggest(model, 2, {}) end,
      "gp.suggest: opts.rng (a function returning uniform numbers in [0, 1)) is required")
    assert.has_error(function() gp.suggest(model, 3, {rng = lcg(1)}) end,
      "gp.suggest: expected points of dimension 2, got 3")
    assert.has_error(function() gp.suggest(model, 2, {rng = lcg(1), n_sample = 10}) end,
      "gp.suggest: unknown option 'n_sample' (known: acquisition, best, beta, n_samples, restarts, rng, snap, xi)")
    assert.has_error(function() gp.suggest(model, 2, {rng = lcg(1), acquisition = "pi"}) end,
      "gp.suggest: acquisition must be \"ucb\" or \"ei\", got pi")
    assert.has_error(function() gp.suggest(model, 2, {rng = function() return 1 end}) end,
      "gp.suggest: rng must return numbers in [0, 1), got 1")
    assert.has_error(function() gp.suggest(gp.GP.new(), 2, {rng = lcg(1)}) end,
      "gp.suggest: the process is not fitted (call gp:fit(X, y) first)")
  end)
end)
