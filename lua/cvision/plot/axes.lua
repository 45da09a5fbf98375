-- cvision.plot.axes: the Axes object: the state a drawing call records (titles, labels, limits,
-- ticks, grid, legend and colour-bar requests, the artists) and its rasterisation. Promises: the
-- artist methods (plot, bar, imshow, ...) are whatever the artist registry holds, so the axes
-- name no artist kind; artists are drawn in the order recorded, clipped to the box, then texts,
-- the frame, ticks, labels, title, legend and colour bar, as matplotlib does. The defaults of an
-- axes (colours, sizes, its colour cycle) are the rcParams when it is made; its scales (linear or
-- log) are applied by transform, which every artist draws through.
local core = require "cvision.core"
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local ticks = require "cvision.plot.ticks"
local artists = require "cvision.plot.artists"
local layout = require "cvision.plot.layout"
local legend = require "cvision.plot.legend"
local colorbar = require "cvision.plot.colorbar"
local rc = require "cvision.plot.rc"
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
  local style = rc.snapshot()
  local ax = setmetatable({
    fig = fig, rect = rect, spec = spec, artists = {}, cycle = 0,
    axis_on = true, grid_on = style["axes.grid"] and {} or false, legend_opts = nil, aspect = nil,
    xscale = "linear", yscale = "linear", texts = {}, rc = style, color_cycle = style["axes.prop_cycle"],
    xside = "bottom", yside = "left", xaxis_on = true, yaxis_on = true, patch_on = true,
  }, Axes)
  fig.axes[#fig.axes + 1] = ax
  fig.gca = ax
  fig.dirty = true
  return ax
end

local TITLE = { fontsize = true, size = "fontsize", color = true, c = "color", loc = true }
local LABEL = { fontsize = true, size = "fontsize" }

--- ax:set_title(s, {fontsize (size) = rcParams["axes.titlesize"] (12), color = rcParams["text.color"],
-- loc = "center" | "left" | "right"})
function Axes:set_title(s, opts)
  opts = errors.check_options("title", opts, TITLE, 3, "keyword")
  local loc = errors.check_choice("title", "loc", opts.loc or "center", { "center", "left", "right" })
  local color = opts.color or opts.c or self.rc["text.color"]
  local ok, err = pcall(to_rgba, color)
  if not ok then error("title: " .. errors.clean(err), 2) end
  self.title = { text = tostring(s), size = opts.fontsize or opts.size or rc.points("axes.titlesize", self.rc),
    color = color, loc = loc }
  touch(self)
end
--- ax:set_xlabel(s, {fontsize (size) = rcParams["axes.labelsize"] (10)})
function Axes:set_xlabel(s, opts)
  opts = errors.check_options("xlabel", opts, LABEL, 3, "keyword")
  self.xlabel = { text = tostring(s), size = opts.fontsize or opts.size or rc.points("axes.labelsize", self.rc) }
  touch(self)
end
--- ax:set_ylabel(s, {fontsize (size) = rcParams["axes.labelsize"] (10)})
function Axes:set_ylabel(s, opts)
  opts = errors.check_options("ylabel", opts, LABEL, 3, "keyword")
  self.ylabel = { text = tostring(s), size = opts.fontsize or opts.size or rc.points("axes.labelsize", self.rc) }
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

--- ax:legend({loc = "best" | "upper right" | ..., fontsize = rcParams["legend.fontsize"] (10), title,
-- frameon = rcParams["legend.frameon"] (true), framealpha})
function Axes:legend(opts)
  local o = {}
  for k, v in pairs(legend.check(opts)) do o[k] = v end
  if o.fontsize == nil then o.fontsize = rc.points("legend.fontsize", self.rc) end
  if o.frameon == nil then o.frameon = self.rc["legend.frameon"] end
  o.face, o.text_color = to_rgba(self.rc["axes.facecolor"]), to_rgba(self.rc["text.color"])
  self.legend_opts = o
  touch(self)
end

local GRID = { color = true, c = "color", linestyle = true, ls = "linestyle", linewidth = true,
  lw = "linewidth", alpha = true, axis = true }

--- ax:grid([on = true] [, {color, linestyle (ls), linewidth (lw), alpha, axis = "both" | "x" | "y"}])
-- turns the grid lines at the major ticks on or off (defaults: rcParams grid.*)
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
  elseif mode == "equal" or mode == "scaled" or mode == "image" then self.aspect = 1.0
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

---------------------------------------------------------------------------------------------------
-- scales, aspect and twins
---------------------------------------------------------------------------------------------------
local SCALE = { base = true, nonpositive = true, subs = true }

-- Sets one axis' scale on ax and on every axes sharing that axis (shared axes share the scale, as
-- matplotlib's do).
local function set_scale(ax, which, fname, name, opts, level)
  level = level + 1
  errors.check_choice(fname, "scale", name, { "linear", "log" }, level)
  opts = errors.check_options(fname, opts, SCALE, level, "keyword")
  local base = opts.base or 10
  if type(base) ~= "number" or not (base > 1) then error(fname .. ": base must be a number above 1", level) end
  local nonpos = errors.check_choice(fname, "nonpositive", opts.nonpositive or "clip", { "clip", "mask" }, level)
  if opts.subs ~= nil then error(fname .. ": subs is not supported (minor ticks are at 2..9 times each power)", level) end
  for _, m in ipairs(ax["share_" .. which] or { ax }) do
    m[which .. "scale"], m[which .. "base"], m[which .. "nonpositive"] = name, base, nonpos
    touch(m)
  end
end

--- ax:set_xscale("linear" | "log" [, {base = 10, nonpositive = "clip" | "mask"}]): a log axis has
-- ticks at the powers of base labelled 10ⁿ, minor ticks at 2..9 times them, and margins in log space;
-- values <= 0 are clipped (drawn far below the axis, so a line falls off its edge) or, with
-- nonpositive = "mask", left out as NaN is; they never count in the limits
function Axes:set_xscale(name, opts) set_scale(self, "x", "set_xscale", name, opts, 2) end
--- ax:set_yscale("linear" | "log" [, {base = 10, nonpositive = "clip"}]) (see set_xscale)
function Axes:set_yscale(name, opts) set_scale(self, "y", "set_yscale", name, opts, 2) end
--- ax:get_xscale() --> "linear" or "log"
function Axes:get_xscale() return self.xscale end
--- ax:get_yscale() --> "linear" or "log"
function Axes:get_yscale() return self.yscale end

-- plot's arguments with the scale's options (base, nonpositive) taken out of the options table.
local function split_scale_opts(...)
  local args = table.pack(...)
  local last = args[args.n]
  local sopts
  if type(last) == "table" and last[1] == nil and next(last) ~= nil then
    local plot_opts = {}
    for k, v in pairs(last) do
      if SCALE[k] then sopts = sopts or {}; sopts[k] = v else plot_opts[k] = v end
    end
    args[args.n] = next(plot_opts) ~= nil and plot_opts or nil
    if args[args.n] == nil then args.n = args.n - 1 end
  end
  return args, sopts
end

local function semilog(ax, fname, xlog, ylog, ...)
  local args, sopts = split_scale_opts(...)
  if xlog then set_scale(ax, "x", fname, "log", sopts, 3) end
  if ylog then set_scale(ax, "y", fname, "log", sopts, 3) end
  local line = ax:plot(table.unpack(args, 1, args.n))
  return line
end

--- ax:semilogx([x,] y [, fmt] [, {base = 10, nonpositive, and plot's options}]) --> Line2D: plot
-- with a log x axis
function Axes:semilogx(...) return semilog(self, "semilogx", true, false, ...) end
--- ax:semilogy([x,] y [, fmt] [, {base = 10, nonpositive, and plot's options}]) --> Line2D: plot
-- with a log y axis
function Axes:semilogy(...) return semilog(self, "semilogy", false, true, ...) end
--- ax:loglog([x,] y [, fmt] [, {base = 10, nonpositive, and plot's options}]) --> Line2D: plot
-- with both axes log
function Axes:loglog(...) return semilog(self, "loglog", true, true, ...) end

--- ax:set_aspect("auto" | "equal" | number): the ratio of a y data unit's length to an x unit's
-- on screen ("equal" is 1); the box shrinks about its centre to keep it (matplotlib's
-- adjustable = "box"); "auto" fills the box (log axes count decades)
function Axes:set_aspect(a)
  if a == "equal" then a = 1.0
  elseif a == "auto" then a = nil
  elseif type(a) == "string" then errors.check_choice("set_aspect", "aspect", a, { "auto", "equal" })
  elseif type(a) ~= "number" or not (a > 0) or a == math.huge then
    error("bad argument #1 to 'set_aspect' (\"auto\", \"equal\" or a positive number expected)", 2)
  end
  self.aspect = a
  touch(self)
end

--- ax:get_aspect() --> "auto" or the number set_aspect keeps (1.0 for "equal")
function Axes:get_aspect()
  local a = self.aspect
  if a == nil then return "auto" end
  if a == "equal" then return 1.0 end
  return a
end

-- A twin of ax sharing axis `shared` ("x" or "y"): the same cell, drawn after it, without its own
-- background, its other axis on the far side.
local function make_twin(ax, shared)
  local fig = ax.fig
  local t = M.new(fig, { table.unpack(ax.rect) }, ax.spec and { table.unpack(ax.spec) })
  t.twin_of = ax
  t.patch_on = false
  local key = "share_" .. shared
  local group = {}
  for _, m in ipairs(ax[key] or { ax }) do group[#group + 1] = m end
  group[#group + 1] = t
  for _, m in ipairs(group) do
    if m ~= ax and m ~= t and m[key] then m[key][#m[key] + 1] = t end
  end
  ax[key], t[key] = group, group
  t[shared .. "scale"], t[shared .. "base"] = ax[shared .. "scale"], ax[shared .. "base"]
  t[shared .. "nonpositive"] = ax[shared .. "nonpositive"]
  t[shared .. "lim"] = ax[shared .. "lim"]
  if shared == "x" then t.xaxis_on, t.yside = false, "right"
  else t.yaxis_on, t.xside = false, "top" end
  return t
end

--- ax:twinx() --> a new Axes in the same place sharing ax's x axis, with its y ticks and label on
-- the right, drawn over ax, its own colour cycle (starting again at C0, as matplotlib's) and its
-- own legend; it becomes the current axes
function Axes:twinx() return make_twin(self, "x") end
--- ax:twiny() --> a new Axes sharing ax's y axis, its x ticks and label at the top (see twinx)
function Axes:twiny() return make_twin(self, "y") end

-- One coordinate through a scale: itself (linear), or its logarithm (log; values <= 0 are -1000
-- decades, or NaN when masked).
local function forward(v, scale, base, nonpos)
  if scale ~= "log" then return v end
  if v > 0 then return math.log(v, base) end
  if v ~= v or nonpos == "mask" then return 0 / 0 end
  return -1000
end
M.forward = forward

--- ax:transform(x, y) --> px, py: figure pixel coordinates of a data point (after layout), through
-- the axes' scales
function Axes:transform(x, y)
  if not self.box then self.fig:_layout() end
  local v, b = self.tview, self.box
  local fx = (forward(x, self.xscale, self.xbase, self.xnonpositive) - v[1]) / (v[2] - v[1])
  local fy = (forward(y, self.yscale, self.ybase, self.ynonpositive) - v[3]) / (v[4] - v[3])
  if self.y_inverted then fy = 1 - fy end
  return b[1] + fx * (b[3] - b[1]), b[4] - fy * (b[4] - b[2])
end

-- Limits, ticks and the pixel box of an axes (box: integer pixel rectangle in the figure).
function Axes:_prepare() layout.prepare(self) end

-- Extents (pixels) of what is drawn outside the box: left, right, top, bottom.
function Axes:_decor() return layout.decor(self) end

-- Grid lines at the major ticks, under the artists.
local function draw_grid(ax, ctx)
  local g, st = ax.grid_on, ax.rc
  local alpha = g.alpha
  if alpha == nil and st["grid.alpha"] ~= 1 then alpha = st["grid.alpha"] end
  local gc = to_rgba(g.color or st["grid.color"], alpha)
  local w = g.linewidth or st["grid.linewidth"]
  local glw = pt(ctx.fig, w)
  local dashes = paint.dash_pattern(ctx.fig, g.linestyle or st["grid.linestyle"], w)
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

-- The content: background, grid, artists and texts with clip_on, clipped to the box by drawing
-- them on its own transparent canvas, then blitted onto the figure; then the other texts, unclipped
-- (matplotlib's default for text: a label at axes fraction -0.1 is drawn beside the box). A twin
-- has no background: the axes under it shows through.
local function draw_content(ax, cv)
  local b = ax.box
  local bw, bh = b[3] - b[1], b[4] - b[2]
  -- a vector canvas (cvision.plot.svg) makes its own kind of layer
  local content = cv.layer and cv:layer(bw, bh, { 1, 1, 1, 0 }) or core.canvas(bw, bh, { 1, 1, 1, 0 })
  local ctx = { ax = ax, fig = ax.fig, cv = content, ox = b[1], oy = b[2], w = bw, h = bh }
  if ax.axis_on and ax.patch_on then content:clear(to_rgba(ax.rc["axes.facecolor"])) end
  if ax.grid_on and ax.axis_on then draw_grid(ax, ctx) end
  for _, a in ipairs(ax.artists) do draw_record(a, ctx) end
  for _, t in ipairs(ax.texts) do if t.clip_on then draw_record(t, ctx, "text") end end
  cv:blit(content, b[1], b[2], bw, bh)
  local free = { ax = ax, fig = ax.fig, cv = cv, ox = 0, oy = 0, w = bw, h = bh }
  for _, t in ipairs(ax.texts) do if not t.clip_on then draw_record(t, free, "text") end end
end

-- The x ticks (major, then minor) and their labels, below the box or above it.
local function draw_xticks(ax, cv)
  local fig = ax.fig
  local col = to_rgba(ax.rc["xtick.color"])
  local top = ax.xside == "top"
  local yb = top and ax.box[2] or ax.box[4]
  local dir = top and -1 or 1
  local va = top and "bottom" or "top"
  local function one(v, s, tl, tp, w)
    local px = ax:transform(v, ax.view[3])
    if tl > 0 then cv:stroke({ px, yb, px, yb + dir * tl }, col, w) end
    if s and s ~= "" then
      if ax.xrot == 0 then draw_text(cv, s, px, yb + dir * (tl + tp), ax.xtsize, col, "center", va)
      else draw_text(cv, s, px, yb + dir * (tl + tp), ax.xtsize, col, top and "left" or "right", va, ax.xrot) end
    end
  end
  local tl, tp, ml = layout.tick_room(ax, "x")
  for i, v in ipairs(ax.xt) do one(v, ax.xtl[i], tl, tp, pt(fig, 0.8)) end
  for i, v in ipairs(ax.xtm or {}) do one(v, ax.xtml and ax.xtml[i], ml, tp + tl - ml, pt(fig, 0.6)) end
end

-- The y ticks (major, then minor) and their labels, left of the box or right of it.
local function draw_yticks(ax, cv)
  local fig = ax.fig
  local col = to_rgba(ax.rc["ytick.color"])
  local right = ax.yside == "right"
  local xb = right and ax.box[3] or ax.box[1]
  local dir = right and 1 or -1
  local ha = right and "left" or "right"
  local function one(v, s, tl, tp, w)
    local _, py = ax:transform(ax.view[1], v)
    if tl > 0 then cv:stroke({ xb + dir * tl, py, xb, py }, col, w) end
    if s and s ~= "" then draw_text(cv, s, xb + dir * (tl + tp), py, ax.ytsize, col, ha, "center", ax.yrot) end
  end
  local tl, tp, ml = layout.tick_room(ax, "y")
  for i, v in ipairs(ax.yt) do one(v, ax.ytl[i], tl, tp, pt(fig, 0.8)) end
  for i, v in ipairs(ax.ytm or {}) do one(v, ax.ytml and ax.ytml[i], ml, tp + tl - ml, pt(fig, 0.6)) end
end

-- The frame (spines on pixel centres so 0.8 pt lines stay crisp), ticks and their labels.
local function draw_frame(ax, cv)
  local slw = pt(ax.fig, ax.rc["axes.linewidth"])
  local x0, y0, x1, y1 = ax.box[1], ax.box[2], ax.box[3], ax.box[4]
  if slw > 0 then
    cv:stroke({ x0, y0, x1, y0, x1, y1, x0, y1, x0, y0 - slw / 2 }, to_rgba(ax.rc["axes.edgecolor"]), slw, nil,
      "square")
  end
  if ax.xaxis_on then draw_xticks(ax, cv) end
  if ax.yaxis_on then draw_yticks(ax, cv) end
end

-- Offset texts ("1e6") and the axis labels, outside the tick labels.
local function draw_axis_labels(ax, cv)
  local fig = ax.fig
  local lc = to_rgba(ax.rc["axes.labelcolor"])
  local x0, y0, x1, y1 = ax.box[1], ax.box[2], ax.box[3], ax.box[4]
  if ax.xaxis_on then
    local tl, tp = layout.tick_room(ax, "x")
    local xh = layout.xtick_depth(ax)
    local top = ax.xside == "top"
    local xh_off = 0
    if ax.xoffset then
      local _, a, d = text_size(ax.xoffset, ax.xtsize)
      xh_off = a + d
      local _, ta, td = text_size("0", ax.xtsize)
      local col = to_rgba(ax.rc["xtick.color"])
      if top then draw_text(cv, ax.xoffset, x1, y0 - tl - tp - xh - pt(fig, 2), ax.xtsize, col, "right", "bottom")
      else draw_text(cv, ax.xoffset, x1, y1 + tl + tp + ta + td + pt(fig, 2), ax.xtsize, col, "right", "top") end
    end
    if ax.xlabel then
      local off = tl + tp + xh + pt(fig, 4) + (xh_off > 0 and xh_off + pt(fig, 2) or 0)
      local size = pt(fig, ax.xlabel.size)
      if top then draw_text(cv, ax.xlabel.text, (x0 + x1) / 2, y0 - off, size, lc, "center", "bottom")
      else draw_text(cv, ax.xlabel.text, (x0 + x1) / 2, y1 + off, size, lc, "center", "top") end
    end
  end
  if ax.yaxis_on then
    local tl, tp = layout.tick_room(ax, "y")
    local right = ax.yside == "right"
    if ax.yoffset then
      draw_text(cv, ax.yoffset, right and x1 or x0, y0 - pt(fig, 3), ax.ytsize, to_rgba(ax.rc["ytick.color"]),
        right and "right" or "left", "bottom")
    end
    if ax.ylabel then
      local off = tl + tp + layout.ytick_width(ax) + pt(fig, 4)
      local size = pt(fig, ax.ylabel.size)
      if right then draw_text(cv, ax.ylabel.text, x1 + off, (y0 + y1) / 2, size, lc, "center", "top", 90)
      else draw_text(cv, ax.ylabel.text, x0 - off, (y0 + y1) / 2, size, lc, "center", "bottom", 90) end
    end
  end
end

local function draw_title(ax, cv)
  local t, b = ax.title, ax.box
  local x = t.loc == "left" and b[1] or t.loc == "right" and b[3] or (b[1] + b[3]) / 2
  local ha = t.loc == "left" and "left" or t.loc == "right" and "right" or "center"
  draw_text(cv, t.text, x, b[2] - pt(ax.fig, 6) - layout.top_axis(ax), pt(ax.fig, t.size), to_rgba(t.color), ha,
    "baseline")
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
