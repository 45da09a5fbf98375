-- cvision.plot.locator: matplotlib's MaxNLocator.tick_values for the artists that pick round
-- numbers themselves (contour levels, matshow's integer ticks). Unlike the axis ticks (which stay
-- inside the view), these ticks cover the range: the first at or below vmin, the last at or above
-- vmax, as matplotlib's locator returns them before an axis clips them.
local M = {}

local floor, ceil, abs, max = math.floor, math.ceil, math.abs, math.max
local function log10(x) return math.log(x, 10) end

-- matplotlib's scale_range: a power of ten near the step, and an offset for ranges far from 0.
local function scale_range(vmin, vmax, n)
  local dv = abs(vmax - vmin)
  local meanv = (vmax + vmin) / 2
  local offset = 0
  if abs(meanv) / dv >= 100 then
    offset = (meanv < 0 and -1 or 1) * 10 ^ floor(log10(abs(meanv)))
  end
  return 10 ^ floor(log10(dv / n)), offset
end

--- tick_values(vmin, vmax [, {nbins = 9, steps = {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}, integer = false,
-- min_n_ticks = 2}]) --> array of ticks spanning [vmin, vmax], as matplotlib's MaxNLocator: the
-- smallest step of steps times a power of ten that makes at most nbins intervals, made smaller
-- while fewer than min_n_ticks ticks fall inside the range; integer steps only with integer = true
function M.tick_values(vmin, vmax, opts)
  opts = opts or {}
  local nbins = opts.nbins or 9
  local steps = opts.steps or { 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 }
  local min_n = opts.min_n_ticks or 2
  if vmax < vmin then vmin, vmax = vmax, vmin end
  if vmax - vmin < 1e-13 * max(1, abs(vmin)) then
    -- matplotlib's nonsingular: a flat range grows by 0.1 % (or 0.001 around 0)
    local d = vmin == 0 and 1e-3 or abs(vmin) * 1e-3
    vmin, vmax = vmin - d, vmax + d
  end
  local scale, offset = scale_range(vmin, vmax, nbins)
  local lo, hi = vmin - offset, vmax - offset
  -- the staircase of steps: a tenth of each below, ten times the second above
  local ext = {}
  for i = 1, #steps - 1 do ext[#ext + 1] = steps[i] * 0.1 end
  for _, s in ipairs(steps) do ext[#ext + 1] = s end
  ext[#ext + 1] = steps[2] * 10
  if opts.integer then   -- above 1, integer steps only
    local keep = {}
    for _, s in ipairs(ext) do
      local v = s * scale
      if v < 1 or abs(v - floor(v + 0.5)) < 1e-3 then keep[#keep + 1] = s end
    end
    ext = keep
  end
  local raw = (hi - lo) / nbins
  local first = #ext
  for i, s in ipairs(ext) do
    if s * scale >= raw then first = i; break end
  end
  local ticks
  for i = first, 1, -1 do
    local step = ext[i] * scale
    if opts.integer and floor(hi) - ceil(lo) >= min_n - 1 then step = max(1, step) end
    local best = floor(lo / step) * step
    local a = floor((lo - best) / step + 1e-10)   -- matplotlib's _Edge_integer slop
    local b = ceil((hi - best) / step - 1e-10)
    ticks = {}
    local inside = 0
    for k = a, b do
      local v = k * step + best
      if abs(v) < step * 1e-9 then v = 0 end
      ticks[#ticks + 1] = v + offset
      if v >= lo and v <= hi then inside = inside + 1 end
    end
    if inside >= min_n then break end
  end
  -- round away binary noise (0.30000000000000004) at the step's decimals
  for i, v in ipairs(ticks) do ticks[i] = tonumber(string.format("%.12g", v)) end
  return ticks
end

return M
