-- cvision.plot.colorbar: the colour bar beside an axes for its last colour-mapped artist (an
-- image of scalars, a scatter with c = values, filled contours: their bands) or the one given.
-- Promises matplotlib's geometry
-- (fraction 0.15, pad 0.05, aspect 20: the axes give up a fifth of their width), low values at the
-- bottom, ticks over the artist's vmin..vmax placed by its norm (decades under a log norm), an
-- optional label.
local core = require "cvision.core"
local paint = require "cvision.plot.paint"
local ticks = require "cvision.plot.ticks"
local artists = require "cvision.plot.artists"
local errors = require "cvision.util.errors"

local M = {}

local floor, max, min = math.floor, math.max, math.min
local pt, text_size, draw_text = paint.pt, paint.text_size, paint.draw_text

local function mappable(a)
  local k = type(a) == "table" and artists.kind(a.kind)
  return k and k.mappable and k.mappable(a)
end

--- attach(ax, [mappable,] opts) --> the colour bar record {art, label} for mappable (an artist
-- record that imshow or scatter returned) or else the axes' last mappable artist
function M.attach(ax, img, opts)
  if opts == nil and type(img) == "table" and img.kind == nil then img, opts = nil, img end
  opts = errors.check_options("colorbar", opts, { label = true }, 4, "keyword")
  if img ~= nil and not mappable(img) then
    error("colorbar: the artist given is not colour-mapped (an image of scalars or a scatter with c = values)", 3)
  end
  if img == nil then
    for _, a in ipairs(ax.artists) do if mappable(a) then img = a end end
  end
  if not img then
    error("colorbar: no colour-mapped artist on these axes (imshow a 2-D image or scatter with c = values first)", 3)
  end
  ax.cbar = { art = img, label = opts.label }
  ax.fig.dirty = true
  return ax.cbar
end

--- shrink(bx0, bx1) --> the axes box's new right edge and its width before the bar took its share
function M.shrink(bx0, bx1)
  local orig_w = bx1 - bx0
  return bx0 + orig_w * 0.8, orig_w
end

--- place(ax, bx1, by0, by1, orig_w): the bar's pixel box right of the axes box
function M.place(ax, bx1, by0, by1, orig_w)
  local h = by1 - by0
  local w = min(h / 20, orig_w * 0.1)
  local cx = bx1 + orig_w * 0.05
  ax.cbar.box = { floor(cx + 0.5), floor(by0 + 0.5), floor(cx + w + 0.5), floor(by1 + 0.5) }
end

--- set_ticks(ax, fs): ticks and labels along the bar (fs: the tick font size in pixels)
function M.set_ticks(ax, fs)
  local cb = ax.cbar
  local a = cb.art
  local cbh = cb.box[4] - cb.box[2]
  if a.norm and a.norm.kind == "log" then cb.ticks, cb.labels = M.log_ticks(a.vmin, a.vmax)
  else cb.ticks, cb.labels = ticks.auto(a.vmin, a.vmax, cbh, 2, fs) end
end

local SUPER = { ["0"] = "⁰", ["1"] = "¹", ["2"] = "²", ["3"] = "³", ["4"] = "⁴", ["5"] = "⁵",
  ["6"] = "⁶", ["7"] = "⁷", ["8"] = "⁸", ["9"] = "⁹", ["-"] = "⁻" }

--- log_ticks(vmin, vmax) --> the decades inside [vmin, vmax] and their labels ("10²"), as
-- matplotlib's LogLocator and LogFormatterSciNotation
function M.log_ticks(vmin, vmax)
  local t, l = {}, {}
  local lo, hi = math.ceil(math.log(vmin, 10) - 1e-9), math.floor(math.log(vmax, 10) + 1e-9)
  for k = lo, hi do
    t[#t + 1] = 10.0 ^ k
    l[#l + 1] = "10" .. tostring(k):gsub(".", SUPER)
  end
  return t, l
end

-- Where v sits along the bar, 0 at the bottom and 1 at the top.
local function position(a, v)
  if a.norm then return a.norm:map(v) end
  if a.vmax == a.vmin then return 0 end
  return (v - a.vmin) / (a.vmax - a.vmin)
end

--- right_extent(ax, r) --> how far (pixels) right of the axes box the bar and its labels reach,
-- at least r
function M.right_extent(ax, r)
  local fig, cb = ax.fig, ax.cbar
  local maxw = 0
  for _, s in ipairs(cb.labels or {}) do maxw = max(maxw, (text_size(s, pt(fig, 10)))) end
  r = max(r, cb.box[3] - ax.box[3] + pt(fig, 7) + maxw)
  if cb.label then r = r + pt(fig, 4) + pt(fig, 10) * 1.2 end
  return r
end

--- draw(ax, cv): the colour ramp, its frame, ticks, labels and label on the figure canvas
function M.draw(ax, cv)
  local fig = ax.fig
  local black = { 0, 0, 0, 1 }
  local cb, a = ax.cbar, ax.cbar.art
  local x0, y0, x1, y1 = cb.box[1], cb.box[2], cb.box[3], cb.box[4]
  if a.bands then   -- filled contours: one block per band {lo, hi, colour}, as matplotlib's
    for _, b in ipairs(a.bands) do
      local ya, yb = y1 - position(a, b[2]) * (y1 - y0), y1 - position(a, b[1]) * (y1 - y0)
      cv:fill_rect(x0, ya, x1 - x0, yb - ya, b[3])
    end
  else
    local ramp = core.canvas(1, 256)
    for i = 0, 255 do
      local r, g, bl = core.plot_colormap(a.cmap, i, 0, 255)
      ramp:fill_rect(0, 255 - i, 1, 1, { r / 255, g / 255, bl / 255 })
    end
    cv:blit(ramp, x0, y0, x1 - x0, y1 - y0, "nearest")
  end
  local slw = pt(fig, 0.8)
  cv:stroke({ x0, y0, x1, y0, x1, y1, x0, y1, x0, y0 - slw / 2 }, black, slw, nil, "square")
  local maxw = 0
  for i, v in ipairs(cb.ticks) do
    local py = y1 - position(a, v) * (y1 - y0)
    cv:stroke({ x1, py, x1 + pt(fig, 3.5), py }, black, slw)
    draw_text(cv, cb.labels[i], x1 + pt(fig, 7), py, pt(fig, 10), black, "left", "center")
    maxw = max(maxw, (text_size(cb.labels[i], pt(fig, 10))))
  end
  if cb.label then
    draw_text(cv, cb.label, x1 + pt(fig, 11) + maxw, (y0 + y1) / 2, pt(fig, 10), black, "center", "top", 90)
  end
end

return M
