-- cvision.plot.rc: the run-time configuration (matplotlib's rcParams): one store of the defaults the
-- drawing code reads (figure size, axes colours, grid, line widths, font sizes, the colour cycle,
-- ...). Promises matplotlib's names and default values, a check of every value set (a bad colour or
-- an unknown key is an error naming the key, with a "did you mean"), and that the defaults draw
-- exactly what cvision drew before the store existed. Figures, axes and artists read the store when
-- they are made, as matplotlib's do, so a style applied later does not change them.
local colors = require "cvision.plot.colors"
local errors = require "cvision.util.errors"

local M = {}

-- matplotlib's named font sizes, relative to font.size
local SIZES = { ["xx-small"] = 0.579, ["x-small"] = 0.694, small = 0.833, medium = 1.0, large = 1.2,
  ["x-large"] = 1.44, ["xx-large"] = 1.728, smaller = 0.833, larger = 1.2 }

local LINESTYLES = { "-", "--", "-.", ":", "solid", "dashed", "dashdot", "dotted" }

-- Each key: its default and the kind of value it takes.
local SPEC = {
  ["figure.figsize"] = { { 6.4, 4.8 }, "pair" },
  ["figure.dpi"] = { 100, "positive" },
  ["figure.facecolor"] = { "white", "color" },
  ["figure.subplot.left"] = { 0.125, "fraction" },
  ["figure.subplot.right"] = { 0.9, "fraction" },
  ["figure.subplot.bottom"] = { 0.11, "fraction" },
  ["figure.subplot.top"] = { 0.88, "fraction" },
  ["figure.subplot.wspace"] = { 0.2, "number" },
  ["figure.subplot.hspace"] = { 0.2, "number" },
  ["axes.facecolor"] = { "white", "color" },
  ["axes.edgecolor"] = { "black", "color" },
  ["axes.linewidth"] = { 0.8, "number" },
  ["axes.grid"] = { false, "boolean" },
  ["axes.labelsize"] = { "medium", "fontsize" },
  ["axes.titlesize"] = { "large", "fontsize" },
  ["axes.labelcolor"] = { "black", "color" },
  ["axes.prop_cycle"] = { colors.DEFAULT_CYCLE, "cycle" },
  ["grid.color"] = { "#b0b0b0", "color" },
  ["grid.linestyle"] = { "-", "linestyle" },
  ["grid.linewidth"] = { 0.8, "number" },
  ["grid.alpha"] = { 1.0, "fraction" },
  ["lines.linewidth"] = { 1.5, "number" },
  ["lines.markersize"] = { 6, "number" },
  ["xtick.color"] = { "black", "color" },
  ["ytick.color"] = { "black", "color" },
  ["xtick.labelsize"] = { "medium", "fontsize" },
  ["ytick.labelsize"] = { "medium", "fontsize" },
  ["xtick.major.size"] = { 3.5, "number" },
  ["ytick.major.size"] = { 3.5, "number" },
  ["xtick.minor.size"] = { 2, "number" },
  ["ytick.minor.size"] = { 2, "number" },
  ["xtick.major.pad"] = { 3.5, "number" },
  ["ytick.major.pad"] = { 3.5, "number" },
  ["text.color"] = { "black", "color" },
  ["font.size"] = { 10, "positive" },
  ["legend.fontsize"] = { "medium", "fontsize" },
  ["legend.frameon"] = { true, "boolean" },
  ["image.cmap"] = { "viridis", "cmap" },
  ["savefig.dpi"] = { "figure", "dpi" },
}

local KEYS = {}
for k in pairs(SPEC) do KEYS[#KEYS + 1] = k end
table.sort(KEYS)
--- keys: every key of the store, sorted
M.keys = KEYS

local function copy(v)
  if type(v) ~= "table" then return v end
  local t = {}
  for i, x in ipairs(v) do t[i] = x end
  return t
end

local values = {}

-- The value v checked for key (a table copied, a cycle of colours as a list); errors name fname.
local function checked(fname, key, v, level)
  level = level + 1
  local kind = SPEC[key][2]
  local function bad(what)
    error(("%s: %s must be %s, got %s"):format(fname, key, what, type(v) == "string" and "'" .. v .. "'"
      or tostring(v)), level + 1)
  end
  if kind == "color" then
    if type(v) ~= "string" and type(v) ~= "table" then bad("a colour") end
    colors.check(fname .. ": " .. key, v, level)
  elseif kind == "number" or kind == "positive" or kind == "fraction" then
    if type(v) ~= "number" or v ~= v then bad("a number") end
    if kind == "positive" and v <= 0 then bad("a positive number") end
    if kind == "fraction" and (v < 0 or v > 1) then bad("a number in 0..1") end
  elseif kind == "boolean" then
    if type(v) ~= "boolean" then bad("true or false") end
  elseif kind == "fontsize" then
    if type(v) == "string" then errors.check_choice(fname, key .. " size", v, M.SIZE_NAMES, level + 1)
    elseif type(v) ~= "number" or not (v > 0) then bad("a font size (points or a size name)") end
  elseif kind == "pair" then
    if type(v) ~= "table" or type(v[1]) ~= "number" or type(v[2]) ~= "number" or v[1] <= 0 or v[2] <= 0 then
      bad("{width, height} in inches")
    end
    v = { v[1], v[2] }
  elseif kind == "linestyle" then
    errors.check_choice(fname, key, v, LINESTYLES, level + 1)
  elseif kind == "cycle" then
    -- a list of colours, or matplotlib's cycler of colours as {color = {...}}
    if type(v) == "table" and v.color then v = v.color end
    if type(v) ~= "table" or #v == 0 then bad("a list of colours") end
    colors.check(fname .. ": " .. key, v, level)
    v = copy(v)
  elseif kind == "cmap" then
    if type(v) ~= "string" then bad("a colour map name") end
    colors.check_cmap(v, fname .. ": " .. key, level)
  elseif kind == "dpi" then
    if v ~= "figure" and not (type(v) == "number" and v > 0) then bad("a positive number or 'figure'") end
  end
  return v
end

--- SIZE_NAMES: matplotlib's font size names ("medium", "large", ...)
M.SIZE_NAMES = {}
for k in pairs(SIZES) do M.SIZE_NAMES[#M.SIZE_NAMES + 1] = k end
table.sort(M.SIZE_NAMES)

--- check_key(fname, key [, level = 2]) --> key, or an error "fname: unknown key 'k' (did you mean ...)"
function M.check_key(fname, key, level)
  if SPEC[key] == nil then error(errors.unknown_keyword(fname, tostring(key), KEYS, "key"), (level or 2) + 1) end
  return key
end

--- set(key, value [, fname = "rcParams" [, level = 2]]) checks value and stores it
function M.set(key, v, fname, level)
  fname, level = fname or "rcParams", (level or 2) + 1
  M.check_key(fname, key, level)
  v = checked(fname, key, v, level)
  values[key] = v
  if key == "axes.prop_cycle" then colors.color_cycle = copy(v) end
end

--- get(key) --> the key's value (a copy when it is a table); the colour cycle is the one
-- cvision.plot.colors draws from (plot.color_cycle, which may have been set straight)
function M.get(key)
  M.check_key("rcParams", key, 2)
  if key == "axes.prop_cycle" then return copy(colors.color_cycle) end
  return copy(values[key])
end

--- points(key [, snapshot]) --> the font size of key in points (a name such as "large" read
-- against font.size), in the store or in a snapshot of it (an axes keeps the one it was made with)
function M.points(key, s)
  local v = s and s[key] or M.get(key)
  if type(v) == "string" then return SIZES[v] * (s and s["font.size"] or values["font.size"]) end
  return v
end

--- update(t [, fname = "rcParams" [, level = 2]]) sets every key = value of t (all checked first,
-- so a bad entry changes nothing)
function M.update(t, fname, level)
  fname, level = fname or "rcParams", (level or 2) + 1
  local ok = {}
  for k, v in pairs(t) do
    M.check_key(fname, k, level)
    ok[k] = checked(fname, k, v, level)
  end
  for k, v in pairs(ok) do M.set(k, v, fname, level) end
end

--- snapshot() --> a copy of every value (to restore later)
function M.snapshot()
  local s = {}
  for _, k in ipairs(KEYS) do s[k] = M.get(k) end
  return s
end

--- restore(snapshot) puts back the values snapshot() returned
function M.restore(s)
  for k, v in pairs(s) do
    values[k] = copy(v)
    if k == "axes.prop_cycle" then colors.color_cycle = copy(v) end
  end
end

--- defaults() --> matplotlib's default value of every key (a new table)
function M.defaults()
  local d = {}
  for k, s in pairs(SPEC) do d[k] = copy(s[1]) end
  return d
end

--- reset() puts back matplotlib's defaults (rcdefaults)
function M.reset() M.restore(M.defaults()) end

M.reset()

--- params: rcParams, a table view of the store: params[key] reads, params[key] = v checks and sets,
-- pairs(params) walks every key; an unknown key is an error with a "did you mean"
M.params = setmetatable({}, {
  __index = function(_, k)
    M.check_key("rcParams", k, 2)
    return M.get(k)
  end,
  __newindex = function(_, k, v) M.set(k, v, "rcParams", 2) end,
  __pairs = function()
    local i = 0
    return function()
      i = i + 1
      local k = KEYS[i]
      if k then return k, M.get(k) end
    end
  end,
  __tostring = function() return "<rcParams>" end,
})

return M
