-- cvision.applications.googlenet: GoogLeNet (Inception v1) as Table 1 of Szegedy et al. 2014,
-- "Going deeper with convolutions": conv 7x7/2 (64), max pool 3x3/2, conv 1x1 (64) and 3x3 (192),
-- max pool 3x3/2, inception 3a 3b, max pool, 4a 4b 4c 4d 4e, max pool, 5a 5b, average pooling,
-- dropout 40%, a 1000-way linear layer with softmax. Every convolution (reductions and pool
-- projections too) has a bias and a ReLU, and keeps the size ("same"); the max pools pad "same"
-- (224 -> 112 -> 56 -> 28 -> 14 -> 7, as the table). Keras has no GoogLeNet: the layer names are
-- those of the BVLC Caffe model (conv1/7x7_s2, inception_3a/1x1, ...) with "_" for "/", and
-- "predictions" for the classifier as in cv.applications' other builders. Choices, documented:
--   * no local response normalisation (after pool1 and conv2 in the paper), as AlexNet here;
--   * no auxiliary classifiers (training-time heads on 4a and 4d that the paper discards at
--     inference): a functional model has one output here, and the 1000-way model is what runs;
--   * the 7x7/1 average pool is a GlobalAveragePooling2D ("avg_pool"): the same at 224x224, and
--     it lets other input sizes work.
-- Parameters with the top at 224x224x3: 6,998,552 (124,416 in the stem, 5,849,136 in the nine
-- inception modules, 1,025,000 in the classifier).
local layers = require "cvision.layers"
local common = require "cvision.applications.common"

local M = {}
local L = layers

-- the inception modules of Table 1: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj
local INCEPTION = {
  {"3a", 64, 96, 128, 16, 32, 32}, {"3b", 128, 128, 192, 32, 96, 64},
  {"4a", 192, 96, 208, 16, 48, 64}, {"4b", 160, 112, 224, 24, 64, 64}, {"4c", 128, 128, 256, 24, 64, 64},
  {"4d", 112, 144, 288, 32, 64, 64}, {"4e", 256, 160, 320, 32, 128, 128},
  {"5a", 256, 160, 320, 32, 128, 128}, {"5b", 384, 192, 384, 48, 128, 128},
}

local function conv(x, filters, k, name, strides)
  return L.Conv2D(filters, k, {strides = strides or 1, padding = "same", activation = "relu", name = name})(x)
end

local function max_pool(x, strides, name)
  return L.MaxPooling2D(3, {strides = strides, padding = "same", name = name})(x)
end

-- four branches joined on the channels: 1x1; 1x1 then 3x3; 1x1 then 5x5; 3x3 max pool then 1x1
local function inception(x, t)
  local p = "inception_" .. t[1] .. "_"
  local b1 = conv(x, t[2], 1, p .. "1x1")
  local b3 = conv(x, t[3], 1, p .. "3x3_reduce")
  b3 = conv(b3, t[4], 3, p .. "3x3")
  local b5 = conv(x, t[5], 1, p .. "5x5_reduce")
  b5 = conv(b5, t[6], 5, p .. "5x5")
  local bp = max_pool(x, 1, p .. "pool")
  bp = conv(bp, t[7], 1, p .. "pool_proj")
  return L.Concatenate{axis = 3, name = p .. "output"}({b1, b3, b5, bp})
end

--- GoogLeNet{dropout = 0.4, ...}: Inception v1 without LRN or auxiliary classifiers; default input
--- 224x224x3 (at least 32x32); 6,998,552 parameters with the top
function M.GoogLeNet(a)
  local o = common.setup("GoogLeNet", a, {224, 224, 3}, 32, nil, {alpha = false, depth_multiplier = false})
  local rate = o.dropout == nil and 0.4 or o.dropout
  if type(rate) ~= "number" or not (rate >= 0 and rate < 1) then
    error("bad argument to 'GoogLeNet' (dropout must be a number in [0, 1))", 2)
  end
  local x = conv(o.input, 64, 7, "conv1_7x7_s2", 2)
  x = max_pool(x, 2, "pool1_3x3_s2")
  x = conv(x, 64, 1, "conv2_3x3_reduce")
  x = conv(x, 192, 3, "conv2_3x3")
  x = max_pool(x, 2, "pool2_3x3_s2")
  for i, t in ipairs(INCEPTION) do
    x = inception(x, t)
    if i == 2 then x = max_pool(x, 2, "pool3_3x3_s2") end
    if i == 7 then x = max_pool(x, 2, "pool4_3x3_s2") end
  end
  if o.include_top then
    x = L.GlobalAveragePooling2D{name = "avg_pool"}(x)
    x = L.Dropout(rate, {name = "dropout"})(x)
    x = L.Dense(o.classes, {activation = o.classifier_activation, name = "predictions"})(x)
  else
    x = common.pool(x, o, "avg_pool", "max_pool")
  end
  return common.finish(o, x, "googlenet")
end

return M
