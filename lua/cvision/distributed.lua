-- cvision.distributed (cv.distributed): data-parallel training and parallel work over MPI (Open MPI
-- from Debian), one process per rank with cvision's threads inside each. Start the script under
-- mpirun (`mpirun -np 2 lua5.4 train.lua`, or across hosts with `--hostfile`); without mpirun
-- every function works as a single rank (size 1).
--
-- Promises:
--  * Reductions have a fixed order (every rank adds the ranks' values in rank order), so they give
--    the same bits on every rank and in every run with the same number of ranks.
--  * model:fit{distributed = true} (or fit inside strategy:scope) splits each global batch into
--    contiguous shards, one per rank, and sums the shards' gradients in one reduction of the
--    model's flat gradient block per step: the update is the single-process update of the same
--    global batch up to float rounding (each rank sums its shard, then the shards are added).
--  * Without Open MPI installed (no cvision/mpi.so), init() is an error saying what to install;
--    nothing else in cvision needs MPI.
local core = require "cvision.core"

local M = {}

local mpi, load_err
local state = { rank = 0, size = 1, inited = false, scope = 0 }

-- the MPI binding, loaded on first use; an error names what to install when it is missing
local function binding(who)
  if mpi then return mpi end
  if load_err == nil then
    local ok, m = pcall(require, "cvision.mpi")
    if ok then mpi = m else load_err = tostring(m) end
  end
  if not mpi then
    error(("cv.distributed.%s: cvision was built without MPI (no cvision/mpi.so): install Open MPI " ..
      "(apt-get install openmpi-bin libopenmpi-dev, or `make deps`) and rebuild with `make`"):format(who), 3)
  end
  return mpi
end

--- available() --> true when cvision was built with MPI (cvision/mpi.so loads)
function M.available()
  return mpi ~= nil or (pcall(binding, "available"))
end

--- init() --> rank, size: starts MPI once (later calls return the same); size is 1 when the
-- script was not started by mpirun
function M.init()
  local m = binding("init")
  if not state.inited then
    state.rank, state.size = m.init()
    state.inited = true
  end
  return state.rank, state.size
end

--- launched() --> rank, size as mpirun's environment gives them (Open MPI's OMPI_COMM_WORLD_*,
-- MPICH's PMI_*, Slurm's SLURM_PROCID and SLURM_NTASKS under srun), without starting MPI; nil
-- when the process was not started by a launcher
function M.launched()
  local function env(...)
    for _, k in ipairs({ ... }) do
      local v = math.tointeger(tonumber(os.getenv(k) or ""))
      if v then return v end
    end
  end
  local r = env("OMPI_COMM_WORLD_RANK", "PMI_RANK", "SLURM_PROCID")
  local n = env("OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS")
  if r and n then return r, n end
  return nil
end

--- ensure() --> rank, size: init() when the process was started by mpirun (launched) or MPI is
-- started already, else the single rank 0 of 1 without starting MPI (what fit{distributed = true}
-- and Strategy() call)
function M.ensure()
  if state.inited or M.launched() then return M.init() end
  return 0, 1
end

--- rank() --> this process' rank, 0-based (0 before init)
function M.rank() return state.rank end

--- size() --> the number of ranks (1 before init)
function M.size() return state.size end

--- is_chief() --> true on rank 0: the rank that prints progress and writes checkpoints and histories
function M.is_chief() return state.rank == 0 end

--- barrier() waits until every rank has called it (nothing to wait for on one rank)
function M.barrier()
  if state.size > 1 then binding("barrier").barrier() end
end

local function check_tensor(who, t)
  if not require("cvision.tensor").is_tensor(t) then
    error(("cv.distributed.%s: a float32 tensor expected, got %s"):format(who, type(t)), 3)
  end
  local p, n, dtype = core._data_pointer(t)
  if dtype ~= "float32" then
    error(("cv.distributed.%s: a float32 tensor expected, got a %s tensor"):format(who, dtype), 3)
  end
  return p, n
end

--- allreduce(t [, {op = "sum" | "mean"}]) --> t: t's elements added (or averaged) over the ranks,
-- in place, in rank order; every rank must call it with a tensor of the same size
function M.allreduce(t, opts)
  opts = opts or {}
  for k in pairs(opts) do
    if k ~= "op" then error(("cv.distributed.allreduce: unknown option '%s' (known: op)"):format(tostring(k)), 2) end
  end
  local op = opts.op or "sum"
  if op ~= "sum" and op ~= "mean" then
    error(("cv.distributed.allreduce: op must be \"sum\" or \"mean\", got %s"):format(tostring(op)), 2)
  end
  local p, n = check_tensor("allreduce", t)
  if state.size > 1 then binding("allreduce").allreduce_floats(p, n, op == "mean") end
  return t
end

--- allreduce_numbers({x, ...}) --> a new list of the numbers summed over the ranks (in rank order)
function M.allreduce_numbers(list)
  if type(list) ~= "table" then error("cv.distributed.allreduce_numbers: a list of numbers expected", 2) end
  if state.size == 1 then return table.move(list, 1, #list, 1, {}) end
  return binding("allreduce").allreduce_numbers(list)
end

--- broadcast(t [, root = 0]) --> t: root's elements copied into t on every rank
function M.broadcast(t, root)
  local p, n = check_tensor("broadcast", t)
  root = root or 0
  if math.type(root) ~= "integer" or root < 0 or root >= state.size then
    error(("cv.distributed.broadcast: root must be a rank in 0..%d, got %s"):format(state.size - 1, tostring(root)), 2)
  end
  if state.size > 1 then binding("broadcast").broadcast_floats(p, n, root) end
  return t
end

--- broadcast_string(s, [root = 0]) --> root's string s on every rank (s is ignored elsewhere)
function M.broadcast_string(s, root)
  if state.size == 1 then return s end
  return binding("broadcast").broadcast_string(s, root or 0)
end

--- send(dest, tag, s) sends string s to rank dest (tag 0..32767)
function M.send(dest, tag, s) binding("send").send(dest, tag, s) end

--- recv([source [, tag]]) --> s, source, tag: the next message (from any rank, of any tag by default)
function M.recv(source, tag) return binding("recv").recv(source, tag) end

--- abort([code = 1]) ends every rank of the job now (MPI_Abort). A rank whose script ends with an
-- error (exit status not 0) does this by itself, so the others never wait for it forever.
function M.abort(code) binding("abort").abort(code) end

--- probe([source [, tag]]) --> true when a message (from source, of tag; any by default) is waiting
function M.probe(source, tag) return binding("probe").probe(source, tag) end

--- shard(n [, rank [, size]]) --> first, last: the rows 1..n of a global batch this rank trains
-- on (contiguous, the first n % size ranks one row more; last < first when none)
function M.shard(n, rank, size)
  rank, size = rank or state.rank, size or state.size
  local base, extra = n // size, n % size
  local first = rank * base + math.min(rank, extra) + 1
  local count = base + (rank < extra and 1 or 0)
  return first, first + count - 1
end

local Strategy = {}
Strategy.__index = Strategy

--- Strategy() --> a data-parallel strategy over all ranks (Keras' MirroredStrategy idea; starts
-- MPI when the process was started by mpirun, see ensure): strategy:scope(fn) runs fn with fit distributed; strategy.num_replicas_in_sync = size
function M.Strategy()
  M.ensure()
  return setmetatable({ num_replicas_in_sync = state.size }, Strategy)
end

--- strategy:scope(fn, ...) --> fn(...)'s results: model:fit inside it trains data-parallel
function Strategy:scope(fn, ...)
  state.scope = state.scope + 1
  local res = table.pack(pcall(fn, ...))
  state.scope = state.scope - 1
  if not res[1] then error(res[2], 0) end
  return table.unpack(res, 2, res.n)
end

--- in_scope() --> true inside a strategy's scope
function M.in_scope() return state.scope > 0 end

--- library() --> the MPI library's version string (e.g. "Open MPI v4.1.4, ...")
function M.library() return binding("library").library() end

return M
