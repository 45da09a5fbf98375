-- cvision.plot.artists.matshow: ax:matshow, a matrix shown as an image of its cells (matplotlib's
-- Axes.matshow), and pyplot's matshow, which draws it on a new figure of the matrix's shape.
-- Promises matplotlib's choices: row 0 at the top, nearest cells, square cells, integer ticks
-- (MaxNLocator with steps 1, 2, 5, 10 and at most 9 bins) on both axes, the column ticks along
-- the top, and figaspect's figure size (4.8 in high, kept within 4 x 2 .. 16 x 16 in).
local core = require "cvision.core"
local locator = require "cvision.plot.locator"
local errors = require "cvision.util.errors"

local M = { name = "matshow", methods = {} }

local OPTIONS = { cmap = true, vmin = true, vmax = true, alpha = true, aspect = true,
  interpolation = true, extent = true }

-- The matrix's rows and columns: a list of rows or a tensor of 2 dimensions.
local function shape_of(A, fname)
  if type(A) == "userdata" then
    local shape = core.plot_tensor_info(A)
    if #shape ~= 2 then
      error(("%s: a matrix (a tensor of 2 dimensions) expected, got %d dimensions"):format(fname, #shape), 3)
    end
    return shape[1], shape[2]
  end
  if type(A) ~= "table" or type(A[1]) ~= "table" or type(A[1][1]) ~= "number" then
    error(("%s: a matrix (a list of rows of numbers or a 2-D tensor) expected"):format(fname), 3)
  end
  for i, r in ipairs(A) do
    if #r ~= #A[1] then error(("%s: row %d has %d values, row 1 has %d"):format(fname, i, #r, #A[1]), 3) end
  end
  return #A, #A[1]
end

local function integer_ticks(n)
  local t = {}
  for _, v in ipairs(locator.tick_values(-0.5, n - 0.5, { nbins = 9, steps = { 1, 2, 5, 10 }, integer = true })) do
    if v >= -0.5 and v <= n - 0.5 then t[#t + 1] = v end
  end
  return t
end

--- ax:matshow(A, {cmap = "viridis", vmin, vmax, alpha, aspect = "equal", interpolation = "nearest",
-- extent}) --> the AxesImage record: A (a list of rows or a 2-D tensor) through imshow, with
-- integer ticks and the column ticks along the top
function M.methods.matshow(self, A, opts)
  opts = errors.check_options("matshow", opts, OPTIONS, 3, "keyword")
  local rows, cols = shape_of(A, "matshow")
  local o = { interpolation = "nearest" }
  for k, v in pairs(opts) do o[k] = v end
  local ok, img = pcall(self.imshow, self, A, o)
  if not ok then error((errors.clean(img):gsub("imshow", "matshow")), 2) end
  self:set_xticks(integer_ticks(cols))
  self:set_yticks(integer_ticks(rows))
  self.xside = "top"     -- matplotlib draws a matrix's column ticks above it
  return img
end

--- figaspect(A | ratio) --> {width, height} in inches: matplotlib's figure size for a matrix of
-- that many rows per column (or height / width ratio), 4.8 in high when it fits
function M.figaspect(arg)
  local ratio
  if type(arg) == "number" then ratio = arg
  else
    local r, c = shape_of(arg, "figaspect")
    ratio = r / c
  end
  local w, h = 4.8 / ratio, 4.8
  local s = math.min(1, w / 4, h / 2)
  w, h = w / s, h / s
  s = math.max(1, w / 16, h / 16)
  w, h = w / s, h / s
  return { math.min(16, math.max(4, w)), math.min(16, math.max(2, h)) }
end

--- pyplot(plt, A [, {fignum, ...}]) --> the AxesImage record: plt.matshow, A on a new figure of
-- figaspect(A) in an axes at (0.15, 0.09, 0.775, 0.775), as pyplot's (fignum = 0: the current axes)
function M.pyplot(plt, A, opts)
  opts = opts or {}
  if type(opts) ~= "table" then error("matshow: table of options expected, got " .. type(opts), 2) end
  local rest, fignum = {}, opts.fignum
  for k, v in pairs(opts) do if k ~= "fignum" then rest[k] = v end end
  errors.check_options("matshow", rest, OPTIONS, 3, "keyword")
  shape_of(A, "matshow")
  local ax
  if fignum == 0 then ax = plt.gca()
  elseif fignum ~= nil then error("matshow: fignum must be 0 (the current axes) or left out", 2)
  else
    local fig = plt.figure({ figsize = M.figaspect(A) })
    ax = fig:add_axes({ 0.15, 0.09, 0.775, 0.775 })
  end
  return ax:matshow(A, rest)
end

return M
