-- spec/distributed_spec.lua - cv.distributed: on one rank the functions work as a single rank and
-- check their arguments (without starting MPI in this process: see the first test); under
-- `mpirun -np 2 --oversubscribe` (when Open MPI is installed: `make deps`) a data-parallel fit of
-- the lecture CNN (10 steps of 16 images) ends with the same weights
-- on both ranks, the same bits in a second run, and the single-process run's weights and history
-- for the same global batches up to float rounding (the ranks add two half-batch sums where one
-- process adds the whole batch at once).
local cv = require "cvision"
local dist = cv.distributed
local tmp = require "spec.helpers.tmpdir"

local have = require("spec.helpers.shell").have
local files = require "spec.helpers.files"
local read = files.read

local function numbers(path)
  local out = {}
  for line in io.lines(path) do out[#out + 1] = tonumber(line) end
  return out
end


-- mpirun as root needs these (CI runs as root); --oversubscribe: 2 ranks on any core count. MPI
-- variables of the environment the specs run in (the specs under mpirun, say) would make mpirun
-- believe it runs inside a job: its OMPI_ and PMIX_ variables are dropped first.
local MPIRUN = "for v in $(env | sed -n 's/^\\(OMPI_[^=]*\\|PMIX_[^=]*\\)=.*/\\1/p'); do unset $v; done; " ..
  "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1 " ..
  "timeout 300 mpirun -np 2 --oversubscribe"   -- a hang fails instead of stalling the suite

describe("cv.distributed on one rank", function()
  it("is built here, and started without mpirun it is one rank", function()
    -- MPI itself runs in a process of its own: Open MPI keeps allocations to the end that
    -- LeakSanitizer (make check) would report in this one; the rest of this block needs no MPI
    local out = require("spec.helpers.shell").output([[lua5.4 -e 'package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
      package.cpath = "./lua/?.so;" .. package.cpath
      local d = require("cvision").distributed
      print(d.available(), d.init()); print(d.rank(), d.size(), d.is_chief()); d.barrier()
      print(d.library())' 2>&1]])
    assert.truthy(out:find("^true\t0\t1\n0\t1\ttrue\n"), out)
    assert.truthy(out:find("MPI", 1, true), out)
    assert.are.same({ 0, 1, true }, { dist.rank(), dist.size(), dist.is_chief() })
  end)

  it("reduces and broadcasts in place, and checks what it is given", function()
    local t = cv.core.tensor({ 1, 2, 3 })
    assert.equal(t, dist.allreduce(t))
    assert.same({ 1, 2, 3 }, t:totable())
    dist.allreduce(t, { op = "mean" })
    assert.same({ 1, 2, 3 }, t:totable())
    assert.same({ 4, 5 }, dist.allreduce_numbers({ 4, 5 }))
    assert.equal(t, dist.broadcast(t))
    assert.has_error(function() dist.allreduce(t, { op = "max" }) end,
      'cv.distributed.allreduce: op must be "sum" or "mean", got max')
    assert.has_error(function() dist.allreduce(t, { opp = "sum" }) end,
      "cv.distributed.allreduce: unknown option 'opp' (known: op)")
    assert.has_error(function() dist.allreduce({ 1, 2 }) end,
      "cv.distributed.allreduce: a float32 tensor expected, got table")
    assert.has_error(function() dist.allreduce(require("cvision.tensor").zeros({ 2 }, "uint8")) end,
      "cv.distributed.allreduce: a float32 tensor expected, got a uint8 tensor")
    assert.has_error(function() dist.broadcast(t, 3) end,
      "cv.distributed.broadcast: root must be a rank in 0..0, got 3")
  end)

  it("tells a launcher from its environment, and starts no MPI without one", function()
    local sh = require("spec.helpers.shell").output
    local probe = [[lua5.4 -e 'package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
      package.cpath = "./lua/?.so;" .. package.cpath
      print(require("cvision.distributed").launched())' 2>&1]]
    assert.equal("1\t3\n", sh("env -u PMI_RANK -u SLURM_PROCID OMPI_COMM_WORLD_RANK=1 OMPI_COMM_WORLD_SIZE=3 " .. probe))
    assert.equal("0\t2\n", sh("env -u OMPI_COMM_WORLD_RANK -u PMI_RANK SLURM_PROCID=0 SLURM_NTASKS=2 " .. probe))
    assert.equal("nil\n", sh("env -u OMPI_COMM_WORLD_RANK -u PMI_RANK -u SLURM_PROCID " .. probe))
    if not dist.launched() then
      assert.same({ 0, 1 }, { dist.ensure() })
      assert.is_nil(package.loaded["cvision.mpi"], "ensure() started MPI without a launcher")
    end
  end)

  it("shards a global batch into contiguous parts, the first ranks one row more", function()
    assert.same({ 1, 8 }, { dist.shard(16, 0, 2) })
    assert.same({ 9, 16 }, { dist.shard(16, 1, 2) })
    assert.same({ 1, 3 }, { dist.shard(7, 0, 3) })
    assert.same({ 4, 5 }, { dist.shard(7, 1, 3) })
    assert.same({ 6, 7 }, { dist.shard(7, 2, 3) })
    local a, z = dist.shard(1, 1, 2)
    assert.is_true(z < a, "rank 1 has no row of a 1-row batch")
  end)

  it("shards a folder dataset's batches into disjoint parts, and checks its arguments", function()
    local d = tmp.dir()
    for _, c in ipairs({ "x", "y" }) do
      os.execute(("mkdir -p '%s/%s'"):format(d, c))
      for i = 1, 5 do cv.imwrite(("%s/%s/%d.png"):format(d, c, i), require("cvision.tensor").zeros({ 4, 4, 1 }, "uint8")) end
    end
    local ds = cv.data.image_dataset_from_directory(d, { batch_size = 4, shuffle = false, image_size = { 4, 4 },
      color_mode = "grayscale", verbose = false })
    local p0, p1 = ds:shard(2, 0), ds:shard(2, 1)
    assert.equal(#ds, #p0)
    assert.truthy(tostring(p1):find("part 1 of 2", 1, true))
    local rows0, rows1 = {}, {}
    for x, _, whole in p0:batches() do rows0[#rows0 + 1] = { x and x.shape[1] or 0, whole } end
    for x, _, whole in p1:batches() do rows1[#rows1 + 1] = { x and x.shape[1] or 0, whole } end
    -- 10 files in batches of 4, 4, 2: halves of 2 and 2, 2 and 2, 1 and 1
    assert.same({ { 2, 4 }, { 2, 4 }, { 1, 2 } }, rows0)
    assert.same({ { 2, 4 }, { 2, 4 }, { 1, 2 } }, rows1)
    local p4 = ds:shard(4, 3)
    local last
    for x, _, whole in p4:batches() do last = { x, whole } end
    assert.same({ false, 2 }, last)           -- a batch of 2 rows has none for part 3 of 4
    assert.has_error(function() ds:shard(0, 0) end,
      "bad argument #1 to 'shard' (num_shards must be a positive integer, got 0)")
    assert.has_error(function() ds:shard(2, 2) end, "bad argument #2 to 'shard' (index must be an integer in 0..1, got 2)")
    -- a part of a dataset trains only in a distributed fit
    local m = cv.Sequential { cv.Input { 4, 4, 1 }, cv.layers.Flatten(), cv.layers.Dense(2) }
    m:compile { optimizer = "sgd", loss = "sparse_categorical_crossentropy" }
    assert.has_error(function() m:fit(p0, { verbose = 0 }) end,
      "fit: a sharded dataset trains only in a distributed fit (distributed = true)")
    tmp.rmtree(d)
  end)

  it("runs a scope's function with fit distributed, and passes its results and errors", function()
    local s = dist.Strategy()
    assert.equal(1, s.num_replicas_in_sync)
    assert.is_false(dist.in_scope())
    assert.same({ true, 7 }, { s:scope(function(v) return dist.in_scope(), v end, 7) })
    assert.is_false(dist.in_scope())
    assert.has_error(function() s:scope(function() error("boom", 0) end) end, "boom")
    assert.is_false(dist.in_scope())
  end)
end)

describe("a data-parallel fit under mpirun -np 2", function()
  local d
  before_each(function() d = tmp.dir() end)
  after_each(function() tmp.rmtree(d) end)

  it("gives both ranks the single-process weights of the same global batches", function()
    assert(have("mpirun"), "mpirun is not installed: make deps installs openmpi-bin")
    local helper = "spec/helpers/mpi_fit.lua"
    local ok1 = os.execute(("lua5.4 %s '%s' single > '%s/single.log' 2>&1"):format(helper, d, d))
    assert.is_true(ok1 == true, read(d .. "/single.log"))
    for run = 1, 2 do
      local ok = os.execute(("%s lua5.4 %s '%s' distributed > '%s/mpirun.log' 2>&1"):format(MPIRUN, helper, d, d))
      assert.is_true(ok == true, read(d .. "/mpirun.log"))
      local r0, r1 = read(d .. "/distributed-0.txt"), read(d .. "/distributed-1.txt")
      assert.equal(r0, r1, "the two ranks' weights differ")
      if run == 1 then os.rename(d .. "/distributed-0.txt", d .. "/first.txt")
      else assert.equal(read(d .. "/first.txt"), r0, "a second run gave other bits") end
    end
    local single, distributed = numbers(d .. "/single-0.txt"), numbers(d .. "/first.txt")
    assert.equal(#single, #distributed)
    assert.is_true(#single > 5000)
    -- the history: loss and accuracy of the two epochs
    for i = 1, 4 do assert.near(single[i], distributed[i], 1e-5) end
    local worst = 0
    for i = 5, #single do worst = math.max(worst, math.abs(single[i] - distributed[i])) end
    assert.is_true(worst < 1e-4, "largest weight difference " .. worst)
  end)

  it("ends every rank when one fails, instead of leaving the others waiting", function()
    assert(have("mpirun"), "mpirun is not installed: make deps installs openmpi-bin")
    local script = d .. "/fail.lua"
    files.write(script, [[package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath
local cv = require "cvision"
local rank = cv.distributed.init()
if rank == 1 then error("rank 1 fails") end
cv.distributed.allreduce(cv.tensor({1}))      -- rank 0 waits here for rank 1
print("rank 0 went on")
]])
    local out = require("spec.helpers.shell").output(("%s timeout 60 lua5.4 '%s' 2>&1; echo \"exit=$?\""):format(MPIRUN, script))
    assert.truthy(out:find("rank 1 fails", 1, true), out)
    assert.is_nil(out:find("rank 0 went on", 1, true))
    local code = tonumber(out:match("exit=(%d+)%s*$"))
    assert.is_true(code ~= 0 and code ~= 124, "mpirun ended with " .. tostring(code) .. ": " .. out)
    -- and cv.distributed.abort(code) ends them at once, by hand
    files.write(script, (files.read(script):gsub('error%("rank 1 fails"%)', "cv.distributed.abort(3)")))
    out = require("spec.helpers.shell").output(("%s timeout 60 lua5.4 '%s' 2>&1; echo \"exit=$?\""):format(MPIRUN, script))
    assert.is_nil(out:find("rank 0 went on", 1, true))
    code = tonumber(out:match("exit=(%d+)%s*$"))
    assert.is_true(code ~= 0 and code ~= 124, "mpirun ended with " .. tostring(code) .. ": " .. out)
  end)

  it("keeps BatchNormalization's moving statistics the same on every rank", function()
    assert(have("mpirun"), "mpirun is not installed: make deps installs openmpi-bin")
    local ok = os.execute(("%s lua5.4 spec/helpers/mpi_fit.lua '%s' bn > '%s/mpirun.log' 2>&1"):format(MPIRUN, d, d))
    assert.is_true(ok == true, read(d .. "/mpirun.log"))
    assert.equal(read(d .. "/distributed-0.txt"), read(d .. "/distributed-1.txt"))
  end)

  it("resumes from rank 0's BackupAndRestore backup on every rank, as a run never stopped", function()
    assert(have("mpirun"), "mpirun is not installed: make deps installs openmpi-bin")
    local helper = "spec/helpers/mpi_fit.lua"
    local function mpi(args)
      local ok = os.execute(("%s lua5.4 %s %s > '%s/mpirun.log' 2>&1"):format(MPIRUN, helper, args, d))
      assert.is_true(ok == true, read(d .. "/mpirun.log"))
    end
    mpi(("'%s' distributed 3"):format(d))
    local whole = read(d .. "/distributed-0.txt")
    os.execute(("mkdir -p '%s/bk'"):format(d))
    mpi(("'%s' distributed 2 '%s/bk'"):format(d, d))            -- stopped after 2 epochs
    assert.is_truthy(io.open(d .. "/bk/backup.safetensors"), "rank 0 wrote the backup")
    mpi(("'%s' distributed 3 '%s/bk'"):format(d, d))            -- resumed for the third
    local resumed0, resumed1 = read(d .. "/distributed-0.txt"), read(d .. "/distributed-1.txt")
    assert.equal(resumed0, resumed1)
    -- the weights (the history of a resumed run holds only its last epoch) are the whole run's
    local w = numbers(d .. "/distributed-0.txt")
    local all = {}
    for v in whole:gmatch("[^\n]+") do all[#all + 1] = tonumber(v) end
    assert.equal(#all - 6, #w)
    for i = 1, #w do assert.equal(all[i + 6], w[i]) end
  end)

  -- the lines of a read log, split at its "epoch" marks: {{files of epoch 1}, {...}}
  local function epochs(path)
    local out = {}
    for line in io.lines(path) do
      if line == "epoch" then out[#out + 1] = {} else table.insert(out[#out], line) end
    end
    return out
  end

  it("shards an image_dataset_from_directory dataset: each rank reads only its files", function()
    assert(have("mpirun"), "mpirun is not installed: make deps installs openmpi-bin")
    local helper = "spec/helpers/mpi_dataset_fit.lua"
    local ok1 = os.execute(("lua5.4 %s '%s' single > '%s/single.log' 2>&1"):format(helper, d, d))
    assert.is_true(ok1 == true, read(d .. "/single.log"))
    local ok = os.execute(("%s lua5.4 %s '%s' distributed > '%s/mpirun.log' 2>&1"):format(MPIRUN, helper, d, d))
    assert.is_true(ok == true, read(d .. "/mpirun.log"))
    assert.equal(read(d .. "/distributed-0.txt"), read(d .. "/distributed-1.txt"))
    local e0, e1, es = epochs(d .. "/distributed-read-0.txt"), epochs(d .. "/distributed-read-1.txt"),
      epochs(d .. "/single-read-0.txt")
    assert.equal(2, #e0)
    for k = 1, 2 do
      -- the ranks' parts of the epoch: disjoint, together every file the single process read
      local seen = {}
      for _, f in ipairs(e0[k]) do seen[f] = 0 end
      for _, f in ipairs(e1[k]) do
        assert.is_nil(seen[f], f .. " read by both ranks")
        seen[f] = 1
      end
      local n = 0
      for _, f in ipairs(es[k]) do assert.truthy(seen[f], f); n = n + 1 end
      assert.equal(27, n)
      assert.equal(27, #e0[k] + #e1[k])
      assert.is_true(#e0[k] > 0 and #e1[k] > 0)
    end
    local single, distributed = numbers(d .. "/single-0.txt"), numbers(d .. "/distributed-0.txt")
    assert.equal(#single, #distributed)
    for i = 1, #single do assert.near(single[i], distributed[i], 1e-5) end
  end)
end)
