-- spec/helpers/plot_pixels.lua - what the plot specs read back from a drawing: a canvas pixel as
-- {r, g, b}, colours equal within a tolerance, the colours they look for, a PNG file's size.
local M = {}

function M.rgb(cv, x, y)
  local r, g, b = cv:pixel(math.floor(x), math.floor(y))
  return { r, g, b }
end

function M.near(c, ref, tol)
  tol = tol or 40
  return math.abs(c[1] - ref[1]) <= tol and math.abs(c[2] - ref[2]) <= tol and math.abs(c[3] - ref[3]) <= tol
end

M.WHITE = { 255, 255, 255 }
M.RED = { 255, 0, 0 }
M.C0 = { 31, 119, 180 }

-- width and height of a PNG file from its IHDR chunk
function M.png_size(path)
  local f = assert(io.open(path, "rb"))
  local head = f:read(24)
  f:close()
  assert(head:sub(2, 4) == "PNG", "not a PNG file")
  local w, h = string.unpack(">I4I4", head, 17)
  return w, h
end

return M
