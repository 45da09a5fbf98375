-- cvision.tuner.remote: a search's oracle over MPI ranks. Rank 0 owns the oracle (its state, the
-- project folder, written by rank 0 alone); every other rank asks it for trials and reports
-- results through messages, with an oracle proxy that has the oracle's three trial operations.
-- Rank 0 answers between its own trials and after each of its training batches (a callback), so
-- it trains trials too: N ranks run N trials at a time.
--
-- Promises: the trials are the ones one process would make (the oracle decides everything, in
-- the order requests reach it); an error inside the oracle reaches the rank that asked, as a Lua
-- error; rank 0 serves until every other rank has said it is done.
local saving = require "cvision.saving"
local T = require "cvision.tuner.trial"

local M = {}

local ASK, ANSWER = 1, 2          -- message tags: requests to rank 0, its answers

local function dist() return require "cvision.distributed" end

local function encode(v) return saving.encode_json(v) end
local function decode(s) return saving.decode_json(s) end

---------------------------------------------------------------------------------------------------
-- rank 0
---------------------------------------------------------------------------------------------------
local Server = {}
Server.__index = Server

--- server(oracle, workers) --> the oracle's server on rank 0 for `workers` other ranks
function M.server(oracle, workers)
  return setmetatable({ oracle = oracle, left = workers }, Server)
end

-- one request --> the answer (a table)
local function handle(self, req)
  local o = self.oracle
  if req.op == "create" then
    local trial = o:create_trial(req.tuner_id)
    if trial.status == T.STOPPED or trial.status == T.IDLE then return { status = trial.status } end
    return { trial = trial:get_state() }
  elseif req.op == "update" then
    o:update_trial(req.trial_id, req.metrics, req.step)
    return { ok = true }
  elseif req.op == "end" then
    o:end_trial(T.Trial.from_state(req.trial, "trial from rank " .. tostring(req.rank)))
    return { ok = true }
  end
  error("unknown request " .. tostring(req.op), 0)
end

-- answers one waiting request (blocking until one comes when block is true)
local function serve_one(self, block)
  local d = dist()
  if not block and not d.probe(nil, ASK) then return false end
  local s, src = d.recv(nil, ASK)
  local req = decode(s)
  if req.op == "done" then
    self.left = self.left - 1
    return true
  end
  local ok, answer = pcall(handle, self, req)
  if not ok then answer = { error = tostring(answer) } end
  d.send(src, ANSWER, encode(answer))
  return true
end

--- server:poll() answers every request waiting now (never blocks)
function Server:poll()
  while self.left > 0 and serve_one(self, false) do end
end

--- server:finish() answers requests until every other rank is done
function Server:finish()
  while self.left > 0 do serve_one(self, true) end
end

---------------------------------------------------------------------------------------------------
-- the other ranks
---------------------------------------------------------------------------------------------------

-- a request to rank 0 --> its answer (an error there is raised here)
local function ask(req)
  local d = dist()
  req.rank = d.rank()
  d.send(0, ASK, encode(req))
  local answer = decode((d.recv(0, ANSWER)))
  if answer.error then error(answer.error, 0) end
  return answer
end

--- proxy(oracle) --> an oracle whose create_trial, update_trial and end_trial are rank 0's; the
-- rest (objective, trial_dir, display, ...) is oracle's own
function M.proxy(oracle)
  local p = setmetatable({}, { __index = oracle })
  function p.create_trial(_, tuner_id)
    local a = ask({ op = "create", tuner_id = tuner_id })
    if a.status then return T.Trial.new(oracle.hyperparameters:copy(), "", a.status) end
    return T.Trial.from_state(a.trial, "trial from rank 0")
  end
  function p.update_trial(_, trial_id, metrics, step)
    ask({ op = "update", trial_id = trial_id, metrics = metrics, step = step })
  end
  function p.end_trial(_, trial)
    ask({ op = "end", trial = trial:get_state() })
  end
  return p
end

--- done() tells rank 0 that this rank takes no more trials
function M.done()
  dist().send(0, ASK, encode({ op = "done" }))
end

return M
