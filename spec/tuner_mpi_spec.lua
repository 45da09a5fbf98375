-- spec/tuner_mpi_spec.lua - tuner:search under `mpirun -np 2 bin/cvision tune.lua`: both ranks run
-- trials (tuner0 and tuner1), 4 in all, rank 0 owning the oracle (the other asks it by message), with the trials (values and order of ids) a single process
-- draws; the search folder is the whole state, so the search resumes in a single process, and a
-- search begun in a single process goes on under mpirun.
local tmp = require "spec.helpers.tmpdir"
local write = require("spec.helpers.files").write

local have = require("spec.helpers.shell").have

-- mpirun as root needs the first two (CI runs as root); MPI variables of the process running the
-- specs (its own singleton MPI, if any) would make mpirun believe it runs inside a job
local MPIRUN = "for v in $(env | sed -n 's/^\\(OMPI_[^=]*\\|PMIX_[^=]*\\)=.*/\\1/p'); do unset $v; done; " ..
  "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 timeout 300 mpirun -np 2 --oversubscribe"

local function run(prefix, script, args)
  local p = io.popen(("%s bin/cvision %s %s 2>&1; echo \"exit=$?\""):format(prefix, script, args))
  local out = p:read("a")
  p:close()
  return out, tonumber(out:match("exit=(%d+)%s*$"))
end

-- a cheap search logging each run_trial call (trial id, tuner id) to <dir>/runs.log
local script = [[
local cv = require "cvision"
local dir, max_trials = arg[1], tonumber(arg[2])
local Cheap = cv.tuner.subclass("Cheap", cv.tuner.RandomSearch)
function Cheap:run_trial(trial)
  local f = assert(io.open(dir .. "/runs.log", "a"))
  f:write(trial.trial_id, " ", self.tuner_id, "\n")
  f:close()
  os.execute("sleep 0.2")          -- long enough for both ranks to take trials
  local x = trial.hyperparameters:Float("x", -1, 1)
  return x * x
end
local t = Cheap(nil, {max_trials = max_trials, directory = dir, seed = 9})
t:search(nil, nil, {verbose = 0})
local ids = {}
for id, tr in pairs(t.oracle.trials) do ids[#ids + 1] = id .. "=" .. tostring(tr.hyperparameters.values.x) .. ":" .. tr.status end
table.sort(ids)
print("trials " .. table.concat(ids, " "))
]]

local function runs(dir)
  local ids, who = {}, {}
  for l in io.lines(dir .. "/runs.log") do
    local id, t = l:match("^(%S+) (%S+)")
    ids[#ids + 1] = id
    who[t] = (who[t] or 0) + 1
  end
  table.sort(ids)
  return ids, who
end

describe("tuner:search under mpirun -np 2", function()
  it("runs 4 trials on 2 ranks, then resumes them in a single process, and back", function()
    assert(have("mpirun"), "mpirun is not installed: make deps installs openmpi-bin")
    local dir, one = tmp.dir(), tmp.dir()
    write(dir .. "/cheap.lua", script)
    write(one .. "/cheap.lua", script)
    local out, code = run(MPIRUN, dir .. "/cheap.lua", dir .. " 4")
    assert.equal(0, code, out)
    local ids, who = runs(dir)
    assert.same({ "0", "1", "2", "3" }, ids)
    assert.truthy(who.tuner0 and who.tuner1, "both ranks ran trials: " .. out)
    -- rank 0 owns the oracle: no rank took the project's lock (the workers' way of sharing it)
    assert.is_nil(io.open(dir .. "/untitled_project/oracle.lock"), "a rank locked the oracle's folder")
    -- both ranks end with the whole search, the same one a single process makes
    local lines = {}
    for l in out:gmatch("trials [^\n]*") do lines[#lines + 1] = l end
    assert.equal(2, #lines, out)
    assert.equal(lines[1], lines[2])
    assert.falsy(lines[1]:find(":RUNNING", 1, true))
    local single = run("", one .. "/cheap.lua", one .. " 4")
    assert.equal(single:match("trials [^\n]*"), lines[1])
    -- resumed without MPI: 2 more trials, the first 4 kept
    out, code = run("", dir .. "/cheap.lua", dir .. " 6")
    assert.equal(0, code, out)
    assert.truthy(out:find("Reloading Tuner from", 1, true), out)
    ids = runs(dir)
    assert.same({ "0", "1", "2", "3", "4", "5" }, ids)
    assert.truthy(out:match("trials [^\n]*"):find(lines[1]:match("^trials (0=[^ ]+ 1=[^ ]+ 2=[^ ]+ 3=[^ ]+)"), 1, true))
    -- and a single-process search goes on under mpirun
    out, code = run(MPIRUN, dir .. "/cheap.lua", dir .. " 8")
    assert.equal(0, code, out)
    assert.same({ "0", "1", "2", "3", "4", "5", "6", "7" }, (runs(dir)))
    local single8 = run("", one .. "/cheap.lua", one .. " 8")
    assert.equal(single8:match("trials [^\n]*"), out:match("trials [^\n]*"))
    tmp.rmtree(dir); tmp.rmtree(one)
  end)
end)
