-- cvision.plot.layout: where each axes goes and what it shows. Promises matplotlib's geometry:
-- subplot grids from subplotpars, data limits from every artist kind's limits hook with 5 %
-- margins (none around images, none below bars), aspect "equal" shrinking the box about its
-- centre (any aspect ratio, matplotlib's adjustable = "box"), automatic ticks by the space available
-- (LogLocator's on log axes, whose margins are in log space), twins in their axes' box, and
-- tight_layout fitting labels and titles.
local paint = require "cvision.plot.paint"
local ticks = require "cvision.plot.ticks"
local values = require "cvision.plot.values"
local artists = require "cvision.plot.artists"
local colorbar = require "cvision.plot.colorbar"
local rcparams = require "cvision.plot.rc"

local M = {}

local floor, abs, max, min = math.floor, math.abs, math.max, math.min
local pt, text_size, finite = paint.pt, paint.text_size, values.finite

--- subplot_rect(pars, rows, cols, index [, colspan, rowspan]) --> {left, bottom, width, height}
-- in figure fractions, for a cell of the grid (index 1-based, row by row)
function M.subplot_rect(pars, rows, cols, index, colspan, rowspan)
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

-- The extent of the data, as each artist kind's limits hook reports it.
local Limits = {}
Limits.__index = Limits
--- lim:x(v) adds v to the x extent (values <= 0 of a log axis and non-finite ones do not count)
function Limits:x(v)
  if finite(v) and not (self.xlog and v <= 0) then self.x0 = min(self.x0, v); self.x1 = max(self.x1, v) end
end
--- lim:y(v) adds v to the y extent, as lim:x
function Limits:y(v)
  if finite(v) and not (self.ylog and v <= 0) then self.y0 = min(self.y0, v); self.y1 = max(self.y1, v) end
end

local function data_limits(ax)
  local lim = setmetatable({ x0 = math.huge, x1 = -math.huge, y0 = math.huge, y1 = -math.huge,
    sticky_y0 = false, sticky_x = false, xlog = ax.xscale == "log", ylog = ax.yscale == "log" }, Limits)
  local tight = 0   -- artists asking for no margins (images)
  for _, a in ipairs(ax.artists) do
    local k = artists.kind(a.kind)
    lim.extent = nil
    if k and k.limits then k.limits(a, lim) end
    if lim.extent then tight = tight + 1; ax.image_extent = lim.extent end
  end
  if lim.x0 > lim.x1 then lim.x0, lim.x1 = lim.xlog and 1 or 0, lim.xlog and 10 or 1 end
  if lim.y0 > lim.y1 then lim.y0, lim.y1 = lim.ylog and 1 or 0, lim.ylog and 10 or 1 end
  return lim, tight
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

-- An axis' range of a group of axes sharing it in the space of fwd (log: the data's logarithms),
-- where the margins are taken.
local function range_in(group, which, fwd)
  local log = fwd ~= nil
  fwd = fwd or function(v) return v end
  local lo, hi, tight, n, sticky, sticky_lo = math.huge, -math.huge, 0, 0, false, math.huge
  local ext, user, stick = nil, nil, {}
  for _, m in ipairs(group) do
    local lim, t = data_limits(m)
    for _, s in ipairs(lim[which .. "_sticky"] or {}) do
      if not log or s > 0 then stick[#stick + 1] = fwd(s) end
    end
    local a, b = fwd(lim[which .. "0"]), fwd(lim[which .. "1"])
    if #m.artists > 0 then
      lo, hi = min(lo, a), max(hi, b)
      sticky_lo = min(sticky_lo, a)
    end
    tight, n = tight + t, n + #m.artists
    if t > 0 then ext = m.image_extent end
    if which == "x" then sticky = sticky or lim.sticky_x else sticky = sticky or lim.sticky_y0 end
    local u = m[which .. "lim"]
    if u then user = u end
  end
  if lo > hi then lo, hi = 0, 1; sticky_lo = 0 end
  if tight > 0 and tight == n then
    if which == "x" then lo, hi = min(ext[1], ext[2]), max(ext[1], ext[2])
    else lo, hi = min(ext[3], ext[4]), max(ext[3], ext[4]) end
    if log then lo, hi = fwd(max(lo, 1e-300)), fwd(max(hi, 1e-300)) end
  else
    local dlo, dhi = lo, hi
    lo, hi = expand(lo, hi, 0.05)
    for _, s in ipairs(stick) do   -- sticky edges (lim.x_sticky): margins stop there, as matplotlib's
      if s <= dlo and s > lo then lo = s end
      if s >= dhi and s < hi then hi = s end
    end
    if tight == 0 and sticky and sticky_lo >= 0 and lo < 0 and not log then lo = 0 end
  end
  if user then
    local a, b = user[1], user[2]
    if log then
      a = a and a > 0 and fwd(a) or nil
      b = b and b > 0 and fwd(b) or nil
    end
    lo = a or lo; hi = b or hi
  end
  if lo == hi then lo, hi = lo - 0.5, hi + 0.5 end
  return lo, hi
end

-- One axis' range of a group of axes sharing it (or of one axes): the union of their data
-- limits with margins (none when every artist of the group is an image, none below bars), then the
-- limits the user set on any of them. which is "x" or "y". On a log axis the margins are taken in
-- log space, and limits <= 0 set by the user are ignored (as matplotlib, which warns).
local function axis_range(group, which)
  local scale = group[1][which .. "scale"]
  if scale == "log" then
    local base = group[1][which .. "base"]
    local lo, hi = range_in(group, which, function(v) return math.log(v, base) end)
    return base ^ lo, base ^ hi
  end
  return range_in(group, which)
end

-- The view limits: data limits with margins, then the user's limits (over the axes' sharing group).
local function view_limits(ax)
  local _, tight = data_limits(ax)
  if tight > 0 and tight == #ax.artists then
    local e = ax.image_extent
    if e[3] > e[4] then ax.yinvert_img = true end
  end
  local x0, x1 = axis_range(ax.share_x or { ax }, "x")
  local y0, y1 = axis_range(ax.share_y or { ax }, "y")
  return x0, x1, y0, y1
end

-- aspect a (1: "equal"): a y data unit is a times as long on screen as an x unit (dw, dh: the view's
-- extents, in decades on a log axis); the box shrinks and stays centred
local function fit_aspect(bx0, by0, bx1, by1, dw, dh, a)
  local bw, bh = bx1 - bx0, by1 - by0
  dw, dh = abs(dw), abs(dh) * a
  if bh / bw > dh / dw then
    local nh = bw * dh / dw
    local c = (by0 + by1) / 2
    by0, by1 = c - nh / 2, c + nh / 2
  else
    local nw = bh * dw / dh
    local c = (bx0 + bx1) / 2
    bx0, bx1 = c - nw / 2, c + nw / 2
  end
  return bx0, by0, bx1, by1
end

-- Labels of a tick list, all emptied (inner axes of a shared grid: matplotlib's label_outer).
local function blank(list)
  if not list then return nil end
  local e = {}
  for i = 1, #list do e[i] = "" end
  return e
end

-- Ticks of both axes (and the colour bar) for the box and view just set; minor ticks (ax.xtm,
-- ax.xtml: their labels, if any) on log axes.
local function set_ticks(ax)
  local fig, st = ax.fig, ax.rc
  local bw, bh = ax.box[3] - ax.box[1], ax.box[4] - ax.box[2]
  local x0, x1, y0, y1 = ax.view[1], ax.view[2], ax.view[3], ax.view[4]
  if ax.cbar then colorbar.set_ticks(ax, pt(fig, 10)) end
  local xs, ys = ax.xticks_spec, ax.yticks_spec
  ax.xtsize = pt(fig, xs and xs.fontsize or rcparams.points("xtick.labelsize", st))
  ax.ytsize = pt(fig, ys and ys.fontsize or rcparams.points("ytick.labelsize", st))
  ax.xt, ax.xtl, ax.xoffset, ax.xtm, ax.xtml = ticks.for_spec(xs, x0, x1, bw, 3, ax.xtsize,
    ax.xscale == "log" and ax.xbase or nil)
  ax.yt, ax.ytl, ax.yoffset, ax.ytm, ax.ytml = ticks.for_spec(ys, y0, y1, bh, 2, ax.ytsize,
    ax.yscale == "log" and ax.ybase or nil)
  if ax.hide_xticklabels then ax.xtl, ax.xtml, ax.xoffset = blank(ax.xtl), blank(ax.xtml), nil end
  if ax.hide_yticklabels then ax.ytl, ax.ytml, ax.yoffset = blank(ax.ytl), blank(ax.ytml), nil end
  ax.xrot = xs and xs.rotation or 0
  ax.yrot = ys and ys.rotation or 0
end

-- The view in the space of the scales (log axes: logarithms), where transform interpolates.
local function scaled_view(ax, x0, x1, y0, y1)
  local f = require("cvision.plot.axes").forward
  return { f(x0, ax.xscale, ax.xbase), f(x1, ax.xscale, ax.xbase), f(y0, ax.yscale, ax.ybase),
    f(y1, ax.yscale, ax.ybase) }
end

--- prepare(ax): limits, ticks and the pixel box of an axes (ax.view, ax.box: an integer pixel
-- rectangle in the figure, ax.tview: the view through the scales, ax.xt/xtl/yt/ytl: ticks and
-- labels, ax.xtm/ytm: minor ticks); a twin takes the box of its axes
function M.prepare(ax)
  local fig = ax.fig
  local W, H = fig.width, fig.height
  local r = ax.rect
  local bx0, bx1 = r[1] * W, (r[1] + r[3]) * W
  local by0, by1 = (1 - r[2] - r[4]) * H, (1 - r[2]) * H
  local orig_w = bx1 - bx0
  if ax.cbar then bx1, orig_w = colorbar.shrink(bx0, bx1) end
  local x0, x1, y0, y1 = view_limits(ax)
  local tv = scaled_view(ax, x0, x1, y0, y1)
  local aspect = ax.aspect == "equal" and 1 or ax.aspect
  if aspect then bx0, by0, bx1, by1 = fit_aspect(bx0, by0, bx1, by1, tv[2] - tv[1], tv[4] - tv[3], aspect) end
  ax.box = { floor(bx0 + 0.5), floor(by0 + 0.5), floor(bx1 + 0.5), floor(by1 + 0.5) }
  if ax.cbar then colorbar.place(ax, bx1, by0, by1, orig_w) end
  if ax.twin_of then
    if not ax.twin_of.box then M.prepare(ax.twin_of) end
    ax.box = { table.unpack(ax.twin_of.box) }
  end
  if ax.box[3] <= ax.box[1] then ax.box[3] = ax.box[1] + 1 end
  if ax.box[4] <= ax.box[2] then ax.box[4] = ax.box[2] + 1 end
  ax.view, ax.tview = { x0, x1, y0, y1 }, tv
  ax.y_inverted = (ax.yinvert_img and true or false) ~= (ax.yinvert and true or false)
  set_ticks(ax)
end

--- tick_room(ax, which) --> major tick length, pad between tick and label, minor tick length (all
-- pixels) of axis which ("x" or "y"), from the axes' rcParams (3.5, 3.5 and 2 points)
function M.tick_room(ax, which)
  local st, fig = ax.rc, ax.fig
  return pt(fig, st[which .. "tick.major.size"]), pt(fig, st[which .. "tick.major.pad"]),
    pt(fig, st[which .. "tick.minor.size"])
end

-- The labels of the major ticks, then those of the labelled minor ticks.
local function all_labels(major, minor)
  if not minor or #minor == 0 then return major end
  local all = { table.unpack(major) }
  for _, s in ipairs(minor) do all[#all + 1] = s end
  return all
end

--- xtick_depth(ax) --> how far (pixels) the x tick labels reach below their anchor, rotation included
function M.xtick_depth(ax)
  local xh = 0
  local rad = math.rad(ax.xrot)
  for _, s in ipairs(all_labels(ax.xtl, ax.xtml)) do
    local w, a, d = text_size(s, ax.xtsize)
    xh = max(xh, abs(w * math.sin(rad)) + (a + d) * abs(math.cos(rad)))
  end
  return xh
end

--- ytick_width(ax) --> the widest y tick label (pixels)
function M.ytick_width(ax)
  local maxw = 0
  for _, s in ipairs(all_labels(ax.ytl, ax.ytml)) do maxw = max(maxw, (text_size(s, ax.ytsize))) end
  return maxw
end

-- How far the x axis (ticks, labels, axis label) reaches from its side of the box.
local function xaxis_extent(ax)
  local fig = ax.fig
  local tl, tp = M.tick_room(ax, "x")
  local e = tl + tp + M.xtick_depth(ax)
  if ax.xlabel then
    local _, a, d = text_size(ax.xlabel.text, pt(fig, ax.xlabel.size))
    e = e + pt(fig, 4) + a + d
  end
  return e
end

--- top_axis(ax) --> how far (pixels) an x axis at the top of ax's box reaches above it (its own,
-- or a twin's): the title goes above it
function M.top_axis(ax)
  local e = 0
  for _, m in ipairs(ax.fig.axes) do
    if (m == ax or m.twin_of == ax) and m.axis_on and m.xaxis_on and m.xside == "top" and m.xtl then
      e = max(e, xaxis_extent(m))
    end
  end
  return e
end

-- Extents of ticks, tick labels and axis labels outside the box: left, right, top, bottom. The first
-- and last x tick labels reach half their width past the box's sides.
local function axis_decor(ax)
  local fig = ax.fig
  local t, b, yw, ylab, lx, rx = 0, 0, 0, 0, 0, 0
  if ax.yaxis_on then
    local tl, tp = M.tick_room(ax, "y")
    yw = tl + tp + M.ytick_width(ax)
    if ax.ylabel then
      local _, a, d = text_size(ax.ylabel.text, pt(fig, ax.ylabel.size))
      ylab = pt(fig, 4) + a + d
    end
  end
  if ax.xaxis_on then
    local e = xaxis_extent(ax)
    if ax.xside == "top" then t = e else b = e end
    if #ax.xtl > 0 then
      local rad = math.rad(ax.xrot)
      local w = text_size(ax.xtl[#ax.xtl], ax.xtsize)
      if ax.xrot == 0 then rx = w / 2 end
      local w1 = text_size(ax.xtl[1], ax.xtsize)
      if ax.xrot == 0 then lx = w1 / 2 else lx = abs(w1 * math.cos(rad)) end
    end
  end
  if ax.yside == "right" then return lx, max(yw, rx) + ylab, t, b end
  return max(yw, lx) + ylab, rx, t, b
end

--- decor(ax) --> left, right, top, bottom: extents (pixels) of what is drawn outside the box
function M.decor(ax)
  local fig = ax.fig
  local l, r, t, b = 0, 0, 0, 0
  if ax.axis_on then l, r, t, b = axis_decor(ax) end
  if ax.title then
    local _, a, d = text_size(ax.title.text, pt(fig, ax.title.size))
    t = M.top_axis(ax) + pt(fig, 6) + a + d
  end
  if ax.cbar and ax.cbar.box then r = colorbar.right_extent(ax, r) end
  return l, r, t, b
end

--- layout(fig): prepares every axes of the figure
function M.layout(fig)
  for _, ax in ipairs(fig.axes) do M.prepare(ax) end
end

-- One pass of tight_layout: subplot parameters from the decorations measured on the current layout.
-- The outer margins hold the decorations of the outer axes (the left column's left, the top row's
-- top, ...); a gap between neighbouring columns (rows) holds the largest right (bottom) decoration
-- of one plus the left (top) of the other over the grid, so that inner axes of a shared grid,
-- without tick labels, sit closer.
local function tight_pass(fig, pad)
  local W, H = fig.width, fig.height
  M.layout(fig)
  local rows, cols = 1, 1
  for _, ax in ipairs(fig.axes) do
    if ax.spec then rows, cols = max(rows, ax.spec[1]), max(cols, ax.spec[2]) end
  end
  local L, R, T, B = {}, {}, {}, {}   -- per column (L, R) and per row (T, B)
  for c = 1, cols do L[c], R[c] = 0, 0 end
  for r = 1, rows do T[r], B[r] = 0, 0 end
  for _, ax in ipairs(fig.axes) do
    if ax.spec then
      local l, r, t, b = M.decor(ax)
      -- decorations are measured from the box; the box may sit inside its cell (a square of aspect
      -- "equal", the room a colour bar took): only what reaches past the cell needs a margin
      local rc = ax.rect
      l = max(0, l - (ax.box[1] - rc[1] * W))
      r = max(0, r - ((rc[1] + rc[3]) * W - ax.box[3]))
      t = max(0, t - (ax.box[2] - (1 - rc[2] - rc[4]) * H))
      b = max(0, b - ((1 - rc[2]) * H - ax.box[4]))
      -- a cell of a coarser grid than the figure's (subplot(1, 2, i) beside subplot(2, 2, j)) counts
      -- in every row and column it may touch
      local ar, ac = ax.spec[1], ax.spec[2]
      local row = (ax.spec[3] - 1) // ac + 1
      local col = (ax.spec[3] - 1) % ac + 1
      local exact = ar == rows and ac == cols
      for cc = 1, cols do
        if (exact and cc == col) or not exact then L[cc] = max(L[cc], l); R[cc] = max(R[cc], r) end
      end
      for rr = 1, rows do
        if (exact and rr == row) or not exact then T[rr] = max(T[rr], t); B[rr] = max(B[rr], b) end
      end
    end
  end
  local gapw, gaph = 0, 0
  for c = 1, cols - 1 do gapw = max(gapw, R[c] + L[c + 1]) end
  for r = 1, rows - 1 do gaph = max(gaph, B[r] + T[r + 1]) end
  gapw, gaph = gapw + pad, gaph + pad
  local top_extra = 0
  if fig.suptitle_text then
    local _, a, d = text_size(fig.suptitle_text.text, pt(fig, fig.suptitle_text.size))
    top_extra = a + d + pt(fig, 6)
  end
  local p = fig.subplotpars
  p.left = (L[1] + pad) / W
  p.right = 1 - (R[cols] + pad) / W
  p.top = 1 - (T[1] + pad + top_extra) / H
  p.bottom = (B[rows] + pad) / H
  local cw = (p.right - p.left) * W
  local ch = (p.top - p.bottom) * H
  local axw = (cw - gapw * (cols - 1)) / cols
  local axh = (ch - gaph * (rows - 1)) / rows
  if axw > 10 and axh > 10 then
    p.wspace = gapw / axw
    p.hspace = gaph / axh
  end
  M.place_subplots(fig)
end

--- place_subplots(fig): the grid axes' rectangles from the figure's subplotpars
function M.place_subplots(fig)
  for _, ax in ipairs(fig.axes) do
    if ax.spec then ax.rect = M.subplot_rect(fig.subplotpars, ax.spec[1], ax.spec[2], ax.spec[3]) end
  end
end

--- clipped(fig) --> true when the laid-out figure cuts off something an axes draws outside its box
--- (tick labels, axis labels, a title): a small figure with default margins
function M.clipped(fig)
  M.layout(fig)
  for _, ax in ipairs(fig.axes) do
    if ax.box then
      local l, r, t, b = M.decor(ax)
      if ax.box[1] - l < 0 or ax.box[3] + r > fig.width or ax.box[2] - t < 0 or ax.box[4] + b > fig.height then
        return true
      end
    end
  end
  return false
end

--- tight_layout(fig [, {pad = 1.08}]) fits subplot parameters so that labels and titles do not overlap
function M.tight_layout(fig, opts)
  local pad = ((opts or {}).pad or 1.08) * pt(fig, 10)
  for _ = 1, 2 do tight_pass(fig, pad) end
  fig.tight = opts or {}
  fig.dirty = true
end

return M
