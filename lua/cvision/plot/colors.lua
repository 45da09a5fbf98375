-- cvision.plot.colors: matplotlib's colour names, its default colour cycle and the one parser
-- (to_rgba) every drawing call goes through. Promises: the same {r, g, b, a} as matplotlib for
-- names, "C0".."C9", "#rgb", "#rrggbb", "#rrggbbaa", grey levels and tables.
local errors = require "cvision.util.errors"

local M = {}

--- DEFAULT_CYCLE: matplotlib's default colour cycle (tab10), which rcdefaults() puts back
M.DEFAULT_CYCLE = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22", "#17becf" }

--- color_cycle: the cycle new lines and bars draw from, and "C0".."C9" name (rcParams
-- "axes.prop_cycle" sets it; a style sheet too)
M.color_cycle = { table.unpack(M.DEFAULT_CYCLE) }

local named = {
  b = "#1f77b4", g = "#2ca02c", r = "#d62728", c = "#17becf", m = "#9467bd", y = "#bcbd22",
  k = "#000000", w = "#ffffff",
  blue = "#0000ff", green = "#008000", red = "#ff0000", black = "#000000", white = "#ffffff",
  gray = "#808080", grey = "#808080", orange = "#ffa500", purple = "#800080", brown = "#a52a2a",
  pink = "#ffc0cb", olive = "#808000", cyan = "#00ffff", magenta = "#ff00ff", yellow = "#ffff00",
  navy = "#000080", lightgray = "#d3d3d3", lightgrey = "#d3d3d3", darkgray = "#a9a9a9",
  darkgrey = "#a9a9a9", lightblue = "#add8e6", darkblue = "#00008b", darkgreen = "#006400",
  darkred = "#8b0000", gold = "#ffd700", teal = "#008080", steelblue = "#4682b4",
  tomato = "#ff6347", crimson = "#dc143c", skyblue = "#87ceeb", salmon = "#fa8072",
  silver = "#c0c0c0", lime = "#00ff00", indigo = "#4b0082", violet = "#ee82ee",
  tab_blue = "#1f77b4", ["tab:blue"] = "#1f77b4", ["tab:orange"] = "#ff7f0e",
  ["tab:green"] = "#2ca02c", ["tab:red"] = "#d62728", ["tab:purple"] = "#9467bd",
  ["tab:brown"] = "#8c564b", ["tab:pink"] = "#e377c2", ["tab:gray"] = "#7f7f7f",
  ["tab:olive"] = "#bcbd22", ["tab:cyan"] = "#17becf",
}

--- names: the colour names to_rgba knows (name = "#rrggbb")
M.names = named

--- to_rgba(color [, alpha]) --> {r, g, b, a} with numbers in [0, 1]
-- Accepts matplotlib's forms: "red", "r", "C0".."C9", "#rrggbb", "#rrggbbaa", "#rgb", a grey level
-- as a string ("0.8"), or a table {r, g, b [, a]}.
function M.to_rgba(c, alpha)
  local r, g, b, a
  if type(c) == "table" then
    r, g, b, a = c[1], c[2], c[3], c[4] or 1
  elseif type(c) == "string" then
    local s = named[c] or named[c:lower()] or c
    local ci = s:match("^C(%d)$")
    -- "CN" is the N-th colour of the current cycle, wrapping round a shorter one (as matplotlib)
    if ci then return M.to_rgba(M.color_cycle[tonumber(ci) % #M.color_cycle + 1], alpha) end
    if s:match("^#%x%x%x$") then
      s = "#" .. s:sub(2, 2):rep(2) .. s:sub(3, 3):rep(2) .. s:sub(4, 4):rep(2)
    end
    if s:match("^#%x%x%x%x%x%x$") or s:match("^#%x%x%x%x%x%x%x%x$") then
      r = tonumber(s:sub(2, 3), 16) / 255
      g = tonumber(s:sub(4, 5), 16) / 255
      b = tonumber(s:sub(6, 7), 16) / 255
      a = #s == 9 and tonumber(s:sub(8, 9), 16) / 255 or 1
    elseif tonumber(s) and tonumber(s) >= 0 and tonumber(s) <= 1 then
      r = tonumber(s); g = r; b = r; a = 1
    else
      local known = {}
      for k in pairs(named) do known[#known + 1] = k end
      local hint = errors.suggest(c, known)
      error("unknown colour '" .. c .. "'" .. (hint and " (did you mean '" .. hint .. "'?)" or ""), 3)
    end
  else
    error("colour expected, got " .. type(c), 3)
  end
  if alpha then a = alpha end
  return { r, g, b, a }
end

--- check(fname, c [, level = 2]) --> c: a colour to_rgba reads (or a list of them, one per
-- bar or point), else an error naming fname ("bar: unknown colour 'rde' (did you mean 'red'?)")
function M.check(fname, c, level)
  level = (level or 2) + 1
  if c == nil then return c end
  local list = type(c) == "table" and type(c[1]) ~= "number" and c or { c }
  for _, one in ipairs(list) do
    local ok, err = pcall(M.to_rgba, one)
    if not ok then error(fname .. ": " .. (tostring(err):gsub("^[^\n]-:%d+: ", "")), level) end
  end
  return c
end

--- check_cmap(name, fname [, level = 2]) --> name: a colour map the C core knows, else an error
-- naming fname and the closest known map ("imshow: unknown colour map 'virdis' (did you mean
-- 'viridis'?)")
function M.check_cmap(name, fname, level)
  local known = require("cvision.core").plot_colormaps()
  for _, k in ipairs(known) do if k == name then return name end end
  local hint = errors.suggest(tostring(name), known)
  error(("%s: unknown colour map '%s' (%s)"):format(fname, tostring(name),
    hint and ("did you mean '" .. hint .. "'?") or "known: " .. table.concat(known, ", ")), (level or 2) + 1)
end

-- a < b by bytes, as Python compares str, whatever the C locale's collation
local function bytewise(a, b)
  for i = 1, math.min(#a, #b) do
    local x, y = a:byte(i), b:byte(i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

--- colormaps() --> the names of the colour maps the C core knows (each also as NAME_r), sorted as
-- matplotlib.pyplot.colormaps() sorts them (capitals first: "Blues", ..., "viridis_r")
function M.colormaps()
  local names = require("cvision.core").plot_colormaps()
  table.sort(names, bytewise)
  return names
end

--- next_color(ax) --> the axes' next colour of the cycle (each call moves the cycle on): the cycle
-- the axes was made with (rcParams["axes.prop_cycle"] then), else the current one
function M.next_color(ax)
  local cyc = ax.color_cycle or M.color_cycle
  local c = cyc[ax.cycle % #cyc + 1]
  ax.cycle = ax.cycle + 1
  return c
end

return M
