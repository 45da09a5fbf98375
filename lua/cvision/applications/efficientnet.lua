-- cvision.applications.efficientnet: EfficientNetB0 as Keras 3 builds it
-- (keras/src/applications/efficientnet.py, Tan & Le 2019): Rescaling(1/255) and Normalization at
-- the input, the stem, 16 mobile inverted bottleneck blocks (block1a ... block7a) with
-- squeeze-and-excitation (se_squeeze, se_reshape, se_reduce, se_expand, se_excite), swish
-- activations, stochastic depth as Dropout(noise_shape = {None, 1, 1, 1}) on each residual branch
-- ("<block>drop", rate 0.2 * block / 16), then top_conv, top_bn, avg_pool, top_dropout (0.2) and
-- predictions. Keras' initializers too: VarianceScaling(2, fan_out, truncated normal) for the
-- convolutions, VarianceScaling(1/3, fan_out, uniform) for the classifier.
-- Parameters with the top at 224x224x3: 5,330,571 = 5,288,548 trainable + 42,016 BatchNormalization
-- moving statistics + 7 of the Normalization layer (mean and variance of 3 channels and a count).
-- As Keras with weights = nil, no Rescaling by 1/sqrt(ImageNet variance) follows Normalization:
-- that layer exists only for Keras' ImageNet weights. Inputs are pixels in 0..255.
local layers = require "cvision.layers"
local common = require "cvision.applications.common"

local M = {}
local L = layers

local CONV_INIT = {class_name = "VarianceScaling",
  config = {scale = 2.0, mode = "fan_out", distribution = "truncated_normal"}}
local DENSE_INIT = {class_name = "VarianceScaling",
  config = {scale = 1.0 / 3.0, mode = "fan_out", distribution = "uniform"}}

-- kernel size, repeats, filters in, filters out, expansion, strides (se_ratio 0.25, id_skip for all)
local BLOCKS = {
  {3, 1, 32, 16, 1, 1}, {3, 2, 16, 24, 6, 2}, {5, 2, 24, 40, 6, 2}, {3, 3, 40, 80, 6, 2},
  {5, 3, 80, 112, 6, 1}, {5, 4, 112, 192, 6, 2}, {3, 1, 192, 320, 6, 1},
}

local function bn(name) return L.BatchNormalization{axis = 3, name = name} end

-- imagenet_utils.correct_pad: the padding of a strided "valid" convolution that matches TF's "same"
local function correct_pad(x, k)
  local adj = {1 - x.shape[1] % 2, 1 - x.shape[2] % 2}
  local c = k // 2
  return {{c - adj[1], c}, {c - adj[2], c}}
end

-- an inverted residual block: expand (1x1), depthwise kxk, squeeze-excite, project (1x1), and the
-- residual Add (behind stochastic depth) when the shape is kept
local function block(inputs, act, drop_rate, name, filters_in, filters_out, k, strides, expand_ratio, se_ratio)
  local filters = filters_in * expand_ratio
  local x = inputs
  if expand_ratio ~= 1 then
    x = L.Conv2D(filters, 1, {padding = "same", use_bias = false, kernel_initializer = CONV_INIT,
      name = name .. "expand_conv"})(x)
    x = bn(name .. "expand_bn")(x)
    x = L.Activation(act, {name = name .. "expand_activation"})(x)
  end
  local pad = "same"
  if strides == 2 then
    x = L.ZeroPadding2D(correct_pad(x, k), {name = name .. "dwconv_pad"})(x)
    pad = "valid"
  end
  x = L.DepthwiseConv2D(k, {strides = strides, padding = pad, use_bias = false, depthwise_initializer = CONV_INIT,
    name = name .. "dwconv"})(x)
  x = bn(name .. "bn")(x)
  x = L.Activation(act, {name = name .. "activation"})(x)

  local filters_se = math.max(1, math.floor(filters_in * se_ratio))
  local se = L.GlobalAveragePooling2D{name = name .. "se_squeeze"}(x)
  se = L.Reshape({1, 1, filters}, {name = name .. "se_reshape"})(se)
  se = L.Conv2D(filters_se, 1, {padding = "same", activation = act, kernel_initializer = CONV_INIT,
    name = name .. "se_reduce"})(se)
  se = L.Conv2D(filters, 1, {padding = "same", activation = "sigmoid", kernel_initializer = CONV_INIT,
    name = name .. "se_expand"})(se)
  x = L.Multiply{name = name .. "se_excite"}({x, se})

  x = L.Conv2D(filters_out, 1, {padding = "same", use_bias = false, kernel_initializer = CONV_INIT,
    name = name .. "project_conv"})(x)
  x = bn(name .. "project_bn")(x)
  if strides == 1 and filters_in == filters_out then
    if drop_rate > 0 then
      x = L.Dropout(drop_rate, {noise_shape = {false, 1, 1, 1}, name = name .. "drop"})(x)
    end
    x = L.Add{name = name .. "add"}({x, inputs})
  end
  return x
end

-- EfficientNet(width, depth, default size, dropout) as Keras' generic builder (depth_divisor 8,
-- drop_connect_rate 0.2, swish)
local function efficientnet(fname, width, depth, size, dropout_rate, a, name)
  local o = common.setup(fname, a, {size, size, 3}, 32, nil, {alpha = false, depth_multiplier = false, dropout = false})
  local act, divisor, drop_connect_rate = "swish", 8, 0.2
  local function round_filters(f)
    f = f * width
    local new = math.max(divisor, math.floor(f + divisor / 2) // divisor * divisor)
    if new < 0.9 * f then new = new + divisor end
    return math.tointeger(new)
  end
  local function round_repeats(r) return math.tointeger(math.ceil(depth * r)) end

  local x = L.Rescaling(1.0 / 255.0)(o.input)
  x = L.Normalization{axis = 3}(x)
  x = L.ZeroPadding2D(correct_pad(x, 3), {name = "stem_conv_pad"})(x)
  x = L.Conv2D(round_filters(32), 3, {strides = 2, padding = "valid", use_bias = false, kernel_initializer = CONV_INIT,
    name = "stem_conv"})(x)
  x = bn("stem_bn")(x)
  x = L.Activation(act, {name = "stem_activation"})(x)

  local total = 0
  for _, p in ipairs(BLOCKS) do total = total + round_repeats(p[2]) end
  local b = 0
  for i, p in ipairs(BLOCKS) do
    local k, filters_in, filters_out, expand, strides = p[1], round_filters(p[3]), round_filters(p[4]), p[5], p[6]
    for j = 0, round_repeats(p[2]) - 1 do
      if j > 0 then strides, filters_in = 1, filters_out end
      x = block(x, act, drop_connect_rate * b / total, ("block%d%s_"):format(i, string.char(97 + j)),
        filters_in, filters_out, k, strides, expand, 0.25)
      b = b + 1
    end
  end

  x = L.Conv2D(round_filters(1280), 1, {padding = "same", use_bias = false, kernel_initializer = CONV_INIT,
    name = "top_conv"})(x)
  x = bn("top_bn")(x)
  x = L.Activation(act, {name = "top_activation"})(x)
  if o.include_top then
    x = L.GlobalAveragePooling2D{name = "avg_pool"}(x)
    if dropout_rate > 0 then x = L.Dropout(dropout_rate, {name = "top_dropout"})(x) end
    x = L.Dense(o.classes, {activation = o.classifier_activation, kernel_initializer = DENSE_INIT,
      name = "predictions"})(x)
  else
    x = common.pool(x, o, "avg_pool", "max_pool")
  end
  return common.finish(o, x, name)
end

--- EfficientNetB0{...}: width and depth 1.0, default input 224x224x3 (at least 32x32), pixels
--- 0..255 (the model rescales and normalizes them); 5,330,571 parameters with the top
function M.EfficientNetB0(a) return efficientnet("EfficientNetB0", 1.0, 1.0, 224, 0.2, a, "efficientnetb0") end

return M
