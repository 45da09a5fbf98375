-- cvision.plot.tuner_results: a search's trials at a glance (cv.plot.tuner_results(tuner)).
-- The first panel is the score of each completed trial against its trial number, with the best
-- score so far as a step line; then one panel per hyperparameter of the space: the score against
-- the hyperparameter's value (a log-sampled one on a log10 axis, a Choice of strings or a
-- Boolean as categories), the best trial marked in red. Trials that failed or lack a value are
-- left out of a panel, never drawn at a made-up position.
local plot = require "cvision.plot"
local trialmod = require "cvision.tuner.trial"
local errors = require "cvision.util.errors"

local M = {}

local BEST = "tab:red"

--- tuner_results(tuner [, {figsize, dpi, cols = 3, path}]) --> Figure
function M.tuner_results(tuner, opts)
  opts = opts or {}
  if type(tuner) ~= "table" or type(tuner.oracle) ~= "table" then
    error("bad argument #1 to 'tuner_results' (a cv.tuner tuner expected)", 2)
  end
  errors.check_options("tuner_results", opts, { figsize = true, dpi = true, cols = true, path = true }, 3, "keyword")
  local oracle = tuner.oracle
  local done = {}
  for _, t in pairs(oracle.trials) do
    if t.status == trialmod.COMPLETED and type(t.score) == "number" and t.score == t.score then done[#done + 1] = t end
  end
  if #done == 0 then error("tuner_results: the tuner has no completed trial to plot", 2) end
  table.sort(done, function(a, b) return a.trial_id < b.trial_id end)
  local best = oracle:get_best_trials(1)[1]
  local obj = oracle.objective
  local space = {}
  for _, h in ipairs(oracle.hyperparameters.space) do
    if h.class_name ~= "Fixed" then space[#space + 1] = h end
  end
  local n = 1 + #space
  local cols = math.min(opts.cols or 3, n)
  local rows = math.ceil(n / cols)
  local fig = plot.figure{figsize = opts.figsize or {4 * cols, 3.2 * rows}, dpi = opts.dpi}
  -- score by trial, and the best so far
  local ax = fig:add_subplot(rows, cols, 1)
  local xs, ys, bx, by = {}, {}, {}, {}
  local run
  for i, t in ipairs(done) do
    local k = tonumber(t.trial_id)          -- the trial's id, as results_summary numbers it ("Trial 03")
    xs[i], ys[i] = k, t.score
    if run == nil or obj:better(t.score, run) then run = t.score end
    if #bx > 0 then bx[#bx + 1], by[#by + 1] = k, by[#by] end
    bx[#bx + 1], by[#by + 1] = k, run
  end
  ax:scatter(xs, ys, {label = "trial"})
  ax:plot(bx, by, {color = BEST, label = "best so far"})
  if #done <= 15 then ax:set_xticks(xs) end
  ax:set_xlabel("trial id")
  ax:set_ylabel(obj.name)
  ax:set_title(("%s (%s)"):format(obj.name, obj.direction))
  ax:legend()
  for p, h in ipairs(space) do
    ax = fig:add_subplot(rows, cols, p + 1)
    local cats
    if h.class_name == "Boolean" then cats = {false, true}
    elseif h.class_name == "Choice" then
      -- listed values sit at equal steps, numbers in increasing order: 1e-4, 1e-3 and 1e-2 on a
      -- linear axis would put two labels on top of each other
      cats = table.move(h.values, 1, #h.values, 1, {})
      if type(cats[1]) == "number" then table.sort(cats) end
    end
    local log = (h.class_name == "Float" or h.class_name == "Int") and h.sampling == "log"
    local px, py, bpx, bpy = {}, {}, {}, {}
    for _, t in ipairs(done) do
      local v = t.hyperparameters.values[h.name]
      local x
      if v ~= nil then
        if cats then
          for i, c in ipairs(cats) do if c == v then x = i end end
        elseif type(v) == "number" then
          x = log and math.log(v, 10) or v
        end
      end
      if x then
        px[#px + 1], py[#py + 1] = x, t.score
        if t == best then bpx[1], bpy[1] = x, t.score end
      end
    end
    if #px > 0 then ax:scatter(px, py) end
    if #bpx > 0 then ax:scatter(bpx, bpy, {color = BEST, s = 64}) end
    -- a few integers or listed numbers: a tick at each (never 1.5 layers)
    local marks
    if h.class_name == "Int" and not log and h.step and h:n_values() <= 12 then
      marks = {}
      for i = 0, h:n_values() - 1 do marks[#marks + 1] = math.floor(h:value_at(i) + 0.5) end
    end
    if marks then ax:set_xticks(marks) end
    if cats then
      local pos, labels = {}, {}
      for i, c in ipairs(cats) do pos[i], labels[i] = i, trialmod.repr(c) end
      ax:set_xticks(pos, labels)
      ax:set_xlim(0.5, #cats + 0.5)
    end
    ax:set_xlabel(log and ("log10(%s)"):format(h.name) or h.name)
    ax:set_ylabel(obj.name)
    ax:set_title(("%s (%d trials)"):format(h.name, #px))
  end
  fig:suptitle(("%s: %d completed trials, best %s = %s"):format(tuner.project_dir or "search", #done,
    obj.name, trialmod.repr(best.score)))
  fig:tight_layout()
  if opts.path then fig:savefig(opts.path) end
  return fig
end

return M
