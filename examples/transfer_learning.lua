-- examples/transfer_learning.lua: the lecture's transfer-learning recipe on its 55 characters with
-- only 20 training images per class:
--   (a) the lecture's CNN trained from scratch,
--   (b) cvision's pretrained base (MobileNetV2 alpha 0.35, 64x64, trained by `make pretrained` on
--       1,000 other characters), frozen, with a new head,
--   (c) then the whole network fine-tuned at a low learning rate (Adam(1e-5)),
-- and a table of the accuracies on held-out writers (the generator's Test split) and on other
-- hands (the font-drawn set). Then a "Teachable Machine": a new 3-class task (three characters
-- neither set has) from a dozen images each, on the frozen base.
--   bin/cvision examples/transfer_learning.lua [--weights PATH] [--per-class N] [--epochs N]
-- PATH: the base's weights (default: the shipped lua/cvision/applications/hanzi/ file, else
-- pretrained/mobilenetv2_0.35_64_hanzi.safetensors).
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath

local argparse = require "argparse"
local cv = require "cvision"
local hanzi = require "cvision.datasets.hanzi"
local hanzi_fonts = require "cvision.datasets.hanzi_fonts"
local pretrained = require "cvision.applications.pretrained"
local L = cv.layers

local parser = argparse("transfer_learning.lua", "The lecture's transfer learning on 20 images per class.")
parser:option("--weights", "The pretrained base's weights (safetensors).")
parser:option("--per-class", "Training images per class.", "20"):convert(tonumber)
parser:option("--epochs", "Most epochs of each stage (early stopping ends them sooner).", "30"):convert(tonumber)
parser:option("--data", "Folder for the generated images.", "data/transfer")
local args = parser:parse(arg or {})

local function exists(p) local f = io.open(p, "rb"); if f then f:close() end; return f ~= nil end
local function section(title) print(("\n== %s"):format(title)) end

local weights = args.weights
if not weights then
  for _, p in ipairs{pretrained.hanzi_path(), "pretrained/mobilenetv2_0.35_64_hanzi.safetensors"} do
    if exists(p) then weights = p break end
  end
end
if not weights then
  io.stderr:write("transfer_learning.lua: no pretrained base found; run `make pretrained` or pass --weights PATH\n")
  os.exit(1)
end

---------------------------------------------------------------------------------------------------
section(("The data: the lecture's 55 characters, %d training images each"):format(args.per_class))
local classes = hanzi.characters("lecture")
local train_dir, other_dir = args.data .. "/few", args.data .. "/other_hands"
if not exists(train_dir .. "/Train/" .. classes[1]) then
  hanzi.generate(train_dir, {characters = classes, per_class = args.per_class, test_per_class = 20, seed = 4242})
end
if not hanzi_fonts.exists(other_dir, classes) then hanzi_fonts.generate(other_dir, {characters = classes}) end
local size = {64, 64}
local function load(dir)
  local ds = cv.data.image_dataset_from_directory(dir, {image_size = size, batch_size = 256, shuffle = false,
    color_mode = "grayscale", verbose = false})
  return ds:to_tensors()
end
local X, y = load(train_dir .. "/Train")
local X_test, y_test = load(train_dir .. "/Test")
local X_other, y_other = load(other_dir)
local X_train, X_val, y_train, y_val = cv.data.train_test_split(X, y, {test_size = 0.2, random_state = 123})
print(("train %d, validation %d, test (held-out writers) %d, other hands %d images"):format(X_train.shape[1],
  X_val.shape[1], X_test.shape[1], X_other.shape[1]))

local results = {}
local function fit(name, model, lr, epochs)
  model:compile{optimizer = cv.optimizers.Adam(lr), loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
  local es = cv.callbacks.EarlyStopping{patience = 5, restore_best_weights = true, monitor = "val_accuracy"}
  local h = model:fit(X_train, y_train, {epochs = epochs, validation_data = {X_val, y_val}, callbacks = {es}, verbose = 0})
  local test = model:evaluate(X_test, y_test, {verbose = 0, return_dict = true})
  local other = model:evaluate(X_other, y_other, {verbose = 0, return_dict = true})
  results[#results + 1] = {name, test.accuracy, other.accuracy, #h.history.loss}
  print(("%-40s test %.3f  other hands %.3f  (%d epochs)"):format(name, test.accuracy, other.accuracy, #h.history.loss))
end

---------------------------------------------------------------------------------------------------
section("(a) the lecture's CNN from scratch")
cv.manual_seed(1)
local cnn = cv.Sequential{
  cv.Input{size[1], size[2], 1}, L.Rescaling(1 / 255),
  L.Conv2D(16, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D(),
  L.Conv2D(32, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D(),
  L.Conv2D(64, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D{pool_size = {4, 4}},
  L.Flatten(), L.Dense(64, {activation = "relu"}), L.Dense(#classes, {activation = "softmax"}),
}
fit("(a) CNN from scratch", cnn, 1e-3, args.epochs)

---------------------------------------------------------------------------------------------------
section("(b) the pretrained base, frozen, with a new head")
cv.manual_seed(2)
local base = cv.applications.MobileNetV2{alpha = 0.35, input_shape = {64, 64, 1}, include_top = false, pooling = "avg"}
pretrained.load_by_name(base, weights)
base.trainable = false
local inputs = cv.Input{64, 64, 1}
local x = L.Rescaling(1 / 127.5, -1)(inputs)           -- mobilenet_v2.preprocess_input
x = base(x, {training = false})
x = L.Dropout(0.2)(x)
local outputs = L.Dense(#classes, {activation = "softmax"})(x)
local model = cv.Model{inputs = inputs, outputs = outputs}
model:summary()
fit("(b) frozen pretrained base + new head", model, 1e-3, args.epochs)

---------------------------------------------------------------------------------------------------
section("(c) fine-tuned: the base trainable again, Adam(1e-5)")
base.trainable = true
fit("(c) fine-tuned", model, 1e-5, math.max(5, args.epochs // 3))

section("Accuracy (20 training images per class)")
print(("%-40s %10s %12s"):format("", "test", "other hands"))
for _, r in ipairs(results) do print(("%-40s %10.3f %12.3f"):format(r[1], r[2], r[3])) end

---------------------------------------------------------------------------------------------------
section("Teachable Machine: a new 3-class task from 12 images each, on the frozen base")
local used = {}
for _, c in ipairs(classes) do used[c] = true end
local ok_info, info = pcall(require("cvision.saving").load_json, (weights:gsub("%.safetensors$", "")) .. ".json")
if not ok_info then info = nil end
for _, c in ipairs(info and info.classes or {}) do used[c] = true end
local new = {}
for _, c in ipairs(hanzi.characters("common3500")) do
  if not used[c] and #new < 3 then new[#new + 1] = c end
end
local tm_dir = args.data .. "/teachable"
if not exists(tm_dir .. "/Train/" .. new[1]) then
  hanzi.generate(tm_dir, {characters = new, per_class = 12, test_per_class = 30, seed = 99})
end
local Xt, yt = load(tm_dir .. "/Train")
local Xe, ye = load(tm_dir .. "/Test")
cv.manual_seed(3)
local tm_base = cv.applications.MobileNetV2{alpha = 0.35, input_shape = {64, 64, 1}, include_top = false, pooling = "avg"}
pretrained.load_by_name(tm_base, weights)
tm_base.trainable = false
local tm = cv.Sequential{cv.Input{64, 64, 1}, L.Rescaling(1 / 127.5, -1), tm_base, L.Dense(3, {activation = "softmax"})}
tm:compile{optimizer = cv.optimizers.Adam(1e-2), loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
tm:fit(Xt, yt, {epochs = 30, verbose = 0})
local r = tm:evaluate(Xe, ye, {verbose = 0, return_dict = true})
print(("characters %s, 12 training images each: accuracy %.3f on %d images of held-out writers"):format(
  table.concat(new, " "), r.accuracy, Xe.shape[1]))
