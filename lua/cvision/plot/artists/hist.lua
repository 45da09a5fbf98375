-- cvision.plot.artists.hist: ax:hist, counts of values in bins drawn as bars. Promises numpy's
-- binning (equal bins over the data's range or opts.range, or given edges; half-open bins but the
-- last), density normalisation, and returns the heights and edges as matplotlib. The bars are the
-- bars kind's records, so limits, drawing and the legend are that kind's.
local colors = require "cvision.plot.colors"
local values = require "cvision.plot.values"
local artists = require "cvision.plot.artists"
local errors = require "cvision.util.errors"

local M = { name = "hist", methods = {} }

local min, max = math.min, math.max
local tolist, finite = values.tolist, values.finite

-- The bin edges: opts.bins as edges, or opts.bins (10) equal bins over opts.range or the data.
local function bin_edges(data, opts)
  if type(opts.bins) == "table" then return tolist(opts.bins, "hist") end
  local nb = opts.bins or 10
  if math.type(nb) ~= "integer" or nb < 1 then
    error("bad argument to 'hist' (bins must be a positive integer or a table of edges)", 3)
  end
  local lo, hi
  if opts.range then lo, hi = opts.range[1], opts.range[2]
  else
    lo, hi = math.huge, -math.huge
    for _, x in ipairs(data) do lo = min(lo, x); hi = max(hi, x) end
    if lo > hi then lo, hi = 0, 1 end
  end
  if lo == hi then lo, hi = lo - 0.5, hi + 0.5 end
  local edges = {}
  for i = 0, nb do edges[i + 1] = lo + (hi - lo) * i / nb end
  return edges
end

-- Counts per bin; values outside the edges are not counted.
local function bin_counts(data, edges)
  local nb = #edges - 1
  local counts = {}
  for i = 1, nb do counts[i] = 0 end
  local lo, hi = edges[1], edges[nb + 1]
  for _, x in ipairs(data) do
    if x >= lo and x <= hi then
      -- numpy: bins are half-open [a, b) except the last, which includes b
      local a, b = 1, nb
      while a < b do
        local m = (a + b + 1) // 2
        if x >= edges[m] then a = m else b = m - 1 end
      end
      counts[a] = counts[a] + 1
    end
  end
  return counts
end

local OPTIONS = { bins = true, range = true, density = true, alpha = true, label = true, color = true,
  histtype = true, edgecolor = true, ec = "edgecolor" }

--- ax:hist(values, {bins = 10, range, density, alpha, label, color, histtype = "bar" | "step",
-- edgecolor (ec)}) --> counts, edges
function M.methods.hist(self, vals, opts)
  opts = errors.check_options("hist", opts, OPTIONS, 3, "keyword")
  if opts.histtype ~= nil then errors.check_choice("hist", "histtype", opts.histtype, { "bar", "step" }) end
  colors.check("hist", opts.color, 2)
  colors.check("hist", opts.edgecolor or opts.ec, 2)
  local v = tolist(vals, "hist")
  local data = {}
  for _, x in ipairs(v) do if finite(x) then data[#data + 1] = x end end
  local edges = bin_edges(data, opts)
  local nb = #edges - 1
  local counts = bin_counts(data, edges)
  local heights = {}
  local total = 0
  for i = 1, nb do total = total + counts[i] end
  for i = 1, nb do
    heights[i] = counts[i]
    if opts.density and total > 0 then heights[i] = counts[i] / (total * (edges[i + 1] - edges[i])) end
  end
  local lefts, widths, bottoms = {}, {}, {}
  for i = 1, nb do lefts[i] = edges[i]; widths[i] = edges[i + 1] - edges[i]; bottoms[i] = 0 end
  artists.add(self, {
    kind = "bars", left = lefts, width = widths, height = heights, bottom = bottoms,
    color = opts.color or colors.next_color(self), alpha = opts.alpha, label = opts.label,
    edgecolor = opts.edgecolor or opts.ec, histtype = opts.histtype or "bar",
  })
  return heights, edges
end

return M
