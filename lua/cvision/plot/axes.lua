-- cvision.plot.axes: the Axes object: the state a drawing call records (titles, labels, limits,
-- ticks, grid, legend and colour-bar requests, the artists) and its rasterisation. Promises: the
-- artist methods (plot, bar, imshow, ...) are whatever the artist registry holds, so the axes
-- name no artist kind; artists are drawn in the order recorded, clipped to the box, then texts,
-- the frame, ticks, labels, title, legend and colour bar, as matplotlib does.
local core = require "cvision.core"
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local ticks = require "cvision.plot.ticks"
local artists = require "cvision.plot.artists"
local layout = require "cvision.plot.layout"
local legend = require "cvision.plot.legend"
local colorbar = require "cvision.plot.colorbar"
local errors = require "cvision.util.errors"

local M = {}

local Axes = {}
Axes.__index = Axes
M.Axes = Axes
-- artist methods (ax:plot, ax:imshow, ...) come from the registry
setmetatable(Axes, { __index = artists.methods })

local to_rgba, pt, text_size, draw_text = colors.to_rgba, paint.pt, paint.text_size, paint.draw_text

Axes.__tostring = function(ax)
  return ax.title and string.format("<Axes: title={'center': '%s'}>", ax.title.text) or "<Axes: >"
end

local function touch(ax) ax.fig.dirty = true end

--- new(fig, rect, spec) --> Axes at rect (figure fractions {left, bottom, width, height});
-- spec {rows, cols, index} for a grid cell. It becomes the figure's current axes.
function M.new(fig, rect, spec)
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

local TITLE = { fontsize = true, size = "fontsize", color = true, c = "color", loc = true }
local LABEL = { fontsize = true, size = "fontsize" }

--- ax:set_title(s, {fontsize (size) = 12, color, loc = "center" | "left" | "right"})
function Axes:set_title(s, opts)
  opts = errors.check_options("title", opts, TITLE, 3, "keyword")
  local loc = errors.check_choice("title", "loc", opts.loc or "center", { "center", "left", "right" })
  local color = opts.color or opts.c or "black"
  local ok, err = pcall(to_rgba, color)
  if not ok then error("title: " .. errors.clean(err), 2) end
  self.title = { text = tostring(s), size = opts.fontsize or opts.size or 12, color = color, loc = loc }
  touch(self)
end
--- ax:set_xlabel(s, {fontsize (size) = 10})
function Axes:set_xlabel(s, opts)
  opts = errors.check_options("xlabel", opts, LABEL, 3, "keyword")
  self.xlabel = { text = tostring(s), size = opts.fontsize or opts.size or 10 }
  touch(self)
end
--- ax:set_ylabel(s, {fontsize (size) = 10})
function Axes:set_ylabel(s, opts)
  opts = errors.check_options("ylabel", opts, LABEL, 3, "keyword")
  self.ylabel = { text = tostring(s), size = opts.fontsize or opts.size or 10 }
  touch(self)
end
--- ax:set_xlim(a, b) or ax:set_xlim{a, b}; nil keeps that end automatic
function Axes:set_xlim(a, b)
  if type(a) == "table" then a, b = a[1], a[2] end
  self.xlim = { a, b }
  touch(self)
end
--- ax:set_ylim(a, b) or ax:set_ylim{a, b}
function Axes:set_ylim(a, b)
  if type(a) == "table" then a, b = a[1], a[2] end
  self.ylim = { a, b }
  touch(self)
end

--- ax:set_xticks(ticks [, labels] [, {rotation, fontsize}]); ticks = {} hides them
function Axes:set_xticks(t, labels, opts)
  local old = self.xticks_spec
  local s = ticks.spec(t, labels, opts, "xticks")
  if old and not t then s.ticks, s.labels = old.ticks, old.labels end
  self.xticks_spec = s
  touch(self)
end
--- ax:set_yticks(ticks [, labels] [, {rotation, fontsize}])
function Axes:set_yticks(t, labels, opts)
  local old = self.yticks_spec
  local s = ticks.spec(t, labels, opts, "yticks")
  if old and not t then s.ticks, s.labels = old.ticks, old.labels end
  self.yticks_spec = s
  touch(self)
end

--- ax:legend({loc = "best" | "upper right" | ..., fontsize = 10, title, frameon, framealpha})
function Axes:legend(opts)
  self.legend_opts = legend.check(opts)
  touch(self)
end

--- ax:grid([on = true] [, {color, linestyle, alpha, axis}])
local GRID = { color = true, c = "color", linestyle = true, ls = "linestyle", linewidth = true,
  lw = "linewidth", alpha = true, axis = true }

function Axes:grid(on, opts)
  if type(on) == "table" then on, opts = true, on end
  if on == nil then on = true end
  opts = errors.check_options("grid", opts, GRID, 3, "keyword")
  if opts.axis ~= nil then errors.check_choice("grid", "axis", opts.axis, { "both", "x", "y" }) end
  if opts.c or opts.ls or opts.lw then
    opts = { color = opts.color or opts.c, linestyle = opts.linestyle or opts.ls,
      linewidth = opts.linewidth or opts.lw, alpha = opts.alpha, axis = opts.axis }
  end
  if opts.linestyle ~= nil then
    errors.check_choice("grid", "linestyle", opts.linestyle, require("cvision.plot.artists.line").LINESTYLES)
  end
  colors.check("grid", opts.color, 2)
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
  elseif type(mode) == "string" then
    errors.check_choice("axis", "mode", mode, { "off", "on", "equal", "scaled", "image", "auto" })
  else
    error("bad argument #1 to 'axis' (\"off\", \"on\", \"equal\", \"auto\" or {xmin, xmax, ymin, ymax} expected)", 2)
  end
  touch(self)
end

--- ax:invert_yaxis() flips the y axis (again: back)
function Axes:invert_yaxis() self.yinvert = not self.yinvert; touch(self) end

--- ax:colorbar([mappable,] [{label}]) adds a colour bar for mappable (what imshow or scatter
-- returned) or the last colour-mapped artist of the axes (matplotlib's fraction 0.15, pad 0.05,
-- aspect 20)
function Axes:colorbar(mappable, opts)
  local cb = colorbar.attach(self, mappable, opts)   -- not a tail call: attach raises at our caller
  return cb
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

-- Limits, ticks and the pixel box of an axes (box: integer pixel rectangle in the figure).
function Axes:_prepare() layout.prepare(self) end

-- Extents (pixels) of what is drawn outside the box: left, right, top, bottom.
function Axes:_decor() return layout.decor(self) end

-- Grid lines at the ticks, under the artists.
local function draw_grid(ax, ctx)
  local g = ax.grid_on
  local gc = to_rgba(g.color or "#b0b0b0", g.alpha)
  local glw = pt(ctx.fig, g.linewidth or 0.8)
  local dashes = paint.dash_pattern(ctx.fig, g.linestyle or "-", g.linewidth or 0.8)
  if g.axis ~= "y" then
    for _, v in ipairs(ax.xt) do
      local px = ax:transform(v, ax.view[3]) - ctx.ox
      ctx.cv:stroke({ px, 0, px, ctx.h }, gc, glw, dashes)
    end
  end
  if g.axis ~= "x" then
    for _, v in ipairs(ax.yt) do
      local _, py = ax:transform(ax.view[1], v)
      ctx.cv:stroke({ 0, py - ctx.oy, ctx.w, py - ctx.oy }, gc, glw, dashes)
    end
  end
end

-- Draws a record through its kind's draw hook (default: the kind when the record names none).
local function draw_record(a, ctx, default)
  local name = a.kind or default
  local k = artists.kind(name)
  if not k or not k.draw then error("plot: no artist kind '" .. tostring(name) .. "' to draw", 0) end
  k.draw(a, ctx)
end

-- The content: grid, artists and texts with clip_on, clipped to the box by drawing them on its own
-- transparent canvas, then blitted onto the figure; then the other texts, unclipped (matplotlib's
-- default for text: a label at axes fraction -0.1 is drawn beside the box).
local function draw_content(ax, cv)
  local b = ax.box
  local bw, bh = b[3] - b[1], b[4] - b[2]
  -- a vector canvas (cvision.plot.svg) makes its own kind of layer
  local content = cv.layer and cv:layer(bw, bh, { 1, 1, 1, 0 }) or core.canvas(bw, bh, { 1, 1, 1, 0 })
  local ctx = { ax = ax, fig = ax.fig, cv = content, ox = b[1], oy = b[2], w = bw, h = bh }
  if ax.axis_on then content:clear({ 1, 1, 1, 1 }) end
  if ax.grid_on and ax.axis_on then draw_grid(ax, ctx) end
  for _, a in ipairs(ax.artists) do draw_record(a, ctx) end
  for _, t in ipairs(ax.texts) do if t.clip_on then draw_record(t, ctx, "text") end end
  cv:blit(content, b[1], b[2], bw, bh)
  local free = { ax = ax, fig = ax.fig, cv = cv, ox = 0, oy = 0, w = bw, h = bh }
  for _, t in ipairs(ax.texts) do if not t.clip_on then draw_record(t, free, "text") end end
end

-- The frame (spines on pixel centres so 0.8 pt lines stay crisp), ticks and their labels.
local function draw_frame(ax, cv)
  local fig = ax.fig
  local black = { 0, 0, 0, 1 }
  local slw = pt(fig, 0.8)
  local x0, y0, x1, y1 = ax.box[1], ax.box[2], ax.box[3], ax.box[4]
  cv:stroke({ x0, y0, x1, y0, x1, y1, x0, y1, x0, y0 - slw / 2 }, black, slw, nil, "square")
  local tl, tp = pt(fig, 3.5), pt(fig, 3.5)
  local top = ax.xticks_top          -- matshow's: ticks on both sides, their labels above the box
  for i, v in ipairs(ax.xt) do
    local px = ax:transform(v, ax.view[3])
    cv:stroke({ px, y1, px, y1 + tl }, black, slw)
    if top then cv:stroke({ px, y0 - tl, px, y0 }, black, slw) end
    local s = ax.xtl[i]
    if s and s ~= "" then
      if top then
        draw_text(cv, s, px, y0 - tl - tp, ax.xtsize, black, "center", "bottom")
      elseif ax.xrot == 0 then
        draw_text(cv, s, px, y1 + tl + tp, ax.xtsize, black, "center", "top")
      else
        draw_text(cv, s, px, y1 + tl + tp, ax.xtsize, black, "right", "top", ax.xrot)
      end
    end
  end
  for i, v in ipairs(ax.yt) do
    local _, py = ax:transform(ax.view[1], v)
    cv:stroke({ x0 - tl, py, x0, py }, black, slw)
    local s = ax.ytl[i]
    if s and s ~= "" then draw_text(cv, s, x0 - tl - tp, py, ax.ytsize, black, "right", "center", ax.yrot) end
  end
end

-- Offset texts ("1e6") and the axis labels, outside the tick labels.
local function draw_axis_labels(ax, cv)
  local fig = ax.fig
  local black = { 0, 0, 0, 1 }
  local x0, y0, x1, y1 = ax.box[1], ax.box[2], ax.box[3], ax.box[4]
  local tl, tp = pt(fig, 3.5), pt(fig, 3.5)
  local xh_off = 0
  if ax.xoffset then
    local _, a, d = text_size(ax.xoffset, ax.xtsize)
    xh_off = a + d
    local _, ta, td = text_size("0", ax.xtsize)
    draw_text(cv, ax.xoffset, x1, y1 + tl + tp + ta + td + pt(fig, 2), ax.xtsize, black, "right", "top")
  end
  if ax.yoffset then
    draw_text(cv, ax.yoffset, x0, y0 - pt(fig, 3), ax.ytsize, black, "left", "bottom")
  end
  if ax.xlabel then
    local xh = layout.xtick_depth(ax)
    local bdec = y1 + tl + tp + xh + pt(fig, 4) + (xh_off > 0 and xh_off + pt(fig, 2) or 0)
    draw_text(cv, ax.xlabel.text, (x0 + x1) / 2, bdec, pt(fig, ax.xlabel.size), black, "center", "top")
  end
  if ax.ylabel then
    local l = x0 - tl - tp - layout.ytick_width(ax) - pt(fig, 4)
    draw_text(cv, ax.ylabel.text, l, (y0 + y1) / 2, pt(fig, ax.ylabel.size), black, "center", "bottom", 90)
  end
end

local function draw_title(ax, cv)
  local t, b = ax.title, ax.box
  local x = t.loc == "left" and b[1] or t.loc == "right" and b[3] or (b[1] + b[3]) / 2
  local ha = t.loc == "left" and "left" or t.loc == "right" and "right" or "center"
  local lift = ax.xticks_top and ax.axis_on and 2 * pt(ax.fig, 3.5) + layout.xtick_depth(ax) or 0
  draw_text(cv, t.text, x, b[2] - pt(ax.fig, 6) - lift, pt(ax.fig, t.size), to_rgba(t.color), ha, "baseline")
end

-- Draws one axes onto the figure canvas (after layout).
function Axes:_draw(cv)
  draw_content(self, cv)
  if self.axis_on then
    draw_frame(self, cv)
    draw_axis_labels(self, cv)
  end
  if self.title then draw_title(self, cv) end
  if self.legend_opts then legend.draw(self, cv) end
  if self.cbar then colorbar.draw(self, cv) end
end

return M
