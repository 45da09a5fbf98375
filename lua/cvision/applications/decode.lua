-- cvision.applications.decode: what comes before and after a pretrained network, as Keras'
-- keras.applications.<module>.preprocess_input and decode_predictions.
--
--   local inputs = cv.applications.mobilenet_v2.preprocess_input(images)   -- 0..255 pixels in
--   local top_k = cv.applications.mobilenet_v2.decode_predictions(model:predict(inputs), {top = 3})
--   for i, rows in ipairs(top_k) do
--     for _, r in ipairs(rows) do local class_id, name, p = table.unpack(r) ... end
--   end
--   print(top_k)      -- the lecture's layout: "Image #0:" then " class_id - name 39%"
--
-- preprocess_input modes (Keras' imagenet_utils): "tf" x / 127.5 - 1 (MobileNet, MobileNetV2,
-- InceptionV3, Xception, and cvision's hanzi base), "caffe" RGB to BGR and the ImageNet channel
-- means subtracted (VGG16, VGG19, ResNet50), "torch" x / 255 then the ImageNet means and
-- standard deviations (DenseNet), "none" (EfficientNet scales inside the model).
-- decode_predictions names the classes of cvision's hanzi base by default (each row also has
-- .char, .pinyin and .gloss, from CC-CEDICT: third_party/cc-cedict), ImageNet-1k's with
-- classes = "imagenet" (rows {wnid, name, p} as Keras': {"n04350905", "suit", 0.62}, for weights
-- imported from Keras' .h5 files; the list, imagenet_classes.lua, is read on first use), or those
-- given as classes = {...}.
local core = require "cvision.core"
local errors = require "cvision.util.errors"

local M = {}

local MEAN = {0.485, 0.456, 0.406}
local STD = {0.229, 0.224, 0.225}
local CAFFE_MEAN = {103.939, 116.779, 123.68}   -- BGR

local function channels(x, fname)
  if not core.is_tensor(x) then error(errors.bad_argument(fname, "a tensor of images (N, H, W, C) expected", 1), 3) end
  return x.shape[#x.shape]
end

--- M.preprocess_input(x, mode) --> a new tensor: x (pixels 0..255, channels last) scaled as the
--- mode's networks were trained ("tf", "caffe", "torch" or "none")
function M.preprocess_input(x, mode)
  local c = channels(x, "preprocess_input")
  if mode == "tf" then return x / 127.5 - 1 end
  if mode == "none" then return x:clone() end
  if mode ~= "caffe" and mode ~= "torch" then
    error(errors.bad_argument("preprocess_input", ("mode must be \"tf\", \"caffe\", \"torch\" or \"none\", got %s"):format(tostring(mode))), 2)
  end
  if c ~= 3 then
    error(("preprocess_input: mode \"%s\" needs RGB images (3 channels), got %d"):format(mode, c), 2)
  end
  local shape = {}
  for i = 1, #x.shape - 1 do shape[i] = 1 end
  shape[#x.shape] = 3
  if mode == "torch" then
    return (x / 255 - core.tensor(MEAN):reshape(shape)) / core.tensor(STD):reshape(shape)
  end
  -- caffe: RGB -> BGR, then the means (BGR)
  local one = {}
  for i, v in ipairs(x.shape) do one[i] = v end
  one[#one] = 1
  local parts = {core.empty(one), core.empty(one), core.empty(one)}
  core.split(x:float(), #x.shape, parts)
  local bgr = core.concat({parts[3], parts[2], parts[1]}, #x.shape)
  return bgr - core.tensor(CAFFE_MEAN):reshape(shape)
end

---------------------------------------------------------------------------------------------------
-- class names
---------------------------------------------------------------------------------------------------

local function here()
  local src = debug.getinfo(1, "S").source
  return src:sub(1, 1) == "@" and src:sub(2):match("^(.*)/[^/]*$") or "."
end

local glosses
--- M.gloss(char) --> pinyin, English gloss of a character (CC-CEDICT), or nil
function M.gloss(ch)
  if glosses == nil then
    glosses = {}
    for _, p in ipairs{here() .. "/../../../third_party/cc-cedict/glosses.lua",  -- source tree
                       here() .. "/cc_cedict_glosses.lua"} do                   -- installed beside this
      local f = io.open(p, "r")
      if f then
        f:close()
        local ok, t = pcall(dofile, p)
        if ok and type(t) == "table" then glosses = t end
        break
      end
    end
  end
  local g = glosses[ch]
  if g then return g[1], g[2] end
  return nil
end

--- M.hanzi_base_info() --> the shipped base's JSON ({classes, test_accuracy, command, ...}), or
--- nil, reason when the weights are not there
function M.hanzi_base_info()
  local saving = require "cvision.saving"
  local path = M.hanzi_base_path() .. ".json"
  local ok, t = pcall(saving.load_json, path)
  if not ok then return nil, ("the hanzi base is not installed (%s); `make pretrained` trains it"):format(errors.clean(t)) end
  return t
end

--- M.hanzi_base_path() --> the path of the shipped weights without extension
function M.hanzi_base_path()
  return here() .. "/hanzi/mobilenetv2_0.35_64_hanzi"
end

local imagenet
-- ImageNet-1k's {wnid, name} rows, read once (30 KB: only when asked for)
local function imagenet_rows()
  imagenet = imagenet or require "cvision.applications.imagenet_classes"
  return imagenet
end

--- M.imagenet_class_names() --> names, wnids: ImageNet-1k's 1,000 class names ("tench", ...,
--- "Windsor_tie") and their WordNet ids ("n01440764", ...), in Keras' index order (names[i] is
--- Keras' class i - 1); new tables each call
function M.imagenet_class_names()
  local names, wnids = {}, {}
  for i, r in ipairs(imagenet_rows()) do wnids[i], names[i] = r[1], r[2] end
  return names, wnids
end

local function shape_of(t) return "(" .. table.concat(t.shape, ", ") .. ")" end

local Top = {}
Top.__index = Top

--- tostring(top_k): "Image #0:" then " <class_id> - <name> <percent>%" per row, as the lecture
function Top:__tostring()
  local out = {}
  for i, rows in ipairs(self) do
    out[#out + 1] = ("Image #%d:"):format(i - 1)
    for _, r in ipairs(rows) do
      out[#out + 1] = (" %s - %s %d%%"):format(r[1], r[2], math.floor(r[3] * 100))
    end
    out[#out + 1] = ""
  end
  return table.concat(out, "\n")
end

--- M.decode_predictions(probs, {top = 5, classes = nil | list | "imagenet"}) --> per image a list
--- of {class_id, name, probability}, most probable first. classes nil: the hanzi base's (class_id
--- "hanzi:<index>", name "东 dōng (east)", and .char, .pinyin, .gloss); "imagenet": ImageNet-1k's
--- as Keras' decode_predictions (class_id the wnid "n04350905", name "suit"; probs (N, 1000)); a
--- list: its names (class_id the 1-based index)
function M.decode_predictions(probs, o)
  o = o or {}
  if type(o) ~= "table" then error(errors.options_expected("decode_predictions", o), 2) end
  for k in pairs(o) do
    if k ~= "top" and k ~= "classes" then error(errors.unknown_option("decode_predictions", k), 2) end
  end
  if not core.is_tensor(probs) then
    error(errors.bad_argument("decode_predictions", "a tensor of probabilities (N, classes) expected", 1), 2)
  end
  if o.classes == "imagenet" and (probs:dim() ~= 2 or probs.shape[2] ~= 1000) then
    error(("decode_predictions: classes = \"imagenet\" expects a batch of predictions (N, 1000), got shape %s")
      :format(shape_of(probs)), 2)
  end
  if probs:dim() ~= 2 then
    error(errors.bad_argument("decode_predictions", ("a tensor of probabilities (N, classes) expected, got shape %s")
      :format(shape_of(probs)), 1), 2)
  end
  local top = o.top or 5
  if math.type(top) ~= "integer" or top < 1 then error(errors.bad_argument("decode_predictions", "top must be a positive integer"), 2) end
  local n, k = probs.shape[1], probs.shape[2]
  local names, hanzi, wnids = o.classes, false, nil
  if names == "imagenet" then
    names, wnids = M.imagenet_class_names()
  elseif names == nil then
    local info, why = M.hanzi_base_info()
    if not info then error("decode_predictions: " .. why .. "; or pass classes = {...}", 2) end
    names, hanzi = info.classes, true
  elseif type(names) ~= "table" then
    error(errors.bad_argument("decode_predictions", "classes must be nil, \"imagenet\" or a list of names"), 2)
  end
  if #names ~= k then
    error(("decode_predictions: the predictions have %d classes, the class list %d"):format(k, #names), 2)
  end
  local rows = probs:totable()
  local out = setmetatable({}, Top)
  for i = 1, n do
    local order = {}
    for j = 1, k do order[j] = j end
    local p = rows[i]
    table.sort(order, function(a, b) if p[a] ~= p[b] then return p[a] > p[b] end return a < b end)
    local list = {}
    for r = 1, math.min(top, k) do
      local j = order[r]
      local row
      if hanzi then
        local ch = names[j]
        local py, gl = M.gloss(ch)
        local name = ch
        if py then name = ("%s %s (%s)"):format(ch, py, (gl:match("^([^;]+)") or gl)) end
        row = {("hanzi:%d"):format(j), name, p[j], char = ch, pinyin = py, gloss = gl}
      elseif wnids then
        row = {wnids[j], names[j], p[j]}
      else
        row = {j, tostring(names[j]), p[j]}
      end
      list[r] = row
    end
    out[i] = list
  end
  return out
end

--- M.module(mode) --> {preprocess_input = fn(x), decode_predictions = fn(probs, opts)}: one of
--- Keras' per-application modules
function M.module(mode)
  return {
    preprocess_input = function(x) return M.preprocess_input(x, mode) end,
    decode_predictions = M.decode_predictions,
  }
end

-- Keras' module names and their preprocessing
M.modes = {mobilenet = "tf", mobilenet_v2 = "tf", inception_v3 = "tf", xception = "tf", vgg16 = "caffe",
  vgg19 = "caffe", resnet50 = "caffe", densenet = "torch", efficientnet = "none", hanzi = "tf"}

return M
