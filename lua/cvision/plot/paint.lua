-- cvision.plot.paint: the drawing helpers every part of a figure shares: points to pixels, dash
-- patterns, markers, rounded boxes, and text that may span lines. Promises matplotlib's sizes
-- (points at the figure's dpi, markersize as the marker's extent, 1.2 em between text lines).
local core = require "cvision.core"

local M = {}

local max = math.max

--- pt(fig, points) --> pixels at the figure's dpi
function M.pt(fig, points) return points * fig.dpi / 72 end
local pt = M.pt

local DASHES = { ["--"] = { 3.7, 1.6 }, [":"] = { 1, 1.65 }, ["-."] = { 6.4, 1.6, 1, 1.6 },
  dashed = { 3.7, 1.6 }, dotted = { 1, 1.65 }, dashdot = { 6.4, 1.6, 1, 1.6 } }

--- dash_pattern(fig, linestyle, linewidth) --> on/off lengths in pixels, or nil for a solid line
function M.dash_pattern(fig, ls, lw)
  local d = DASHES[ls]
  if not d then return nil end
  local out = {}
  for i, v in ipairs(d) do out[i] = pt(fig, v * lw) end
  return out
end

--- draw_marker(cv, m, x, y, size, col) draws marker m ("o", ".", "s", "D", "^", "v", "<", ">",
-- "x", "+", "*") centred at (x, y); size in pixels is the marker's extent
function M.draw_marker(cv, m, x, y, size, col)
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

--- markers: the marker names draw_marker knows
M.markers = { "o", ".", "s", "D", "^", "v", "<", ">", "x", "+", "*" }

--- check_marker(m, fname [, level = 2]) --> m, or an error naming fname and the markers known
function M.check_marker(m, fname, level)
  for _, k in ipairs(M.markers) do if k == m then return m end end
  error(("%s: unknown marker '%s' (known: %s)"):format(fname, tostring(m), table.concat(M.markers, " ")),
    (level or 2) + 1)
end

--- rounded_rect(x, y, w, h, r) --> polygon {x1, y1, x2, y2, ...} of a box with rounded corners
function M.rounded_rect(x, y, w, h, r)
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

--- tensor_canvas(tensor, sample, cmap, vmin, vmax) --> a raster canvas of the tensor's pixels at
-- the image's own size (scalars through the colour map): what a vector canvas embeds for imshow
function M.tensor_canvas(t, sample, cmap, vmin, vmax)
  local shape = core.plot_tensor_info(t, sample)
  if #shape == 4 then table.remove(shape, 1) end   -- a leading sample axis of length 1
  local H, W = shape[1], shape[2]
  local cv = core.canvas(W, H, { 1, 1, 1, 0 })
  cv:image(t, sample, 0, 0, W, H, cmap, vmin, vmax, "nearest")
  return cv
end

--- text_size(s, px) --> width, ascent, descent in pixels
-- Text may span lines ("\n", spaced 1.2 em as matplotlib): width of the widest line, ascent of the
-- first line plus the lines after it, descent of the last.
function M.text_size(s, px)
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

--- draw_text(cv, s, x, y, px, col, ha, va, rot): canvas:text with several lines
-- Each line is placed on its own baseline, the block aligned as a whole (va "baseline" puts the
-- last line on the anchor, so multi-line titles grow upwards).
function M.draw_text(cv, s, x, y, px, col, ha, va, rot)
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

return M
