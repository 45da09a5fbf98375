-- cvision.applications.densenet: DenseNet121 as Keras 3 builds it (keras/src/applications/densenet.py,
-- Huang et al. 2017): layer names, order, padding, use_bias = false on every convolution and
-- BatchNormalization epsilon 1.001e-5, so the count with the top at 224x224x3 is Keras' 8,062,504
-- and get_weights() comes in Keras' order. Keras 3 names the stem conv1_conv / conv1_bn (Keras 2
-- wrote conv1/conv, conv1/bn); the two ZeroPadding2D layers keep Keras' default names.
local layers = require "cvision.layers"
local common = require "cvision.applications.common"

local M = {}
local L = layers

local function bn(name) return L.BatchNormalization{axis = 3, epsilon = 1.001e-5, name = name} end

-- one layer of a dense block: BN-ReLU-1x1 conv (4 * growth), BN-ReLU-3x3 conv (growth), joined to x
local function conv_block(x, growth_rate, name)
  local x1 = bn(name .. "_0_bn")(x)
  x1 = L.Activation("relu", {name = name .. "_0_relu"})(x1)
  x1 = L.Conv2D(4 * growth_rate, 1, {use_bias = false, name = name .. "_1_conv"})(x1)
  x1 = bn(name .. "_1_bn")(x1)
  x1 = L.Activation("relu", {name = name .. "_1_relu"})(x1)
  x1 = L.Conv2D(growth_rate, 3, {padding = "same", use_bias = false, name = name .. "_2_conv"})(x1)
  return L.Concatenate{axis = 3, name = name .. "_concat"}({x, x1})
end

local function dense_block(x, blocks, name)
  for i = 1, blocks do x = conv_block(x, 32, ("%s_block%d"):format(name, i)) end
  return x
end

-- BN-ReLU, a 1x1 convolution keeping `reduction` of the channels, 2x2 average pooling
local function transition_block(x, reduction, name)
  x = bn(name .. "_bn")(x)
  x = L.Activation("relu", {name = name .. "_relu"})(x)
  x = L.Conv2D(math.floor(x.shape[3] * reduction), 1, {use_bias = false, name = name .. "_conv"})(x)
  return L.AveragePooling2D(2, {strides = 2, name = name .. "_pool"})(x)
end

local function densenet(fname, blocks, a, name)
  local o = common.setup(fname, a, {224, 224, 3}, 32, nil, {alpha = false, depth_multiplier = false, dropout = false})
  local x = L.ZeroPadding2D({{3, 3}, {3, 3}})(o.input)
  x = L.Conv2D(64, 7, {strides = 2, use_bias = false, name = "conv1_conv"})(x)
  x = bn("conv1_bn")(x)
  x = L.Activation("relu", {name = "conv1_relu"})(x)
  x = L.ZeroPadding2D({{1, 1}, {1, 1}})(x)
  x = L.MaxPooling2D(3, {strides = 2, name = "pool1"})(x)
  for i = 1, 4 do
    x = dense_block(x, blocks[i], "conv" .. (i + 1))
    if i < 4 then x = transition_block(x, 0.5, "pool" .. (i + 1)) end
  end
  x = bn("bn")(x)
  x = L.Activation("relu", {name = "relu"})(x)
  x = common.head(x, o, "avg_pool", "avg_pool", "max_pool")
  return common.finish(o, x, name)
end

--- DenseNet121{...}: dense blocks of 6, 12, 24, 16 layers (growth 32) with three transitions;
--- default input 224x224x3 (at least 32x32); 8,062,504 parameters with the top
function M.DenseNet121(a) return densenet("DenseNet121", {6, 12, 24, 16}, a, "densenet121") end

return M
