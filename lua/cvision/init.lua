-- cvision: a small CNN toolkit with a C core and a Keras-like Lua API.
-- `local cv = require "cvision"` gives the tensor functions directly (cv.tensor, cv.zeros, ...)
-- and loads the submodules (cv.layers, cv.plot, ...) on first use, so start-up stays fast.
local core = require "cvision.core"

local M = {}
M.core = core
M._VERSION = core.version

-- tensor constructors and helpers live in cvision.tensor and are copied here
for k, v in pairs(require "cvision.tensor") do M[k] = v end

--- set_num_threads(n): threads for cvision's kernels (OpenBLAS stays at one, so they never fight);
--- CVISION_NUM_THREADS sets the starting value. get_num_threads() --> n
M.set_num_threads = core.set_num_threads
M.get_num_threads = core.get_num_threads

local LIMIT_KEYS = {max_image_pixels = true, max_tensor_bytes = true, max_file_bytes = true}

--- set_limits{max_image_pixels, max_tensor_bytes, max_file_bytes}: the budgets every decoder and
--- loader checks a file's claims against before allocating (PIL's decompression-bomb guard):
--- pixels of one image (default 178,956,970, PIL's), bytes of one tensor read from a file
--- (4 GiB), bytes of one file read whole (2 GiB). Fields left out keep their values; unknown
--- keys are errors. Returns the budgets now in force.
--- e.g. cv.set_limits{max_image_pixels = 1e9 // 1}
function M.set_limits(t)
  if type(t) ~= "table" then error("bad argument #1 to 'set_limits' (table expected, got " .. type(t) .. ")", 2) end
  for k in pairs(t) do
    if not LIMIT_KEYS[k] then
      error(require("cvision.util.errors").unknown_option("set_limits", tostring(k)), 2)
    end
  end
  local ok, r = pcall(core.limits, t)
  if not ok then error(r, 2) end
  return r
end

--- get_limits() --> {max_image_pixels = n, max_tensor_bytes = n, max_file_bytes = n}
function M.get_limits() return core.limits() end

-- submodules loaded lazily: cv.<name> requires "cvision.<file>"
local submodules = {
  layers = "layers", losses = "losses", metrics = "metrics", optimizers = "optimizers",
  activations = "activations", callbacks = "callbacks", models = "models", data = "data",
  datasets = "datasets", image = "image", plot = "plot", analysis = "analysis",
  applications = "applications", initializers = "initializers",
  sys = "sys", tuner = "tuner", help = "help", distributed = "distributed",
}
M._submodules = submodules

-- names re-exported from submodules at the top level, Keras-style (cv.Sequential, cv.Input, ...)
local reexports = {
  Sequential = "models", Model = "models", Input = "layers",
  imread = "image", imwrite = "image",
  clear_session = "models",
  versions = "sys",
}

setmetatable(M, {
  __index = function(t, k)
    local mod = submodules[k]
    if mod then
      local v = require("cvision." .. mod)
      rawset(t, k, v)
      return v
    end
    mod = reexports[k]
    if mod then
      local v = require("cvision." .. mod)[k]
      rawset(t, k, v)
      return v
    end
    return nil
  end,
})

return M
