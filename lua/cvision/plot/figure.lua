-- cvision.plot.figure: the Figure object: its size (figsize in inches times dpi), its axes
-- (subplot grid cells or free rectangles), figure texts, a suptitle and painters, and its
-- rasterisation into a Canvas and a PNG. Promises matplotlib's defaults (6.4 x 4.8 in at 100 dpi,
-- its subplotpars: rcParams figure.* when it is made, savefig.dpi when saved) and that rendering lays
-- the figure out afresh every time.
local core = require "cvision.core"
local colors = require "cvision.plot.colors"
local paint = require "cvision.plot.paint"
local layout = require "cvision.plot.layout"
local axes = require "cvision.plot.axes"
local errors = require "cvision.util.errors"
local text = require "cvision.plot.artists.text"
local rc = require "cvision.plot.rc"

local M = {}

local Figure = {}
Figure.__index = Figure
M.Figure = Figure

local floor, max = math.floor, math.max
local to_rgba, pt, draw_text = colors.to_rgba, paint.pt, paint.draw_text

Figure.__tostring = function(f)
  return string.format("<Figure size %dx%d with %d Axes>", f.width, f.height, #f.axes)
end

local FIGURE = { figsize = true, dpi = true, facecolor = true }
M.OPTIONS = FIGURE

--- new{figsize = {w, h}, dpi = 100, facecolor = "white"} --> Figure (not yet current: see plot.figure);
-- the defaults are rcParams figure.figsize, figure.dpi, figure.facecolor and figure.subplot.*
function M.new(opts, fname)
  opts = errors.check_options(fname or "figure", opts, FIGURE, 4, "keyword")
  colors.check(fname or "figure", opts.facecolor, 3)
  local fs = opts.figsize or rc.get("figure.figsize")
  local dpi = opts.dpi or rc.get("figure.dpi")
  if type(fs) ~= "table" or not tonumber(fs[1]) or not tonumber(fs[2]) or fs[1] <= 0 or fs[2] <= 0 then
    error("bad argument #1 to 'figure' (figsize must be {width, height} in inches)", 3)
  end
  return setmetatable({
    figsize = { fs[1], fs[2] }, dpi = dpi,
    width = max(1, floor(fs[1] * dpi + 0.5)), height = max(1, floor(fs[2] * dpi + 0.5)),
    facecolor = opts.facecolor or rc.get("figure.facecolor"),
    axes = {}, painters = {}, texts = {}, dirty = false, text_color = rc.get("text.color"),
    subplotpars = { left = rc.get("figure.subplot.left"), right = rc.get("figure.subplot.right"),
      bottom = rc.get("figure.subplot.bottom"), top = rc.get("figure.subplot.top"),
      wspace = rc.get("figure.subplot.wspace"), hspace = rc.get("figure.subplot.hspace") },
  }, Figure)
end

--- fig:add_subplot(rows, cols, index) --> Axes (the existing one at that place is reused)
function Figure:add_subplot(rows, cols, index)
  if index == nil and cols == nil and type(rows) == "number" and rows >= 111 then
    rows, cols, index = rows // 100, (rows // 10) % 10, rows % 10
  end
  if not (math.type(rows) == "integer" and math.type(cols) == "integer" and rows > 0 and cols > 0) then
    error("bad argument to 'subplot' (rows and cols must be positive integers)", 3)
  end
  if math.type(index) ~= "integer" or index < 1 or index > rows * cols then
    error(string.format("bad argument #3 to 'subplot' (index must be in 1..%d, got %s)",
      rows * cols, tostring(index)), 3)
  end
  for _, ax in ipairs(self.axes) do
    local s = ax.spec
    if s and s[1] == rows and s[2] == cols and s[3] == index then
      self.gca = ax
      return ax
    end
  end
  return axes.new(self, layout.subplot_rect(self.subplotpars, rows, cols, index), { rows, cols, index })
end

--- fig:add_axes{left, bottom, width, height} --> Axes at that rectangle (figure fractions)
function Figure:add_axes(rect)
  return axes.new(self, { rect[1], rect[2], rect[3], rect[4] }, nil)
end

--- fig:get_gca() --> the current axes of the figure (creating subplot(1, 1, 1) when none)
function Figure:get_gca()
  return self.gca or self:add_subplot(1, 1, 1)
end

--- fig:suptitle(s, {fontsize = 12, color = rcParams["text.color"]})
function Figure:suptitle(s, opts)
  opts = errors.check_options("suptitle", opts, { fontsize = true, size = "fontsize", color = true }, 3, "keyword")
  colors.check("suptitle", opts.color, 2)
  self.suptitle_text = { text = tostring(s), size = opts.fontsize or opts.size or 12,
    color = opts.color or self.text_color }
  self.dirty = true
end

--- fig:subplots_adjust{left, right, bottom, top, wspace, hspace}
function Figure:subplots_adjust(p)
  p = errors.check_options("subplots_adjust", p, { left = true, right = true, bottom = true, top = true,
    wspace = true, hspace = true }, 3, "keyword")
  for k, v in pairs(p) do
    if type(v) ~= "number" then error(("subplots_adjust: %s must be a number"):format(k), 2) end
    self.subplotpars[k] = v
  end
  self.adjusted = true             -- a hand-set layout: the kernel does not refit it
  layout.place_subplots(self)
  self.dirty = true
end

-- Prepares every axes: limits, boxes, ticks.
function Figure:_layout() layout.layout(self) end

--- fig:tight_layout({pad = 1.08}) fits subplot parameters so that labels and titles do not overlap
function Figure:tight_layout(opts)
  errors.check_options("tight_layout", opts, { pad = true }, 3, "keyword")
  layout.tight_layout(self, opts)
end

-- The vector canvases by format (each has the raster Canvas' drawing methods and tostring()).
local VECTOR = { svg = "cvision.plot.svg", pdf = "cvision.plot.pdf" }

--- fig:render([vector]) --> canvas: lays the figure out and rasterises it (vector = "svg" or "pdf",
-- or true for "svg": draws it on that vector canvas instead, canvas:tostring() the document)
function Figure:render(svg)
  if svg == true then svg = "svg" end
  if svg and not VECTOR[svg] then errors.check_choice("render", "vector format", svg, { "svg", "pdf" }) end
  if self.tight then self:tight_layout(self.tight) end
  self:_layout()
  local cv
  if svg then cv = require(VECTOR[svg]).new(self.width, self.height, to_rgba(self.facecolor), self.dpi)
  else cv = core.canvas(self.width, self.height, to_rgba(self.facecolor)) end
  for _, ax in ipairs(self.axes) do ax:_draw(cv) end
  for _, t in ipairs(self.texts) do
    draw_text(cv, t.s, t.x * self.width, (1 - t.y) * self.height, pt(self, t.size), to_rgba(t.color),
      t.ha, t.va, t.rotation)
  end
  if self.suptitle_text then
    local s = self.suptitle_text
    draw_text(cv, s.text, self.width / 2, pt(self, 6), pt(self, s.size), to_rgba(s.color), "center", "top")
  end
  for _, p in ipairs(self.painters) do p(cv, self) end
  if not svg then self.canvas = cv end
  return cv
end

local FIGTEXT = {}
for k, v in pairs(text.OPTIONS) do if k ~= "transform" then FIGTEXT[k] = v end end

--- fig:text(x, y, s, {fontsize, color, ha, va, rotation}) text at figure fractions (0..1, y up)
function Figure:text(x, y, s, opts)
  local st = text.style("figtext", opts, FIGTEXT)
  self.texts[#self.texts + 1] = { x = x, y = y, s = tostring(s), size = st.size, color = st.color,
    ha = st.ha, va = st.va, rotation = st.rotation }
  self.dirty = true
end

--- fig:add_painter(function(canvas, fig)) draws straight on the canvas after the axes
function Figure:add_painter(f)
  self.painters[#self.painters + 1] = f
  self.dirty = true
end

M.SAVEFIG = { dpi = true, format = true, quality = true }

-- The formats savefig writes, by name (lower case), and the canvas method writing each.
local WRITERS = { png = "save_png", jpg = "save_jpg", jpeg = "save_jpg", svg = "svg", pdf = "pdf" }
M.FORMATS = { "png", "jpg", "jpeg", "svg", "pdf" }

-- Writes s to path through a temporary file renamed over it (a failed write leaves no partial
-- file); errors name the path.
local function write_file(path, s)
  local tmp = path .. ".tmp" .. tostring(os.time()) .. tostring(math.random(1e6))
  local f, err = io.open(tmp, "wb")
  if not f then error("savefig: " .. path .. ": " .. tostring(err):gsub("^[^:]*: ", ""), 3) end
  local ok, werr = f:write(s)
  f:close()
  if ok then ok, werr = os.rename(tmp, path) end
  if not ok then os.remove(tmp); error("savefig: " .. path .. ": " .. tostring(werr), 3) end
end

--- format_of(path [, format] [, level = 2]) --> the format savefig writes path in: format, else
-- path's extension, else "png" (no extension); anything it cannot write is an error naming the
-- path and the formats it can, never PNG bytes under another name
function M.format_of(path, format, level)
  level = (level or 2) + 1
  local f = format
  if f == nil then f = path:match("%.([^./\\]+)$") end
  if f == nil then return "png" end
  if type(f) ~= "string" then error("savefig: format must be a string", level) end
  local lf = f:lower()
  if WRITERS[lf] then return lf end
  error(("savefig: cannot write '%s': unsupported format '%s' (supported: %s)"):format(path, f,
    table.concat(M.FORMATS, ", ")), level)
end

--- fig:savefig(path [, {dpi = rcParams["savefig.dpi"] ("figure": the figure's), format, quality = 95}])
-- writes the figure as PNG, JPEG, SVG or PDF (vector: cvision.plot.svg, cvision.plot.pdf), chosen by
-- format or else path's extension (.png, .jpg, .jpeg, .svg, .pdf; PNG without one); returns path
function Figure:savefig(path, opts)
  if type(path) ~= "string" then error("bad argument #1 to 'savefig' (file name expected)", 2) end
  opts = errors.check_options("savefig", opts, M.SAVEFIG, 3, "keyword")
  local fmt = M.format_of(path, opts.format, 2)
  local q = opts.quality
  if q ~= nil and (math.type(q) ~= "integer" or q < 1 or q > 100) then
    error("savefig: quality must be an integer in 1..100", 2)
  end
  local dpi = opts.dpi
  if dpi == nil and rc.get("savefig.dpi") ~= "figure" then dpi = rc.get("savefig.dpi") end
  if dpi and dpi ~= self.dpi then
    local k = dpi / self.dpi
    self.dpi = dpi
    self.width, self.height = floor(self.width * k + 0.5), floor(self.height * k + 0.5)
  end
  if WRITERS[fmt] == "svg" or WRITERS[fmt] == "pdf" then
    write_file(path, self:render(WRITERS[fmt]):tostring())
  else
    local cv = self:render()
    if WRITERS[fmt] == "save_jpg" then cv:save_jpg(path, q) else cv:save_png(path) end
  end
  self.dirty = false
  self.saved_path = path
  return path
end

return M
