-- notebooks/09-transfer-learning.lua: the lecture's "Transfer Learning" section as a notebook
-- (tools/notebooks.py builds 09-transfer-learning.ipynb from it). Its names are globals, which is
-- what the cvision kernel makes of a cell's top-level locals: so each cell also works pasted alone
-- into the REPL.
-- luacheck: allow defined top

-- %% [markdown]
-- # Computer Vision, part 9: transfer learning
--
-- The lecture classifies photos with networks pretrained on ImageNet, looks inside a Teachable
-- Machine model (a pretrained MobileNet with a new last layer), then transfers an Xception base:
-- frozen with a new head, then fine-tuned at a very low learning rate.
--
-- ImageNet weights cannot be downloaded here, so cvision ships a pretrained base of its own:
-- MobileNetV2 (alpha 0.35, 64x64 grayscale) trained on 1,000 handwritten Chinese characters that
-- are **not** the lecture's 55 (`make pretrained`, about two hours on 2 cores; see
-- `lua/cvision/applications/hanzi/README.md`). It plays ImageNet's part: a network that has learnt
-- what strokes look like, on other classes. Keras weight files you bring load too
-- (`cv.applications.MobileNetV2{weights = "mobilenet_v2.h5"}`, `cv.models.load_keras_model`).
--
-- Open `09-transfer-learning.ipynb` with the cvision kernel, run this file whole
-- (`bin/cvision notebooks/09-transfer-learning.lua`), or paste its cells into the REPL one by one.

-- %%
cv = require "cvision"
plt = cv.plot
L = cv.layers
A = cv.applications
hanzi = require "cvision.datasets.hanzi"
hanzi_fonts = require "cvision.datasets.hanzi_fonts"
cv.manual_seed(2024)

-- %% [markdown]
-- ## Pretrained model
--
-- The lecture's `classify_imagenet`: preprocess the images as the model was trained
-- (`preprocess_input`: pixels to -1..1), predict, and print the top 3 classes with
-- `decode_predictions`. Here the "photos" are three characters the base knows, drawn by a
-- **font** (a different process from the handwriting the base was trained on). Each class shows
-- its character, pinyin and an English gloss (from CC-CEDICT).

-- %%
function classify_hanzi(images, ModelClass)
  local inputs = A.mobilenet_v2.preprocess_input(images)
  local model = ModelClass{weights = "hanzi", alpha = 0.35, input_shape = {64, 64, 1}}
  local Y_proba = model(inputs)
  local top_k = A.mobilenet_v2.decode_predictions(Y_proba, {top = 3})
  for image_index = 1, #top_k do
    print(("Image #%d:"):format(image_index - 1))
    for _, row in ipairs(top_k[image_index]) do
      local class_id, name, y_proba = table.unpack(row)
      print((" %s - %s %d%%"):format(class_id, name, math.floor(y_proba * 100)))
    end
    print()
  end
end

photos = {}
-- 书, 水 and 京 (code outside comments stays ASCII, so that it pastes into the REPL)
for i, char in ipairs{utf8.char(0x4E66), utf8.char(0x6C34), utf8.char(0x4EAC)} do
  local img = hanzi_fonts.render(char, {index = i})
  photos[i] = cv.image.resize(img:astype("float32"), {64, 64})
end
photos = cv.stack(photos)
classify_hanzi(photos, A.MobileNetV2)

-- %%
plt.figure{figsize = {6, 2}}
for i = 1, 3 do
  plt.subplot(1, 3, i)
  plt.imshow(photos[i], {cmap = "gray"})
  plt.title(("Image #%d"):format(i - 1))
  plt.axis("off")
end
plt.show()

-- %% [markdown]
-- (水 is one of the lecture's 55, so the base has never seen it: its guesses are characters that
-- look alike. The other two are among the base's 1,000 classes.)
--
-- ## Inside a pretrained model
--
-- The lecture lists the first layers of a Teachable Machine model: zero padding, a convolution,
-- batch normalisation, ReLU, a depthwise convolution... MobileNetV2 is built the same way.

-- %%
base = A.MobileNetV2{weights = "hanzi", alpha = 0.35, input_shape = {64, 64, 1}, include_top = false,
  pooling = "avg"}
for i = 1, 15 do print(base.layers[i]) end

-- %%
print(#base.layers)

-- %% [markdown]
-- ## Transfer learning
--
-- The lecture's task with little data: the 55 characters with only **20 training images per
-- class** (16 to train, 4 to validate), tested on 20 images per class by writers the training set
-- has never seen.

-- %%
classes = hanzi.characters("lecture")
-- the repository's folder: "." in the repository, ".." in notebooks/ (where Jupyter runs it)
root = "."
for _, dir in ipairs{".", "..", (package.searchpath("cvision", package.path) or ""):match("^(.*)/lua/cvision/init%.lua$")} do
  local f = io.open(dir .. "/notebooks/09-transfer-learning.lua", "rb")
  if f then f:close(); root = dir; break end
end
few = root .. "/out/notebooks/transfer"
hanzi.generate(few, {characters = classes, per_class = 20, test_per_class = 20, seed = 4242})
function load_set(dir)
  local ds = cv.data.image_dataset_from_directory(dir, {image_size = {64, 64}, color_mode = "grayscale",
    batch_size = 256, shuffle = false, verbose = false})
  return ds:to_tensors()
end
X, y = load_set(few .. "/Train")
X_test, y_test = load_set(few .. "/Test")
X_train, X_val, y_train, y_val = cv.data.train_test_split(X, y, {test_size = 0.2, random_state = 123})
function shape(t) return "(" .. table.concat(t.shape, ", ") .. ")" end
print(shape(X_train), shape(X_val), shape(X_test))

-- %% [markdown]
-- As in the lecture: the base without its classifier (`include_top = false`), frozen
-- (`trainable = false`), called in inference mode (`training = false`: its BatchNormalization
-- layers keep their statistics), and a new head on top.

-- %%
base.trainable = false

inputs = cv.Input{64, 64, 1}
x = L.Rescaling(1 / 127.5, -1)(inputs)          -- mobilenet_v2.preprocess_input, inside the model
x = base(x, {training = false})
x = L.Dropout(0.2)(x)
outputs = L.Dense(#classes, {activation = "softmax"})(x)
model = cv.Model{inputs = inputs, outputs = outputs}
model:summary()

-- %%
model:compile{optimizer = cv.optimizers.Adam(), loss = "sparse_categorical_crossentropy",
  metrics = {"accuracy"}}
es = cv.callbacks.EarlyStopping{patience = 3, restore_best_weights = true, monitor = "val_accuracy"}
frozen = model:fit(X_train, y_train, {epochs = 10, validation_data = {X_val, y_val}, callbacks = {es},
  verbose = 2})
frozen_test = model:evaluate(X_test, y_test, {verbose = 0, return_dict = true})
print(("frozen base + new head: test accuracy %.3f"):format(frozen_test.accuracy))

-- %% [markdown]
-- ## Fine-tuning
--
-- Unfreeze the base and **recompile** (a change of `trainable` counts only after `compile`), then
-- train end to end with a very low learning rate, stopping before it overfits.

-- %%
base.trainable = true
model:compile{optimizer = cv.optimizers.Adam(1e-5), loss = "sparse_categorical_crossentropy",
  metrics = {"accuracy"}}
tuned = model:fit(X_train, y_train, {epochs = 2, validation_data = {X_val, y_val}, verbose = 2})
tuned_test = model:evaluate(X_test, y_test, {verbose = 0, return_dict = true})
print(("fine-tuned (%d epochs): test accuracy %.3f"):format(#tuned.history.loss, tuned_test.accuracy))

-- %% [markdown]
-- For comparison, the lecture's CNN trained from scratch on the same 16 images per class.

-- %%
cv.manual_seed(1)
cnn = cv.Sequential{
  cv.Input{64, 64, 1}, L.Rescaling(1 / 255),
  L.Conv2D(16, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D(),
  L.Conv2D(32, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D(),
  L.Conv2D(64, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D{pool_size = {4, 4}},
  L.Flatten(), L.Dense(64, {activation = "relu"}), L.Dense(#classes, {activation = "softmax"}),
}
cnn:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy", metrics = {"accuracy"}}
scratch = cnn:fit(X_train, y_train, {epochs = 30, validation_data = {X_val, y_val},
  callbacks = {cv.callbacks.EarlyStopping{patience = 5, restore_best_weights = true, monitor = "val_accuracy"}},
  verbose = 0})
scratch_test = cnn:evaluate(X_test, y_test, {verbose = 0, return_dict = true})
print(("CNN from scratch (%d epochs): test accuracy %.3f"):format(#scratch.history.loss, scratch_test.accuracy))

-- %%
plt.figure{figsize = {6, 3.5}}
plt.plot(scratch.history.val_accuracy, {label = "CNN from scratch"})
plt.plot(frozen.history.val_accuracy, {label = "frozen base + new head"})
plt.xlabel("epoch")
plt.ylabel("validation accuracy")
plt.title("20 images per class")
plt.legend()
plt.show()

-- %% [markdown]
-- Keep the learning rate low when fine-tuning, otherwise you may accidentally throw away the
-- useful information in the base model. (`examples/transfer_learning.lua` runs the whole recipe
-- with more epochs and also tests on font-drawn characters; the README has its table.)
