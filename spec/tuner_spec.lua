-- spec/tuner_spec.lua: cv.tuner's search space, oracles and files, on cheap objectives (a Tuner
-- subclass whose run_trial returns a number; no training here: spec/tuner_search_spec.lua trains)
local cv = require "cvision"
local tuner = require "cvision.tuner"
local hpmod = require "cvision.tuner.hyperparameters"
local trialmod = require "cvision.tuner.trial"
local saving = require "cvision.saving"
local tmp = require "spec.helpers.tmpdir"

local capture = require "spec.helpers.capture"

-- a tuner class whose trials score f(hp) without training
local function cheap(parent, f)
  local cls = tuner.subclass("Cheap" .. parent.class_name, parent)
  function cls:run_trial(trial) return f(trial.hyperparameters) end
  return cls
end

describe("cv.tuner.HyperParameters", function()
  local HP = tuner.HyperParameters

  it("returns the default for a new name and registers it in the space", function()
    local hp = HP()
    assert.equal(4, hp:Choice("neurons", {4, 8, 16}))
    assert.equal(1, hp:Int("layers", 1, 3))
    assert.equal(1e-4, hp:Float("lr", 1e-4, 1e-2, {sampling = "log"}))
    assert.equal(false, hp:Boolean("bn"))
    assert.equal("adam", hp:Fixed("opt", "adam"))
    assert.equal(5, #hp.space)
    assert.equal(8, hp:Choice("n2", {4, 8}, {default = 8}))
    assert.equal(8, hp.values.n2)
  end)

  it("samples each kind within its range", function()
    local kinds = {
      {hpmod.kinds.Int.create("Int", "i", 3, 9, {}), function(v) return math.type(v) == "integer" and v >= 3 and v <= 9 end},
      {hpmod.kinds.Int.create("Int", "s", 0, 100, {step = 25}), function(v) return v % 25 == 0 and v >= 0 and v <= 100 end},
      {hpmod.kinds.Int.create("Int", "l", 2, 64, {sampling = "log", step = 2}), function(v)
        return v == 2 or v == 4 or v == 8 or v == 16 or v == 32 or v == 64 end},
      {hpmod.kinds.Float.create("Float", "f", -1, 2, {}), function(v) return v >= -1 and v <= 2 end},
      {hpmod.kinds.Float.create("Float", "r", 0.9, 0.999, {sampling = "reverse_log"}), function(v) return v >= 0.9 and v <= 0.999 end},
      {hpmod.kinds.Float.create("Float", "fs", 0, 1, {step = 0.25}), function(v)
        return math.abs(v * 4 - math.floor(v * 4 + 0.5)) < 1e-12 end},
      {hpmod.kinds.Choice.create("Choice", "c", {"relu", "tanh"}, {}), function(v) return v == "relu" or v == "tanh" end},
      {hpmod.kinds.Boolean.create("Boolean", "b", {}), function(v) return type(v) == "boolean" end},
    }
    for _, k in ipairs(kinds) do
      local seen = {}
      for s = 1, 400 do
        local v = k[1]:random_sample(s)
        assert.is_true(k[2](v), k[1].name .. " sampled " .. tostring(v))
        seen[v] = true
      end
      local n = 0
      for _ in pairs(seen) do n = n + 1 end
      assert.is_true(n >= 2, k[1].name .. " always gives the same value")
    end
    -- every integer of the range comes up, the ends included
    local counts = {}
    local int = hpmod.kinds.Int.create("Int", "i", 1, 3, {})
    for s = 1, 3000 do local v = int:random_sample(s); counts[v] = (counts[v] or 0) + 1 end
    for v = 1, 3 do assert.is_true(counts[v] > 900 and counts[v] < 1100, ("%d came %d times"):format(v, counts[v] or 0)) end
  end)

  it("samples log-uniformly with sampling = \"log\" (and uniformly without)", function()
    local log = hpmod.kinds.Float.create("Float", "lr", 1e-4, 1e-2, {sampling = "log"})
    local lin = hpmod.kinds.Float.create("Float", "lr", 1e-4, 1e-2, {})
    local n = 4000
    local below_log, below_lin, sum = 0, 0, 0
    local bins = {0, 0, 0, 0}
    for s = 1, n do
      local v = log:random_sample(s)
      local e = math.log(v, 10)   -- uniform on [-4, -2]
      sum = sum + e
      bins[math.min(4, math.floor((e + 4) / 0.5) + 1)] = bins[math.min(4, math.floor((e + 4) / 0.5) + 1)] + 1
      if v < 1e-3 then below_log = below_log + 1 end
      if lin:random_sample(s) < 1e-3 then below_lin = below_lin + 1 end
    end
    -- half the samples below the geometric middle (sd of the fraction: 0.008)
    assert.is_true(math.abs(below_log / n - 0.5) < 0.03, "log: fraction below 1e-3 is " .. below_log / n)
    assert.is_true(math.abs(sum / n + 3) < 0.03, "log: mean exponent " .. sum / n)
    -- four equal bins of the exponent, each a quarter (chi-square, 3 dof, 99.9%: 16.3)
    local chi = 0
    for i = 1, 4 do chi = chi + (bins[i] - n / 4) ^ 2 / (n / 4) end
    assert.is_true(chi < 16.3, "log: chi-square of the exponent's quarters " .. chi)
    -- linear sampling puts only (1e-3 - 1e-4) / (1e-2 - 1e-4) = 9% there
    assert.is_true(math.abs(below_lin / n - 0.0909) < 0.02, "linear: fraction below 1e-3 is " .. below_lin / n)
  end)

  it("maps values to [0, 1) and back (KerasTuner's value_to_prob / prob_to_value)", function()
    local c = hpmod.kinds.Choice.create("Choice", "n", {4, 8, 16, 32}, {})
    assert.equal(0.125, c:value_to_prob(4))
    assert.equal(0.625, c:value_to_prob(16))
    assert.equal(16, c:prob_to_value(0.6))
    local f = hpmod.kinds.Float.create("Float", "lr", 1e-4, 1e-2, {sampling = "log"})
    assert.near(0.5, f:value_to_prob(1e-3), 1e-12)
    assert.near(1e-3, f:prob_to_value(0.5), 1e-15)
    local i = hpmod.kinds.Int.create("Int", "k", 1, 3, {})
    for v = 1, 3 do assert.equal(v, i:prob_to_value(i:value_to_prob(v))) end
    local b = hpmod.kinds.Boolean.create("Boolean", "b", {})
    assert.is_true(b:prob_to_value(b:value_to_prob(true)))
    assert.is_false(b:prob_to_value(b:value_to_prob(false)))
  end)

  it("keeps names created in a conditional scope inactive unless the parent's value matches", function()
    local hp = HP()
    local model_type = hp:Choice("model_type", {"mlp", "cnn"})
    local ran = 0
    hp:conditional_scope("model_type", "cnn", function() ran = ran + 1; hp:Int("filters", 8, 64) end)
    assert.equal("mlp", model_type)
    assert.equal(0, ran)
    hp.values.model_type = "cnn"
    local v = hp:conditional_scope("model_type", {"cnn"}, function() ran = ran + 1; return hp:Int("filters", 8, 64) end)
    assert.equal(8, v)
    assert.is_true(hp:is_active("filters"))
    hp.values.model_type = "mlp"
    assert.is_false(hp:is_active("filters"))
    assert.has_error(function() hp:conditional_scope("nope", "x", function() end) end,
      "conditional_scope: 'nope' is not a hyperparameter yet (create the parent before its scope)")
  end)

  it("round-trips its config (KerasTuner's {space, values})", function()
    local hp = HP()
    hp:Choice("a", {"x", "y"})
    hp:Float("lr", 1e-4, 1e-2, {sampling = "log", default = 1e-3})
    hp:Int("u", 8, 64, {step = 8})
    hp.values.a = "y"
    local c = hp:get_config()
    assert.equal("Choice", c.space[1].class_name)
    assert.equal("log", c.space[2].config.sampling)
    local back = HP.from_config(saving.decode_json(saving.encode_json(c)))
    assert.equal("y", back.values.a)
    assert.equal(1e-3, back.values.lr)
    assert.same(c, back:get_config())
  end)

  it("rejects bad hyperparameters with the function and the reason", function()
    local hp = HP()
    assert.has_error(function() hp:Int("x", 5, 1) end, "bad argument to 'Int' (min_value 5 is greater than max_value 1)")
    assert.has_error(function() hp:Float("x", 0, 1, {sampling = "log"}) end,
      "bad argument to 'Float' (sampling = \"log\" needs min_value > 0, got 0.0)")
    assert.has_error(function() hp:Float("x", 0, 1, {smapling = "log"}) end, "bad argument to 'Float' (unknown option 'smapling')")
    assert.has_error(function() hp:Choice("x", {}) end, "bad argument to 'Choice' (values must be a non-empty list)")
    assert.has_error(function() hp:Choice("x", {1, "a"}) end,
      "bad argument to 'Choice' (values must all be of one type (value 2 is a string, value 1 a number))")
    assert.has_error(function() hp:Int("x", 1, 2.5) end, "bad argument to 'Int' (max_value must be an integer, got 2.5)")
    assert.has_error(function() hp:Int("tuner/epochs", 1, 2) end,
      "bad argument #1 to 'Int' (names starting with 'tuner/' are reserved for the tuner)")
    hp:Int("k", 1, 3)
    assert.has_error(function() hp:Choice("k", {1, 2}) end, "bad argument to 'Choice' ('k' is already a Int)")
    assert.has_error(function() hp:get("zz") end, "HyperParameters: 'zz' does not exist")
  end)
end)

describe("cv.tuner.Objective", function()
  it("infers the direction of losses and accuracies, and prints as KerasTuner", function()
    assert.equal("min", trialmod.objective("val_loss").direction)
    assert.equal("max", trialmod.objective("val_accuracy").direction)
    assert.equal("min", trialmod.objective("val_mae").direction)
    assert.equal('Objective(name="val_loss", direction="min")', tostring(trialmod.objective("val_loss")))
    assert.has_error(function() trialmod.objective("val_wobble") end)
    local o = tuner.Objective("score", "max")
    assert.is_true(o:better(2, 1))
    assert.has_error(function() tuner.Objective("x", "up") end,
      "bad argument #2 to 'Objective' (direction must be \"min\" or \"max\", got up)")
  end)

  it("writes numbers as Python prints them", function()
    assert.equal("0.0021043482724264983", trialmod.repr(0.0021043482724264983))
    assert.equal("1e-05", trialmod.repr(1e-5))
    assert.equal("100.0", trialmod.repr(100.0))
    assert.equal("8", trialmod.repr(8))
    assert.equal("True", trialmod.repr(true))
  end)
end)

describe("RandomSearch on a cheap objective", function()
  local f = function(hp)
    local x = hp:Float("x", -2, 2)
    local k = hp:Choice("k", {1, 2, 3})
    return (x - 0.5) ^ 2 + k
  end

  local function values_of(t)
    local out = {}
    for _, tr in ipairs(t.oracle:get_best_trials(100)) do out[tr.trial_id] = tr.hyperparameters.values end
    return out
  end

  it("is reproducible with a seed, and another seed gives other trials", function()
    local d1, d2, d3 = tmp.dir(), tmp.dir(), tmp.dir()
    local Cheap = cheap(tuner.RandomSearch, f)
    local a = Cheap(nil, {max_trials = 8, directory = d1, seed = 42})
    local b = Cheap(nil, {max_trials = 8, directory = d2, seed = 42})
    local c = Cheap(nil, {max_trials = 8, directory = d3, seed = 43})
    capture(function() a:search(); b:search(); c:search() end)
    assert.same(values_of(a), values_of(b))
    assert.are_not.same(values_of(a), values_of(c))
    tmp.rmtree(d1); tmp.rmtree(d2); tmp.rmtree(d3)
  end)

  it("lays out KerasTuner's files and prints its per-trial block and summary", function()
    local dir = tmp.dir()
    local Cheap = cheap(tuner.RandomSearch, f)
    local t = Cheap(nil, {max_trials = 10, directory = dir, seed = 7, objective = tuner.Objective("score", "min")})
    function t:run_trial(trial) return {score = f(trial.hyperparameters)} end
    local out = capture(function() t:search() end)
    assert.truthy(out:find("Search: Running Trial #1\n", 1, true))
    assert.truthy(out:find("Search: Running Trial #10\n", 1, true))
    assert.truthy(out:find("Value             |Best Value So Far |Hyperparameter\n", 1, true))
    assert.truthy(out:find("Trial 10 Complete %[00h 00m %d%ds%]\nscore: "))
    assert.truthy(out:find("Best score So Far: ", 1, true))
    assert.truthy(out:find("Total elapsed time: 00h", 1, true))
    local project = dir .. "/untitled_project"
    for _, f2 in ipairs{"tuner0.json", "oracle.json", "trial_00/trial.json", "trial_09/trial.json"} do
      assert.truthy(io.open(project .. "/" .. f2), f2)
    end
    local tj = saving.load_json(project .. "/trial_03/trial.json")
    assert.equal("03", tj.trial_id)
    assert.equal("COMPLETED", tj.status)
    assert.equal(tj.score, tj.metrics.metrics.score.observations[1].value[1])
    assert.equal("min", tj.metrics.metrics.score.direction)
    assert.truthy(tj.hyperparameters.values.x)
    local oj = saving.load_json(project .. "/oracle.json")
    assert.equal(10, #oj.end_order)
    -- the summary: best first, KerasTuner's lines
    local s = capture(function() t:results_summary(3) end)
    local lines = {}
    for l in (s .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = l end
    assert.equal("Results summary", lines[1])
    assert.equal("Results in " .. project, lines[2])
    assert.equal("Showing 3 best trials", lines[3])
    assert.equal('Objective(name="score", direction="min")', lines[4])
    assert.equal("", lines[5])
    assert.truthy(lines[6]:match("^Trial %d%d summary$"))
    assert.equal("Hyperparameters:", lines[7])
    assert.truthy(lines[8]:match("^x: "))
    assert.truthy(lines[9]:match("^k: %d$"))
    local scores = {}
    for v in s:gmatch("Score: ([%d%.e%-]+)") do scores[#scores + 1] = tonumber(v) end
    assert.equal(3, #scores)
    assert.is_true(scores[1] <= scores[2] and scores[2] <= scores[3])
    local all = {}
    for _, tr in pairs(t.oracle.trials) do all[#all + 1] = tr.score end
    table.sort(all)
    assert.equal(all[1], scores[1])
    assert.equal(all[1], t.oracle:get_best_trials(1)[1].score)
    assert.equal(t.oracle:get_best_trials(1)[1].hyperparameters, t:get_best_hyperparameters(1)[1])
    tmp.rmtree(dir)
  end)

  it("reloads a finished project, and raising max_trials runs only the extra trials", function()
    local dir = tmp.dir()
    local runs = 0
    local Cheap = cheap(tuner.RandomSearch, function(hp) runs = runs + 1; return f(hp) end)
    capture(function() Cheap(nil, {max_trials = 4, directory = dir, seed = 5}):search() end)
    assert.equal(4, runs)
    local again
    local out = capture(function() again = Cheap(nil, {max_trials = 4, directory = dir, seed = 5}); again:search() end)
    assert.equal(4, runs)
    assert.truthy(out:find("Reloading Tuner from " .. dir .. "/untitled_project/tuner0.json\n", 1, true))
    capture(function() Cheap(nil, {max_trials = 7, directory = dir, seed = 5}):search() end)
    assert.equal(7, runs)
    capture(function() Cheap(nil, {max_trials = 7, directory = dir, seed = 5, overwrite = true}):search() end)
    assert.equal(14, runs)
    tmp.rmtree(dir)
  end)

  it("stops when the space is exhausted, and GridSearch walks the whole grid once", function()
    local dir = tmp.dir()
    local g = function(hp) return hp:Choice("a", {1, 2, 3}) * 10 + hp:Int("b", 0, 1) end
    local R = cheap(tuner.RandomSearch, g)
    local r = R(nil, {max_trials = 50, directory = dir, project_name = "r", seed = 1})
    capture(function() r:search() end)
    local n = 0
    for _ in pairs(r.oracle.trials) do n = n + 1 end
    assert.is_true(n <= 7, n .. " trials for 6 combinations")   -- the first trial is the default
    local G = cheap(tuner.GridSearch, g)
    local gs = G(nil, {directory = dir, project_name = "g"})
    capture(function() gs:search() end)
    local seen, count = {}, 0
    for _, tr in pairs(gs.oracle.trials) do
      local v = tr.hyperparameters.values
      local key = v.a .. "/" .. v.b
      assert.is_nil(seen[key], "twice: " .. key)
      seen[key] = true
      count = count + 1
    end
    assert.equal(6, count)
    assert.equal(10, gs.oracle:get_best_trials(1)[1].score)
    tmp.rmtree(dir)
  end)

  it("rejects unknown options and a bad objective by name", function()
    local R = cheap(tuner.RandomSearch, f)
    assert.has_error(function() R(nil, {max_trails = 3}) end, "bad argument to 'CheapRandomSearch' (unknown option 'max_trails')")
    assert.has_error(function() R(nil, {objective = 3}) end)
    assert.has_error(function() tuner.RandomSearch(42, {}) end)
    assert.has_error(function() tuner.Hyperband(nil, {max_trials = 3}) end)
  end)

  it("marks a failing trial and stops after max_consecutive_failed_trials", function()
    local dir = tmp.dir()
    local Bad = cheap(tuner.RandomSearch, function(hp) hp:Float("x", 0, 1); error("boom") end)
    local t = Bad(nil, {max_trials = 10, directory = dir, max_consecutive_failed_trials = 2})
    local ok, err
    capture(function() ok, err = pcall(t.search, t) end)
    assert.is_false(ok)
    assert.truthy(tostring(err):find("Number of consecutive failures exceeded the limit of 2", 1, true))
    local tj = saving.load_json(dir .. "/untitled_project/trial_01/trial.json")
    assert.equal("FAILED", tj.status)
    assert.truthy(tj.message:find("boom", 1, true))
    tmp.rmtree(dir)
  end)
end)

describe("Hyperband", function()
  it("has KerasTuner's brackets for max_epochs = 27, factor = 3", function()
    local o = tuner.HyperbandOracle.new{max_epochs = 27, factor = 3}
    assert.equal(4, o:num_brackets())
    -- {models, epochs} per round, bracket 3 (most aggressive) down to bracket 0
    local want = {
      [3] = {{27, 1}, {9, 3}, {3, 9}, {1, 27}},
      [2] = {{12, 3}, {4, 9}, {2, 27}},
      [1] = {{6, 9}, {2, 27}},
      [0] = {{4, 27}},
    }
    for b = 3, 0, -1 do
      for r, se in ipairs(want[b]) do
        assert.equal(se[1], o:size(b, r - 1), ("size(%d, %d)"):format(b, r - 1))
        assert.equal(se[2], o:epochs(b, r - 1), ("epochs(%d, %d)"):format(b, r - 1))
      end
    end
    local o8 = tuner.HyperbandOracle.new{max_epochs = 8, factor = 2}   -- KerasTuner's own test
    assert.equal(4, o8:num_brackets())
    assert.equal(8, o8:size(3, 0)); assert.equal(1, o8:epochs(3, 0))
    assert.equal(1, o8:size(3, 3)); assert.equal(8, o8:epochs(3, 3))
    assert.equal(4, o8:size(0, 0)); assert.equal(8, o8:epochs(0, 0))
  end)

  it("runs every bracket, promoting the best of each round with its epochs", function()
    local dir = tmp.dir()
    local Cheap = cheap(tuner.Hyperband, function(hp)
      local x = hp:Float("x", 0, 1)
      return (x - 0.3) ^ 2 + 1 / hp.values["tuner/epochs"]
    end)
    local t = Cheap(nil, {max_epochs = 27, factor = 3, directory = dir, seed = 11})
    capture(function() t:search() end)
    local trials = t.oracle.trials
    local n = 0
    for _ in pairs(trials) do n = n + 1 end
    assert.equal(27 + 9 + 3 + 1 + 12 + 4 + 2 + 6 + 2 + 4, n)
    assert.truthy(trials["0000"])
    -- each promoted trial continues the best not-yet-promoted trial of its bracket's previous round
    local by_round = {}
    for id, tr in pairs(trials) do
      local v = tr.hyperparameters.values
      local key = v["tuner/bracket"] .. "/" .. v["tuner/round"]
      by_round[key] = (by_round[key] or 0) + 1
      if v["tuner/round"] > 0 then
        local past = trials[v["tuner/trial_id"]]
        assert.truthy(past, id)
        assert.equal(v["tuner/round"] - 1, past.hyperparameters.values["tuner/round"])
        assert.equal(past.hyperparameters.values.x, v.x)
        assert.equal(past.hyperparameters.values["tuner/epochs"], v["tuner/initial_epoch"])
      end
    end
    assert.equal(27, by_round["3/0"]); assert.equal(9, by_round["3/1"]); assert.equal(1, by_round["3/3"])
    assert.equal(12, by_round["2/0"]); assert.equal(2, by_round["2/2"]); assert.equal(4, by_round["0/0"])
    tmp.rmtree(dir)
  end)
end)

describe("cv.plot.tuner_results", function()
  it("draws the score by trial and one panel per hyperparameter, the best trial marked", function()
    local dir = tmp.dir()
    local Cheap = cheap(tuner.RandomSearch, function(hp)
      local lr = hp:Float("lr", 1e-4, 1e-2, {sampling = "log"})
      local act = hp:Choice("act", {"relu", "tanh"})
      hp:Fixed("batch", 32)
      return math.abs(math.log(lr, 10) + 3) + (act == "tanh" and 1 or 0)
    end)
    local t = Cheap(nil, {max_trials = 6, directory = dir, seed = 3})
    capture(function() t:search() end)
    local path = dir .. "/results.png"
    local fig = cv.plot.tuner_results(t, {path = path})
    assert.equal(3, #fig.axes)          -- score by trial, lr, act (Fixed is not tuned)
    assert.equal("log10(lr)", fig.axes[2].xlabel.text)
    local lines = fig.axes[1].artists
    assert.equal(2, #lines)             -- the trials, the best so far
    local best = t.oracle:get_best_trials(1)[1]
    -- the best-so-far line ends at the best score
    local by = lines[2].y or lines[2].ys
    assert.equal(best.score, by[#by])
    local f = assert(io.open(path, "rb"))
    assert.equal("\137PNG", f:read(4))
    f:close()
    -- trials are numbered by their ids, as results_summary prints them ("Trial 00")
    local xs = lines[1].x or lines[1].xs
    local ids = {}
    for id in pairs(t.oracle.trials) do ids[#ids + 1] = tonumber(id) end
    table.sort(ids)
    assert.same(ids, xs)
    cv.plot.close("all")
    tmp.rmtree(dir)
  end)

  it("puts a numeric Choice at equal steps, in order, labelled by its values", function()
    local dir = tmp.dir()
    local Cheap = cheap(tuner.RandomSearch, function(hp)
      return hp:Choice("learning_rate", {1e-2, 1e-4, 1e-3})
    end)
    local t = Cheap(nil, {max_trials = 3, directory = dir, seed = 1})
    capture(function() t:search() end)
    local fig = cv.plot.tuner_results(t)
    local ax = fig.axes[2]
    assert.same({1, 2, 3}, ax.xticks_spec.ticks)
    assert.same({"0.0001", "0.001", "0.01"}, ax.xticks_spec.labels)
    cv.plot.close("all")
    tmp.rmtree(dir)
  end)

  it("refuses a tuner without completed trials", function()
    local dir = tmp.dir()
    local t = cheap(tuner.RandomSearch, function() return 1 end)(nil, {max_trials = 1, directory = dir})
    assert.has_error(function() cv.plot.tuner_results(t) end, "tuner_results: the tuner has no completed trial to plot")
    assert.has_error(function() cv.plot.tuner_results({}) end, "bad argument #1 to 'tuner_results' (a cv.tuner tuner expected)")
    tmp.rmtree(dir)
  end)
end)
