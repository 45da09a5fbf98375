-- notebooks/05-cnn.lua: the lecture's "Fitting a CNN" section as a notebook (tools/notebooks.py
-- builds 05-cnn.ipynb from it). Its names are globals, which is what the cvision kernel makes of a
-- cell's top-level locals: so each cell also works pasted alone into the REPL.
-- luacheck: allow defined top

-- %% [markdown]
-- # Computer Vision, part 5: fitting a CNN
--
-- The lecture's "Fitting a CNN" section, cell by cell, in cvision: the CNN on the Chinese
-- characters, its summary, fitting with early stopping, the loss and accuracy curves, the metrics
-- and a prediction. Open `05-cnn.ipynb` with the cvision kernel, run this file whole
-- (`bin/cvision notebooks/05-cnn.lua`), or paste its cells into the REPL one by one. Its data and
-- model go to out/notebooks ($CVISION_NOTEBOOK_OUT overrides).
--
-- **Smaller than the lecture's run.** The lecture fits 55 characters of CASIA (25,764 training
-- images) for up to 100 epochs with `patience=15`. To run in seconds on one core this notebook
-- fits 16 of them (characters that look alike, so the mistakes are worth reading), 60 images a
-- class, for at most 25 epochs with `patience=4`. `examples/chinese_characters.lua` (`make demo`)
-- is the full run.

-- %%
cv = require "cvision"
plt = cv.plot
L = cv.layers
-- the repository's folder: "." in the repository, ".." in notebooks/ (where Jupyter runs it)
root = "."
for _, dir in ipairs{".", ".."} do
  local f = io.open(dir .. "/notebooks/05-cnn.lua")
  if f then f:close(); root = dir; break end
end
out = cv.data.makedirs(os.getenv("CVISION_NOTEBOOK_OUT") or root .. "/out/notebooks")
clock = cv.core.monotonic

-- %% [markdown]
-- ## The data
-- CASIA cannot be downloaded here, so `cv.datasets.hanzi` writes a stand-in: the characters
-- handwritten by simulated writers (the test set by writers none of the training set's), as
-- grayscale PNGs in one folder per class, `Train/<char>/*.png` and `Test/<char>/*.png`. The same
-- seed writes the same bytes, so this folder is shared with the error-analysis notebook.

-- %%
hanzi = require "cvision.datasets.hanzi"
-- 人 从 众 口 大 天 太 夫 犬 日 月 木 本 林 森 门, by their place in the lecture's sorted list of 55
-- (hanzi.classes; numbers rather than the characters themselves, so the cell pastes into any REPL)
characters = {}
for _, i in ipairs{3, 4, 5, 7, 15, 16, 17, 18, 36, 24, 26, 28, 29, 30, 31, 49} do
  characters[#characters + 1] = hanzi.classes[i]
end
data_dir = out .. "/hanzi16"
function exists(path) local f = io.open(path) if f then f:close() end return f ~= nil end
if not exists(data_dir .. "/Test/" .. characters[#characters] .. "/00010.png") then
  hanzi.generate(data_dir, {characters = characters, per_class = 60, test_per_class = 10})
end

-- %% [markdown]
-- Loaded as the lecture loads CASIA: `image_dataset_from_directory` resizes every image to 80x60,
-- `shuffle=false` keeps X and y in the same order, `train_test_split` holds out 20% to validate.

-- %%
batch_size, img_height, img_width = 32, 80, 60
img_size = {img_height, img_width}
train_ds = cv.data.image_dataset_from_directory(data_dir .. "/Train", {
  image_size = img_size, batch_size = batch_size, shuffle = false, color_mode = "grayscale"})
test_ds = cv.data.image_dataset_from_directory(data_dir .. "/Test", {
  image_size = img_size, batch_size = batch_size, shuffle = false, color_mode = "grayscale"})
class_names = train_ds.class_names
X_main, y_main = train_ds:to_tensors()
X_test, y_test = test_ds:to_tensors()
X_train, X_val, y_train, y_val = cv.data.train_test_split(X_main, y_main,
  {test_size = 0.2, random_state = 123})
function shape(t) return "(" .. table.concat(t.shape, ", ") .. ")" end
print(table.concat(class_names, " "))
print(shape(X_train), shape(y_train), shape(X_val), shape(y_val), shape(X_test), shape(y_test))

-- %% [markdown]
-- Labels are 1-based in cvision (Lua's own indexing): `class_names[y[i]]` is the name of image
-- i, where the lecture's 0-based labels index a 0-based Python list the same way.

-- %%
plt.images(X_train, y_train, class_names, {n = 8, figsize = {10, 2.2}})
plt.show()

-- %% [markdown]
-- ## Make a CNN
-- The lecture's architecture (inspired by https://www.tensorflow.org/tutorials/images/classification):
-- three convolution and max-pooling blocks, then a dense layer and one output per class.
-- `cv.manual_seed(123)` plays the part of `random.seed(123)`.

-- %%
num_classes = #class_names
cv.manual_seed(123)

model = cv.Sequential{
  cv.Input{img_height, img_width, 1},
  L.Rescaling(1 / 255),
  L.Conv2D(16, 3, {padding = "same", activation = "relu", name = "conv1"}),
  L.MaxPooling2D{name = "pool1"},
  L.Conv2D(32, 3, {padding = "same", activation = "relu", name = "conv2"}),
  L.MaxPooling2D{name = "pool2"},
  L.Conv2D(64, 3, {padding = "same", activation = "relu", name = "conv3"}),
  L.MaxPooling2D{name = "pool3", pool_size = {4, 4}},
  L.Flatten(), L.Dense(64, {activation = "relu"}), L.Dense(num_classes),
}

-- %% [markdown]
-- ## Inspect the model
-- The same shapes and parameter counts as the lecture's summary, but for the last layer: 16
-- classes here (64 x 16 + 16 = 1,040 parameters) where the lecture has 55 (3,575).

-- %%
model:summary()

-- %% [markdown]
-- ## Plot the CNN
-- `plot_model(model, show_shapes=True)` is `cv.plot.model`.

-- %%
plt.model(model, {show_shapes = true})
plt.show()

-- %% [markdown]
-- ## Fit the CNN
-- The output layer has no softmax: the loss is told `from_logits = true`, which is more
-- numerically stable. Early stopping watches the validation accuracy and restores the best
-- weights. (The lecture loads a saved `cnn.keras` when there is one, to save time rendering its
-- slides; this notebook fits every time, in seconds, and saves the model for the next notebook.)

-- %%
loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true}
topk = cv.metrics.SparseTopKCategoricalAccuracy{k = 5}
model:compile{optimizer = "adam", loss = loss, metrics = {"accuracy", topk}}

epochs = 25                          -- the lecture: 100
es = cv.callbacks.EarlyStopping{patience = 4, restore_best_weights = true,
  monitor = "val_accuracy", verbose = 2}   -- the lecture: patience=15

t0 = clock()
hist = model:fit(X_train, y_train, {validation_data = {X_val, y_val},
  epochs = epochs, callbacks = {es}, verbose = 2})
history = hist.history
print(("%d epochs in %.1f s"):format(#history.loss, clock() - t0))
model:save(out .. "/05-cnn.safetensors")

-- %% [markdown]
-- ## Plot the loss/accuracy curves

-- %%
plt.history(history)
plt.show()

-- %% [markdown]
-- ## Look at the metrics
-- `evaluate` returns the loss, then the metrics: accuracy and top-5 accuracy.

-- %%
function rounded(t)
  local s = {}
  for i, v in ipairs(t) do s[i] = ("%.4f"):format(v) end
  return "[" .. table.concat(s, ", ") .. "]"
end
print(rounded(model:evaluate(X_train, y_train, {verbose = 0})))
print(rounded(model:evaluate(X_val, y_val, {verbose = 0})))

-- %%
loss_value, accuracy, top5_accuracy = table.unpack(model:evaluate(X_test, y_test, {verbose = 0}))
print(("Test Loss: %.4f"):format(loss_value))
print(("Test Accuracy: %.4f"):format(accuracy))
print(("Test Top 5 Accuracy: %.4f"):format(top5_accuracy))

-- %% [markdown]
-- On the lecture's CASIA run the CNN reached 0.886 test accuracy (top 5: 0.986); with 48 training
-- images a class and a few epochs it reads new writers less well, and the next notebook looks at
-- what it gets wrong.
--
-- ## Make a prediction
-- The lecture's mistake: `X_test[0]` is one image (80, 60, 1), not a batch of them.
-- cvision refuses it too, with a message that says what to do.

-- %%
ok, err = pcall(model.predict, model, X_test[1])
print(ok and "predict took a single image?" or err)

-- %% [markdown]
-- `X_val[[0]]`, a batch of one, is `X_val:slice(1, 1)` (rows 1 to 1).

-- %%
print(shape(X_val[1]), shape(X_val[1]:reshape{1, img_height, img_width, 1}), shape(X_val:slice(1, 1)))

-- %%
logits = model:predict(X_val:slice(1, 1), {verbose = 0})
print(logits)

-- %% [markdown]
-- ## Predict on the test set II
-- `argmax` along axis 2 gives the 1-based class of each row.

-- %%
predicted = math.tointeger(model:predict(X_test:slice(1, 1), {verbose = 0}):argmax(2):item())
print(predicted, class_names[predicted], "(true: " .. class_names[y_test[1]] .. ")")

-- %%
plt.figure{figsize = {2, 2.6}}
plt.imshow(X_test[1], {cmap = "gray"})
plt.title(class_names[predicted])
plt.axis("off")
plt.show()
