-- spec/scalers_spec.lua: cv.data.StandardScaler and OneHotEncoder (cvision.data.scalers)
local cv = require "cvision"

local function near(a, b, tol) return math.abs(a - b) <= (tol or 1e-6) end

describe("cv.data.StandardScaler", function()
  local X = cv.tensor{{1, 10, 5}, {2, 20, 5}, {3, 60, 5}, {6, 30, 5}}

  it("learns the mean and the population standard deviation of each column", function()
    local sc = cv.data.StandardScaler():fit(X)
    assert.same({3.0, 30.0, 5.0}, sc.mean_)
    -- column 1: deviations -2, -1, 0, 3 -> var 14/4; column 2: -20, -10, 30, 0 -> var 1400/4
    assert.is_true(near(sc.var_[1], 3.5) and near(sc.var_[2], 350))
    assert.is_true(near(sc.scale_[1], math.sqrt(3.5)))
    assert.equal(1.0, sc.scale_[3])      -- a constant column is left unscaled, as scikit-learn
    assert.equal(3, sc.n_features_in_)
    local Z = sc:transform(X)
    assert.is_true(near(Z[1][1], -2 / math.sqrt(3.5)))
    assert.is_true(near(Z[3][2], 30 / math.sqrt(350)))
    assert.equal(0, Z[2][3])
    for j = 1, 2 do
      local s, q = 0, 0
      for i = 1, 4 do s = s + Z[i][j]; q = q + Z[i][j] ^ 2 end
      assert.is_true(near(s / 4, 0, 1e-6) and near(q / 4, 1, 1e-5))
    end
  end)

  it("inverts its transform and fits and transforms in one call", function()
    local sc = cv.data.StandardScaler()
    local Z = sc:fit_transform(X)
    local back = sc:inverse_transform(Z)
    for i = 1, 4 do for j = 1, 3 do assert.is_true(near(back[i][j], X[i][j], 1e-5)) end end
    local nomean = cv.data.StandardScaler{with_mean = false}:fit_transform(X)
    assert.is_true(near(nomean[1][1], 1 / math.sqrt(3.5)))
  end)

  it("says what is wrong: not fitted, other feature count, not a matrix, unknown option", function()
    assert.has_error(function() cv.data.StandardScaler():transform(X) end, "StandardScaler:transform: fit the scaler first")
    local sc = cv.data.StandardScaler():fit(X)
    assert.has_error(function() sc:transform(cv.tensor{{1, 2}}) end,
      "StandardScaler:transform: X has 2 features, but the scaler was fitted with 3")
    assert.has_error(function() sc:fit(cv.tensor{1, 2, 3}) end,
      "bad argument #1 to 'fit' (a 2-D tensor (samples, features) expected, got shape (3))")
    assert.has_error(function() cv.data.StandardScaler{with_means = false} end,
      "bad argument to 'StandardScaler' (unknown option 'with_means')")
  end)
end)

describe("cv.data.OneHotEncoder", function()
  it("encodes sorted categories as scikit-learn does", function()
    local enc = cv.data.OneHotEncoder()
    local T = enc:fit_transform({"R52", "R11", "R93", "R11"})
    assert.same({{"R11", "R52", "R93"}}, enc.categories_)
    assert.same({4, 3}, T.shape)
    assert.same({{0, 1, 0}, {1, 0, 0}, {0, 0, 1}, {1, 0, 0}}, T:totable())
    assert.same({"region_R11", "region_R52", "region_R93"}, enc:get_feature_names_out("region"))
    assert.same({"R52", "R11", "R93", "R11"}, enc:inverse_transform(T))
  end)

  it("encodes several features side by side", function()
    local enc = cv.data.OneHotEncoder()
    local T = enc:fit_transform({{"b", "a", "b"}, {3, 1, 2}})
    assert.same({{"a", "b"}, {1, 2, 3}}, enc.categories_)
    assert.same({{0, 1, 0, 0, 1}, {1, 0, 1, 0, 0}, {0, 1, 0, 1, 0}}, T:totable())
    assert.same({"x0_a", "x0_b", "x1_1", "x1_2", "x1_3"}, enc:get_feature_names_out())
  end)

  it("errors on an unknown category unless told to ignore it", function()
    local enc = cv.data.OneHotEncoder():fit({"a", "b"})
    assert.has_error(function() enc:transform({"c"}) end,
      "OneHotEncoder:transform: unknown category c in feature 1 (handle_unknown = \"ignore\" encodes it as all zeros)")
    local ign = cv.data.OneHotEncoder{handle_unknown = "ignore"}:fit({"a", "b"})
    assert.same({{0, 0}, {0, 1}}, ign:transform({"c", "b"}):totable())
    assert.has_error(function() cv.data.OneHotEncoder{handle_unknown = "skip"} end,
      "bad argument to 'OneHotEncoder' (handle_unknown must be \"error\" or \"ignore\", got skip)")
    assert.has_error(function() cv.data.OneHotEncoder():transform({"a"}) end, "OneHotEncoder:transform: fit the encoder first")
  end)
end)
