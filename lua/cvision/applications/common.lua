-- cvision.applications.common: what every builder of cv.applications shares: the options table
-- checked (setup: unknown options, classes, pooling, weights, the input tensor and its minimum
-- size), the top (head: global average pooling and the "predictions" classifier, or the optional
-- global pooling without it) and the model made and its weights file loaded (finish).
local layers = require "cvision.layers"
local functional = require "cvision.models.functional"

local M = {}
local L = layers

local OPTIONS = {include_top = true, weights = true, input_tensor = true, input_shape = true, pooling = true,
  classes = true, classifier_activation = true, name = true, alpha = true, depth_multiplier = true,
  dropout = true}

-- the common options, checked, and the input tensor
function M.setup(fname, a, default_shape, min_size, default_classes, extra)
  a = a or {}
  if type(a) ~= "table" then error(("bad argument #1 to '%s' (table of options expected)"):format(fname), 3) end
  for k in pairs(a) do
    if not OPTIONS[k] or (extra and extra[k] == false) then
      error(("bad argument to '%s' (unknown option '%s')"):format(fname, tostring(k)), 3)
    end
  end
  local o = {}
  for k, v in pairs(a) do o[k] = v end
  if o.include_top == nil then o.include_top = true end
  o.classes = o.classes or default_classes or 1000
  if math.type(o.classes) ~= "integer" or o.classes < 1 then
    error(("bad argument to '%s' (classes must be a positive integer)"):format(fname), 3)
  end
  if o.classifier_activation == nil then o.classifier_activation = "softmax" end
  if o.pooling ~= nil and o.pooling ~= "avg" and o.pooling ~= "max" then
    error(("bad argument to '%s' (pooling must be nil, \"avg\" or \"max\", got %s)"):format(fname, tostring(o.pooling)), 3)
  end
  if o.weights == "hanzi" then
    -- cvision's own pretrained base: one architecture, one input
    local shape = o.input_shape or (o.input_tensor and o.input_tensor.shape)
    if fname ~= "MobileNetV2" or (o.alpha or 1.0) ~= 0.35 or type(shape) ~= "table"
        or shape[1] ~= 64 or shape[2] ~= 64 or shape[3] ~= 1 then
      error(("%s: weights = \"hanzi\" is cvision's pretrained MobileNetV2{alpha = 0.35, input_shape = "
        .. "{64, 64, 1}} (1,000 handwritten characters); build exactly that"):format(fname), 3)
    end
    if o.include_top and o.classes ~= 1000 then
      error(("%s: weights = \"hanzi\" with include_top has 1,000 classes; for another task use "
        .. "include_top = false and a new head"):format(fname), 3)
    end
  elseif o.weights == "imagenet" then
    error(("%s: pretrained weights (weights = \"imagenet\") can't be downloaded here: pass Keras' weight file "
      .. "(weights = \"path.h5\"; decode_predictions(probs, {classes = \"imagenet\"}) names its classes), or build the "
      .. "model with weights = nil (random weights) and load trained weights with model:load_weights(path), "
      .. "model:set_weights(list) or cv.models.load_model(path)"):format(fname), 3)
  elseif o.weights ~= nil and type(o.weights) ~= "string" then
    error(("bad argument to '%s' (weights must be nil or the path of a weights file)"):format(fname), 3)
  end
  local input = o.input_tensor
  local shape = o.input_shape
  if input ~= nil then
    if not functional.is_symbolic(input) then
      error(("bad argument to '%s' (input_tensor must be cv.Input{...} or a symbolic tensor)"):format(fname), 3)
    end
    shape = input.shape
  end
  shape = shape or default_shape
  if type(shape) ~= "table" or #shape ~= 3 then
    error(("bad argument to '%s' (input_shape must be {height, width, channels})"):format(fname), 3)
  end
  if shape[1] < min_size or shape[2] < min_size then
    error(("%s: input size must be at least %dx%d, got input_shape {%d, %d, %d}"):format(fname, min_size,
      min_size, shape[1], shape[2], shape[3]), 3)
  end
  o.input = input or layers.Input{shape[1], shape[2], shape[3]}
  return o
end

-- no top: the optional global pooling (names as each Keras builder gives them)
function M.pool(x, o, avg_name, max_name)
  if o.pooling == "avg" then return L.GlobalAveragePooling2D{name = avg_name}(x) end
  if o.pooling == "max" then return L.GlobalMaxPooling2D{name = max_name}(x) end
  return x
end

-- the head of the ImageNet builders: with the top, global average pooling and the classifier
-- "predictions"; without it, the optional global pooling (gap_name: the pooling layer's name)
function M.head(x, o, gap_name, avg_name, max_name)
  if o.include_top then
    x = L.GlobalAveragePooling2D{name = gap_name}(x)
    return L.Dense(o.classes, {activation = o.classifier_activation, name = "predictions"})(x)
  end
  return M.pool(x, o, avg_name, max_name)
end

--- finish(o, x, name) --> the functional model from o.input to x, named o.name or name, with the
--- weights o.weights asks for loaded
-- o.weights: "hanzi" (cvision's pretrained base, its checksum verified first), a Keras weight file
-- (*.h5, layers matched by name), another path (model:load_weights), or nil/false (none). Errors
-- name o.fname (default "MobileNetV2").
function M.finish(o, x, name)
  local model = functional.new{inputs = o.input, outputs = x, name = o.name or name}
  if o.weights == "hanzi" then
    local pretrained = require "cvision.applications.pretrained"
    local path = pretrained.hanzi_path()
    local f = io.open(path, "rb")
    if not f then
      error(("%s: the hanzi base's weights are not installed (%s): `make pretrained` trains them"):format(
        o.fname or "MobileNetV2", path), 3)
    end
    f:close()
    local info, why = require("cvision.applications.decode").hanzi_base_info()
    if not info then error(("%s: %s"):format(o.fname or "MobileNetV2", why), 3) end
    local ok, err = pcall(pretrained.verify, path, info.sha256)
    if not ok then error(("%s: %s"):format(o.fname or "MobileNetV2", require("cvision.util.errors").clean(err)), 3) end
    pretrained.load_by_name(model, path)
  elseif type(o.weights) == "string" and o.weights:match("%.h5$") then
    -- a Keras application's weight file (Keras 3 .weights.h5 or Keras 2 .h5), layers by name
    require("cvision.models.keras_weights").load_keras_weights(model, o.weights)
  elseif type(o.weights) == "string" then
    model:load_weights(o.weights)
  end
  return model
end

return M
