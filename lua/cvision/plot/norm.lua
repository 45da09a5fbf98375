-- cvision.plot.norm: data values to [0, 1] before a colour map, as matplotlib.colors' Normalize
-- and LogNorm. Promises matplotlib's rules: vmin and vmax autoscale to the finite data (the
-- positive data for a log norm), values outside them map outside [0, 1] (the colour map clips
-- them to its ends), values a norm cannot map (NaN, <= 0 under log) map to NaN (not drawn).
local errors = require "cvision.util.errors"

local M = {}

local huge = math.huge
local function log10(x) return math.log(x, 10) end

local Norm = {}
Norm.__index = Norm
Norm.__call = function(n, v) return n:map(v) end
Norm.__tostring = function(n)
  return string.format("<%s vmin=%s vmax=%s>", n.kind == "log" and "LogNorm" or "Normalize",
    tostring(n.vmin), tostring(n.vmax))
end

local function new(kind, vmin, vmax, fname)
  if vmin ~= nil and type(vmin) ~= "number" then error(fname .. ": vmin must be a number", 3) end
  if vmax ~= nil and type(vmax) ~= "number" then error(fname .. ": vmax must be a number", 3) end
  if kind == "log" and ((vmin and vmin <= 0) or (vmax and vmax <= 0)) then
    error(fname .. ": LogNorm needs positive vmin and vmax", 3)
  end
  return setmetatable({ kind = kind, vmin = vmin, vmax = vmax }, Norm)
end

--- Normalize([vmin [, vmax]]) --> a linear norm (matplotlib.colors.Normalize)
function M.Normalize(vmin, vmax) return new("linear", vmin, vmax, "Normalize") end

--- LogNorm([vmin [, vmax]]) --> a logarithmic norm (matplotlib.colors.LogNorm)
function M.LogNorm(vmin, vmax) return new("log", vmin, vmax, "LogNorm") end

--- norm:map(v) --> v scaled so that vmin is 0 and vmax is 1 (NaN for what the norm cannot map)
function Norm:map(v)
  if v ~= v then return 0 / 0 end
  local lo, hi = self.vmin, self.vmax
  if self.kind == "log" then
    if v <= 0 then return 0 / 0 end
    v, lo, hi = log10(v), log10(lo), log10(hi)
  end
  if hi == lo then return 0 end   -- matplotlib maps every value of a singular range to 0
  return (v - lo) / (hi - lo)
end

--- resolve(norm, vmin, vmax, data, fname) --> a norm with both limits set: norm nil, "linear" or
-- "log" (matplotlib's norm strings) or a Normalize/LogNorm (copied, not changed); vmin/vmax given
-- with a norm object is an error, as matplotlib's; missing limits come from the finite data
function M.resolve(norm, vmin, vmax, data, fname)
  local n
  if norm == nil or norm == "linear" then n = new("linear", vmin, vmax, fname)
  elseif norm == "log" then n = new("log", vmin, vmax, fname)
  elseif getmetatable(norm) == Norm then
    if vmin ~= nil or vmax ~= nil then
      error(fname .. ": pass vmin/vmax to the norm, not with a norm object", 3)
    end
    n = new(norm.kind, norm.vmin, norm.vmax, fname)
  elseif type(norm) == "string" then
    local s = errors.suggest(norm, { "linear", "log" })
    error(("%s: unknown norm '%s' (%s)"):format(fname, norm,
      s and ("did you mean '" .. s .. "'?") or "known: linear, log"), 3)
  else
    error(fname .. ": norm must be \"linear\", \"log\", plot.Normalize(...) or plot.LogNorm(...)", 3)
  end
  if n.vmin == nil or n.vmax == nil then
    local lo, hi = huge, -huge
    for _, v in ipairs(data) do
      if v == v and v ~= huge and v ~= -huge and (n.kind ~= "log" or v > 0) then
        if v < lo then lo = v end
        if v > hi then hi = v end
      end
    end
    if lo > hi then lo, hi = (n.kind == "log" and 1 or 0), (n.kind == "log" and 10 or 1) end
    n.vmin, n.vmax = n.vmin or lo, n.vmax or hi
  end
  if n.vmin > n.vmax then error(fname .. ": vmin must be less than or equal to vmax", 3) end
  return n
end

--- is_norm(x) --> true for a Normalize or LogNorm
function M.is_norm(x) return getmetatable(x) == Norm end

return M
