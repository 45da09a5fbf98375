-- spec/claims_spec.lua: cv.datasets.claims, the claim-frequency data with a known true model
local cv = require "cvision"
local claims = cv.datasets.claims
local tmp = require "spec.helpers.tmpdir"

describe("cv.datasets.claims", function()
  local df = claims.generate{n = 8000, seed = 1}

  it("is the same for a seed and other draws for another", function()
    local again = claims.generate{n = 8000, seed = 1}
    for _, c in ipairs(claims.columns) do assert.same(df:column(c), again:column(c)) end
    local first, other = claims.generate{n = 2000, seed = 1}, claims.generate{n = 2000, seed = 2}
    local head = {}
    for i = 1, 2000 do head[i] = df:column("density")[i] end
    assert.same(head, first:column("density"))      -- the first policies of a longer draw
    assert.are_not.same(head, other:column("density"))
  end)

  it("keeps every column in its documented range", function()
    local c = df.columns
    local regions = {}
    for _, r in ipairs(claims.regions) do regions[r] = true end
    for i = 1, #df do
      assert.is_true(c.driver_age[i] >= 18 and c.driver_age[i] <= 85)
      assert.is_true(c.vehicle_age[i] >= 0 and c.vehicle_age[i] <= 20)
      assert.is_true(c.vehicle_power[i] >= 4 and c.vehicle_power[i] <= 15)
      assert.is_true(c.density[i] >= 1 and c.density[i] <= 27001)
      assert.is_true(c.exposure[i] > 0 and c.exposure[i] <= 1)
      assert.is_true(regions[c.region[i]])
      assert.equal("integer", math.type(c.claims[i]))
    end
  end)

  it("draws claims from the true model: totals and the young-driver effect agree with it", function()
    local mu = claims.true_mean(df)
    local observed, expected = 0, 0
    for i = 1, #df do observed, expected = observed + df.columns.claims[i], expected + mu[i] end
    -- a Poisson total: standard deviation sqrt(expected) (about 30 here); 4 of them
    assert.is_true(math.abs(observed - expected) < 4 * math.sqrt(expected),
      ("observed %d claims, the model expects %.1f"):format(observed, expected))
    local rate = claims.true_rate(df)
    local young, mid = {0, 0}, {0, 0}
    for i = 1, #df do
      local a = df.columns.driver_age[i]
      local g = a < 25 and young or (a >= 40 and a <= 50) and mid or nil
      if g then g[1] = g[1] + df.columns.claims[i]; g[2] = g[2] + df.columns.exposure[i] end
      assert.is_true(rate[i] > 0)
    end
    assert.is_true(young[1] / young[2] > 1.5 * mid[1] / mid[2], "young drivers claim more often")
    assert.equal(rate[7], claims.true_rate(df:row(7)))   -- one policy as a row
    -- the documented formula at one point: age 45, new car, power 6, density e^6, R24
    local r = claims.true_rate{driver_age = 45, vehicle_age = 0, vehicle_power = 6, density = math.exp(6), region = "R24"}
    assert.is_true(math.abs(r - math.exp(-2.7)) < 1e-12)
  end)

  it("gives the true model a lower Poisson deviance than a constant frequency", function()
    local y, mu = df:column("claims"), claims.true_mean(df)
    local total, exposure = 0, 0
    for i = 1, #df do total, exposure = total + y[i], exposure + df.columns.exposure[i] end
    local const = {}
    for i = 1, #df do const[i] = df.columns.exposure[i] * total / exposure end
    assert.is_true(claims.poisson_deviance(y, mu) < claims.poisson_deviance(y, const) - 0.02)
    -- scikit-learn's mean_poisson_deviance on a small case: 2 * mean(y log(y/mu) - (y - mu))
    local d = claims.poisson_deviance({0, 2}, {0.5, 1})
    assert.is_true(math.abs(d - (2 * ((0 + 0.5) + (2 * math.log(2) - 1)) / 2)) < 1e-12)
    assert.has_error(function() claims.poisson_deviance({1}, {0}) end, "poisson_deviance: mu[1] = 0 is not positive")
  end)

  it("writes itself as CSV that read_csv reads back", function()
    local dir = tmp.dir()
    local small = claims.write_csv(dir .. "/c.csv", {n = 50, seed = 3})
    local back = cv.data.read_csv(dir .. "/c.csv")
    assert.same(claims.columns, back.names)
    for _, c in ipairs(claims.columns) do assert.same(small:column(c), back:column(c)) end
    assert.has_error(function() claims.generate{rows = 5} end, "bad argument to 'claims.generate' (unknown option 'rows')")
    tmp.rmtree(dir)
  end)
end)
