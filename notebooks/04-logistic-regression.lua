-- notebooks/04-logistic-regression.lua: the lecture's Fitting a (multinomial) logistic regression
-- section as a notebook (tools/notebooks.py builds 04-logistic-regression.ipynb from it). Its names
-- are globals, which is what the cvision kernel makes of a cell's top-level locals: so each cell
-- also works pasted alone into the REPL, where the locals of a line end with that line.
-- luacheck: allow defined top

-- %% [markdown]
-- # Computer Vision, part 4: a (multinomial) logistic regression
--
-- The lecture's "Fitting a (multinomial) logistic regression" section, cell by cell: flatten the
-- images, one Dense layer with a softmax, its summary and diagram, fitting with early stopping,
-- the loss and accuracy curves and the metrics. Open `04-logistic-regression.ipynb` with the
-- cvision kernel, run this file whole (`bin/cvision notebooks/04-logistic-regression.lua`), or
-- paste its cells into the REPL one by one.
--
-- **Smaller than the lecture's run.** The data is 03-characters' stand-in for CASIA (55
-- characters, 40 training and 10 test images a character, written by simulated writers), and the
-- fit stops after at most 30 epochs with `patience = 5` (the lecture: 100 epochs, `patience = 15`),
-- so the notebook runs in seconds on one core. `examples/chinese_characters.lua` (`make demo`) is
-- the full run.

-- %%
cv = require "cvision"
plt = cv.plot
L = cv.layers
hanzi = cv.datasets.hanzi
-- the repository's folder: "." in the repository, ".." in notebooks/ (where Jupyter runs it),
-- else the source tree cvision was loaded from
root = "."
for _, dir in ipairs{".", "..", (package.searchpath("cvision", package.path) or ""):match("^(.*)/lua/cvision/init%.lua$")} do
  local f = io.open(dir .. "/notebooks/04-logistic-regression.lua", "rb")
  if f then f:close(); root = dir; break end
end
out_dir = cv.data.makedirs(root .. "/out/notebooks")
-- the data of 03-characters, written here when that notebook has not run ($CVISION_NOTEBOOK_DATA)
data_dir = os.getenv("CVISION_NOTEBOOK_DATA") or out_dir .. "/hanzi55"

-- %% [markdown]
-- ## The data, as in 03-characters
-- Loaded with `image_dataset_from_directory` at 80x60 in grayscale, in order (`shuffle = false`),
-- as tensors, with 20% of the training images held out for validation.

-- %%
if not hanzi.exists(data_dir) then
  common_chars, rare_chars = {}, {}
  for _, c in ipairs(hanzi.classes) do    -- the lecture has far fewer of 囡 and 啖
    table.insert(hanzi.train_counts[c] < 300 and rare_chars or common_chars, c)
  end
  hanzi.generate(data_dir, {characters = common_chars, per_class = 40, test_per_class = 10})
  hanzi.generate(data_dir, {characters = rare_chars, per_class = 16, test_per_class = 4})
end
img_height, img_width = 80, 60
img_size = {img_height, img_width}
train_ds = cv.data.image_dataset_from_directory(data_dir .. "/Train", {
  image_size = img_size, batch_size = 32, shuffle = false, color_mode = "grayscale"})
test_ds = cv.data.image_dataset_from_directory(data_dir .. "/Test", {
  image_size = img_size, batch_size = 32, shuffle = false, color_mode = "grayscale"})
class_names = train_ds.class_names
X_main, y_main = train_ds:to_tensors()
X_test, y_test = test_ds:to_tensors()
X_train, X_val, y_train, y_val = cv.data.train_test_split(X_main, y_main, {test_size = 0.2,
  random_state = 123})
function shape(t) return "(" .. table.concat(t.shape, ", ") .. ")" end
print(shape(X_train), shape(y_train), shape(X_val), shape(y_val), shape(X_test), shape(y_test))

-- %% [markdown]
-- ## Make a logistic regression
-- **Flattening**: basically pretend it's not an image. `Flatten` turns each 80x60x1 image into a
-- vector of 4,800 numbers; the **Rescaling** layer rescales the intensities to [0, 1]; one Dense
-- layer with a softmax gives the probabilities of the 55 characters.

-- %%
num_classes = cv.unique(y_train).shape[1]
cv.manual_seed(123)
model = cv.Sequential{
  cv.Input{img_height, img_width, 1}, L.Flatten(), L.Rescaling(1 / 255),
  L.Dense(num_classes, {activation = "softmax"}),
}

-- %% [markdown]
-- ## Inspecting the model
-- 4,800 x 55 weights and 55 biases: 264,055 parameters, as in the lecture.

-- %%
model:summary()

-- %% [markdown]
-- ## Plot the model
-- The lecture's `plot_model(model, show_shapes=True)`:

-- %%
plt.model(model, {show_shapes = true})
plt.show()

-- %% [markdown]
-- ## Fitting the model
-- Adam, the sparse categorical cross-entropy (the labels are class numbers, not one-hot vectors),
-- accuracy and top-5 accuracy; `EarlyStopping` keeps the weights of the epoch with the best
-- validation accuracy. The lecture loads a saved model when there is one, only to render its
-- slides faster; here the fit always runs, and the model and its history are saved after it.

-- %%
loss = cv.losses.SparseCategoricalCrossentropy()
topk = cv.metrics.SparseTopKCategoricalAccuracy{k = 5}
model:compile{optimizer = "adam", loss = loss, metrics = {"accuracy", topk}}

epochs = 30
es = cv.callbacks.EarlyStopping{patience = 5, restore_best_weights = true,
  monitor = "val_accuracy", verbose = 2}

hist = model:fit(X_train, y_train, {validation_data = {X_val, y_val},
  epochs = epochs, callbacks = {es}, verbose = 0})
history = hist.history
model:save(out_dir .. "/logistic.safetensors")
require("cvision.saving").save_json(out_dir .. "/logistic_history.json", history)
print(("%d epochs; saved %s"):format(#history.loss, out_dir .. "/logistic.safetensors"))

-- %% [markdown]
-- The saved model loads back with its weights, and predicts as the fitted one does:

-- %%
reloaded = cv.models.load_model(out_dir .. "/logistic.safetensors")
print("largest difference of the predictions:",
  (reloaded:predict(X_val, {verbose = 0}) - model:predict(X_val, {verbose = 0})):abs():max())

-- %% [markdown]
-- ## Plot the loss/accuracy curves

-- %%
plt.history(history)
plt.show()

-- %% [markdown]
-- ## Look at the metrics
-- `evaluate` returns the loss, the accuracy and the top-5 accuracy.

-- %%
function list(t)
  local parts = {}
  for i, v in ipairs(t) do parts[i] = ("%.4f"):format(v) end
  return "[" .. table.concat(parts, ", ") .. "]"
end
print(list(model:evaluate(X_train, y_train, {verbose = 0})))
print(list(model:evaluate(X_val, y_val, {verbose = 0})))

-- %%
loss_value, accuracy, top5_accuracy = table.unpack(model:evaluate(X_test, y_test, {verbose = 0}))
print(("Test Loss: %.4f"):format(loss_value))
print(("Test Accuracy: %.4f"):format(accuracy))
print(("Test Top 5 Accuracy: %.4f"):format(top5_accuracy))

-- %% [markdown]
-- The lecture's logistic regression reaches 0.61 accuracy on its training set, 0.55 on validation
-- and 0.48 on the test set (CASIA, about 470 training images a character). With 32 training
-- images a character this one does far better on the training set than on the validation and test
-- sets, which other writers wrote: a linear model of the pixels learns where these writers' ink
-- was, not the strokes. Part 5's CNN does better.
