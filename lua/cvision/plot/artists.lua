-- cvision.plot.artists: the registry of artist kinds (line, bars, image, reference lines, text,
-- and whatever a caller registers) and the contract each kind keeps. The axes never name a kind:
-- they ask the registry for the kind of each record and call its hooks, so a new plot type is one
-- new file registered here, with no edit anywhere else.
--
-- A kind is a table:
--   name        the kind, kept in each record's `kind` field ("line")
--   printed     what tostring(record) names it ("Line2D"); describe(a) --> string overrides it
--   methods     {name = function(ax, ...)}: the Axes methods (and pyplot functions on the current
--               axes) that record artists of this kind, e.g. ax:plot and plt.plot
--   limits(a, lim)                      adds the record's data extent to lim (lim:x(v), lim:y(v));
--                                       may set lim.sticky_x / lim.sticky_y0 (bars start at 0) or
--                                       lim.extent = {x0, x1, y0, y1} (images: no margins); may
--                                       add to the lists lim.x_sticky / lim.y_sticky (margins stop
--                                       at these values: boxplot's edges)
--   draw(a, ctx)                        draws inside the axes box; ctx = {ax, fig, cv, ox, oy, w, h}
--                                       (cv is the box's own canvas, ox, oy its offset in the figure)
--   legend(a, ctx, x, cy, length, fs)   optional: draws the handle of a legend entry (a record with
--                                       a label but without this hook has no entry)
--   obstacles(a, ax, paths, rects)      optional: pixel paths and rectangles the legend's "best"
--                                       location avoids
--   collection  "artists" (default) or "texts": the axes' list holding the records; texts are
--               drawn after every artist, and are no legend entries
--   mappable(a)                         optional: true when a colour bar can show the record (it then
--                                       has cmap, vmin, vmax and maybe a norm)
-- A file may also bring methods only, recording another kind's artists (hist records bars): then
-- it has no hooks of its own.
local M = {}

local kinds = {}

--- methods: every registered kind's Axes methods by name (the Axes and pyplot look them up here)
M.methods = {}

-- Records print as matplotlib's objects.
local Artist = {}
Artist.__index = Artist
Artist.__tostring = function(a)
  local k = kinds[a.kind] or {}
  if k.describe then return k.describe(a) end
  local n = k.printed or a.kind
  return a.label and string.format("<%s: %s>", n, tostring(a.label)) or "<" .. n .. ">"
end

--- register(kind) --> kind: adds an artist kind (see the contract above), or each kind of an
-- array of them; their methods become Axes methods and pyplot functions
function M.register(kind)
  if type(kind) == "table" and kind[1] ~= nil then
    for _, k in ipairs(kind) do M.register(k) end
    return kind
  end
  if type(kind) ~= "table" or type(kind.name) ~= "string" then
    error("bad argument #1 to 'register_artist' (a kind with a name expected)", 2)
  end
  if kind.draw ~= nil and type(kind.draw) ~= "function" then
    error("bad argument #1 to 'register_artist' (draw of kind '" .. kind.name .. "' is not a function)", 2)
  end
  kinds[kind.name] = kind
  for name, f in pairs(kind.methods or {}) do M.methods[name] = f end
  return kind
end

--- kind(name) --> the registered kind of that name, or nil
function M.kind(name) return kinds[name] end

--- add(ax, record) --> record: keeps a new record on the axes (record.kind names its
-- kind) and marks the figure as drawn on
function M.add(ax, a)
  local k = kinds[a.kind]
  if k and k.collection == "texts" then
    ax.texts[#ax.texts + 1] = setmetatable(a, Artist)
  else
    ax.artists[#ax.artists + 1] = setmetatable(a, Artist)
  end
  ax.fig.dirty = true
  return a
end

return M
