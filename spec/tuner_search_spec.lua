-- spec/tuner_search_spec.lua: cv.tuner searching real (tiny) models: fit options passed through,
-- the best epoch's weights kept and restored, a search killed mid-trial resumed, trials in
-- worker processes
local cv = require "cvision"
local tuner = require "cvision.tuner"
local saving = require "cvision.saving"
local tmp = require "spec.helpers.tmpdir"

local capture = require "spec.helpers.capture"

-- a small Poisson regression: counts with rate exp(0.4 x1 - 0.3 x2)
local function data(n, seed)
  cv.manual_seed(seed)
  local x = cv.randn({n, 3})
  local y = cv.zeros({n, 1})
  local u = cv.rand({n})
  for i = 1, n do
    local rate = math.exp(0.4 * x[i][1] - 0.3 * x[i][2])
    -- inverse-cdf Poisson draw
    local k, p, c, target = 0, math.exp(-rate), math.exp(-rate), u[i]
    while target > c and k < 30 do k = k + 1; p = p * rate / k; c = c + p end
    y[i][1] = k
  end
  return x, y
end

local function build_model(hp)
  local model = cv.Sequential()
  model:add(cv.Input{shape = {3}})
  model:add(cv.layers.Dense(hp:Choice("neurons", {4, 8}), {activation = hp:Choice("activation", {"relu", "tanh"})}))
  model:add(cv.layers.Dense(1, {activation = "exponential"}))
  model:compile{optimizer = cv.optimizers.Adam{learning_rate = hp:Float("lr", 1e-3, 3e-2, {sampling = "log"})},
    loss = "poisson"}
  return model
end

describe("tuner:search with models", function()
  local x, y = data(256, 1)
  local xv, yv = data(128, 2)

  it("passes fit's options through and restores the best epoch's weights", function()
    local dir = tmp.dir()
    local t = tuner.RandomSearch(build_model, {objective = "val_loss", max_trials = 3, directory = dir, seed = 4})
    local es = cv.callbacks.EarlyStopping{patience = 2, restore_best_weights = true}
    capture(function() t:search(x, y, {epochs = 4, batch_size = 32, callbacks = {es}, validation_data = {xv, yv}, verbose = 0}) end)
    local best = t.oracle:get_best_trials(1)[1]
    assert.equal("COMPLETED", best.status)
    local model = t:get_best_models(1)[1]
    assert.is_true(cv.models.is_model(model))
    local logs = model:evaluate(xv, yv, {verbose = 0, return_dict = true})
    assert.near(best.score, logs.loss, 1e-5)
    -- the score is the best epoch's val_loss in the trial's metrics
    local tj = saving.load_json(dir .. "/untitled_project/trial_" .. best.trial_id .. "/trial.json")
    assert.equal(best.score, tj.metrics.metrics.val_loss.observations[1].value[1])
    assert.truthy(tj.metrics.metrics.loss)
    assert.truthy(io.open(dir .. "/untitled_project/trial_" .. best.trial_id .. "/checkpoint.weights.safetensors"))
    tmp.rmtree(dir)
  end)

  it("records only the hyperparameters a trial reached (neurons_{i} of the lecture)", function()
    local dir = tmp.dir()
    local function layered(hp)
      local model = cv.Sequential()
      model:add(cv.Input{shape = {3}})
      for i = 0, hp:Int("numHiddenLayers", 1, 3) - 1 do
        model:add(cv.layers.Dense(hp:Choice("neurons_" .. i, {4, 8}), {activation = "relu"}))
      end
      model:add(cv.layers.Dense(1, {activation = "exponential"}))
      model:compile{optimizer = cv.optimizers.Adam{learning_rate = 0.01}, loss = "poisson"}
      return model
    end
    local t = tuner.RandomSearch(layered, {objective = "val_loss", max_trials = 6, directory = dir, seed = 2})
    capture(function() t:search(x, y, {epochs = 1, validation_data = {xv, yv}, verbose = 0}) end)
    local deep = 0
    for _, tr in pairs(t.oracle.trials) do
      local v = tr.hyperparameters.values
      for i = 0, 2 do
        assert.equal(i < v.numHiddenLayers, v["neurons_" .. i] ~= nil,
          ("trial %s: %d layers, neurons_%d = %s"):format(tr.trial_id, v.numHiddenLayers, i, tostring(v["neurons_" .. i])))
      end
      if v.numHiddenLayers > 1 then deep = deep + 1 end
    end
    assert.is_true(deep > 0)
    tmp.rmtree(dir)
  end)

  it("names the missing objective when there is no validation data", function()
    local dir = tmp.dir()
    local t = tuner.RandomSearch(build_model, {objective = "val_loss", max_trials = 1, directory = dir,
      max_consecutive_failed_trials = 1})
    local ok, err
    capture(function() ok, err = pcall(t.search, t, x, y, {epochs = 1, verbose = 0}) end)
    assert.is_false(ok)
    assert.truthy(tostring(err):find("the objective val_loss is not in the history", 1, true), err)
    tmp.rmtree(dir)
  end)
end)

-- the scripts below run in their own bin/cvision processes
local bin = "bin/cvision"

local function run(script, args)
  local p = io.popen(bin .. " " .. script .. " " .. (args or "") .. " 2>&1; echo \"exit=$?\"")
  local out = p:read("a")
  p:close()
  return out, tonumber(out:match("exit=(%d+)%s*$"))
end

local write = require("spec.helpers.files").write

-- a cheap search that logs every run_trial call to <dir>/runs.log, and kills its own process in
-- the trial named by argument 3 (SIGKILL: nothing is cleaned up)
local cheap_script = [[
local cv = require "cvision"
local dir, max_trials, kill_at, workers = arg[1], tonumber(arg[2]), arg[3], tonumber(arg[4] or "1")
local Cheap = cv.tuner.subclass("Cheap", cv.tuner.RandomSearch)
function Cheap:run_trial(trial)
  local f = assert(io.open(dir .. "/runs.log", "a"))
  f:write(trial.trial_id, " ", os.getenv("CVISION_TUNER_ID") or "-", " ", os.getenv("CVISION_NUM_THREADS") or "-", "\n")
  f:close()
  if trial.trial_id == kill_at then cv.core.proc.kill(cv.core.proc.pid(), 9) end
  if workers > 1 then os.execute("sleep 0.1") end   -- long enough for both workers to take trials
  local x = trial.hyperparameters:Float("x", -1, 1)
  return x * x
end
local t = Cheap(nil, {max_trials = max_trials, directory = dir, seed = 9})
t:search(nil, nil, {workers = workers, verbose = 0})
local ids = {}
for id, tr in pairs(t.oracle.trials) do ids[#ids + 1] = id .. "=" .. tostring(tr.hyperparameters.values.x) .. ":" .. tr.status end
table.sort(ids)
print("trials " .. table.concat(ids, " "))
]]

local function runs(dir)
  local out = {}
  for l in io.lines(dir .. "/runs.log") do out[#out + 1] = l:match("^(%S+)") end
  return out
end

describe("an interrupted search", function()
  it("resumes after SIGKILL and redoes only the trial that was running", function()
    local dir = tmp.dir()
    write(dir .. "/cheap.lua", cheap_script)
    local out, code = run(dir .. "/cheap.lua", dir .. " 6 3")
    assert.equal(137, code, out)
    assert.same({"0", "1", "2", "3"}, runs(dir))
    local tj = saving.load_json(dir .. "/untitled_project/trial_3/trial.json")
    assert.equal("RUNNING", tj.status)
    out, code = run(dir .. "/cheap.lua", dir .. " 6 none")
    assert.equal(0, code, out)
    assert.truthy(out:find("Reloading Tuner from " .. dir .. "/untitled_project/tuner0.json", 1, true))
    assert.same({"0", "1", "2", "3", "3", "4", "5"}, runs(dir))
    assert.falsy(out:find(":RUNNING", 1, true), out)
    -- the same trials as a search never interrupted
    local dir2 = tmp.dir()
    write(dir2 .. "/cheap.lua", cheap_script)
    local out2 = run(dir2 .. "/cheap.lua", dir2 .. " 6 none")
    assert.equal(out:match("trials [^\n]*"), out2:match("trials [^\n]*"))
    tmp.rmtree(dir); tmp.rmtree(dir2)
  end)
end)

describe("search{workers = n}", function()
  it("runs the trials in n processes sharing the project, with the same trials as one process", function()
    local dir, dir1 = tmp.dir(), tmp.dir()
    write(dir .. "/cheap.lua", cheap_script)
    write(dir1 .. "/cheap.lua", cheap_script)
    local out, code = run(dir .. "/cheap.lua", dir .. " 8 none 2")
    assert.equal(0, code, out)
    local one = run(dir1 .. "/cheap.lua", dir1 .. " 8 none 1")
    assert.equal(one:match("trials [^\n]*"), out:match("trials [^\n]*"))
    local ids, tuners = {}, {}
    for l in io.lines(dir .. "/runs.log") do
      local id, who, threads = l:match("^(%S+) (%S+) (%S+)")
      ids[#ids + 1] = id
      tuners[who] = true
      -- the chief runs the first trial itself (the space is unknown before it), workers the rest,
      -- each with its share of the cores
      if who ~= "-" then assert.equal(tostring(math.max(1, cv.get_num_threads() // 2)), threads) end
    end
    table.sort(ids)
    assert.same({"0", "1", "2", "3", "4", "5", "6", "7"}, ids)
    assert.truthy(tuners.tuner0 and tuners.tuner1, "both workers ran trials")
    tmp.rmtree(dir); tmp.rmtree(dir1)
  end)
end)

describe("Hyperband with models", function()
  it("continues a promoted trial from the weights its earlier round kept", function()
    local x, y = data(128, 3)
    local xv, yv = data(64, 4)
    local dir = tmp.dir()
    local HB = tuner.subclass("WatchedHyperband", tuner.Hyperband)
    local seen = {}
    function HB:_build_for_trial(hp)
      local m = tuner.Hyperband._build_for_trial(self, hp)
      local past = hp.values["tuner/trial_id"]
      if past then seen[#seen + 1] = {past = past, w = m:get_weights()} end
      return m
    end
    local t = HB(build_model, {objective = "val_loss", max_epochs = 3, factor = 3, directory = dir, seed = 8})
    capture(function() t:search(x, y, {validation_data = {xv, yv}, verbose = 0}) end)
    assert.is_true(#seen > 0, "no trial was promoted")
    for _, s in ipairs(seen) do
      local fresh = t:load_model(t.oracle.trials[s.past])
      local w = fresh:get_weights()
      assert.equal(#w, #s.w)
      for i = 1, #w do assert.equal(w[i]:sum(), s.w[i]:sum()) end
    end
    -- promoted trials trained from tuner/initial_epoch to tuner/epochs
    for _, tr in pairs(t.oracle.trials) do
      local v = tr.hyperparameters.values
      if v["tuner/round"] > 0 then
        assert.equal(1, v["tuner/initial_epoch"])
        assert.equal(3, v["tuner/epochs"])
        assert.equal("COMPLETED", tr.status)
      end
    end
    tmp.rmtree(dir)
  end)
end)

describe("a HyperModel with its own fit", function()
  it("is fitted executions_per_trial times and scored by the mean of its best epochs", function()
    local dir = tmp.dir()
    local fits = 0
    local hm = {}
    function hm:build(hp)
      hp:Choice("neurons", {4, 8})
      return build_model(hp)
    end
    function hm:fit(_hp, _model, _x, _y, opts)
      fits = fits + 1
      assert.equal(2, opts.epochs)
      -- a made-up history: the best val_loss is 0.5 in the first execution, 0.7 in the second
      local best = fits % 2 == 1 and 0.5 or 0.7
      return {history = {val_loss = {best + 0.2, best, best + 0.1}, loss = {1, 0.9, 0.8}}, epoch = {1, 2, 3}}
    end
    local t = tuner.RandomSearch(hm, {objective = "val_loss", max_trials = 1, directory = dir, executions_per_trial = 2})
    capture(function() t:search(nil, nil, {epochs = 2, verbose = 0}) end)
    assert.equal(2, fits)
    local tr = t.oracle:get_best_trials(1)[1]
    assert.near(0.6, tr.score, 1e-12)
    assert.near(0.9, tr.metrics.loss.observations[1].value[1], 1e-12)
    assert.equal(2, tr.best_step)
    assert.has_error(function() tuner.RandomSearch(hm, {executions_per_trial = 0, directory = dir}) end,
      "bad argument to 'RandomSearch' (executions_per_trial must be a positive integer)")
    tmp.rmtree(dir)
  end)
end)
