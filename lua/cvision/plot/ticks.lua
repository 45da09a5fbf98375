-- cvision.plot.ticks: where ticks go and how their labels read. Promises matplotlib's choices:
-- MaxNLocator's 1-2-2.5-5-10 steps, ScalarFormatter's decimals and real minus sign, an offset text
-- ("1e6") for very large or small numbers, and user ticks (set_xticks) kept inside the view.
local values = require "cvision.plot.values"

local M = {}

local floor, ceil, abs, max, min = math.floor, math.ceil, math.abs, math.max, math.min
local function log10(x) return math.log(x, 10) end
local finite = values.finite

M.MINUS = "\u{2212}"
local MINUS = M.MINUS

--- nice_ticks(vmin, vmax [, nbins]) --> array of tick values inside [vmin, vmax]
-- matplotlib's MaxNLocator with steps {1, 2, 2.5, 5, 10}: the largest number of intervals not above
-- nbins with a step from that list times a power of ten.
function M.nice_ticks(vmin, vmax, nbins)
  nbins = nbins or 9
  if vmax < vmin then vmin, vmax = vmax, vmin end
  local span = vmax - vmin
  if span <= 0 or not finite(span) then return { vmin } end
  local raw = span / nbins
  local e = floor(log10(raw))
  local scale = 10 ^ e
  local steps = { 1, 2, 2.5, 5, 10, 20 }
  local best, bests = nil, 1
  for _, s in ipairs(steps) do
    local step = s * scale
    if step >= raw * (1 - 1e-9) then
      local lo = ceil(vmin / step - 1e-9)
      local hi = floor(vmax / step + 1e-9)
      if hi - lo + 1 >= 2 then best, bests = step, s; break end
    end
  end
  if not best then best, bests = scale, 1 end
  local ticks = {}
  local lo, hi = ceil(vmin / best - 1e-9), floor(vmax / best + 1e-9)
  for k = lo, hi do
    -- k * s / 10^-e rounds better than k * (s * 10^e) for small steps (0.6, not 0.6000000000000001)
    local v = e < 0 and k * bests / 10 ^ -e or k * bests * scale
    if abs(v) < best * 1e-9 then v = 0 end
    ticks[#ticks + 1] = v
  end
  return ticks, best
end

--- format_tick(v, step) --> label like matplotlib's ScalarFormatter ("0.25", "1000", "−2")
function M.format_tick(v, step)
  -- as many decimals as the step needs: 2.5 -> 1, 0.25 -> 2, 5 -> 0
  local decimals = 0
  if step and step > 0 then
    while decimals < 10 do
      local scaled = step * 10 ^ decimals
      if abs(scaled - floor(scaled + 0.5)) <= 1e-6 * max(1, scaled) then break end
      decimals = decimals + 1
    end
  end
  local s
  if abs(v) >= 1e6 or (abs(v) > 0 and abs(v) < 1e-4 and (not step or step < 1e-4)) then
    s = string.format("%g", v)
  else
    s = string.format("%." .. decimals .. "f", v)
  end
  if s:match("^%-0%.?0*$") then s = s:sub(2) end
  return (s:gsub("^%-", MINUS))
end

--- auto(lo, hi, length, per, fs) --> ticks, labels, offset text or nil
-- As many ticks as fit in length pixels with per font sizes fs between them (at most 9 bins).
function M.auto(lo, hi, length, per, fs)
  local nb = max(1, min(9, floor(length / (fs * per))))
  local t, step = M.nice_ticks(min(lo, hi), max(lo, hi), nb)
  local labels = {}
  -- very large or small numbers: labels in units of 10^e and an offset text "1e6", as matplotlib
  local big = 0
  for _, v in ipairs(t) do big = max(big, abs(v)) end
  local e = 0
  if big >= 1e5 or (big > 0 and big < 1e-3) then e = floor(log10(big)) end
  for i, v in ipairs(t) do labels[i] = M.format_tick(v / 10 ^ e, step / 10 ^ e) end
  local offset = e ~= 0 and ("1e" .. tostring(e):gsub("^%-", MINUS)) or nil
  return t, labels, offset
end

local SUPER = { ["0"] = "\u{2070}", ["1"] = "\u{00b9}", ["2"] = "\u{00b2}", ["3"] = "\u{00b3}",
  ["4"] = "\u{2074}", ["5"] = "\u{2075}", ["6"] = "\u{2076}", ["7"] = "\u{2077}", ["8"] = "\u{2078}",
  ["9"] = "\u{2079}", ["-"] = "\u{207b}" }

--- superscript(n) --> the integer n in Unicode superscript digits ("⁻²")
function M.superscript(n)
  return (tostring(math.tointeger(n) or n):gsub(".", SUPER))
end

-- "10" for base 10, "2" for 2, "e" for e.
local function base_name(base)
  if abs(base - math.exp(1)) < 1e-12 then return "e" end
  return string.format("%g", base)
end

--- log_label(v, base) --> v's label on a log axis as matplotlib's LogFormatterSciNotation: a power
-- of the base as "10²", another number as "3×10⁻¹"
function M.log_label(v, base)
  if not (v > 0) then return "" end
  local e = math.log(v, base)
  local k = floor(e + 0.5)
  if abs(e - k) < 1e-9 then return base_name(base) .. M.superscript(k) end
  k = floor(e + 1e-9)
  local mant = v / base ^ k
  return string.format("%g", floor(mant * 1e6 + 0.5) / 1e6) .. "\u{00d7}" .. base_name(base) .. M.superscript(k)
end

--- log_ticks(lo, hi, base, length, per, fs) --> major ticks, their labels, minor ticks, their labels
-- (nil for none) inside [lo, hi] (positive): matplotlib's LogLocator, powers of the base (every
-- stride-th decade when more decades than fit), minor ticks at 2..9 times them (at the skipped
-- decades when there are too many), and labels on the minor ticks when the view spans too little
-- to hold two powers (all of them below 0.4 decades, 2, 3, 4 and 6 below one)
function M.log_ticks(lo, hi, base, length, per, fs)
  if lo > hi then lo, hi = hi, lo end
  local llo, lhi = math.log(lo, base), math.log(hi, base)
  local numticks = max(2, min(9, floor(length / (fs * per))))
  local d0, d1 = ceil(llo - 1e-9), floor(lhi + 1e-9)
  local stride = max(1, ceil((d1 - d0) / (numticks - 1)))
  local major, labels, minor = {}, {}, {}
  local is_major = {}
  for k = d0, d1 do
    if k % stride == 0 then
      major[#major + 1] = base ^ k
      labels[#labels + 1] = M.log_label(base ^ k, base)
      is_major[k] = true
    end
  end
  local numdec = lhi - llo
  local subs = {}
  if numdec <= 10 and stride == 1 then
    for sb = 2, ceil(base) - 1 do if sb < base then subs[#subs + 1] = sb end end
  end
  local eps = 1e-9
  for k = floor(llo) - 1, ceil(lhi) do
    if #subs == 0 or stride > 1 then
      local v = base ^ k
      if not is_major[k] and k >= d0 and k <= d1 then minor[#minor + 1] = v end
    else
      for _, sb in ipairs(subs) do
        local v = sb * base ^ k
        if v >= lo * (1 - eps) and v <= hi * (1 + eps) then minor[#minor + 1] = v end
      end
    end
  end
  local mlabels
  if #major < 2 and numdec <= 1 then
    local some = { [2] = true, [3] = true, [4] = true, [6] = true }
    mlabels = {}
    for i, v in ipairs(minor) do
      local sb = floor(v / base ^ floor(math.log(v, base) + 1e-9) + 0.5)
      mlabels[i] = (numdec <= 0.4 or some[sb]) and M.log_label(v, base) or ""
    end
  end
  return major, labels, minor, mlabels
end

--- for_spec(spec, lo, hi, length, per, fs [, base]) --> ticks, labels, offset, minor ticks, minor
-- labels: the user's ticks (a set_xticks spec) inside [lo, hi], or automatic ones when the spec
-- has none; base (a log axis' base) gives log_ticks' ticks and labels
function M.for_spec(spec, lo, hi, length, per, fs, base)
  local minor, mlabels
  if base then
    local t, l
    t, l, minor, mlabels = M.log_ticks(lo, hi, base, length, per, fs)
    if not (spec and spec.ticks) then return t, l, nil, minor, mlabels end
  end
  if spec and spec.ticks then
    local t, labels = {}, {}
    local lab = spec.labels
    local step
    if not lab and #spec.ticks > 1 then step = abs(spec.ticks[2] - spec.ticks[1]) end
    for i, v in ipairs(spec.ticks) do
      if v >= min(lo, hi) - 1e-9 and v <= max(lo, hi) + 1e-9 then
        t[#t + 1] = v
        labels[#labels + 1] = lab and (lab[i] or "") or base and M.log_label(v, base) or M.format_tick(v, step)
      end
    end
    return t, labels, nil, minor, mlabels and {}
  end
  return M.auto(lo, hi, length, per, fs)
end

--- spec(ticks, labels, opts) --> a tick spec {ticks, labels, rotation, fontsize (nil: the rc
-- default)}; labels may be left out (spec(ticks, opts))
function M.spec(ticks, labels, opts, fname)
  if type(labels) == "table" and labels[1] == nil and next(labels) ~= nil then opts, labels = labels, nil end
  opts = require("cvision.util.errors").check_options(fname or "xticks", opts,
    { rotation = true, fontsize = true }, 4, "keyword")
  local spec = { rotation = opts.rotation or 0, fontsize = opts.fontsize }
  if ticks then spec.ticks = values.tolist(ticks, "xticks") end
  if labels then
    spec.labels = {}
    for i = 1, #labels do spec.labels[i] = tostring(labels[i]) end
  end
  return spec
end

return M
