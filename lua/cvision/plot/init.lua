-- cvision.plot: figures in the manner of matplotlib's pyplot, drawn by the C raster (cvision.core
-- Canvas) and written as PNG. A state machine keeps a current figure and current axes; drawing
-- calls record artists, and a figure is laid out and rasterised when it is saved (savefig), shown
-- (show, or the REPL after each line) or asked for its canvas (render). Sizes follow matplotlib's
-- defaults: figsize in inches times dpi gives pixels, font sizes and line widths are in points.
-- Ready-made figures of the lecture (history, model, images, failed_predictions, ...) are in
-- cvision.plot.figures and re-exported here.
--
-- This file holds the pyplot state and functions; the rooms behind it: figure and axes (the
-- objects), layout, ticks, legend, colorbar, colors, paint (shared drawing helpers), values,
-- terminal (inline image protocols), artists (the registry) and artists/<kind>.lua (one file per
-- plot type, registered in the list below).
local core = require "cvision.core"
local colors = require "cvision.plot.colors"
local values = require "cvision.plot.values"
local ticks = require "cvision.plot.ticks"
local paint = require "cvision.plot.paint"
local artists = require "cvision.plot.artists"
local figure = require "cvision.plot.figure"
local axes = require "cvision.plot.axes"
local terminal = require "cvision.plot.terminal"
local norm = require "cvision.plot.norm"
local errors = require "cvision.util.errors"

local M = {}

M.to_rgba = colors.to_rgba
M.colormaps = colors.colormaps
M.nice_ticks = ticks.nice_ticks
M.format_tick = ticks.format_tick
M.Figure = figure.Figure
M.Axes = axes.Axes
M._tolist = values.tolist
M._text_size = paint.text_size
M._rounded_rect = paint.rounded_rect
M._base64 = terminal.base64
M.inline_protocol = terminal.inline_protocol
M.inline_escape = terminal.inline_escape
M.Normalize = norm.Normalize
M.LogNorm = norm.LogNorm

local Axes = axes.Axes

local state = { figures = {}, current = nil, counter = 0, shown = 0 }
M._state = state

--- figure{figsize = {w, h}, dpi = 100, facecolor = "white"} --> Figure (becomes current)
-- Makes fig the newest and current figure.
local function add_figure(fig)
  state.counter = state.counter + 1
  fig.number = state.counter
  state.figures[#state.figures + 1] = fig
  state.current = fig
  return fig
end

--- figure{figsize = {6.4, 4.8}, dpi = 100, facecolor = "white"} --> a new Figure, made current
-- (defaults: rcParams figure.figsize, figure.dpi, figure.facecolor)
function M.figure(opts)
  return add_figure(figure.new(opts))
end

--- gcf() --> the current figure (a new default one when there is none)
function M.gcf()
  return state.current or M.figure()
end

--- subplot(rows, cols, index) --> Axes (index 1-based, row by row, as matplotlib); subplot(221) too
function M.subplot(rows, cols, index)
  return M.gcf():add_subplot(rows, cols, index)
end

local SUBPLOTS = { figsize = true, dpi = true, facecolor = true, sharex = true, sharey = true, squeeze = true }

-- sharex/sharey as matplotlib reads them: true is "all", false "none".
local function share_mode(v, name)
  if v == nil or v == false then return "none" end
  if v == true then return "all" end
  return errors.check_choice("subplots", name, v, { "all", "row", "col", "none" }, 4)
end

--- subplots([rows = 1 [, cols = 1]] [, {figsize, dpi, facecolor, sharex, sharey, squeeze = true}])
-- --> fig, axs as matplotlib's: axs[r][c] for a grid, a list axs[i] when rows or cols is 1, the
-- Axes itself for 1 x 1 (squeeze = false: always axs[r][c]). sharex/sharey = true | "all" | "row"
-- | "col" | "none": the axes of the group share their limits (the union of their data, or the
-- limits set on one of them), and the tick labels inside the grid are hidden ("all"/"col" for x:
-- all but the bottom row; "all"/"row" for y: all but the first column).
function M.subplots(rows, cols, opts)
  if type(rows) == "table" then rows, cols, opts = nil, nil, rows
  elseif type(cols) == "table" then cols, opts = nil, cols end
  opts = errors.check_options("subplots", opts, SUBPLOTS, 3, "keyword")
  rows, cols = rows or 1, cols or 1
  if not (math.type(rows) == "integer" and rows > 0 and math.type(cols) == "integer" and cols > 0) then
    error("subplots: rows and cols must be positive integers", 2)
  end
  local sx, sy = share_mode(opts.sharex, "sharex"), share_mode(opts.sharey, "sharey")
  local fig = add_figure(figure.new({ figsize = opts.figsize, dpi = opts.dpi, facecolor = opts.facecolor },
    "subplots"))
  local grid = {}
  for r = 1, rows do
    grid[r] = {}
    for c = 1, cols do grid[r][c] = fig:add_subplot(rows, cols, (r - 1) * cols + c) end
  end
  local function share(mode, key, r, c)
    if mode == "none" then return end
    local g = {}
    for rr = 1, rows do
      for cc = 1, cols do
        if mode == "all" or (mode == "row" and rr == r) or (mode == "col" and cc == c) then
          g[#g + 1] = grid[rr][cc]
        end
      end
    end
    grid[r][c][key] = g
  end
  for r = 1, rows do
    for c = 1, cols do
      local ax = grid[r][c]
      share(sx, "share_x", r, c)
      share(sy, "share_y", r, c)
      if (sx == "all" or sx == "col") and r < rows then ax.hide_xticklabels = true end
      if (sy == "all" or sy == "row") and c > 1 then ax.hide_yticklabels = true end
    end
  end
  fig.gca = grid[1][1]
  if opts.squeeze == false then return fig, grid end
  if rows == 1 and cols == 1 then return fig, grid[1][1] end
  if rows == 1 then return fig, grid[1] end
  if cols == 1 then
    local list = {}
    for r = 1, rows do list[r] = grid[r][1] end
    return fig, list
  end
  return fig, grid
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

---------------------------------------------------------------------------------------------------
-- artist kinds: one file each under artists/; a new plot type is one more name here
---------------------------------------------------------------------------------------------------
-- The pyplot function for an Axes method: the same call on the current axes.
local function on_gca(name)
  return function(...) return Axes[name](M.gca(), ...) end
end

--- register_artist(kind) --> kind: adds an artist kind (the contract is in cvision.plot.artists);
-- its methods become Axes methods and pyplot functions on the current axes
function M.register_artist(kind)
  artists.register(kind)
  for _, k in ipairs(kind[1] ~= nil and kind or { kind }) do
    for name in pairs(k.methods or {}) do
      if rawget(M, name) == nil then M[name] = on_gca(name) end
    end
  end
  return kind
end

for _, name in ipairs({ "line", "scatter", "bars", "hist", "image", "text", "reflines",
  "boxplot", "violin", "contour", "matshow", "step", "fill", "errorbar", "segments", "spans", "pie",
  "annotate" }) do
  M.register_artist(require("cvision.plot.artists." .. name))
end
--- matshow(A [, {fignum, cmap, vmin, vmax, ...}]) --> AxesImage: A on a new figure of its shape
function M.matshow(A, opts) return require("cvision.plot.artists.matshow").pyplot(M, A, opts) end

---------------------------------------------------------------------------------------------------
-- pyplot-style functions on the current axes and figure
---------------------------------------------------------------------------------------------------
for _, name in ipairs({ "legend", "grid", "axis", "invert_yaxis", "colorbar", "semilogx", "semilogy", "loglog",
  "twinx", "twiny" }) do
  M[name] = on_gca(name)
end

--- title(s [, {fontsize, color, loc}]) sets the current axes' title (ax:set_title)
function M.title(s, opts) return M.gca():set_title(s, opts) end
--- xlabel(s [, {fontsize}]) labels the current axes' x axis (ax:set_xlabel)
function M.xlabel(s, opts) return M.gca():set_xlabel(s, opts) end
--- ylabel(s [, {fontsize}]) labels the current axes' y axis (ax:set_ylabel)
function M.ylabel(s, opts) return M.gca():set_ylabel(s, opts) end
--- xlim(a, b) or xlim{a, b} sets the current axes' x limits (nil keeps that end automatic)
function M.xlim(a, b) return M.gca():set_xlim(a, b) end
--- xscale("linear" | "log" [, {base = 10, nonpositive = "clip"}]) sets the current axes' x scale
function M.xscale(name, opts) return M.gca():set_xscale(name, opts) end
--- yscale("linear" | "log" [, {base = 10, nonpositive = "clip"}]) sets the current axes' y scale
function M.yscale(name, opts) return M.gca():set_yscale(name, opts) end
-- rcParams (cvision.plot.rc), rcdefaults() and style.use/context/available (cvision.plot.style)
M.rcParams, M.rcdefaults, M.style = require("cvision.plot.rc").params, require("cvision.plot.rc").reset,
  require "cvision.plot.style"
--- ylim(a, b) or ylim{a, b} sets the current axes' y limits (nil keeps that end automatic)
function M.ylim(a, b) return M.gca():set_ylim(a, b) end
--- xticks([ticks [, labels]] [, {rotation, fontsize}])
function M.xticks(t, labels, opts)
  if type(t) == "table" and t[1] == nil and next(t) ~= nil and labels == nil then
    return M.gca():set_xticks(nil, nil, t)
  end
  return M.gca():set_xticks(t, labels, opts)
end
--- yticks([ticks [, labels]] [, {rotation, fontsize}])
function M.yticks(t, labels, opts)
  if type(t) == "table" and t[1] == nil and next(t) ~= nil and labels == nil then
    return M.gca():set_yticks(nil, nil, t)
  end
  return M.gca():set_yticks(t, labels, opts)
end
--- suptitle(s [, {fontsize, color}]) a title centred above all the current figure's axes
function M.suptitle(s, opts) return M.gcf():suptitle(s, opts) end
--- tight_layout([{pad = 1.08}]) fits the current figure's axes, labels and titles in the figure
function M.tight_layout(opts) return M.gcf():tight_layout(opts) end
--- subplots_adjust{left, right, bottom, top, wspace, hspace} sets the current figure's margins and gaps
function M.subplots_adjust(p) return M.gcf():subplots_adjust(p) end

--- savefig(path [, {dpi, format, quality}]) writes the current figure as PNG or JPEG (by format,
-- else the extension: .png, .jpg, .jpeg; any other is an error) and ends it (the next drawing starts
-- a new figure, as in a notebook; the figure stays open, so a notebook cell still shows it); returns path
function M.savefig(path, opts)
  if type(path) ~= "string" then error("bad argument #1 to 'savefig' (file name expected)", 2) end
  opts = errors.check_options("savefig", opts, figure.SAVEFIG, 3, "keyword")
  figure.format_of(path, opts.format, 2)
  local fig = M.gcf()
  local out = fig:savefig(path, opts)
  if state.current == fig then state.current = nil end
  state.saved = fig                      -- close() right after savefig() closes this one, as pyplot's
  return out
end

--- render() --> the current figure's canvas (canvas:pixel(x, y), canvas:save_png(path))
function M.render()
  return M.gcf():render()
end

--- close([fig | "all"]) forgets a figure (by default the current one, or the one savefig() just
-- wrote); the last figure left becomes current, as in pyplot
function M.close(fig)
  if fig == "all" then
    state.figures = {}
    state.current, state.saved = nil, nil
    return
  end
  local implicit = fig == nil
  fig = fig or state.current or state.saved
  if fig == nil then return end
  if state.saved == fig then state.saved = nil end
  for i, f in ipairs(state.figures) do
    if f == fig then table.remove(state.figures, i); break end
  end
  -- as pyplot: the last figure left becomes current
  if state.current == fig or implicit then state.current = state.figures[#state.figures] end
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
  require("cvision.plot.glyphs").reset()   -- the faces' numbers change: outlines cached by them go
  if path == nil then core.plot_font_reset(); return end
  if type(path) ~= "string" then error("bad argument #1 to 'font' (font file path expected)", 2) end
  core.plot_font(path, index or 0)
end

--- canvas(width, height [, colour]) --> a blank Canvas for drawing by hand
M.canvas = core.canvas

---------------------------------------------------------------------------------------------------
-- showing: PNG files for scripts and the REPL, inline images on capable terminals
---------------------------------------------------------------------------------------------------
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

-- A figure's PNG in the plot folder: the one it was given first (the REPL rewrites it as the figure
-- grows), else the next free figure-NNN.png; --> path, new (true when just given)
local function figure_path(fig)
  if fig._png_path then return fig._png_path, false end
  local dir = plot_dir()
  local path
  repeat
    state.shown = state.shown + 1
    path = string.format("%s/figure-%03d.png", dir, state.shown)
  until not exists(path)
  fig._png_path = path
  return path, true
end

-- Writes fig to its PNG, prints the path when asked, and shows it inline (see show).
local function display(fig, print_path, opts)
  local path, new = figure_path(fig)
  local cv = fig:render()
  cv:save_png(path)
  fig.dirty = false
  if print_path or new then io.write(path, "\n") end
  local proto = (opts or {}).inline
  if proto == nil then proto = M.inline_protocol() end
  if proto == "sixel" then
    io.write(cv:sixel(), "\n")
  elseif proto then
    local esc = M.inline_escape(cv:png(), proto)
    if esc then io.write(esc) end
  end
  io.flush()
  return path
end

--- show([{inline}]) writes the current figure to a numbered PNG (in $CVISION_PLOT_DIR or
-- ./cvision-plots/; the one the REPL already wrote it to, if any), prints its path, shows it inline
-- on kitty, iTerm2 and sixel terminals (opts.inline = "kitty" | "iterm2" | "sixel" | false overrides
-- the guess), and closes the figure (the next drawing starts a new one, as in a notebook).
-- Returns nothing, as pyplot's show (so the REPL does not print the path a second time as a value).
function M.show(opts)
  opts = errors.check_options("show", opts, { inline = true }, 3, "keyword")
  if opts.inline ~= nil and opts.inline ~= false then
    errors.check_choice("show", "inline protocol", opts.inline, { "kitty", "iterm2", "sixel" })
  end
  local fig = state.current
  if not fig or #fig.axes + #fig.painters + #fig.texts == 0 then return end
  -- the REPL showed it after the line that last drew on it: it is on screen already
  if not (fig._png_path and not fig.dirty) then display(fig, true, opts) end
  M.close(fig)
end

--- _repl_after_eval() is called by the REPL after each line, as a notebook does after each cell:
-- each figure drawn on during the line is written to its PNG (the same file on every line, its path
-- printed the first time) and shown inline again. The current figure stays current across lines
-- until figure(), subplots(), show(), close() or savefig() ends it; figures ended are then
-- forgotten (as the notebook closes them). Returns the current figure's path, if it was written.
function M._repl_after_eval()
  local cur, path = state.current, nil
  local figs = state.figures
  for _, fig in ipairs(figs) do
    if fig.dirty and #fig.axes + #fig.painters + #fig.texts > 0 then
      local p = display(fig, false)
      if fig == cur then path = p end
    end
  end
  state.figures = cur and { cur } or {}
  return path
end

-- color_cycle lives in cvision.plot.colors (the cycle every axes draws from): reading or setting
-- plot.color_cycle reads or sets that one. Ready-made figures load lazily, so plotting alone loads
-- no model code; methods of artist kinds registered straight with cvision.plot.artists get their
-- pyplot function on first use.
local figure_names = { history = true, model = true, images = true, failed_predictions = true,
  confusion_matrix = true, confidence = true, class_accuracy = true, confusion = true,
  tuner_results = true }
setmetatable(M, {
  __index = function(t, k)
    if k == "color_cycle" then return colors.color_cycle end
    if figure_names[k] then
      local F = require "cvision.plot.figures"
      for name in pairs(figure_names) do if F[name] then rawset(t, name, F[name]) end end
      return rawget(t, k)
    end
    if artists.methods[k] then
      rawset(t, k, on_gca(k))
      return rawget(t, k)
    end
    return nil
  end,
  __newindex = function(t, k, v)
    if k == "color_cycle" then colors.color_cycle = v else rawset(t, k, v) end
  end,
})

return M
