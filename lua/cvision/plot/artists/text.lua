-- cvision.plot.artists.text: ax:text, strings placed in data or axes coordinates. Promises
-- matplotlib's alignment names (ha, va, their long forms), rotation in degrees, several lines, and
-- drawing after every other artist of the axes, clipped to the box as they are.
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local artists = require "cvision.plot.artists"

local M = { name = "text", collection = "texts", methods = {} }

--- ax:text(x, y, s, {fontsize = 10, color, ha = "left", va = "baseline", rotation, transform = "data"|"axes"})
function M.methods.text(self, x, y, s, opts)
  opts = opts or {}
  artists.add(self, { kind = "text", x = x, y = y, s = tostring(s), size = opts.fontsize or 10,
    color = opts.color or "black", ha = opts.ha or opts.horizontalalignment or "left",
    va = opts.va or opts.verticalalignment or "baseline", rotation = opts.rotation or 0,
    transform = opts.transform or "data" })
end

--- draw(t, ctx): at its data point, or at axes fractions (transform = "axes", y up)
function M.draw(t, ctx)
  local px, py
  if t.transform == "axes" then px, py = t.x * ctx.w, (1 - t.y) * ctx.h
  else px, py = ctx.ax:transform(t.x, t.y); px, py = px - ctx.ox, py - ctx.oy end
  paint.draw_text(ctx.cv, t.s, px, py, paint.pt(ctx.fig, t.size), colors.to_rgba(t.color), t.ha, t.va,
    t.rotation)
end

return M
