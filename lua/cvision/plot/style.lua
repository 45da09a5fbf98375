-- cvision.plot.style: matplotlib's style sheets (plt.style): named sets of rcParams applied on top
-- of the current ones. Promises the values of matplotlib's own .mplstyle files (the keys the
-- drawing code reads; the others, such as patch.* or mathtext.*, are left out), "default" putting
-- back matplotlib's defaults, and context() restoring what was there, even when its function fails.
local rc = require "cvision.plot.rc"
local errors = require "cvision.util.errors"

local M = {}

--- library: the style sheets by name (each a table of rcParams); a table added here is usable
M.library = {
  -- lib/matplotlib/mpl-data/stylelib/ggplot.mplstyle
  ggplot = {
    ["font.size"] = 10.0,
    ["axes.facecolor"] = "#E5E5E5", ["axes.edgecolor"] = "white", ["axes.linewidth"] = 1,
    ["axes.grid"] = true, ["axes.titlesize"] = "x-large", ["axes.labelsize"] = "large",
    ["axes.labelcolor"] = "#555555",
    ["axes.prop_cycle"] = { "#E24A33", "#348ABD", "#988ED5", "#777777", "#FBC15E", "#8EBA42", "#FFB5B8" },
    ["xtick.color"] = "#555555", ["ytick.color"] = "#555555",
    ["grid.color"] = "white", ["grid.linestyle"] = "-",
    ["figure.facecolor"] = "white",
  },
  -- bmh.mplstyle (Bayesian Methods for Hackers)
  bmh = {
    ["lines.linewidth"] = 2.0,
    ["axes.facecolor"] = "#eeeeee", ["axes.edgecolor"] = "#bcbcbc", ["axes.grid"] = true,
    ["axes.titlesize"] = "x-large", ["axes.labelsize"] = "large",
    ["axes.prop_cycle"] = { "#348ABD", "#A60628", "#7A68A6", "#467821", "#D55E00", "#CC79A7", "#56B4E9",
      "#009E73", "#F0E442", "#0072B2" },
  },
  -- dark_background.mplstyle
  dark_background = {
    ["text.color"] = "white",
    ["axes.facecolor"] = "black", ["axes.edgecolor"] = "white", ["axes.labelcolor"] = "white",
    ["axes.prop_cycle"] = { "#8dd3c7", "#feffb3", "#bfbbd9", "#fa8174", "#81b1d2", "#fdb462", "#b3de69",
      "#bc82bd", "#ccebc4", "#ffed6f" },
    ["xtick.color"] = "white", ["ytick.color"] = "white",
    ["grid.color"] = "white",
    ["figure.facecolor"] = "black",
  },
  -- grayscale.mplstyle
  grayscale = {
    ["text.color"] = "black",
    ["axes.facecolor"] = "white", ["axes.edgecolor"] = "black", ["axes.labelcolor"] = "black",
    ["axes.prop_cycle"] = { "0.00", "0.40", "0.60", "0.70" },
    ["xtick.color"] = "black", ["ytick.color"] = "black",
    ["grid.color"] = "black",
    ["figure.facecolor"] = "0.75",
    ["image.cmap"] = "gray",
  },
  -- fivethirtyeight.mplstyle
  fivethirtyeight = {
    ["lines.linewidth"] = 4,
    ["axes.prop_cycle"] = { "#30a2da", "#fc4f30", "#e5ae38", "#6d904f", "#8b8b8b" },
    ["axes.facecolor"] = "#f0f0f0", ["axes.labelsize"] = "large", ["axes.grid"] = true,
    ["axes.edgecolor"] = "#f0f0f0", ["axes.linewidth"] = 3.0, ["axes.titlesize"] = "x-large",
    ["grid.linestyle"] = "-", ["grid.linewidth"] = 1.0, ["grid.color"] = "#cbcbcb",
    ["xtick.major.size"] = 0, ["xtick.minor.size"] = 0, ["ytick.major.size"] = 0, ["ytick.minor.size"] = 0,
    ["font.size"] = 14.0,
    ["figure.subplot.left"] = 0.08, ["figure.subplot.right"] = 0.95, ["figure.subplot.bottom"] = 0.07,
    ["figure.facecolor"] = "#f0f0f0",
  },
  -- seaborn-v0_8.mplstyle (seaborn 0.8's darkgrid style with the "deep" palette)
  ["seaborn-v0_8"] = {
    ["figure.figsize"] = { 8.0, 5.5 },
    ["axes.labelsize"] = 11, ["axes.titlesize"] = 12,
    ["xtick.labelsize"] = 10, ["ytick.labelsize"] = 10, ["legend.fontsize"] = 10,
    ["grid.linewidth"] = 1, ["lines.linewidth"] = 1.75, ["lines.markersize"] = 7,
    ["xtick.major.pad"] = 7, ["ytick.major.pad"] = 7,
    ["figure.facecolor"] = "white", ["text.color"] = ".15", ["axes.labelcolor"] = ".15",
    ["legend.frameon"] = false, ["xtick.color"] = ".15", ["ytick.color"] = ".15",
    ["image.cmap"] = "Greys", ["grid.linestyle"] = "-",
    ["axes.grid"] = true, ["axes.facecolor"] = "#EAEAF2", ["axes.edgecolor"] = "white",
    ["axes.linewidth"] = 0, ["grid.color"] = "white",
    ["xtick.major.size"] = 0, ["ytick.major.size"] = 0, ["xtick.minor.size"] = 0, ["ytick.minor.size"] = 0,
    ["axes.prop_cycle"] = { "#4C72B0", "#55A868", "#C44E52", "#8172B2", "#CCB974", "#64B5CD" },
  },
}

-- The names style.use knows ("default" and the library's), sorted.
local function names()
  local list = { "default" }
  for k in pairs(M.library) do list[#list + 1] = k end
  table.sort(list)
  return list
end

--- available: the names of the style sheets (matplotlib's plt.style.available), sorted; it reads
-- the library afresh each time, so a style added to it is listed
setmetatable(M, { __index = function(_, k) if k == "available" then return names() end end })

-- The rcParams of one style: a name or a table of rcParams.
local function sheet(s, fname, level)
  if type(s) == "table" then return s end
  if type(s) ~= "string" then
    error(("%s: style name or table of rcParams expected, got %s"):format(fname, type(s)), level + 1)
  end
  if s == "default" then return rc.defaults() end
  local t = M.library[s]
  if not t then error(errors.unknown_keyword(fname, s, names(), "style"), level + 1) end
  return t
end

--- use(style) applies a style: a name of style.available ("ggplot"; "default" puts back
-- matplotlib's defaults), a table of rcParams ({["lines.linewidth"] = 3}), or a list of either,
-- applied in order; each is checked before anything changes
function M.use(style, fname, level)
  fname, level = fname or "style.use", (level or 1) + 1
  local list = (type(style) == "table" and style[1] ~= nil) and style or { style }
  local sheets = {}
  for i, s in ipairs(list) do sheets[i] = sheet(s, fname, level) end
  local before = rc.snapshot()
  local ok, err = pcall(function() for _, t in ipairs(sheets) do rc.update(t, fname, 1) end end)
  if not ok then
    rc.restore(before)
    error(errors.clean(err), level)
  end
end

--- context(style, fn) --> what fn returns: applies style (as use), calls fn, and restores the
-- rcParams there were before, whether fn returns or raises (its error is raised again)
function M.context(style, fn)
  if type(fn) ~= "function" then error("bad argument #2 to 'style.context' (function expected)", 2) end
  local before = rc.snapshot()
  M.use(style, "style.context", 2)
  local res = table.pack(pcall(fn))
  rc.restore(before)
  if not res[1] then error(res[2], 0) end
  return table.unpack(res, 2, res.n)
end

return M
