-- cvision.plot: figures in the manner of matplotlib's pyplot, drawn by the C raster (cvision.core
-- Canvas) and written as PNG. A state machine keeps a current figure and current axes; drawing
-- calls record artists, and a figure is laid out and rasterised when it is saved (savefig), shown
-- (show, or the REPL after each line) or asked for its canvas (render). Sizes follow matplotlib's
-- defaults: figsize in inches times dpi gives pixels, font sizes and line widths are in points.
-- Ready-made figures of the lecture (history, model, images, failed_predictions, ...) are in
-- cvision.plot.figures and re-exported here.
local core = require "cvision.core"

local M = {}

local floor, ceil, abs, max, min, log10 = math.floor, math.ceil, math.abs, math.max, math.min,
  function(x) return math.log(x, 10) end

---------------------------------------------------------------------------------------------------
-- colours
---------------------------------------------------------------------------------------------------
M.color_cycle = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
  "#7f7f7f", "#bcbd22", "#17becf" }

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
    if ci then s = M.color_cycle[tonumber(ci) + 1] end
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
      error("unknown colour '" .. c .. "'", 3)
    end
  else
    error("colour expected, got " .. type(c), 3)
  end
  if alpha then a = alpha end
  return { r, g, b, a }
end
local to_rgba = M.to_rgba

---------------------------------------------------------------------------------------------------
-- data helpers
---------------------------------------------------------------------------------------------------
-- A Lua array of numbers from a table or a tensor (flattened).
local function tolist(x, what)
  if type(x) == "table" then
    local out = {}
    for i = 1, #x do out[i] = tonumber(x[i]) or (0 / 0) end
    return out
  elseif type(x) == "userdata" then
    return core.plot_tensor_values(x)
  elseif type(x) == "number" then
    return { x }
  end
  error("bad argument to '" .. (what or "plot") .. "' (table or tensor expected, got " .. type(x) .. ")", 3)
end
M._tolist = tolist

local function finite(v) return v == v and v ~= math.huge and v ~= -math.huge end

---------------------------------------------------------------------------------------------------
-- ticks
---------------------------------------------------------------------------------------------------
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

local MINUS = "\u{2212}"

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

---------------------------------------------------------------------------------------------------
-- figure and axes objects
---------------------------------------------------------------------------------------------------
local Figure = {}
Figure.__index = Figure
M.Figure = Figure

local Axes = {}
Axes.__index = Axes
M.Axes = Axes

-- Artists (lines, bars, images) are plain records with a short printed form, as matplotlib's.
local Artist = {}
Artist.__index = Artist
local artist_names = { line = "Line2D", bars = "BarContainer", image = "AxesImage", hline = "Line2D",
  vline = "Line2D" }
Artist.__tostring = function(a)
  local n = artist_names[a.kind] or a.kind
  if a.kind == "bars" then return string.format("<%s object of %d artists>", n, #a.left) end
  return a.label and string.format("<%s: %s>", n, tostring(a.label)) or "<" .. n .. ">"
end
local function add_artist(ax, a)
  ax.artists[#ax.artists + 1] = setmetatable(a, Artist)
  return a
end

Figure.__tostring = function(f)
  return string.format("<Figure size %dx%d with %d Axes>", f.width, f.height, #f.axes)
end
Axes.__tostring = function(ax)
  return ax.title and string.format("<Axes: title={'center': '%s'}>", ax.title.text) or "<Axes: >"
end

local state = { figures = {}, current = nil, counter = 0, shown = 0 }
M._state = state

local function pt(fig, points) return points * fig.dpi / 72 end

--- figure{figsize = {w, h}, dpi = 100, facecolor = "white"} --> Figure (becomes current)
function M.figure(opts)
  opts = opts or {}
  local fs = opts.figsize or { 6.4, 4.8 }
  local dpi = opts.dpi or 100
  if type(fs) ~= "table" or not tonumber(fs[1]) or not tonumber(fs[2]) or fs[1] <= 0 or fs[2] <= 0 then
    error("bad argument #1 to 'figure' (figsize must be {width, height} in inches)", 2)
  end
  local fig = setmetatable({
    figsize = { fs[1], fs[2] }, dpi = dpi,
    width = max(1, floor(fs[1] * dpi + 0.5)), height = max(1, floor(fs[2] * dpi + 0.5)),
    facecolor = opts.facecolor or "white",
    axes = {}, painters = {}, texts = {}, dirty = false,
    subplotpars = { left = 0.125, right = 0.9, bottom = 0.11, top = 0.88, wspace = 0.2, hspace = 0.2 },
  }, Figure)
  state.counter = state.counter + 1
  fig.number = state.counter
  state.figures[#state.figures + 1] = fig
  state.current = fig
  return fig
end

--- gcf() --> the current figure (a new default one when there is none)
function M.gcf()
  return state.current or M.figure()
end

local function subplot_rect(pars, rows, cols, index, colspan, rowspan)
  local cw = (pars.right - pars.left) / (cols + pars.wspace * (cols - 1))
  local chh = (pars.top - pars.bottom) / (rows + pars.hspace * (rows - 1))
  local r = (index - 1) // cols
  local c = (index - 1) % cols
  colspan, rowspan = colspan or 1, rowspan or 1
  local left = pars.left + c * cw * (1 + pars.wspace)
  local top = pars.top - r * chh * (1 + pars.hspace)
  local w = cw * colspan + (colspan - 1) * cw * pars.wspace
  local h = chh * rowspan + (rowspan - 1) * chh * pars.hspace
  return { left, top - h, w, h }
end

local function new_axes(fig, rect, spec)
  local ax = setmetatable({
    fig = fig, rect = rect, spec = spec, artists = {}, cycle = 0,
    axis_on = true, grid_on = false, legend_opts = nil, aspect = nil,
    xscale = "linear", texts = {},
  }, Axes)
  fig.axes[#fig.axes + 1] = ax
  fig.gca = ax
  fig.dirty = true
  return ax
end

--- fig:add_subplot(rows, cols, index) --> Axes (the existing one at that place is reused)
function Figure:add_subplot(rows, cols, index)
  if index == nil and cols == nil and type(rows) == "number" and rows >= 111 then
    rows, cols, index = rows // 100, (rows // 10) % 10, rows % 10
  end
  if not (math.type(rows) == "integer" and math.type(cols) == "integer" and rows > 0 and cols > 0) then
    error("bad argument to 'subplot' (rows and cols must be positive integers)", 3)
  end
  if math.type(index) ~= "integer" or index < 1 or index > rows * cols then
    error(string.format("bad argument #3 to 'subplot' (index must be in 1..%d, got %s)",
      rows * cols, tostring(index)), 3)
  end
  for _, ax in ipairs(self.axes) do
    local s = ax.spec
    if s and s[1] == rows and s[2] == cols and s[3] == index then
      self.gca = ax
      return ax
    end
  end
  return new_axes(self, subplot_rect(self.subplotpars, rows, cols, index), { rows, cols, index })
end

--- fig:add_axes{left, bottom, width, height} --> Axes at that rectangle (figure fractions)
function Figure:add_axes(rect)
  return new_axes(self, { rect[1], rect[2], rect[3], rect[4] }, nil)
end

--- fig:gca() --> the current axes of the figure (creating subplot(1, 1, 1) when none)
function Figure:get_gca()
  return self.gca or self:add_subplot(1, 1, 1)
end

--- fig:suptitle(s, {fontsize = 12})
function Figure:suptitle(s, opts)
  opts = opts or {}
  self.suptitle_text = { text = tostring(s), size = opts.fontsize or 12, color = opts.color or "black" }
  self.dirty = true
end

--- fig:subplots_adjust{left, right, bottom, top, wspace, hspace}
function Figure:subplots_adjust(p)
  for k, v in pairs(p or {}) do self.subplotpars[k] = v end
  for _, ax in ipairs(self.axes) do
    if ax.spec then ax.rect = subplot_rect(self.subplotpars, ax.spec[1], ax.spec[2], ax.spec[3]) end
  end
  self.dirty = true
end

--- subplot(rows, cols, index) --> Axes (index 1-based, row by row, as matplotlib); subplot(221) too
function M.subplot(rows, cols, index)
  return M.gcf():add_subplot(rows, cols, index)
end

--- subplots(rows, cols, {figsize, dpi}) --> fig, axes (array, row by row)
function M.subplots(rows, cols, opts)
  rows, cols = rows or 1, cols or 1
  local fig = M.figure(opts)
  local axs = {}
  for i = 1, rows * cols do axs[i] = fig:add_subplot(rows, cols, i) end
  fig.gca = axs[1]
  return fig, axs
end

--- gca() --> current axes
function M.gca()
  return M.gcf():get_gca()
end

--- sca(ax) makes ax (and its figure) current
function M.sca(ax)
  state.current = ax.fig
  ax.fig.gca = ax
end

local function touch(ax) ax.fig.dirty = true end

local function next_color(ax)
  local c = M.color_cycle[ax.cycle % #M.color_cycle + 1]
  ax.cycle = ax.cycle + 1
  return c
end

-- "r--o" style format strings: colour letter, line style, marker
local function parse_fmt(fmt)
  local o = {}
  local s = fmt
  for _, ls in ipairs({ "--", "-.", "-", ":" }) do
    local i = s:find(ls, 1, true)
    if i then o.linestyle = ls; s = s:sub(1, i - 1) .. s:sub(i + #ls); break end
  end
  local c = s:match("C%d")
  if c then o.color = c; s = s:gsub("C%d", "") end
  for ch in s:gmatch(".") do
    if ("bgrcmykw"):find(ch, 1, true) then o.color = ch
    elseif ("o.sx+^v<>D*"):find(ch, 1, true) then o.marker = ch end
  end
  if o.marker and not o.linestyle then o.linestyle = "none" end
  return o
end

--- ax:plot([x,] y [, fmt] [, {label, color, linestyle, linewidth, marker, markersize, alpha}])
-- x and y are Lua arrays or tensors; x defaults to 0, 1, 2, ...
function Axes:plot(x, y, fmt, opts)
  if type(y) == "string" or (type(y) == "table" and y[1] == nil and next(y) ~= nil) or y == nil then
    x, y, fmt, opts = nil, x, y, fmt
  end
  if type(fmt) == "table" then fmt, opts = nil, fmt end
  opts = opts or {}
  if fmt then
    for k, v in pairs(parse_fmt(fmt)) do if opts[k] == nil then opts[k] = v end end
  end
  local ys = tolist(y, "plot")
  local xs
  if x == nil then
    xs = {}
    for i = 1, #ys do xs[i] = i - 1 end
  else
    xs = tolist(x, "plot")
  end
  if #xs ~= #ys then
    error(string.format("bad argument to 'plot' (x and y must have the same length, got %d and %d)",
      #xs, #ys), 2)
  end
  local art = {
    kind = "line", x = xs, y = ys, label = opts.label,
    color = opts.color or opts.c or next_color(self),
    linestyle = opts.linestyle or opts.ls or "-", linewidth = opts.linewidth or opts.lw or 1.5,
    marker = opts.marker, markersize = opts.markersize or opts.ms or 6, alpha = opts.alpha,
  }
  add_artist(self, art)
  touch(self)
  return art
end

--- ax:scatter(x, y, {s, color, marker, label, alpha})
function Axes:scatter(x, y, opts)
  opts = opts or {}
  local size = opts.s and math.sqrt(opts.s) or 6
  return self:plot(x, y, { color = opts.color or opts.c, marker = opts.marker or "o",
    markersize = size, linestyle = "none", label = opts.label, alpha = opts.alpha })
end

--- ax:hist(values, {bins = 10, range, density, alpha, label, color, histtype}) --> counts, edges
function Axes:hist(values, opts)
  opts = opts or {}
  local v = tolist(values, "hist")
  local data = {}
  for _, x in ipairs(v) do if finite(x) then data[#data + 1] = x end end
  local edges
  if type(opts.bins) == "table" then
    edges = tolist(opts.bins, "hist")
  else
    local nb = opts.bins or 10
    if math.type(nb) ~= "integer" or nb < 1 then
      error("bad argument to 'hist' (bins must be a positive integer or a table of edges)", 2)
    end
    local lo, hi
    if opts.range then lo, hi = opts.range[1], opts.range[2]
    else
      lo, hi = math.huge, -math.huge
      for _, x in ipairs(data) do lo = min(lo, x); hi = max(hi, x) end
      if lo > hi then lo, hi = 0, 1 end
    end
    if lo == hi then lo, hi = lo - 0.5, hi + 0.5 end
    edges = {}
    for i = 0, nb do edges[i + 1] = lo + (hi - lo) * i / nb end
  end
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
  local heights = {}
  local total = 0
  for i = 1, nb do total = total + counts[i] end
  for i = 1, nb do
    heights[i] = counts[i]
    if opts.density and total > 0 then heights[i] = counts[i] / (total * (edges[i + 1] - edges[i])) end
  end
  local lefts, widths, bottoms = {}, {}, {}
  for i = 1, nb do lefts[i] = edges[i]; widths[i] = edges[i + 1] - edges[i]; bottoms[i] = 0 end
  local art = {
    kind = "bars", left = lefts, width = widths, height = heights, bottom = bottoms,
    color = opts.color or next_color(self), alpha = opts.alpha, label = opts.label,
    edgecolor = opts.edgecolor, histtype = opts.histtype or "bar",
  }
  add_artist(self, art)
  touch(self)
  return heights, edges
end

--- ax:bar(x, heights, {width = 0.8, color, label, alpha, tick_label, edgecolor, bottom})
-- x may hold strings (categories): bars go at 0, 1, ... with those tick labels.
function Axes:bar(x, heights, opts)
  opts = opts or {}
  local hs = tolist(heights, "bar")
  local xs, labels = {}, nil
  if type(x) == "table" and type(x[1]) == "string" then
    labels = {}
    for i = 1, #x do xs[i] = i - 1; labels[i] = x[i] end
  else
    xs = tolist(x, "bar")
  end
  if #xs ~= #hs then error("bad argument to 'bar' (x and heights must have the same length)", 2) end
  local w = opts.width or 0.8
  local lefts, widths, bottoms = {}, {}, {}
  for i = 1, #xs do
    lefts[i] = xs[i] - w / 2
    widths[i] = w
    bottoms[i] = type(opts.bottom) == "table" and opts.bottom[i] or opts.bottom or 0
  end
  local colors
  if type(opts.color) == "table" and type(opts.color[1]) ~= "number" then colors = opts.color end
  local art = {
    kind = "bars", left = lefts, width = widths, height = hs, bottom = bottoms,
    color = (not colors and opts.color) or next_color(self), colors = colors,
    alpha = opts.alpha, label = opts.label, edgecolor = opts.edgecolor,
  }
  add_artist(self, art)
  labels = opts.tick_label or labels
  if labels then self:set_xticks(xs, labels) end
  touch(self)
  return art
end

--- ax:barh(y, widths, {height = 0.8, color, label}) horizontal bars
function Axes:barh(y, widths, opts)
  opts = opts or {}
  local ws = tolist(widths, "barh")
  local ys, labels = {}, nil
  if type(y) == "table" and type(y[1]) == "string" then
    labels = {}
    for i = 1, #y do ys[i] = i - 1; labels[i] = y[i] end
  else ys = tolist(y, "barh") end
  local h = opts.height or 0.8
  local lefts, wd, bottoms, hs = {}, {}, {}, {}
  for i = 1, #ys do lefts[i] = 0; wd[i] = ws[i]; bottoms[i] = ys[i] - h / 2; hs[i] = h end
  local art = { kind = "bars", horizontal = true, left = lefts, width = wd, height = hs,
    bottom = bottoms, color = opts.color or next_color(self), alpha = opts.alpha, label = opts.label }
  add_artist(self, art)
  if labels then self:set_yticks(ys, labels) end
  touch(self)
  return art
end

-- An image from a nested Lua table ({{v, ...}, ...} or {{{r, g, b}, ...}, ...}).
local function table_image(t)
  local H, W = #t, #t[1]
  local rgb = type(t[1][1]) == "table"
  return { H = H, W = W, C = rgb and #t[1][1] or 1, rows = t }
end

--- ax:imshow(img, {cmap = "viridis", vmin, vmax, interpolation = "nearest", extent, aspect, sample})
-- img: a tensor (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) (uint8 or float), a tensor with a leading
-- sample axis of length 1, or a nested Lua table. Scalars go through the colour map, scaled from
-- vmin to vmax (the data's range by default), as matplotlib. sample = i shows img's i-th item
-- along its first axis (X, i instead of X[i]).
function Axes:imshow(img, opts)
  opts = opts or {}
  local art = { kind = "image", cmap = opts.cmap or "viridis", vmin = opts.vmin, vmax = opts.vmax,
    interpolation = opts.interpolation == "bilinear" and "bilinear" or "nearest", alpha = opts.alpha }
  if type(img) == "table" then
    local ti = table_image(img)
    art.H, art.W, art.C, art.rows = ti.H, ti.W, ti.C, ti.rows
    if ti.C == 1 and (not art.vmin or not art.vmax) then
      local lo, hi = math.huge, -math.huge
      for _, row in ipairs(img) do for _, v in ipairs(row) do lo = min(lo, v); hi = max(hi, v) end end
      art.vmin = art.vmin or lo
      art.vmax = art.vmax or hi
    end
  else
    local sample = opts.sample
    local shape, _, lo, hi = core.plot_tensor_info(img, sample)
    if not sample and #shape == 4 and shape[1] == 1 then sample = 1; table.remove(shape, 1) end
    if #shape == 3 and shape[3] == 1 then shape[3] = nil end
    if not (#shape == 2 or (#shape == 3 and (shape[3] == 3 or shape[3] == 4))) then
      error("bad argument #1 to 'imshow' (image of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) " ..
        "expected, got (" .. table.concat(shape, ", ") .. "))", 2)
    end
    art.tensor, art.sample = img, sample
    art.H, art.W, art.C = shape[1], shape[2], shape[3] or 1
    art.vmin = art.vmin or lo
    art.vmax = art.vmax or hi
  end
  art.extent = opts.extent or { -0.5, art.W - 0.5, art.H - 0.5, -0.5 }
  add_artist(self, art)
  if opts.aspect ~= "auto" then self.aspect = "equal" end
  self.image_axes = true
  touch(self)
  return art
end

--- ax:text(x, y, s, {fontsize = 10, color, ha = "left", va = "baseline", rotation, transform = "data"|"axes"})
function Axes:text(x, y, s, opts)
  opts = opts or {}
  self.texts[#self.texts + 1] = { x = x, y = y, s = tostring(s), size = opts.fontsize or 10,
    color = opts.color or "black", ha = opts.ha or opts.horizontalalignment or "left",
    va = opts.va or opts.verticalalignment or "baseline", rotation = opts.rotation or 0,
    transform = opts.transform or "data" }
  touch(self)
end

--- ax:axhline(y, {color, linestyle, linewidth}) / ax:axvline(x, ...) lines across the axes
local function ref_line(ax, kind, at, v, opts)
  opts = opts or {}
  add_artist(ax, { kind = kind, [at] = v, color = opts.color or "black",
    linestyle = opts.linestyle or "-", linewidth = opts.linewidth or 1.5, label = opts.label })
  touch(ax)
end
function Axes:axhline(y, opts) ref_line(self, "hline", "y", y, opts) end
function Axes:axvline(x, opts) ref_line(self, "vline", "x", x, opts) end

function Axes:set_title(s, opts)
  opts = opts or {}
  self.title = { text = tostring(s), size = opts.fontsize or 12, color = opts.color or "black",
    loc = opts.loc or "center" }
  touch(self)
end
function Axes:set_xlabel(s, opts)
  self.xlabel = { text = tostring(s), size = (opts or {}).fontsize or 10 }
  touch(self)
end
function Axes:set_ylabel(s, opts)
  self.ylabel = { text = tostring(s), size = (opts or {}).fontsize or 10 }
  touch(self)
end
function Axes:set_xlim(a, b)
  if type(a) == "table" then a, b = a[1], a[2] end
  self.xlim = { a, b }
  touch(self)
end
function Axes:set_ylim(a, b)
  if type(a) == "table" then a, b = a[1], a[2] end
  self.ylim = { a, b }
  touch(self)
end

local function tick_spec(ticks, labels, opts)
  opts = opts or {}
  if type(labels) == "table" and labels[1] == nil and next(labels) ~= nil then opts, labels = labels, nil end
  local spec = { rotation = opts.rotation or 0, fontsize = opts.fontsize or 10 }
  if ticks then spec.ticks = tolist(ticks, "xticks") end
  if labels then
    spec.labels = {}
    for i = 1, #labels do spec.labels[i] = tostring(labels[i]) end
  end
  return spec
end

--- ax:set_xticks(ticks [, labels] [, {rotation, fontsize}]); ticks = {} hides them
function Axes:set_xticks(ticks, labels, opts)
  local old = self.xticks_spec
  local s = tick_spec(ticks, labels, opts)
  if old and not ticks then s.ticks, s.labels = old.ticks, old.labels end
  self.xticks_spec = s
  touch(self)
end
function Axes:set_yticks(ticks, labels, opts)
  local old = self.yticks_spec
  local s = tick_spec(ticks, labels, opts)
  if old and not ticks then s.ticks, s.labels = old.ticks, old.labels end
  self.yticks_spec = s
  touch(self)
end

--- ax:legend({loc = "best" | "upper right" | ..., fontsize = 10, title})
function Axes:legend(opts)
  self.legend_opts = opts or {}
  touch(self)
end

--- ax:grid([on = true] [, {color, linestyle, alpha, axis}])
function Axes:grid(on, opts)
  if type(on) == "table" then on, opts = true, on end
  if on == nil then on = true end
  self.grid_on = on and (opts or {}) or false
  touch(self)
end

--- ax:axis("off" | "on" | "equal" | "auto" | {xmin, xmax, ymin, ymax})
function Axes:axis(mode)
  if mode == "off" or mode == false then self.axis_on = false
  elseif mode == "on" or mode == true then self.axis_on = true
  elseif mode == "equal" or mode == "scaled" or mode == "image" then self.aspect = "equal"
  elseif mode == "auto" then self.aspect = nil
  elseif type(mode) == "table" then
    self.xlim = { mode[1], mode[2] }
    self.ylim = { mode[3], mode[4] }
  else
    error("bad argument #1 to 'axis' (\"off\", \"on\", \"equal\", \"auto\" or {xmin, xmax, ymin, ymax} expected)", 2)
  end
  touch(self)
end

function Axes:invert_yaxis() self.yinvert = not self.yinvert; touch(self) end

--- ax:colorbar([{label}]) adds a colour bar for the last image drawn on the axes (matplotlib's
-- fraction 0.15, pad 0.05, aspect 20)
function Axes:colorbar(opts)
  local img
  for _, a in ipairs(self.artists) do if a.kind == "image" and a.C == 1 then img = a end end
  if not img then error("colorbar: no colour-mapped image on these axes (imshow a 2-D image first)", 2) end
  self.cbar = { art = img, label = (opts or {}).label }
  touch(self)
  return self.cbar
end

---------------------------------------------------------------------------------------------------
-- layout and rendering
---------------------------------------------------------------------------------------------------
-- Text may span lines ("\n", spaced 1.2 em as matplotlib): width of the widest line, ascent of the
-- first line plus the lines after it, descent of the last.
local function text_size(s, px)
  if not s:find("\n", 1, true) then return core.plot_text_size(s, px) end
  local w, n, a, d = 0, 0, 0, 0
  for line in (s .. "\n"):gmatch("(.-)\n") do
    local lw, la, ld = core.plot_text_size(line, px)
    w = max(w, lw)
    n = n + 1
    if n == 1 then a = la end
    d = ld
  end
  return w, a + (n - 1) * 1.2 * px, d
end
M._text_size = text_size

-- canvas:text with several lines: each line is placed on its own baseline, the block aligned as a
-- whole (va "baseline" puts the last line on the anchor, so multi-line titles grow upwards).
local function draw_text(cv, s, x, y, px, col, ha, va, rot)
  if not s:find("\n", 1, true) then return cv:text(s, x, y, px, col, ha, va, rot) end
  local lines = {}
  for line in (s .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = line end
  local n, lh = #lines, 1.2 * px
  local _, asc = core.plot_text_size(lines[1], px)
  local _, _, desc = core.plot_text_size(lines[n], px)
  local first   -- offset of the first baseline below the anchor, in text coordinates
  if va == "top" then first = asc
  elseif va == "bottom" then first = -desc - (n - 1) * lh
  elseif va == "center" then first = -(asc + desc + (n - 1) * lh) / 2 + asc
  else first = -(n - 1) * lh end
  local t = math.rad(rot or 0)
  local ct, st = math.cos(t), math.sin(t)
  for i, line in ipairs(lines) do
    local dy = first + (i - 1) * lh
    cv:text(line, x + dy * st, y + dy * ct, px, col, ha, "baseline", rot)
  end
end

local function data_limits(ax)
  local x0, x1, y0, y1 = math.huge, -math.huge, math.huge, -math.huge
  local sticky_y0, sticky_x = false, false
  local function addx(v) if finite(v) then x0 = min(x0, v); x1 = max(x1, v) end end
  local function addy(v) if finite(v) then y0 = min(y0, v); y1 = max(y1, v) end end
  for _, a in ipairs(ax.artists) do
    if a.kind == "line" then
      for i = 1, #a.x do
        if finite(a.x[i]) and finite(a.y[i]) then addx(a.x[i]); addy(a.y[i]) end
      end
    elseif a.kind == "bars" then
      for i = 1, #a.left do
        addx(a.left[i]); addx(a.left[i] + a.width[i])
        addy(a.bottom[i]); addy(a.bottom[i] + a.height[i])
      end
      if a.horizontal then sticky_x = true else sticky_y0 = true end
    elseif a.kind == "image" then
      local e = a.extent
      addx(e[1]); addx(e[2]); addy(e[3]); addy(e[4])
      ax.image_extent = e
    elseif a.kind == "hline" then addy(a.y)
    elseif a.kind == "vline" then addx(a.x)
    end
  end
  if x0 > x1 then x0, x1 = 0, 1 end
  if y0 > y1 then y0, y1 = 0, 1 end
  return x0, x1, y0, y1, sticky_y0, sticky_x
end

local function expand(lo, hi, margin)
  if hi - lo == 0 then
    -- matplotlib's nonsingular expansion
    local d = lo == 0 and 1 or abs(lo) * 0.05
    return lo - d, hi + d
  end
  local d = (hi - lo) * margin
  return lo - d, hi + d
end

-- Limits, ticks and the pixel box of an axes (box: integer pixel rectangle in the figure).
function Axes:_prepare()
  local fig = self.fig
  local W, H = fig.width, fig.height
  local r = self.rect
  local bx0, bx1 = r[1] * W, (r[1] + r[3]) * W
  local by0, by1 = (1 - r[2] - r[4]) * H, (1 - r[2]) * H
  local orig_w = bx1 - bx0
  if self.cbar then bx1 = bx0 + orig_w * 0.8 end
  local x0, x1, y0, y1, sticky_y0, sticky_x = data_limits(self)
  if self.image_axes and #self.artists > 0 then
    -- images are sticky: no margins around them
    local onlyimg = true
    for _, a in ipairs(self.artists) do if a.kind ~= "image" then onlyimg = false end end
    if not onlyimg then x0, x1 = expand(x0, x1, 0.05); y0, y1 = expand(y0, y1, 0.05) end
    if onlyimg and #self.artists > 0 then
      local e = self.image_extent
      x0, x1 = min(e[1], e[2]), max(e[1], e[2])
      y0, y1 = min(e[3], e[4]), max(e[3], e[4])
      if e[3] > e[4] then self.yinvert_img = true end
    end
  else
    local sx0, sy0 = x0, y0
    x0, x1 = expand(x0, x1, 0.05)
    if sticky_x and sx0 >= 0 and x0 < 0 then x0 = 0 end
    y0, y1 = expand(y0, y1, 0.05)
    if sticky_y0 and sy0 >= 0 and y0 < 0 then y0 = 0 end
  end
  if self.xlim then x0 = self.xlim[1] or x0; x1 = self.xlim[2] or x1 end
  if self.ylim then y0 = self.ylim[1] or y0; y1 = self.ylim[2] or y1 end
  if x0 == x1 then x0, x1 = x0 - 0.5, x1 + 0.5 end
  if y0 == y1 then y0, y1 = y0 - 0.5, y1 + 0.5 end
  -- aspect "equal": one data unit is as long on both axes; the box shrinks and stays centred
  if self.aspect == "equal" then
    local bw, bh = bx1 - bx0, by1 - by0
    local dw, dh = abs(x1 - x0), abs(y1 - y0)
    if bh / bw > dh / dw then
      local nh = bw * dh / dw
      local c = (by0 + by1) / 2
      by0, by1 = c - nh / 2, c + nh / 2
    else
      local nw = bh * dw / dh
      local c = (bx0 + bx1) / 2
      bx0, bx1 = c - nw / 2, c + nw / 2
    end
  end
  self.box = { floor(bx0 + 0.5), floor(by0 + 0.5), floor(bx1 + 0.5), floor(by1 + 0.5) }
  if self.cbar then
    local h = by1 - by0
    local w = min(h / 20, orig_w * 0.1)
    local cx = bx1 + orig_w * 0.05
    self.cbar.box = { floor(cx + 0.5), floor(by0 + 0.5), floor(cx + w + 0.5), floor(by1 + 0.5) }
  end
  if self.box[3] <= self.box[1] then self.box[3] = self.box[1] + 1 end
  if self.box[4] <= self.box[2] then self.box[4] = self.box[2] + 1 end
  self.view = { x0, x1, y0, y1 }
  local yinv = (self.yinvert_img and true or false) ~= (self.yinvert and true or false)
  self.y_inverted = yinv
  -- ticks
  local fs = pt(fig, 10)
  local bw, bh = self.box[3] - self.box[1], self.box[4] - self.box[2]
  local function auto(lo, hi, length, per)
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
  local function ticks_for(spec, lo, hi, length, per)
    if spec and spec.ticks then
      local t, labels = {}, {}
      local lab = spec.labels
      local step
      if not lab and #spec.ticks > 1 then step = abs(spec.ticks[2] - spec.ticks[1]) end
      for i, v in ipairs(spec.ticks) do
        if v >= min(lo, hi) - 1e-9 and v <= max(lo, hi) + 1e-9 then
          t[#t + 1] = v
          labels[#labels + 1] = lab and (lab[i] or "") or M.format_tick(v, step)
        end
      end
      return t, labels, nil
    end
    return auto(lo, hi, length, per)
  end
  if self.cbar then
    local a = self.cbar.art
    local cbh = self.cbar.box[4] - self.cbar.box[2]
    local t, labels = auto(a.vmin, a.vmax, cbh, 2)
    self.cbar.ticks, self.cbar.labels = t, labels
  end
  self.xt, self.xtl, self.xoffset = ticks_for(self.xticks_spec, x0, x1, bw, 3)
  self.yt, self.ytl, self.yoffset = ticks_for(self.yticks_spec, y0, y1, bh, 2)
  self.xrot = self.xticks_spec and self.xticks_spec.rotation or 0
  self.yrot = self.yticks_spec and self.yticks_spec.rotation or 0
  self.xtsize = pt(fig, self.xticks_spec and self.xticks_spec.fontsize or 10)
  self.ytsize = pt(fig, self.yticks_spec and self.yticks_spec.fontsize or 10)
end

--- ax:transform(x, y) --> px, py: figure pixel coordinates of a data point (after layout)
function Axes:transform(x, y)
  if not self.box then self.fig:_layout() end
  local v, b = self.view, self.box
  local px = b[1] + (x - v[1]) / (v[2] - v[1]) * (b[3] - b[1])
  local fy = (y - v[3]) / (v[4] - v[3])
  if self.y_inverted then fy = 1 - fy end
  local py = b[4] - fy * (b[4] - b[2])
  return px, py
end

-- Extents (pixels) of what is drawn outside the box: left, right, top, bottom.
function Axes:_decor()
  local fig = self.fig
  local l, r, t, b = 0, 0, 0, 0
  if self.axis_on then
    local tick = pt(fig, 3.5) + pt(fig, 3.5)
    local maxw = 0
    for _, s in ipairs(self.ytl) do maxw = max(maxw, (text_size(s, self.ytsize))) end
    l = tick + maxw
    local xh = 0
    local rad = math.rad(self.xrot)
    for _, s in ipairs(self.xtl) do
      local w, a, d = text_size(s, self.xtsize)
      xh = max(xh, abs(w * math.sin(rad)) + (a + d) * abs(math.cos(rad)))
    end
    b = tick + xh
    if #self.xtl > 0 then
      local w = text_size(self.xtl[#self.xtl], self.xtsize)
      if self.xrot == 0 then r = w / 2 end
      local w1 = text_size(self.xtl[1], self.xtsize)
      if self.xrot == 0 then l = max(l, w1 / 2) else l = max(l, abs(w1 * math.cos(rad))) end
    end
    if self.xlabel then
      local _, a, d = text_size(self.xlabel.text, pt(fig, self.xlabel.size))
      b = b + pt(fig, 4) + a + d
    end
    if self.ylabel then
      local _, a, d = text_size(self.ylabel.text, pt(fig, self.ylabel.size))
      l = l + pt(fig, 4) + a + d
    end
  end
  if self.title then
    local _, a, d = text_size(self.title.text, pt(fig, self.title.size))
    t = pt(fig, 6) + a + d
  end
  if self.cbar and self.cbar.box then
    local cb = self.cbar
    local maxw = 0
    for _, s in ipairs(cb.labels or {}) do maxw = max(maxw, (text_size(s, pt(fig, 10)))) end
    r = max(r, cb.box[3] - self.box[3] + pt(fig, 7) + maxw)
    if cb.label then r = r + pt(fig, 4) + pt(fig, 10) * 1.2 end
  end
  return l, r, t, b
end

function Figure:_layout()
  for _, ax in ipairs(self.axes) do ax:_prepare() end
end

--- fig:tight_layout({pad = 1.08}) fits subplot parameters so that labels and titles do not overlap
function Figure:tight_layout(opts)
  local pad = ((opts or {}).pad or 1.08) * pt(self, 10)
  local W, H = self.width, self.height
  for _ = 1, 2 do
    self:_layout()
    local L, R, T, B = 0, 0, 0, 0
    local rows, cols = 1, 1
    for _, ax in ipairs(self.axes) do
      if ax.spec then
        local l, r, t, b = ax:_decor()
        L, R, T, B = max(L, l), max(R, r), max(T, t), max(B, b)
        rows, cols = max(rows, ax.spec[1]), max(cols, ax.spec[2])
      end
    end
    local top_extra = 0
    if self.suptitle_text then
      local _, a, d = text_size(self.suptitle_text.text, pt(self, self.suptitle_text.size))
      top_extra = a + d + pt(self, 6)
    end
    local p = self.subplotpars
    p.left = (L + pad) / W
    p.right = 1 - (R + pad) / W
    p.top = 1 - (T + pad + top_extra) / H
    p.bottom = (B + pad) / H
    local cw = (p.right - p.left) * W
    local ch = (p.top - p.bottom) * H
    -- the gap between neighbours holds the right decorations of one and the left of the other
    local gapw, gaph = L + R + pad, T + B + pad
    local axw = (cw - gapw * (cols - 1)) / cols
    local axh = (ch - gaph * (rows - 1)) / rows
    if axw > 10 and axh > 10 then
      p.wspace = gapw / axw
      p.hspace = gaph / axh
    end
    for _, ax in ipairs(self.axes) do
      if ax.spec then ax.rect = subplot_rect(p, ax.spec[1], ax.spec[2], ax.spec[3]) end
    end
  end
  self.tight = opts or {}
  self.dirty = true
end

local DASHES = { ["--"] = { 3.7, 1.6 }, [":"] = { 1, 1.65 }, ["-."] = { 6.4, 1.6, 1, 1.6 },
  dashed = { 3.7, 1.6 }, dotted = { 1, 1.65 }, dashdot = { 6.4, 1.6, 1, 1.6 } }

local function dash_pattern(fig, ls, lw)
  local d = DASHES[ls]
  if not d then return nil end
  local out = {}
  for i, v in ipairs(d) do out[i] = pt(fig, v * lw) end
  return out
end

-- Draws marker m centred at (x, y), size in pixels (matplotlib's markersize: the marker's extent).
local function draw_marker(cv, m, x, y, size, col)
  local r = size / 2
  if m == "o" then cv:circle(x, y, r, col)
  elseif m == "." then cv:circle(x, y, r / 2, col)
  elseif m == "s" then cv:fill_rect(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8, col)
  elseif m == "D" then cv:fill_polygon({ x, y - r, x + r * 0.75, y, x, y + r, x - r * 0.75, y }, col)
  elseif m == "^" then cv:fill_polygon({ x, y - r, x + r, y + r * 0.8, x - r, y + r * 0.8 }, col)
  elseif m == "v" then cv:fill_polygon({ x, y + r, x + r, y - r * 0.8, x - r, y - r * 0.8 }, col)
  elseif m == "<" then cv:fill_polygon({ x - r, y, x + r * 0.8, y - r, x + r * 0.8, y + r }, col)
  elseif m == ">" then cv:fill_polygon({ x + r, y, x - r * 0.8, y - r, x - r * 0.8, y + r }, col)
  elseif m == "x" then
    cv:stroke({ x - r, y - r, x + r, y + r }, col, max(1, size / 6))
    cv:stroke({ x - r, y + r, x + r, y - r }, col, max(1, size / 6))
  elseif m == "+" then
    cv:stroke({ x - r, y, x + r, y }, col, max(1, size / 6))
    cv:stroke({ x, y - r, x, y + r }, col, max(1, size / 6))
  elseif m == "*" then
    local pts = {}
    for k = 0, 9 do
      local a = -math.pi / 2 + k * math.pi / 5
      local rr = k % 2 == 0 and r or r * 0.4
      pts[#pts + 1] = x + rr * math.cos(a)
      pts[#pts + 1] = y + rr * math.sin(a)
    end
    cv:fill_polygon(pts, col)
  end
end

-- Draws an image artist on canvas cv in the content box (pixel offsets ox, oy).
local function draw_image(ax, cv, a, ox, oy)
  local e = a.extent
  local px0, py0 = ax:transform(e[1], e[4])
  local px1, py1 = ax:transform(e[2], e[3])
  local x, y = min(px0, px1) - ox, min(py0, py1) - oy
  local w, h = abs(px1 - px0), abs(py1 - py0)
  if a.tensor then
    cv:image(a.tensor, a.sample, x, y, w, h, a.cmap, a.vmin, a.vmax, a.interpolation)
  else
    -- a Lua table: colour it into a small canvas, then scale that
    local src = core.canvas(a.W, a.H)
    for i = 1, a.H do
      for j = 1, a.W do
        local v = a.rows[i][j]
        local col
        if a.C == 1 then
          local r, g, b = core.plot_colormap(a.cmap, v, a.vmin, a.vmax)
          col = { r / 255, g / 255, b / 255 }
        else
          local s = (v[1] > 1 or v[2] > 1 or v[3] > 1) and 255 or 1
          col = { v[1] / s, v[2] / s, v[3] / s, v[4] and v[4] / s or 1 }
        end
        src:fill_rect(j - 1, i - 1, 1, 1, col)
      end
    end
    cv:blit(src, x, y, w, h, a.interpolation)
  end
end

local function legend_entries(ax)
  local out = {}
  for _, a in ipairs(ax.artists) do
    if a.label and a.label ~= "" and not tostring(a.label):match("^_") then out[#out + 1] = a end
  end
  return out
end

local LOCS = { "upper right", "upper left", "lower left", "lower right", "right", "center left",
  "center right", "lower center", "upper center", "center" }

-- Legend box position (pixels) for a location name inside the axes box.
local function legend_pos(box, loc, w, h, pad)
  local x0, y0, x1, y1 = box[1] + pad, box[2] + pad, box[3] - pad - w, box[4] - pad - h
  local cx, cy = (box[1] + box[3] - w) / 2, (box[2] + box[4] - h) / 2
  local t = {
    ["upper right"] = { x1, y0 }, ["upper left"] = { x0, y0 }, ["lower left"] = { x0, y1 },
    ["lower right"] = { x1, y1 }, right = { x1, cy }, ["center left"] = { x0, cy },
    ["center right"] = { x1, cy }, ["lower center"] = { cx, y1 }, ["upper center"] = { cx, y0 },
    center = { cx, cy },
  }
  local p = t[loc] or t["upper right"]
  return p[1], p[2]
end

local function segments_cross_box(xa, ya, xb, yb, bx0, by0, bx1, by1)
  -- Liang-Barsky clip test
  local t0, t1 = 0, 1
  local dx, dy = xb - xa, yb - ya
  local p = { -dx, dx, -dy, dy }
  local q = { xa - bx0, bx1 - xa, ya - by0, by1 - ya }
  for i = 1, 4 do
    if p[i] == 0 then
      if q[i] < 0 then return false end
    else
      local t = q[i] / p[i]
      if p[i] < 0 then t0 = max(t0, t) else t1 = min(t1, t) end
      if t0 > t1 then return false end
    end
  end
  return true
end

-- matplotlib's "best": the candidate covering the fewest data vertices, line segments and bars.
local function best_location(ax, w, h, pad)
  local best, bestbad
  local pts = {}
  local rects = {}
  for _, a in ipairs(ax.artists) do
    if a.kind == "line" then
      local p = {}
      for i = 1, #a.x do
        if finite(a.x[i]) and finite(a.y[i]) then
          local px, py = ax:transform(a.x[i], a.y[i])
          p[#p + 1] = { px, py }
        end
      end
      pts[#pts + 1] = p
    elseif a.kind == "bars" then
      for i = 1, #a.left do
        if a.height[i] ~= 0 then
          local xa, ya = ax:transform(a.left[i], a.bottom[i])
          local xb, yb = ax:transform(a.left[i] + a.width[i], a.bottom[i] + a.height[i])
          rects[#rects + 1] = { min(xa, xb), min(ya, yb), max(xa, xb), max(ya, yb) }
        end
      end
    end
  end
  for _, loc in ipairs(LOCS) do
    local lx, ly = legend_pos(ax.box, loc, w, h, pad)
    local bx0, by0, bx1, by1 = lx, ly, lx + w, ly + h
    local bad = 0
    for _, p in ipairs(pts) do
      for i, v in ipairs(p) do
        if v[1] >= bx0 and v[1] <= bx1 and v[2] >= by0 and v[2] <= by1 then bad = bad + 1 end
        local nx = p[i + 1]
        if nx and segments_cross_box(v[1], v[2], nx[1], nx[2], bx0, by0, bx1, by1) then bad = bad + 1 end
      end
    end
    for _, r in ipairs(rects) do
      if r[1] < bx1 and r[3] > bx0 and r[2] < by1 and r[4] > by0 then bad = bad + 1 end
    end
    if not bestbad or bad < bestbad then best, bestbad = loc, bad end
    if bad == 0 then break end
  end
  return best
end

local function rounded_rect(x, y, w, h, r)
  local pts = {}
  local corners = { { x + w - r, y + r, -90 }, { x + w - r, y + h - r, 0 }, { x + r, y + h - r, 90 },
    { x + r, y + r, 180 } }
  for _, c in ipairs(corners) do
    for k = 0, 6 do
      local a = math.rad(c[3] + k * 15)
      pts[#pts + 1] = c[1] + r * math.cos(a)
      pts[#pts + 1] = c[2] + r * math.sin(a)
    end
  end
  return pts
end
M._rounded_rect = rounded_rect

local function draw_legend(ax, cv)
  local entries = legend_entries(ax)
  if #entries == 0 then return end
  local fig = ax.fig
  local opts = ax.legend_opts
  local fs = pt(fig, opts.fontsize or 10)
  local bp, ls, hl, htp, bap = 0.4 * fs, 0.5 * fs, 2.0 * fs, 0.8 * fs, 0.5 * fs
  local rowh, textw = 0, 0
  for _, e in ipairs(entries) do
    local w, a, d = text_size(tostring(e.label), fs)
    textw = max(textw, w)
    rowh = max(rowh, a + d)
  end
  local title_h = 0
  if opts.title then
    local _, a, d = text_size(opts.title, fs)
    title_h = a + d + ls
    textw = max(textw, (text_size(opts.title, fs)) - hl - htp)
  end
  local w = bp * 2 + hl + htp + textw
  local h = bp * 2 + #entries * rowh + (#entries - 1) * ls + title_h
  local loc = opts.loc or "best"
  if loc == "best" then loc = best_location(ax, w, h, bap) end
  local lx, ly = legend_pos(ax.box, loc, w, h, bap)
  local frame = opts.frameon ~= false
  if frame then
    local rr = 0.2 * fs
    cv:fill_polygon(rounded_rect(lx, ly, w, h, rr), { 1, 1, 1, opts.framealpha or 0.8 })
    local pts = rounded_rect(lx, ly, w, h, rr)
    pts[#pts + 1] = pts[1]; pts[#pts + 1] = pts[2]
    cv:stroke(pts, { 0.8, 0.8, 0.8, 1 }, pt(fig, 1.0))
  end
  local y = ly + bp
  if opts.title then
    draw_text(cv, opts.title, lx + w / 2, y, fs, { 0, 0, 0 }, "center", "top")
    y = y + title_h
  end
  for _, e in ipairs(entries) do
    local cy = y + rowh / 2
    local hx = lx + bp
    local col = to_rgba(e.color, e.alpha)
    if e.kind == "bars" then
      local hh = 0.7 * fs
      cv:fill_rect(hx, cy - hh / 2, hl, hh, col)
    else
      local lw = pt(fig, e.linewidth or 1.5)
      if e.linestyle ~= "none" and e.linestyle ~= "" then
        cv:stroke({ hx, cy, hx + hl, cy }, col, lw, dash_pattern(fig, e.linestyle, e.linewidth or 1.5))
      end
      if e.marker then draw_marker(cv, e.marker, hx + hl / 2, cy, pt(fig, e.markersize or 6), col) end
    end
    draw_text(cv, tostring(e.label), hx + hl + htp, cy, fs, { 0, 0, 0 }, "left", "center")
    y = y + rowh + ls
  end
  ax.legend_box = { lx, ly, lx + w, ly + h, loc = loc }
end

-- Draws one axes onto the figure canvas.
function Axes:_draw(cv)
  local fig = self.fig
  local b = self.box
  local bw, bh = b[3] - b[1], b[4] - b[2]
  local black = { 0, 0, 0, 1 }
  -- content, clipped to the box by drawing it on its own transparent canvas
  local content = core.canvas(bw, bh, { 1, 1, 1, 0 })
  local ox, oy = b[1], b[2]
  if self.axis_on then content:clear({ 1, 1, 1, 1 }) end
  if self.grid_on and self.axis_on then
    local g = self.grid_on
    local gc = to_rgba(g.color or "#b0b0b0", g.alpha)
    local glw = pt(fig, g.linewidth or 0.8)
    local dashes = dash_pattern(fig, g.linestyle or "-", g.linewidth or 0.8)
    if g.axis ~= "y" then
      for _, v in ipairs(self.xt) do
        local px = self:transform(v, self.view[3]) - ox
        content:stroke({ px, 0, px, bh }, gc, glw, dashes)
      end
    end
    if g.axis ~= "x" then
      for _, v in ipairs(self.yt) do
        local _, py = self:transform(self.view[1], v)
        content:stroke({ 0, py - oy, bw, py - oy }, gc, glw, dashes)
      end
    end
  end
  for _, a in ipairs(self.artists) do
    if a.kind == "image" then
      draw_image(self, content, a, ox, oy)
    elseif a.kind == "bars" then
      local base = to_rgba(a.color, a.alpha)
      if not a.colors and a.histtype ~= "step" and not a.edgecolor then
        -- one union fill: neighbouring bars share edges without a seam
        local polys = {}
        for i = 1, #a.left do
          local x0p, y0p = self:transform(a.left[i], a.bottom[i])
          local x1p, y1p = self:transform(a.left[i] + a.width[i], a.bottom[i] + a.height[i])
          if y0p ~= y1p and x0p ~= x1p then
            polys[#polys + 1] = { x0p - ox, y0p - oy, x1p - ox, y0p - oy, x1p - ox, y1p - oy, x0p - ox, y1p - oy }
          end
        end
        if #polys > 0 then content:fill_polygon(polys, base) end
      end
      for i = 1, (a.colors or a.histtype == "step" or a.edgecolor) and #a.left or 0 do
        local x0p, y0p = self:transform(a.left[i], a.bottom[i])
        local x1p, y1p = self:transform(a.left[i] + a.width[i], a.bottom[i] + a.height[i])
        local col = a.colors and to_rgba(a.colors[(i - 1) % #a.colors + 1], a.alpha) or base
        if a.histtype == "step" then
          content:stroke({ x0p - ox, y0p - oy, x0p - ox, y1p - oy, x1p - ox, y1p - oy, x1p - ox, y0p - oy },
            col, pt(fig, 1.5))
        else
          content:fill_rect(min(x0p, x1p) - ox, min(y0p, y1p) - oy, abs(x1p - x0p), abs(y1p - y0p), col)
          if a.edgecolor then
            content:stroke({ x0p - ox, y0p - oy, x0p - ox, y1p - oy, x1p - ox, y1p - oy, x1p - ox, y0p - oy,
              x0p - ox, y0p - oy }, to_rgba(a.edgecolor), pt(fig, 1))
          end
        end
      end
    elseif a.kind == "line" then
      local col = to_rgba(a.color, a.alpha)
      local lw = pt(fig, a.linewidth)
      local pts = {}
      for i = 1, #a.x do
        local px, py = self:transform(a.x[i], a.y[i])
        if not (finite(a.x[i]) and finite(a.y[i])) then px, py = 0 / 0, 0 / 0 end
        pts[#pts + 1] = px - ox
        pts[#pts + 1] = py - oy
      end
      if a.linestyle ~= "none" and a.linestyle ~= "" and a.linestyle ~= " " then
        local dashes = dash_pattern(fig, a.linestyle, a.linewidth)
        content:stroke(pts, col, lw, dashes, dashes and "butt" or "square")
      end
      if a.marker then
        local ms = pt(fig, a.markersize)
        for i = 1, #pts, 2 do
          if finite(pts[i]) then draw_marker(content, a.marker, pts[i], pts[i + 1], ms, col) end
        end
      end
    elseif a.kind == "hline" or a.kind == "vline" then
      local col = to_rgba(a.color)
      local lw = pt(fig, a.linewidth)
      local dashes = dash_pattern(fig, a.linestyle, a.linewidth)
      if a.kind == "hline" then
        local _, py = self:transform(self.view[1], a.y)
        content:stroke({ 0, py - oy, bw, py - oy }, col, lw, dashes)
      else
        local px = self:transform(a.x, self.view[3])
        content:stroke({ px - ox, 0, px - ox, bh }, col, lw, dashes)
      end
    end
  end
  for _, t in ipairs(self.texts) do
    local px, py
    if t.transform == "axes" then px, py = t.x * bw, (1 - t.y) * bh
    else px, py = self:transform(t.x, t.y); px, py = px - ox, py - oy end
    draw_text(content, t.s, px, py, pt(fig, t.size), to_rgba(t.color), t.ha, t.va, t.rotation)
  end
  cv:blit(content, ox, oy, bw, bh)
  if self.axis_on then
    -- spines on pixel centres so 0.8 pt lines stay crisp
    local slw = pt(fig, 0.8)
    local x0, y0, x1, y1 = b[1], b[2], b[3], b[4]
    cv:stroke({ x0, y0, x1, y0, x1, y1, x0, y1, x0, y0 - slw / 2 }, black, slw, nil, "square")
    local tl, tp = pt(fig, 3.5), pt(fig, 3.5)
    for i, v in ipairs(self.xt) do
      local px = self:transform(v, self.view[3])
      cv:stroke({ px, y1, px, y1 + tl }, black, slw)
      local s = self.xtl[i]
      if s and s ~= "" then
        if self.xrot == 0 then
          draw_text(cv, s, px, y1 + tl + tp, self.xtsize, black, "center", "top")
        else
          draw_text(cv, s, px, y1 + tl + tp, self.xtsize, black, "right", "top", self.xrot)
        end
      end
    end
    for i, v in ipairs(self.yt) do
      local _, py = self:transform(self.view[1], v)
      cv:stroke({ x0 - tl, py, x0, py }, black, slw)
      local s = self.ytl[i]
      if s and s ~= "" then draw_text(cv, s, x0 - tl - tp, py, self.ytsize, black, "right", "center", self.yrot) end
    end
    local xh_off = 0
    if self.xoffset then
      local _, a, d = text_size(self.xoffset, self.xtsize)
      xh_off = a + d
      local _, ta, td = text_size("0", self.xtsize)
      draw_text(cv, self.xoffset, x1, y1 + tl + tp + ta + td + pt(fig, 2), self.xtsize, black, "right", "top")
    end
    if self.yoffset then
      draw_text(cv, self.yoffset, x0, y0 - pt(fig, 3), self.ytsize, black, "left", "bottom")
    end
    local l, bdec
    if self.xlabel then
      local xh = 0
      local rad = math.rad(self.xrot)
      for _, s in ipairs(self.xtl) do
        local w, a, d = text_size(s, self.xtsize)
        xh = max(xh, abs(w * math.sin(rad)) + (a + d) * abs(math.cos(rad)))
      end
      bdec = y1 + tl + tp + xh + pt(fig, 4) + (xh_off > 0 and xh_off + pt(fig, 2) or 0)
      draw_text(cv, self.xlabel.text, (x0 + x1) / 2, bdec, pt(fig, self.xlabel.size), black, "center", "top")
    end
    if self.ylabel then
      local maxw = 0
      for _, s in ipairs(self.ytl) do maxw = max(maxw, (text_size(s, self.ytsize))) end
      l = x0 - tl - tp - maxw - pt(fig, 4)
      draw_text(cv, self.ylabel.text, l, (y0 + y1) / 2, pt(fig, self.ylabel.size), black, "center", "bottom", 90)
    end
  end
  if self.title then
    local t = self.title
    local x = t.loc == "left" and b[1] or t.loc == "right" and b[3] or (b[1] + b[3]) / 2
    local ha = t.loc == "left" and "left" or t.loc == "right" and "right" or "center"
    draw_text(cv, t.text, x, b[2] - pt(fig, 6), pt(fig, t.size), to_rgba(t.color), ha, "baseline")
  end
  if self.legend_opts then draw_legend(self, cv) end
  if self.cbar then
    local cb, a = self.cbar, self.cbar.art
    local x0, y0, x1, y1 = cb.box[1], cb.box[2], cb.box[3], cb.box[4]
    local ramp = core.canvas(1, 256)
    for i = 0, 255 do
      local r, g, bl = core.plot_colormap(a.cmap, i, 0, 255)
      ramp:fill_rect(0, 255 - i, 1, 1, { r / 255, g / 255, bl / 255 })
    end
    cv:blit(ramp, x0, y0, x1 - x0, y1 - y0, "nearest")
    local slw = pt(fig, 0.8)
    cv:stroke({ x0, y0, x1, y0, x1, y1, x0, y1, x0, y0 - slw / 2 }, black, slw, nil, "square")
    local maxw = 0
    for i, v in ipairs(cb.ticks) do
      local py = y1 - (v - a.vmin) / (a.vmax - a.vmin) * (y1 - y0)
      cv:stroke({ x1, py, x1 + pt(fig, 3.5), py }, black, slw)
      draw_text(cv, cb.labels[i], x1 + pt(fig, 7), py, pt(fig, 10), black, "left", "center")
      maxw = max(maxw, (text_size(cb.labels[i], pt(fig, 10))))
    end
    if cb.label then
      draw_text(cv, cb.label, x1 + pt(fig, 11) + maxw, (y0 + y1) / 2, pt(fig, 10), black, "center", "top", 90)
    end
  end
end

--- fig:render() --> canvas: lays the figure out and rasterises it
function Figure:render()
  if self.tight then self:tight_layout(self.tight) end
  self:_layout()
  local cv = core.canvas(self.width, self.height, to_rgba(self.facecolor))
  for _, ax in ipairs(self.axes) do ax:_draw(cv) end
  for _, t in ipairs(self.texts) do
    draw_text(cv, t.s, t.x * self.width, (1 - t.y) * self.height, pt(self, t.size), to_rgba(t.color),
      t.ha, t.va, t.rotation)
  end
  if self.suptitle_text then
    local s = self.suptitle_text
    draw_text(cv, s.text, self.width / 2, pt(self, 6), pt(self, s.size), to_rgba(s.color), "center", "top")
  end
  for _, p in ipairs(self.painters) do p(cv, self) end
  self.canvas = cv
  return cv
end

--- fig:text(x, y, s, {fontsize, color, ha, va, rotation}) text at figure fractions (0..1, y up)
function Figure:text(x, y, s, opts)
  opts = opts or {}
  self.texts[#self.texts + 1] = { x = x, y = y, s = tostring(s), size = opts.fontsize or 10,
    color = opts.color or "black", ha = opts.ha or "left", va = opts.va or "baseline",
    rotation = opts.rotation or 0 }
  self.dirty = true
end

--- fig:add_painter(function(canvas, fig)) draws straight on the canvas after the axes
function Figure:add_painter(f)
  self.painters[#self.painters + 1] = f
  self.dirty = true
end

--- fig:savefig(path [, {dpi}]) writes the figure as PNG; returns path
function Figure:savefig(path, opts)
  if type(path) ~= "string" then error("bad argument #1 to 'savefig' (file name expected)", 2) end
  if opts and opts.dpi and opts.dpi ~= self.dpi then
    local k = opts.dpi / self.dpi
    self.dpi = opts.dpi
    self.width, self.height = floor(self.width * k + 0.5), floor(self.height * k + 0.5)
  end
  local cv = self:render()
  cv:save_png(path)
  self.dirty = false
  self.saved_path = path
  return path
end

---------------------------------------------------------------------------------------------------
-- pyplot-style functions on the current axes
---------------------------------------------------------------------------------------------------
for _, name in ipairs({ "plot", "scatter", "hist", "bar", "barh", "imshow", "text", "legend", "grid",
  "axis", "axhline", "axvline", "invert_yaxis", "colorbar" }) do
  M[name] = function(...) return Axes[name](M.gca(), ...) end
end

function M.title(s, opts) return M.gca():set_title(s, opts) end
function M.xlabel(s, opts) return M.gca():set_xlabel(s, opts) end
function M.ylabel(s, opts) return M.gca():set_ylabel(s, opts) end
function M.xlim(a, b) return M.gca():set_xlim(a, b) end
function M.ylim(a, b) return M.gca():set_ylim(a, b) end
--- xticks([ticks [, labels]] [, {rotation, fontsize}])
function M.xticks(ticks, labels, opts)
  if type(ticks) == "table" and ticks[1] == nil and next(ticks) ~= nil and labels == nil then
    return M.gca():set_xticks(nil, nil, ticks)
  end
  return M.gca():set_xticks(ticks, labels, opts)
end
function M.yticks(ticks, labels, opts)
  if type(ticks) == "table" and ticks[1] == nil and next(ticks) ~= nil and labels == nil then
    return M.gca():set_yticks(nil, nil, ticks)
  end
  return M.gca():set_yticks(ticks, labels, opts)
end
function M.suptitle(s, opts) return M.gcf():suptitle(s, opts) end
function M.tight_layout(opts) return M.gcf():tight_layout(opts) end
function M.subplots_adjust(p) return M.gcf():subplots_adjust(p) end

--- savefig(path [, {dpi}]) writes the current figure as PNG; returns path
function M.savefig(path, opts)
  return M.gcf():savefig(path, opts)
end

--- render() --> the current figure's canvas (canvas:pixel(x, y), canvas:save_png(path))
function M.render()
  return M.gcf():render()
end

--- close([fig | "all"]) forgets a figure (the current one by default)
function M.close(fig)
  if fig == "all" then
    state.figures = {}
    state.current = nil
    return
  end
  fig = fig or state.current
  for i, f in ipairs(state.figures) do
    if f == fig then table.remove(state.figures, i); break end
  end
  if state.current == fig then state.current = state.figures[#state.figures] end
end

--- clf() clears the current figure
function M.clf()
  local fig = M.gcf()
  fig.axes, fig.painters, fig.texts, fig.gca, fig.suptitle_text = {}, {}, {}, nil, nil
  fig.dirty = false
end

--- font(path [, index]) draws text with that font face first (others remain as fallbacks);
-- font() goes back to the defaults (DejaVu Sans, then WenQuanYi Micro Hei for Chinese)
function M.font(path, index)
  if path == nil then core.plot_font_reset(); return end
  if type(path) ~= "string" then error("bad argument #1 to 'font' (font file path expected)", 2) end
  core.plot_font(path, index or 0)
end

--- canvas(width, height [, colour]) --> a blank Canvas for drawing by hand
M.canvas = core.canvas

---------------------------------------------------------------------------------------------------
-- showing: PNG files for scripts and the REPL, inline images on capable terminals
---------------------------------------------------------------------------------------------------
local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

--- base64(s) --> s in base64
function M._base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local c1 = (n >> 18) & 63
    local c2 = (n >> 12) & 63
    local c3 = (n >> 6) & 63
    local c4 = n & 63
    out[#out + 1] = b64chars:sub(c1 + 1, c1 + 1) .. b64chars:sub(c2 + 1, c2 + 1) ..
        (b and b64chars:sub(c3 + 1, c3 + 1) or "=") .. (c and b64chars:sub(c4 + 1, c4 + 1) or "=")
  end
  return table.concat(out)
end

--- inline_protocol() --> "kitty" | "iterm2" | "sixel" | nil, from TERM / TERM_PROGRAM
function M.inline_protocol()
  local term, prog = os.getenv("TERM") or "", os.getenv("TERM_PROGRAM") or ""
  if os.getenv("CVISION_INLINE") == "0" then return nil end
  if term == "xterm-kitty" or os.getenv("KITTY_WINDOW_ID") or prog == "WezTerm" or prog == "ghostty" then
    return "kitty"
  end
  if prog == "iTerm.app" or os.getenv("LC_TERMINAL") == "iTerm2" then return "iterm2" end
  if term:find("sixel") or term == "mlterm" or term == "yaft-256color" then return "sixel" end
  return nil
end

--- inline_escape(png_bytes, protocol) --> the escape sequence that shows the PNG inline
function M.inline_escape(png, proto)
  local data = M._base64(png)
  if proto == "kitty" then
    local parts = {}
    local n = #data
    local i = 1
    local first = true
    while i <= n do
      local chunk = data:sub(i, i + 4095)
      i = i + 4096
      local more = i <= n and 1 or 0
      if first then
        parts[#parts + 1] = "\27_Gf=100,a=T,m=" .. more .. ";" .. chunk .. "\27\\"
        first = false
      else
        parts[#parts + 1] = "\27_Gm=" .. more .. ";" .. chunk .. "\27\\"
      end
    end
    return table.concat(parts) .. "\n"
  elseif proto == "iterm2" then
    return "\27]1337;File=inline=1;size=" .. #png .. ";preserveAspectRatio=1:" .. data .. "\7\n"
  end
  return nil
end

-- Where show() and the REPL write figures: M.plot_dir, else $CVISION_PLOT_DIR, else ./cvision-plots.
local function plot_dir()
  local d = M.plot_dir or os.getenv("CVISION_PLOT_DIR") or "cvision-plots"
  os.execute("mkdir -p '" .. d:gsub("'", "'\\''") .. "'")
  return d
end

local function exists(p)
  local f = io.open(p, "rb")
  if f then f:close() return true end
  return false
end

--- show([{inline}]) writes the current figure to a numbered PNG (in $CVISION_PLOT_DIR or
-- ./cvision-plots/), prints its path, shows it inline on kitty, iTerm2 and sixel terminals
-- (opts.inline = "kitty" | "iterm2" | "sixel" | false overrides the guess), and closes the
-- figure (the next drawing starts a new one, as in a notebook). Returns the path.
function M.show(opts)
  local fig = state.current
  if not fig or #fig.axes + #fig.painters + #fig.texts == 0 then return nil end
  local dir = plot_dir()
  local path
  repeat
    state.shown = state.shown + 1
    path = string.format("%s/figure-%03d.png", dir, state.shown)
  until not exists(path)
  local cv = fig:render()
  cv:save_png(path)
  fig.dirty = false
  io.write(path, "\n")
  local proto = (opts or {}).inline
  if proto == nil then proto = M.inline_protocol() end
  if proto == "sixel" then
    io.write(cv:sixel(), "\n")
  elseif proto then
    local esc = M.inline_escape(cv:png(), proto)
    if esc then io.write(esc) end
  end
  io.flush()
  M.close(fig)
  return path
end

--- _repl_after_eval() is called by the REPL after each line: a figure drawn on since it was last
-- saved is shown (see show).
function M._repl_after_eval()
  local fig = state.current
  if fig and fig.dirty then return M.show() end
  return nil
end

-- ready-made figures (lazy, so plotting alone loads no model code)
local figure_names = { history = true, model = true, images = true, failed_predictions = true,
  confusion_matrix = true, confidence = true, class_accuracy = true, confusion = true }
setmetatable(M, {
  __index = function(t, k)
    if figure_names[k] then
      local F = require "cvision.plot.figures"
      for name in pairs(figure_names) do if F[name] then rawset(t, name, F[name]) end end
      return rawget(t, k)
    end
    return nil
  end,
})

return M
