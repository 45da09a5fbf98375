-- cvision.plot.artists.image: ax:imshow, pixels of a tensor or a nested table (matplotlib's
-- AxesImage). Promises: scalars through the colour map scaled from vmin to vmax (the data's range
-- by default), RGB(A) shown as is, square pixels unless aspect = "auto", row 0 at the top, and no
-- margins around an axes that holds only images.
local core = require "cvision.core"
local artists = require "cvision.plot.artists"
local colors = require "cvision.plot.colors"
local errors = require "cvision.util.errors"

local M = { name = "image", printed = "AxesImage", methods = {} }

local min, max, abs = math.min, math.max, math.abs

-- An image from a nested Lua table ({{v, ...}, ...} or {{{r, g, b}, ...}, ...}).
local function table_image(t)
  local H, W = #t, #t[1]
  local rgb = type(t[1][1]) == "table"
  return { H = H, W = W, C = rgb and #t[1][1] or 1, rows = t }
end

-- Fills art's size and range from a nested table.
local function from_table(art, img)
  local ti = table_image(img)
  art.H, art.W, art.C, art.rows = ti.H, ti.W, ti.C, ti.rows
  if ti.C == 1 and (not art.vmin or not art.vmax) then
    local lo, hi = math.huge, -math.huge
    for _, row in ipairs(img) do for _, v in ipairs(row) do lo = min(lo, v); hi = max(hi, v) end end
    art.vmin = art.vmin or lo
    art.vmax = art.vmax or hi
  end
end

-- Fills art's size and range from a tensor (the C core reads its shape and range).
local function from_tensor(art, img, sample)
  local shape, _, lo, hi = core.plot_tensor_info(img, sample)
  if not sample and #shape == 4 and shape[1] == 1 then sample = 1; table.remove(shape, 1) end
  if #shape == 3 and shape[3] == 1 then shape[3] = nil end
  if not (#shape == 2 or (#shape == 3 and (shape[3] == 3 or shape[3] == 4))) then
    error("bad argument #1 to 'imshow' (image of shape (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) " ..
      "expected, got (" .. table.concat(shape, ", ") .. "))", 3)
  end
  art.tensor, art.sample = img, sample
  art.H, art.W, art.C = shape[1], shape[2], shape[3] or 1
  art.vmin = art.vmin or lo
  art.vmax = art.vmax or hi
end

--- ax:imshow(img, {cmap = "viridis", vmin, vmax, interpolation = "nearest", extent, aspect, sample})
-- img: a tensor (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) (uint8 or float), a tensor with a leading
-- sample axis of length 1, or a nested Lua table. Scalars go through the colour map, scaled from
-- vmin to vmax (the data's range by default), as matplotlib. sample = i shows img's i-th item
-- along its first axis (X, i instead of X[i]).
local OPTIONS = { cmap = true, vmin = true, vmax = true, interpolation = true, extent = true,
  aspect = true, sample = true, alpha = true }

function M.methods.imshow(self, img, opts)
  opts = errors.check_options("imshow", opts, OPTIONS, 3, "keyword")
  if opts.cmap ~= nil then colors.check_cmap(opts.cmap, "imshow", 2) end
  if opts.interpolation ~= nil then
    errors.check_choice("imshow", "interpolation", opts.interpolation, { "nearest", "none", "antialiased", "bilinear" })
  end
  if opts.aspect ~= nil and opts.aspect ~= "auto" and opts.aspect ~= "equal" then
    error("imshow: aspect must be \"auto\" or \"equal\"", 2)
  end
  local art = { kind = "image", cmap = opts.cmap or require("cvision.plot.rc").get("image.cmap"), vmin = opts.vmin, vmax = opts.vmax,
    interpolation = opts.interpolation == "bilinear" and "bilinear" or "nearest", alpha = opts.alpha }
  if type(img) == "table" then from_table(art, img) else from_tensor(art, img, opts.sample) end
  art.extent = opts.extent or { -0.5, art.W - 0.5, art.H - 0.5, -0.5 }
  artists.add(self, art)
  if opts.aspect ~= "auto" then self.aspect = "equal" end
  self.image_axes = true
  return art
end

--- limits(a, lim): the extent, with no margins (lim.extent)
function M.limits(a, lim)
  local e = a.extent
  lim:x(e[1]); lim:x(e[2]); lim:y(e[3]); lim:y(e[4])
  lim.extent = e
end

--- mappable(a) --> true when a colour bar can show the record (scalars through a colour map)
function M.mappable(a) return a.C == 1 end

--- draw(a, ctx): the tensor scaled into its extent by the C raster; a table is coloured into a
-- small canvas first, then scaled the same way
function M.draw(a, ctx)
  local ax, cv, ox, oy = ctx.ax, ctx.cv, ctx.ox, ctx.oy
  local e = a.extent
  local px0, py0 = ax:transform(e[1], e[4])
  local px1, py1 = ax:transform(e[2], e[3])
  local x, y = min(px0, px1) - ox, min(py0, py1) - oy
  local w, h = abs(px1 - px0), abs(py1 - py0)
  if a.tensor then
    cv:image(a.tensor, a.sample, x, y, w, h, a.cmap, a.vmin, a.vmax, a.interpolation)
    return
  end
  local src = core.canvas(a.W, a.H)
  for i = 1, a.H do
    for j = 1, a.W do
      local v = a.rows[i][j]
      local col
      if a.C == 1 then
        local r, g, b = core.plot_colormap(a.cmap, v, a.vmin, a.vmax)
        col = { r / 255, g / 255, b / 255 }
      else
        local s = (v[1] > 1 or v[2] > 1 or v[3] > 1) and 255 or 1
        col = { v[1] / s, v[2] / s, v[3] / s, v[4] and v[4] / s or 1 }
      end
      src:fill_rect(j - 1, i - 1, 1, 1, col)
    end
  end
  cv:blit(src, x, y, w, h, a.interpolation)
end

return M
