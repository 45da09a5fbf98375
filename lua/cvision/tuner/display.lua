-- cvision.tuner.display: what a search prints, as KerasTuner's Display does:
--
--   Search: Running Trial #3
--
--   Value             |Best Value So Far |Hyperparameter
--   16                |8                 |neurons
--   ...
--
--   Trial 3 Complete [00h 00m 04s]
--   val_loss: 0.3215
--
--   Best val_loss So Far: 0.3167361915111542
--   Total elapsed time: 00h 00m 12s
--
-- Its state (when the search and each trial started, the trial numbers) is part of oracle.json,
-- so a resumed search keeps counting its elapsed time and its trial numbers.
local trialmod = require "cvision.tuner.trial"

local M = {}
local Display = {}
Display.__index = Display

local COL = 18

--- M.new(oracle [, verbose = 1]) --> a display
function M.new(oracle, verbose)
  return setmetatable({oracle = oracle, verbose = verbose or 1, search_start = nil,
    trial_start = {}, trial_number = {}, write = function(s) io.write(s, "\n") end}, Display)
end

--- M.iso(t) --> "YYYY-MM-DDTHH:MM:SS" (UTC) for epoch seconds t
function M.iso(t) return os.date("!%Y-%m-%dT%H:%M:%S", t) end

--- M.from_iso(s) --> epoch seconds of a "YYYY-MM-DDTHH:MM:SS[.ffffff]" UTC time, or nil
function M.from_iso(s)
  local y, mo, d, h, mi, se = tostring(s):match("^(%d+)-(%d+)-(%d+)T(%d+):(%d+):(%d+)")
  if not y then return nil end
  y, mo, d = tonumber(y), tonumber(mo), tonumber(d)
  -- days from the civil date (Howard Hinnant's algorithm)
  if mo <= 2 then y = y - 1 end
  local era = (y >= 0 and y or y - 399) // 400
  local yoe = y - era * 400
  local doy = (153 * (mo + (mo > 2 and -3 or 9)) + 2) // 5 + d - 1
  local doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
  local days = era * 146097 + doe - 719468
  return days * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(se)
end

--- M.format_duration(seconds) --> "00h 00m 05s" (or "1d 02h 03m 04s")
function M.format_duration(s)
  s = math.floor(s + 0.5)
  local d = s // 86400
  s = s % 86400
  local h, m = s // 3600, (s % 3600) // 60
  s = s % 60
  if d > 0 then return ("%dd %02dh %02dm %02ds"):format(d, h, m, s) end
  return ("%02dh %02dm %02ds"):format(h, m, s)
end

--- M.format_value(v) --> a value in the table: numbers as Python's "{:.5g}", long strings cut
function M.format_value(v)
  if type(v) == "number" then return ("%.5g"):format(v) end
  if type(v) == "boolean" then return v and "True" or "False" end
  local s = tostring(v)
  if #s > COL then s = s:sub(1, COL - 3) .. "..." end
  return s
end

local function pad(s) return s .. (" "):rep(math.max(0, COL - #s)) end

--- d:get_state() --> {search_start, trial_start, trial_number} for oracle.json
function Display:get_state()
  local saving = require "cvision.saving"
  local ts = saving.object()
  for k, v in pairs(self.trial_start) do ts[k] = M.iso(v) end
  local tn = saving.object()
  for k, v in pairs(self.trial_number) do tn[k] = v end
  return {search_start = self.search_start and M.iso(self.search_start) or nil, trial_start = ts, trial_number = tn}
end

--- d:set_state(state)
function Display:set_state(s)
  s = s or {}
  self.search_start = s.search_start and M.from_iso(s.search_start) or nil
  self.trial_start, self.trial_number = {}, {}
  for k, v in pairs(s.trial_start or {}) do self.trial_start[k] = M.from_iso(v) end
  for k, v in pairs(s.trial_number or {}) do self.trial_number[k] = v end
end

--- d:on_trial_begin(trial): "Search: Running Trial #n" and the table of values
function Display:on_trial_begin(trial)
  local now = os.time()
  self.trial_start[trial.trial_id] = now
  if self.search_start == nil then self.search_start = now end
  local n = self.trial_number[trial.trial_id]
  if not n then
    n = 0
    for _ in pairs(self.oracle.trials) do n = n + 1 end
    self.trial_number[trial.trial_id] = n
  end
  if self.verbose < 1 then return end
  local w = self.write
  w("")
  w(("Search: Running Trial #%d"):format(n))
  w("")
  local best = self.oracle:get_best_trials(1)[1]
  if best and best.status ~= trialmod.COMPLETED then best = nil end
  local vals = trial.hyperparameters:ordered_values()
  if #vals == 0 then
    w("default configuration")
  else
    w(pad("Value") .. "|" .. pad("Best Value So Far") .. "|" .. "Hyperparameter")
    for _, nv in ipairs(vals) do
      local bv = best and best.hyperparameters.values[nv[1]]
      w(pad(M.format_value(nv[2])) .. "|" .. pad(best and (bv == nil and "None" or M.format_value(bv)) or "?") .. "|" .. nv[1])
    end
  end
  w("")
end

--- d:on_trial_end(trial): "Trial n Complete [time]", its score, the best so far, the elapsed time
function Display:on_trial_end(trial)
  if self.verbose < 1 then return end
  local w = self.write
  local now = os.time()
  local start = self.trial_start[trial.trial_id] or now
  w(("Trial %s Complete [%s]"):format(tostring(self.trial_number[trial.trial_id] or trial.trial_id),
    M.format_duration(now - start)))
  local name = self.oracle.objective.name
  if trial.score ~= nil then w(("%s: %s"):format(name, trialmod.repr(trial.score))) end
  w("")
  local best = self.oracle:get_best_trials(1)[1]
  local bs = best and best.score
  w(("Best %s So Far: %s"):format(name, bs == nil and "None" or trialmod.repr(bs)))
  w(("Total elapsed time: %s"):format(M.format_duration(now - (self.search_start or now))))
end

return M
