-- cvision.datasets: datasets the lecture uses, loaded lazily:
--   cv.datasets.hanzi          synthetic CASIA-like handwritten Chinese characters (generated here)
--   cv.datasets.hanzi_fonts    the same characters from CJK font outlines, scanned: an evaluation set
--   cv.datasets.fashion_mnist  Fashion-MNIST from Debian's dataset-fashion-mnist (or a folder)
--   cv.datasets.claims         synthetic motor-insurance claim counts with a known true model
local M = {}

local modules = {hanzi = "cvision.datasets.hanzi", fashion_mnist = "cvision.datasets.fashion_mnist",
  hanzi_fonts = "cvision.datasets.hanzi_fonts", claims = "cvision.datasets.claims"}

return setmetatable(M, {
  __index = function(t, k)
    local mod = modules[k]
    if not mod then return nil end
    local v = require(mod)
    rawset(t, k, v)
    return v
  end,
})
