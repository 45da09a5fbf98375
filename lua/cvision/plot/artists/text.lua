-- cvision.plot.artists.text: ax:text, strings placed in data or axes coordinates. Promises
-- matplotlib's alignment names (ha, va, their long forms), rotation in degrees, several lines, and
-- drawing after every other artist of the axes, outside the box too unless clip_on = true
-- (matplotlib's default for text).
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local artists = require "cvision.plot.artists"
local errors = require "cvision.util.errors"
local rc = require "cvision.plot.rc"

local M = { name = "text", collection = "texts", methods = {} }

--- OPTIONS: text's options and matplotlib's aliases (figure texts take the same but transform)
M.OPTIONS = { fontsize = true, size = "fontsize", color = true, c = "color", ha = true,
  horizontalalignment = "ha", va = true, verticalalignment = "va", rotation = true, transform = true,
  clip_on = true }
M.HA = { "left", "center", "right" }
M.VA = { "baseline", "top", "center", "bottom" }

--- style(fname, opts [, level = 3]) --> {size, color, ha, va, rotation}: text options checked
-- (names, alignments, colour), aliases resolved
function M.style(fname, opts, allowed, level)
  level = (level or 3) + 1
  opts = errors.check_options(fname, opts, allowed or M.OPTIONS, level, "keyword")
  local ha = opts.ha or opts.horizontalalignment or "left"
  local va = opts.va or opts.verticalalignment or "baseline"
  errors.check_choice(fname, "horizontal alignment", ha, M.HA, level)
  errors.check_choice(fname, "vertical alignment", va, M.VA, level)
  local color = opts.color or opts.c or rc.get("text.color")
  local ok, err = pcall(colors.to_rgba, color)
  if not ok then error(fname .. ": " .. errors.clean(err), level - 1) end
  return { size = opts.fontsize or opts.size or 10, color = color, ha = ha, va = va,
    rotation = opts.rotation or 0, transform = opts.transform or "data", clip_on = opts.clip_on == true }
end

--- ax:text(x, y, s, {fontsize = 10, color, ha = "left", va = "baseline", rotation, transform = "data"|"axes",
-- clip_on = false}) --> the text's record (as matplotlib's Text)
function M.methods.text(self, x, y, s, opts)
  local st = M.style("text", opts)
  errors.check_choice("text", "transform", st.transform, { "data", "axes" })
  return artists.add(self, { kind = "text", x = x, y = y, s = tostring(s), size = st.size, color = st.color,
    ha = st.ha, va = st.va, rotation = st.rotation, transform = st.transform, clip_on = st.clip_on })
end

--- repr(x, y, s) --> "x, y, 's'" as matplotlib's Text and Annotation print their position and text
function M.repr(x, y, s)
  local function num(v) return type(v) == "number" and ("%g"):format(v) or tostring(v) end
  return ("%s, %s, '%s'"):format(num(x), num(y), s)
end

--- describe(t) --> "Text(x, y, 's')", as matplotlib prints it
function M.describe(t) return "Text(" .. M.repr(t.x, t.y, t.s) .. ")" end

--- draw(t, ctx): at its data point, or at axes fractions (transform = "axes", y up)
function M.draw(t, ctx)
  local px, py
  local b = ctx.ax.box   -- ctx.cv is the box's own canvas (ox = b[1]) or the figure's (ox = 0)
  if t.transform == "axes" then px, py = b[1] - ctx.ox + t.x * ctx.w, b[2] - ctx.oy + (1 - t.y) * ctx.h
  else px, py = ctx.ax:transform(t.x, t.y); px, py = px - ctx.ox, py - ctx.oy end
  paint.draw_text(ctx.cv, t.s, px, py, paint.pt(ctx.fig, t.size), colors.to_rgba(t.color), t.ha, t.va,
    t.rotation)
end

return M
