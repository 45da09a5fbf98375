-- spec/tuner_bayesian_spec.lua: cv.tuner.BayesianOptimization against random search on a cheap
-- objective with a known optimum (the oracles driven directly, no training)
local tuner = require "cvision.tuner"
local tmp = require "spec.helpers.tmpdir"

describe("BayesianOptimization", function()
  -- trials until a score within 5% of the optimum (1.0), driving the oracle directly
  local function trials_to_reach(o, limit)
    local f = function(v) return 1 + 10 * ((v.x - 0.3) ^ 2 + (math.log(v.lr, 10) + 2.5) ^ 2 / 4) end
    for n = 1, limit do
      local trial = o:create_trial("tuner0")
      local v = trial.hyperparameters.values
      local score = f(v)
      o:update_trial(trial.trial_id, {score = score}, 0)
      trial.status = "COMPLETED"
      o:end_trial(trial)
      if score <= 1.05 then return n end
    end
    return limit + 1
  end

  local function oracle_for(kind, seed, dir)
    local hp = tuner.HyperParameters()
    hp:Float("x", 0, 1)
    hp:Float("lr", 1e-4, 1e-1, {sampling = "log"})
    local opts = {objective = tuner.Objective("score", "min"), max_trials = 60, seed = seed, hyperparameters = hp}
    local o = kind == "bo" and tuner.BayesianOptimizationOracle.new(opts) or tuner.RandomSearchOracle.new(opts)
    o:set_project_dir(dir, kind .. seed)
    o.display.verbose = 0
    return o
  end

  it("reaches within 5% of a known optimum in fewer trials than random search (10 seeds)", function()
    local dir = tmp.dir()
    local bo, rnd = 0, 0
    for seed = 1, 10 do
      bo = bo + trials_to_reach(oracle_for("bo", seed, dir), 40)
      rnd = rnd + trials_to_reach(oracle_for("random", seed, dir), 40)
    end
    assert.is_true(bo < rnd, ("mean trials: Bayesian %.1f, random %.1f"):format(bo / 10, rnd / 10))
    tmp.rmtree(dir)
  end)
end)
