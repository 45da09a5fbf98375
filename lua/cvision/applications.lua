-- cvision.applications: Keras' model builders (keras.applications) as functional models, layer
-- for layer as Keras 3 builds them (names, order, padding, use_bias, BatchNormalization
-- epsilon/momentum/scale), so parameter counts and get_weights() order match Keras:
--   VGG16 138,357,544; VGG19 143,667,240; ResNet50 25,636,712; InceptionV3 23,851,784;
--   MobileNet 4,253,864; MobileNetV2 3,538,984; Xception 22,910,480; DenseNet121 8,062,504;
--   EfficientNetB0 5,330,571 (include_top, default sizes; the last two in applications/densenet.lua
--   and applications/efficientnet.lua),
-- plus LeNet5 and AlexNet as the lecture's tables give them (LeNet-5: tanh everywhere and a
-- softmax output in place of the RBF layer; AlexNet: no dropout or local response normalisation)
-- and GoogLeNet as Table 1 of Szegedy et al. 2014 (6,998,552; applications/googlenet.lua: no local
-- response normalisation, no auxiliary classifiers).
-- Every builder takes Keras' options in one table:
--   {include_top = true, weights = nil, input_tensor = nil, input_shape = nil, pooling = nil,
--    classes = 1000, classifier_activation = "softmax", name = nil}
-- Weights start random (cv.manual_seed fixes them): nothing can be downloaded here, so
-- weights = "imagenet" is an error saying so; weights = "<file>" loads a cvision weights file
-- (model:save_weights) after building. Without the top, pooling = "avg" | "max" adds global pooling.
local layers = require "cvision.layers"
local common = require "cvision.applications.common"

local M = {}

-- Keras' per-application modules (cv.applications.mobilenet_v2.preprocess_input, ...),
-- decode_predictions and loading pretrained weights by layer name: their own files
M.decode = require "cvision.applications.decode"
M.pretrained = require "cvision.applications.pretrained"
for module_name, mode in pairs(M.decode.modes) do M[module_name] = M.decode.module(mode) end
M.decode_predictions, M.preprocess_input = M.decode.decode_predictions, M.decode.preprocess_input
M.imagenet_class_names = M.decode.imagenet_class_names
local L = layers

local setup, pool, head, finish = common.setup, common.pool, common.head, common.finish

---------------------------------------------------------------------------------------------------
-- the lecture's LeNet-5 and AlexNet
---------------------------------------------------------------------------------------------------

--- LeNet5{input_shape = {32, 32, 1}, classes = 10, ...}: C1 conv 6@5x5, S2 avg pool 2x2/2, C3 conv
--- 16@5x5, S4 avg pool, C5 conv 120@5x5, F6 dense 84, output dense (tanh after each but the last)
function M.LeNet5(a)
  local o = setup("LeNet5", a, {32, 32, 1}, 32, 10)
  local x = L.Conv2D(6, 5, {activation = "tanh", name = "C1"})(o.input)
  x = L.AveragePooling2D(2, {strides = 2, name = "S2"})(x)
  x = L.Activation("tanh", {name = "S2_tanh"})(x)
  x = L.Conv2D(16, 5, {activation = "tanh", name = "C3"})(x)
  x = L.AveragePooling2D(2, {strides = 2, name = "S4"})(x)
  x = L.Activation("tanh", {name = "S4_tanh"})(x)
  x = L.Conv2D(120, 5, {activation = "tanh", name = "C5"})(x)
  if o.include_top then
    x = L.Flatten{name = "flatten"}(x)
    x = L.Dense(84, {activation = "tanh", name = "F6"})(x)
    x = L.Dense(o.classes, {activation = o.classifier_activation, name = "Out"})(x)
  else
    x = pool(x, o, "avg_pool", "max_pool")
  end
  return finish(o, x, "lenet5")
end

--- AlexNet{input_shape = {227, 227, 3}, classes = 1000, ...}: the lecture's table (ILSVRC 2012)
function M.AlexNet(a)
  local o = setup("AlexNet", a, {227, 227, 3}, 67, 1000)
  local x = L.Conv2D(96, 11, {strides = 4, padding = "valid", activation = "relu", name = "C1"})(o.input)
  x = L.MaxPooling2D(3, {strides = 2, name = "S2"})(x)
  x = L.Conv2D(256, 5, {padding = "same", activation = "relu", name = "C3"})(x)
  x = L.MaxPooling2D(3, {strides = 2, name = "S4"})(x)
  x = L.Conv2D(384, 3, {padding = "same", activation = "relu", name = "C5"})(x)
  x = L.Conv2D(384, 3, {padding = "same", activation = "relu", name = "C6"})(x)
  x = L.Conv2D(256, 3, {padding = "same", activation = "relu", name = "C7"})(x)
  x = L.MaxPooling2D(3, {strides = 2, name = "S8"})(x)
  if o.include_top then
    x = L.Flatten{name = "flatten"}(x)
    x = L.Dense(4096, {activation = "relu", name = "F9"})(x)
    x = L.Dense(4096, {activation = "relu", name = "F10"})(x)
    x = L.Dense(o.classes, {activation = o.classifier_activation, name = "Out"})(x)
  else
    x = pool(x, o, "avg_pool", "max_pool")
  end
  return finish(o, x, "alexnet")
end

---------------------------------------------------------------------------------------------------
-- VGG16, VGG19 (keras/src/applications/vgg16.py, vgg19.py)
---------------------------------------------------------------------------------------------------

local function vgg(fname, name, convs, a)
  local o = setup(fname, a, {224, 224, 3}, 32)
  local filters = {64, 128, 256, 512, 512}
  local x = o.input
  for b = 1, 5 do
    for c = 1, convs[b] do
      x = L.Conv2D(filters[b], {3, 3}, {activation = "relu", padding = "same",
        name = ("block%d_conv%d"):format(b, c)})(x)
    end
    x = L.MaxPooling2D({2, 2}, {strides = {2, 2}, name = ("block%d_pool"):format(b)})(x)
  end
  if o.include_top then
    x = L.Flatten{name = "flatten"}(x)
    x = L.Dense(4096, {activation = "relu", name = "fc1"})(x)
    x = L.Dense(4096, {activation = "relu", name = "fc2"})(x)
    x = L.Dense(o.classes, {activation = o.classifier_activation, name = "predictions"})(x)
  else
    x = pool(x, o)
  end
  return finish(o, x, name)
end

--- VGG16{...}: 13 convolutions in 5 blocks, then fc1, fc2, predictions
function M.VGG16(a) return vgg("VGG16", "vgg16", {2, 2, 3, 3, 3}, a) end

--- VGG19{...}: 16 convolutions in 5 blocks, then fc1, fc2, predictions
function M.VGG19(a) return vgg("VGG19", "vgg19", {2, 2, 4, 4, 4}, a) end

---------------------------------------------------------------------------------------------------
-- ResNet50 (keras/src/applications/resnet.py)
---------------------------------------------------------------------------------------------------

local function bn_resnet(name) return L.BatchNormalization{axis = 3, epsilon = 1.001e-5, name = name} end

local function residual_block_v1(x, filters, stride, conv_shortcut, name)
  local shortcut
  if conv_shortcut then
    shortcut = L.Conv2D(4 * filters, 1, {strides = stride, name = name .. "_0_conv"})(x)
    shortcut = bn_resnet(name .. "_0_bn")(shortcut)
  else
    shortcut = x
  end
  x = L.Conv2D(filters, 1, {strides = stride, name = name .. "_1_conv"})(x)
  x = bn_resnet(name .. "_1_bn")(x)
  x = L.Activation("relu", {name = name .. "_1_relu"})(x)
  x = L.Conv2D(filters, 3, {padding = "same", name = name .. "_2_conv"})(x)
  x = bn_resnet(name .. "_2_bn")(x)
  x = L.Activation("relu", {name = name .. "_2_relu"})(x)
  x = L.Conv2D(4 * filters, 1, {name = name .. "_3_conv"})(x)
  x = bn_resnet(name .. "_3_bn")(x)
  x = L.Add{name = name .. "_add"}({shortcut, x})
  return L.Activation("relu", {name = name .. "_out"})(x)
end

local function stack_v1(x, filters, blocks, stride1, name)
  x = residual_block_v1(x, filters, stride1, true, name .. "_block1")
  for i = 2, blocks do x = residual_block_v1(x, filters, 1, false, name .. "_block" .. i) end
  return x
end

--- ResNet50{...}: conv1, then 3+4+6+3 bottleneck blocks with residual Adds
function M.ResNet50(a)
  local o = setup("ResNet50", a, {224, 224, 3}, 32)
  local x = L.ZeroPadding2D({{3, 3}, {3, 3}}, {name = "conv1_pad"})(o.input)
  x = L.Conv2D(64, 7, {strides = 2, use_bias = true, name = "conv1_conv"})(x)
  x = bn_resnet("conv1_bn")(x)
  x = L.Activation("relu", {name = "conv1_relu"})(x)
  x = L.ZeroPadding2D({{1, 1}, {1, 1}}, {name = "pool1_pad"})(x)
  x = L.MaxPooling2D(3, {strides = 2, name = "pool1_pool"})(x)
  x = stack_v1(x, 64, 3, 1, "conv2")
  x = stack_v1(x, 128, 4, 2, "conv3")
  x = stack_v1(x, 256, 6, 2, "conv4")
  x = stack_v1(x, 512, 3, 2, "conv5")
  x = head(x, o, "avg_pool", "avg_pool", "max_pool")
  return finish(o, x, "resnet50")
end

---------------------------------------------------------------------------------------------------
-- InceptionV3 (keras/src/applications/inception_v3.py)
---------------------------------------------------------------------------------------------------

-- convolution without bias, BatchNormalization without gamma (scale = false), ReLU
local function conv2d_bn(x, filters, rows, cols, padding, strides)
  x = L.Conv2D(filters, {rows, cols}, {strides = strides or {1, 1}, padding = padding or "same", use_bias = false})(x)
  x = L.BatchNormalization{axis = 3, scale = false}(x)
  return L.Activation("relu")(x)
end

local function avg3(x) return L.AveragePooling2D({3, 3}, {strides = {1, 1}, padding = "same"})(x) end
local function cat(list, name) return L.Concatenate{axis = 3, name = name}(list) end

--- InceptionV3{...}: default input 299x299x3 (at least 75x75)
function M.InceptionV3(a)
  local o = setup("InceptionV3", a, {299, 299, 3}, 75)
  local x = conv2d_bn(o.input, 32, 3, 3, "valid", {2, 2})
  x = conv2d_bn(x, 32, 3, 3, "valid")
  x = conv2d_bn(x, 64, 3, 3)
  x = L.MaxPooling2D({3, 3}, {strides = {2, 2}})(x)
  x = conv2d_bn(x, 80, 1, 1, "valid")
  x = conv2d_bn(x, 192, 3, 3, "valid")
  x = L.MaxPooling2D({3, 3}, {strides = {2, 2}})(x)

  -- mixed 0, 1, 2: 35 x 35 x 256/288
  for i, pool_filters in ipairs{32, 64, 64} do
    local b1 = conv2d_bn(x, 64, 1, 1)
    local b5 = conv2d_bn(x, 48, 1, 1)
    b5 = conv2d_bn(b5, 64, 5, 5)
    local b3 = conv2d_bn(x, 64, 1, 1)
    b3 = conv2d_bn(b3, 96, 3, 3)
    b3 = conv2d_bn(b3, 96, 3, 3)
    local bp = conv2d_bn(avg3(x), pool_filters, 1, 1)
    x = cat({b1, b5, b3, bp}, "mixed" .. (i - 1))
  end

  -- mixed 3: 17 x 17 x 768
  do
    local b3 = conv2d_bn(x, 384, 3, 3, "valid", {2, 2})
    local bd = conv2d_bn(x, 64, 1, 1)
    bd = conv2d_bn(bd, 96, 3, 3)
    bd = conv2d_bn(bd, 96, 3, 3, "valid", {2, 2})
    local bp = L.MaxPooling2D({3, 3}, {strides = {2, 2}})(x)
    x = cat({b3, bd, bp}, "mixed3")
  end

  -- mixed 4, 5, 6, 7: 17 x 17 x 768
  for i, f in ipairs{128, 160, 160, 192} do
    local b1 = conv2d_bn(x, 192, 1, 1)
    local b7 = conv2d_bn(x, f, 1, 1)
    b7 = conv2d_bn(b7, f, 1, 7)
    b7 = conv2d_bn(b7, 192, 7, 1)
    local bd = conv2d_bn(x, f, 1, 1)
    bd = conv2d_bn(bd, f, 7, 1)
    bd = conv2d_bn(bd, f, 1, 7)
    bd = conv2d_bn(bd, f, 7, 1)
    bd = conv2d_bn(bd, 192, 1, 7)
    local bp = conv2d_bn(avg3(x), 192, 1, 1)
    x = cat({b1, b7, bd, bp}, "mixed" .. (3 + i))
  end

  -- mixed 8: 8 x 8 x 1280
  do
    local b3 = conv2d_bn(x, 192, 1, 1)
    b3 = conv2d_bn(b3, 320, 3, 3, "valid", {2, 2})
    local b7 = conv2d_bn(x, 192, 1, 1)
    b7 = conv2d_bn(b7, 192, 1, 7)
    b7 = conv2d_bn(b7, 192, 7, 1)
    b7 = conv2d_bn(b7, 192, 3, 3, "valid", {2, 2})
    local bp = L.MaxPooling2D({3, 3}, {strides = {2, 2}})(x)
    x = cat({b3, b7, bp}, "mixed8")
  end

  -- mixed 9, 10: 8 x 8 x 2048
  for i = 0, 1 do
    local b1 = conv2d_bn(x, 320, 1, 1)
    local b3 = conv2d_bn(x, 384, 1, 1)
    local b3_1 = conv2d_bn(b3, 384, 1, 3)
    local b3_2 = conv2d_bn(b3, 384, 3, 1)
    b3 = cat({b3_1, b3_2}, "mixed9_" .. i)
    local bd = conv2d_bn(x, 448, 1, 1)
    bd = conv2d_bn(bd, 384, 3, 3)
    local bd_1 = conv2d_bn(bd, 384, 1, 3)
    local bd_2 = conv2d_bn(bd, 384, 3, 1)
    bd = cat({bd_1, bd_2})
    local bp = conv2d_bn(avg3(x), 192, 1, 1)
    x = cat({b1, b3, bd, bp}, "mixed" .. (9 + i))
  end

  x = head(x, o, "avg_pool", "avg_pool", "max_pool")
  return finish(o, x, "inception_v3")
end

---------------------------------------------------------------------------------------------------
-- MobileNet (keras/src/applications/mobilenet.py)
---------------------------------------------------------------------------------------------------

local function depthwise_block(x, filters, alpha, dm, stride, id)
  filters = math.floor(filters * alpha)
  local pad = "same"
  if stride ~= 1 then
    x = L.ZeroPadding2D({{0, 1}, {0, 1}}, {name = ("conv_pad_%d"):format(id)})(x)
    pad = "valid"
  end
  x = L.DepthwiseConv2D({3, 3}, {padding = pad, depth_multiplier = dm, strides = stride, use_bias = false,
    name = ("conv_dw_%d"):format(id)})(x)
  x = L.BatchNormalization{axis = -1, name = ("conv_dw_%d_bn"):format(id)}(x)
  x = L.ReLU(6.0, {name = ("conv_dw_%d_relu"):format(id)})(x)
  x = L.Conv2D(filters, {1, 1}, {padding = "same", use_bias = false, strides = {1, 1},
    name = ("conv_pw_%d"):format(id)})(x)
  x = L.BatchNormalization{axis = -1, name = ("conv_pw_%d_bn"):format(id)}(x)
  return L.ReLU(6.0, {name = ("conv_pw_%d_relu"):format(id)})(x)
end

--- MobileNet{alpha = 1.0, depth_multiplier = 1, dropout = 1e-3, ...}: default input 224x224x3
function M.MobileNet(a)
  local o = setup("MobileNet", a, {224, 224, 3}, 32)
  local alpha, dm = o.alpha or 1.0, o.depth_multiplier or 1
  local x = L.Conv2D(math.floor(32 * alpha), {3, 3}, {padding = "same", use_bias = false, strides = {2, 2},
    name = "conv1"})(o.input)
  x = L.BatchNormalization{axis = -1, name = "conv1_bn"}(x)
  x = L.ReLU(6.0, {name = "conv1_relu"})(x)
  local plan = {{64, 1}, {128, 2}, {128, 1}, {256, 2}, {256, 1}, {512, 2}, {512, 1}, {512, 1}, {512, 1},
    {512, 1}, {512, 1}, {1024, 2}, {1024, 1}}
  for id, p in ipairs(plan) do x = depthwise_block(x, p[1], alpha, dm, p[2], id) end
  if o.include_top then
    x = L.GlobalAveragePooling2D{keepdims = true}(x)
    x = L.Dropout(o.dropout or 1e-3, {name = "dropout"})(x)
    x = L.Conv2D(o.classes, {1, 1}, {padding = "same", name = "conv_preds"})(x)
    x = L.Reshape({o.classes}, {name = "reshape_2"})(x)
    x = L.Activation(o.classifier_activation, {name = "predictions"})(x)
  else
    x = pool(x, o)
  end
  return finish(o, x, ("mobilenet_%0.2f_%d"):format(alpha, o.input.shape[1]))
end

---------------------------------------------------------------------------------------------------
-- MobileNetV2 (keras/src/applications/mobilenet_v2.py)
---------------------------------------------------------------------------------------------------

local function make_divisible(v, divisor)
  local new_v = math.max(divisor, math.floor(v + divisor / 2) // divisor * divisor)
  if new_v < 0.9 * v then new_v = new_v + divisor end
  return math.tointeger(new_v)
end

local function bn_v2(name) return L.BatchNormalization{axis = -1, epsilon = 1e-3, momentum = 0.999, name = name} end

local function inverted_res_block(inputs, expansion, stride, alpha, filters, id)
  local in_channels = inputs.shape[3]
  local pointwise = make_divisible(math.floor(filters * alpha), 8)
  local x = inputs
  local prefix = ("block_%d_"):format(id)
  if id > 0 then
    x = L.Conv2D(expansion * in_channels, 1, {padding = "same", use_bias = false, name = prefix .. "expand"})(x)
    x = bn_v2(prefix .. "expand_BN")(x)
    x = L.ReLU(6.0, {name = prefix .. "expand_relu"})(x)
  else
    prefix = "expanded_conv_"
  end
  if stride == 2 then
    -- imagenet_utils.correct_pad for a 3x3 kernel
    local s = x.shape
    local adj = {1 - s[1] % 2, 1 - s[2] % 2}
    x = L.ZeroPadding2D({{1 - adj[1], 1}, {1 - adj[2], 1}}, {name = prefix .. "pad"})(x)
  end
  x = L.DepthwiseConv2D(3, {strides = stride, use_bias = false, padding = stride == 1 and "same" or "valid",
    name = prefix .. "depthwise"})(x)
  x = bn_v2(prefix .. "depthwise_BN")(x)
  x = L.ReLU(6.0, {name = prefix .. "depthwise_relu"})(x)
  x = L.Conv2D(pointwise, 1, {padding = "same", use_bias = false, name = prefix .. "project"})(x)
  x = bn_v2(prefix .. "project_BN")(x)
  if in_channels == pointwise and stride == 1 then
    return L.Add{name = prefix .. "add"}({inputs, x})
  end
  return x
end

--- MobileNetV2{alpha = 1.0, ...}: inverted residual blocks; default input 224x224x3
function M.MobileNetV2(a)
  local o = setup("MobileNetV2", a, {224, 224, 3}, 32, nil, {depth_multiplier = false, dropout = false})
  local alpha = o.alpha or 1.0
  local x = L.Conv2D(make_divisible(32 * alpha, 8), 3, {strides = {2, 2}, padding = "same", use_bias = false,
    name = "Conv1"})(o.input)
  x = bn_v2("bn_Conv1")(x)
  x = L.ReLU(6.0, {name = "Conv1_relu"})(x)
  local plan = {  -- filters, stride, expansion
    {16, 1, 1}, {24, 2, 6}, {24, 1, 6}, {32, 2, 6}, {32, 1, 6}, {32, 1, 6}, {64, 2, 6}, {64, 1, 6}, {64, 1, 6},
    {64, 1, 6}, {96, 1, 6}, {96, 1, 6}, {96, 1, 6}, {160, 2, 6}, {160, 1, 6}, {160, 1, 6}, {320, 1, 6}}
  for i, p in ipairs(plan) do x = inverted_res_block(x, p[3], p[2], alpha, p[1], i - 1) end
  local last = alpha > 1.0 and make_divisible(1280 * alpha, 8) or 1280
  x = L.Conv2D(last, 1, {use_bias = false, name = "Conv_1"})(x)
  x = bn_v2("Conv_1_bn")(x)
  x = L.ReLU(6.0, {name = "out_relu"})(x)
  x = head(x, o)
  return finish(o, x, ("mobilenetv2_%0.2f_%d"):format(alpha, o.input.shape[1]))
end

---------------------------------------------------------------------------------------------------
-- Xception (keras/src/applications/xception.py)
---------------------------------------------------------------------------------------------------

local function sep(x, filters, name)
  return L.SeparableConv2D(filters, {3, 3}, {padding = "same", use_bias = false, name = name})(x)
end
local function bn(name) return L.BatchNormalization{axis = -1, name = name} end
local function relu(name) return L.Activation("relu", {name = name}) end

--- Xception{...}: default input 299x299x3 (at least 71x71)
function M.Xception(a)
  local o = setup("Xception", a, {299, 299, 3}, 71)
  local x = L.Conv2D(32, {3, 3}, {strides = {2, 2}, use_bias = false, name = "block1_conv1"})(o.input)
  x = bn("block1_conv1_bn")(x)
  x = relu("block1_conv1_act")(x)
  x = L.Conv2D(64, {3, 3}, {use_bias = false, name = "block1_conv2"})(x)
  x = bn("block1_conv2_bn")(x)
  x = relu("block1_conv2_act")(x)

  -- blocks 2-4: two separable convolutions, max pooling, and a strided 1x1 shortcut
  for b, f in ipairs{128, 256, 728} do
    local block = "block" .. (b + 1)
    local residual = L.Conv2D(f, {1, 1}, {strides = {2, 2}, padding = "same", use_bias = false})(x)
    residual = bn()(residual)
    if b > 1 then x = relu(block .. "_sepconv1_act")(x) end
    x = sep(x, f, block .. "_sepconv1")
    x = bn(block .. "_sepconv1_bn")(x)
    x = relu(block .. "_sepconv2_act")(x)
    x = sep(x, f, block .. "_sepconv2")
    x = bn(block .. "_sepconv2_bn")(x)
    x = L.MaxPooling2D({3, 3}, {strides = {2, 2}, padding = "same", name = block .. "_pool"})(x)
    x = L.Add()({x, residual})
  end

  -- blocks 5-12: the middle flow
  for i = 0, 7 do
    local residual = x
    local prefix = "block" .. (i + 5)
    for k = 1, 3 do
      x = relu(("%s_sepconv%d_act"):format(prefix, k))(x)
      x = sep(x, 728, ("%s_sepconv%d"):format(prefix, k))
      x = bn(("%s_sepconv%d_bn"):format(prefix, k))(x)
    end
    x = L.Add()({x, residual})
  end

  -- block 13 and the exit flow
  local residual = L.Conv2D(1024, {1, 1}, {strides = {2, 2}, padding = "same", use_bias = false})(x)
  residual = bn()(residual)
  x = relu("block13_sepconv1_act")(x)
  x = sep(x, 728, "block13_sepconv1")
  x = bn("block13_sepconv1_bn")(x)
  x = relu("block13_sepconv2_act")(x)
  x = sep(x, 1024, "block13_sepconv2")
  x = bn("block13_sepconv2_bn")(x)
  x = L.MaxPooling2D({3, 3}, {strides = {2, 2}, padding = "same", name = "block13_pool"})(x)
  x = L.Add()({x, residual})

  x = sep(x, 1536, "block14_sepconv1")
  x = bn("block14_sepconv1_bn")(x)
  x = relu("block14_sepconv1_act")(x)
  x = sep(x, 2048, "block14_sepconv2")
  x = bn("block14_sepconv2_bn")(x)
  x = relu("block14_sepconv2_act")(x)

  x = head(x, o, "avg_pool")
  return finish(o, x, "xception")
end

---------------------------------------------------------------------------------------------------
-- the rest of the zoo, one file each (lua/cvision/applications/)
---------------------------------------------------------------------------------------------------

M.DenseNet121 = require("cvision.applications.densenet").DenseNet121
M.EfficientNetB0 = require("cvision.applications.efficientnet").EfficientNetB0
M.GoogLeNet = require("cvision.applications.googlenet").GoogLeNet

--- the builders by name, in the order of the issue
M.names = {"LeNet5", "AlexNet", "VGG16", "VGG19", "ResNet50", "InceptionV3", "MobileNet", "MobileNetV2", "Xception",
  "DenseNet121", "EfficientNetB0", "GoogLeNet"}

return M
