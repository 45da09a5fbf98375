-- cvision.image: reading and writing image files, resizing, colour conversion (Keras-style).
-- Decoding, encoding and the pixel loops are in C (csrc/image.c, bound as core.image); this
-- module checks arguments and raises errors at the caller's level, naming the file and the reason:
--   cv.imread("x.png") --> "x.png:3: cv.imread: x.png: truncated PNG data"
-- Conventions (see csrc/image.h): images are (H, W, C) uint8 as decoded; resize follows
-- tf.image.resize (half-pixel centres, no antialiasing); RGB -> gray is ITU-R 601 luma.
local core = require "cvision.core"

local C = core.image
local M = {}

local color_modes = { grayscale = 1, rgb = 3, rgba = 4 }
local interpolations = { bilinear = true, nearest = true }

local function is_tensor(x) return getmetatable(x) == core.Tensor end

local function fmt_shape(s)
  return "(" .. table.concat(s, ", ") .. (#s == 1 and ",)" or ")")
end

-- raises "bad argument #n to 'fname' (msg)" at the user's line; `depth` counts the helper calls
-- between the API function and this call (none when the API function calls it directly)
local function argerror(n, fname, msg, depth)
  error(("bad argument #%d to '%s' (%s)"):format(n, fname, msg), 3 + (depth or 0))
end

local clean = require("cvision.util.errors").clean

local function check_tensor(x, n, fname)
  if not is_tensor(x) then argerror(n, fname, "tensor expected, got " .. type(x), 1) end
end

local function check_opts(opts, n, fname)
  if opts ~= nil and type(opts) ~= "table" then
    argerror(n, fname, "options table expected, got " .. type(opts), 1)
  end
  return opts or {}
end

-- color_mode option -> channels for the decoder (nil = as stored)
local function channels_of(mode, n, fname, default)
  mode = mode or default
  if mode == nil then return 0 end
  local c = color_modes[mode]
  if not c then
    argerror(n, fname, ("color_mode must be 'grayscale', 'rgb' or 'rgba', got %s"):format(tostring(mode)), 1)
  end
  return c
end

local function check_size(size, n, fname)
  if type(size) ~= "table" or #size ~= 2 then
    argerror(n, fname, "size must be a table {height, width}", 1)
  end
  local h, w = math.tointeger(size[1]), math.tointeger(size[2])
  if not h or not w or h < 1 or w < 1 then
    argerror(n, fname, ("size must hold positive integers, got {%s, %s}"):format(tostring(size[1]), tostring(size[2])), 1)
  end
  return h, w
end

local function check_interpolation(interp, n, fname, default)
  interp = interp or default
  if not interpolations[interp] then
    argerror(n, fname, ("interpolation must be 'bilinear' or 'nearest', got %s"):format(tostring(interp)), 1)
  end
  return interp
end

--- imread(path [, {color_mode = "grayscale"|"rgb"|"rgba"}]) --> uint8 tensor (H, W, C)
-- PNG (all colour types, palette, 16-bit: high byte kept), GIF (first frame), BMP, JPEG, told
-- apart by their first bytes. Without color_mode the channels are as stored (1, 2, 3 or 4).
function M.imread(path, opts)
  if type(path) ~= "string" then argerror(1, "imread", "string expected, got " .. type(path)) end
  opts = check_opts(opts, 2, "imread")
  local t, err = C.load(path, channels_of(opts.color_mode, 2, "imread"))
  if not t then error("cv.imread: " .. err, 2) end
  return t
end

--- decode_image(bytes [, {color_mode = ..., name = "..."}]) --> uint8 tensor (H, W, C)
-- Like imread, from the file's content in a string.
function M.decode_image(bytes, opts)
  if type(bytes) ~= "string" then argerror(1, "decode_image", "string expected, got " .. type(bytes)) end
  opts = check_opts(opts, 2, "decode_image")
  local t, err = C.load_mem(bytes, channels_of(opts.color_mode, 2, "decode_image"), opts.name)
  if not t then error("cv.decode_image: " .. err, 2) end
  return t
end

local not_png = { jpg = true, jpeg = true, gif = true, bmp = true, tif = true, tiff = true, webp = true }

--- imwrite(path, t) --> true
-- Writes t as an 8-bit PNG: t is (H, W) or (H, W, C) with C = 1 (gray), 2 (gray + alpha),
-- 3 (RGB) or 4 (RGBA); uint8, or float32 in 0..255 (clamped and rounded).
function M.imwrite(path, t)
  if type(path) ~= "string" then argerror(1, "imwrite", "string expected, got " .. type(path)) end
  check_tensor(t, 2, "imwrite")
  local ext = path:match("%.(%w+)$")
  if ext and not_png[ext:lower()] then
    error(("cv.imwrite: %s: only PNG files are written, not .%s"):format(path, ext), 2)
  end
  local s = core.shape(t)
  if not ((#s == 2) or (#s == 3 and s[3] >= 1 and s[3] <= 4)) or s[1] < 1 or s[2] < 1 then
    error(("cv.imwrite: %s: expected an image of shape (H, W) or (H, W, C) with C in 1..4, got %s")
      :format(path, fmt_shape(s)), 2)
  end
  if core.dtype(t) ~= "uint8" then t = C.to_u8(t) end
  local ok, err = C.save_png(path, t)
  if not ok then error("cv.imwrite: " .. err, 2) end
  return true
end

local function check_image(t, fname, ranks)
  if not is_tensor(t) then argerror(1, fname, "tensor expected, got " .. type(t), 1) end
  local s = core.shape(t)
  if not ranks[#s] then
    argerror(1, fname, ("expected an image (H, W, C) or a batch (N, H, W, C), got shape %s"):format(fmt_shape(s)), 1)
  end
  return s
end

--- resize(t, {h, w} [, {interpolation = "bilinear"|"nearest"}]) --> tensor
-- t is (H, W, C) or (N, H, W, C), uint8 or float32. As tf.image.resize with antialias=False:
-- bilinear returns float32, nearest keeps the dtype.
function M.resize(t, size, opts)
  check_image(t, "resize", { [3] = true, [4] = true })
  local h, w = check_size(size, 2, "resize")
  opts = check_opts(opts, 3, "resize")
  if opts.antialias then argerror(3, "resize", "antialias is not supported") end
  local ok, r = pcall(C.resize, t, h, w, check_interpolation(opts.interpolation, 3, "resize", "bilinear"))
  if not ok then error(clean(r), 2) end   -- an empty image, out of memory: at the caller's line
  return r
end

--- rgb_to_grayscale(t) --> tensor (..., 1) of the same dtype
-- float32: 0.2989 R + 0.5870 G + 0.1140 B (tf.image.rgb_to_grayscale); uint8: the same luma
-- rounded as Pillow's convert("L").
function M.rgb_to_grayscale(t)
  check_tensor(t, 1, "rgb_to_grayscale")
  local s = core.shape(t)
  if s[#s] ~= 3 then
    argerror(1, "rgb_to_grayscale", ("last axis must have 3 channels, got shape %s"):format(fmt_shape(s)))
  end
  return C.rgb_to_gray(t)
end

--- grayscale_to_rgb(t) --> tensor (..., 3) of the same dtype
function M.grayscale_to_rgb(t)
  check_tensor(t, 1, "grayscale_to_rgb")
  local s = core.shape(t)
  if s[#s] ~= 1 then
    argerror(1, "grayscale_to_rgb", ("last axis must have 1 channel, got shape %s"):format(fmt_shape(s)))
  end
  return C.gray_to_rgb(t)
end

--- load_img(path [, {color_mode = "rgb", target_size = {h, w}, interpolation = "nearest"}])
--  --> float32 tensor (H, W, C) of values 0..255
-- Keras' load_img + img_to_array: color_mode defaults to "rgb" and resizing to "nearest" as in
-- Keras; "bilinear" here is TF's (no antialiasing), not Pillow's.
function M.load_img(path, opts)
  if type(path) ~= "string" then argerror(1, "load_img", "string expected, got " .. type(path)) end
  opts = check_opts(opts, 2, "load_img")
  local t, err = C.load(path, channels_of(opts.color_mode, 2, "load_img", "rgb"))
  if not t then error("cv.load_img: " .. err, 2) end
  if opts.target_size ~= nil then
    local h, w = check_size(opts.target_size, 2, "load_img")
    local ok, r = pcall(C.resize, t, h, w, check_interpolation(opts.interpolation, 2, "load_img", "nearest"))
    if not ok then error("cv.load_img: " .. path .. ": " .. clean(r), 2) end
    t = r
  end
  if core.dtype(t) ~= "float32" then t = C.to_f32(t) end
  return t
end

return M
