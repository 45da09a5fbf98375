-- notebooks/06-error-analysis.lua: the lecture's "Error Analysis" section as a notebook
-- (tools/notebooks.py builds 06-error-analysis.ipynb from it). Its names are globals, which is what
-- the cvision kernel makes of a cell's top-level locals: so each cell also works pasted alone into
-- the REPL.
-- luacheck: allow defined top

-- %% [markdown]
-- # Computer Vision, part 6: error analysis
--
-- The lecture's "Error Analysis" section, cell by cell, in cvision: the CNN's failure cases, the
-- confidence of its predictions, another test set of characters written by other hands, and which
-- characters it reads worst. Open `06-error-analysis.ipynb` with the cvision kernel, run this file
-- whole (`bin/cvision notebooks/06-error-analysis.lua`), or paste its cells into the REPL one by one.
-- Its data and model go to out/notebooks ($CVISION_NOTEBOOK_OUT overrides).
--
-- **Smaller than the lecture's run**: the CNN of notebook 05, fitted in seconds on 16 of the 55
-- characters (48 training images a class), so it makes many more mistakes than the lecture's
-- (0.886 test accuracy on CASIA). `bin/cvision examples/error_analysis.lua` after `make demo` is
-- the same analysis of the full run.

-- %%
cv = require "cvision"
plt = cv.plot
L = cv.layers
analysis = cv.analysis or require "cvision.analysis"
-- the repository's folder: "." in the repository, ".." in notebooks/ (where Jupyter runs it)
root = "."
for _, dir in ipairs{".", ".."} do
  local f = io.open(dir .. "/notebooks/06-error-analysis.lua")
  if f then f:close(); root = dir; break end
end
out = cv.data.makedirs(os.getenv("CVISION_NOTEBOOK_OUT") or root .. "/out/notebooks")

-- %% [markdown]
-- ## The data and the CNN of part 5
-- The same generated characters as notebook 05 (the same seed writes the same files), and its
-- CNN: loaded when notebook 05 saved it, else fitted here the same way. (The lecture does the
-- same with `if Path("cnn.keras").exists(): model = keras.models.load_model("cnn.keras")`.)

-- %%
hanzi = require "cvision.datasets.hanzi"
-- 人 从 众 口 大 天 太 夫 犬 日 月 木 本 林 森 门, by their place in hanzi.classes (numbers rather
-- than the characters themselves, so the cell pastes into any REPL)
characters = {}
for _, i in ipairs{3, 4, 5, 7, 15, 16, 17, 18, 36, 24, 26, 28, 29, 30, 31, 49} do
  characters[#characters + 1] = hanzi.classes[i]
end
data_dir = out .. "/hanzi16"
function exists(path) local f = io.open(path) if f then f:close() end return f ~= nil end
if not exists(data_dir .. "/Test/" .. characters[#characters] .. "/00010.png") then
  hanzi.generate(data_dir, {characters = characters, per_class = 60, test_per_class = 10})
end
img_height, img_width = 80, 60
function load_images(dir)
  local ds = cv.data.image_dataset_from_directory(dir, {image_size = {img_height, img_width},
    batch_size = 32, shuffle = false, color_mode = "grayscale"})
  local X, y = ds:to_tensors()
  return X, y, ds.class_names
end
X_main, y_main, class_names = load_images(data_dir .. "/Train")
X_test, y_test = load_images(data_dir .. "/Test")
X_train, X_val, y_train, y_val = cv.data.train_test_split(X_main, y_main,
  {test_size = 0.2, random_state = 123})

-- %%
model_path = out .. "/05-cnn.safetensors"
if exists(model_path) then
  model = cv.models.load_model(model_path)
else
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
    L.Flatten(), L.Dense(64, {activation = "relu"}), L.Dense(#class_names),
  }
  model:compile{optimizer = "adam", loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true},
    metrics = {"accuracy", cv.metrics.SparseTopKCategoricalAccuracy{k = 5}}}
  model:fit(X_train, y_train, {validation_data = {X_val, y_val}, epochs = 25, verbose = 0,
    callbacks = {cv.callbacks.EarlyStopping{patience = 4, restore_best_weights = true,
      monitor = "val_accuracy"}}})
  model:save(model_path)
end
test_metrics = model:evaluate(X_test, y_test, {verbose = 0})
print(("test loss %.4f, accuracy %.4f, top-5 accuracy %.4f"):format(table.unpack(test_metrics)))

-- %% [markdown]
-- ## Take a look at the failure cases
-- The lecture's `plot_failed_predictions` is `cv.plot.failed_predictions`: each title reads
-- "true not predicted (confidence)". The CNN outputs logits, so softmax turns them into
-- probabilities first.

-- %%
y_pred = analysis.softmax(model:predict(X_test, {verbose = 0}))
plt.failed_predictions(y_pred, X_test, y_test, class_names, {max = 15})
plt.show()

-- %% [markdown]
-- The same failures as a table (`Index` is the row of X_test; labels are 1-based in cvision).

-- %%
failed = analysis.failed_predictions(y_pred, y_test, class_names)
print(("%d of %d test images wrong"):format(#failed, X_test.shape[1]))
print(failed:head(8))

-- %% [markdown]
-- ## Confidence of predictions
-- The predicted class of each row (argmax) and its probability, split by whether the
-- prediction is right.

-- %%
y_pred_class, y_pred_prob = analysis.predictions(y_pred)
y_true = analysis.labels(y_test)
confidence_when_correct, confidence_when_wrong = {}, {}
for i, k in ipairs(y_pred_class) do
  local t = k == y_true[i] and confidence_when_correct or confidence_when_wrong
  t[#t + 1] = y_pred_prob[i]
end
print(#confidence_when_correct, "right", #confidence_when_wrong, "wrong")

-- %%
plt.figure{figsize = {5, 3}}
plt.hist(confidence_when_correct)
plt.title("Confidence when correct")
plt.show()

-- %%
plt.figure{figsize = {5, 3}}
plt.hist(confidence_when_wrong, {color = "C3"})
plt.title("Confidence when wrong")
plt.show()

-- %% [markdown]
-- ## Another test set
-- The lecture's author wrote its 55 characters badly, 7 times each (385 images). Here the
-- "other hands" are `cv.datasets.hanzi_fonts`: 7 images a character drawn from the glyphs of
-- the CJK fonts installed (warped, thickened or thinned, turned, blurred, noised), a different
-- process from the one that wrote the training set.

-- %%
hanzi_fonts = require "cvision.datasets.hanzi_fonts"
pat_dir = out .. "/other_hands16"
if not hanzi_fonts.exists(pat_dir, class_names) then
  hanzi_fonts.generate(pat_dir, {characters = class_names, per_class = 7})
end
X_pat, y_pat, pat_class_names = load_images(pat_dir)
assert(table.concat(pat_class_names, " ") == table.concat(class_names, " "))
print(("(%s), (%s)"):format(table.concat(X_pat.shape, ", "), table.concat(y_pat.shape, ", ")))

-- %% [markdown]
-- ## Evaluate on the new test set

-- %%
pat_metrics = model:evaluate(X_pat, y_pat, {verbose = 0})
print(("loss %.4f, accuracy %.4f, top-5 accuracy %.4f"):format(table.unpack(pat_metrics)))

-- %%
pat_pred = analysis.softmax(model:predict(X_pat, {verbose = 0}))
pat_class = analysis.predictions(pat_pred)
wrong = 0
for i, k in ipairs(analysis.labels(y_pat)) do
  if pat_class[i] ~= k then wrong = wrong + 1 end
end
print(wrong, "wrong of", #pat_class)

-- %% [markdown]
-- ## Errors

-- %%
plt.failed_predictions(pat_pred, X_pat, y_pat, class_names, {max = 15})
plt.show()

-- %% [markdown]
-- ## Which is worst...
-- The accuracy of each class, sorted as pandas' `sort_values("Accuracy")` sorts it.

-- %%
class_accuracies = analysis.per_class_accuracy(y_pat, pat_pred, class_names)
print(class_accuracies:sort("Accuracy"))

-- %% [markdown]
-- ## Least (AI-) legible characters
-- The lecture draws the classes read right less than half of the time. Unlike its author's bad
-- handwriting, the font-drawn characters are read better than the test set's new writers, so
-- here the line is drawn at 0.75.

-- %%
threshold = 0.75                                  -- the lecture: 0.5
fails = class_accuracies:filter(function(row) return row.Accuracy < threshold end)
print(#fails, "classes below " .. threshold)
plt.class_accuracy(pat_pred, X_pat, y_pat, class_names, {threshold = threshold})
plt.show()

-- %% [markdown]
-- ## Which characters does it mistake for which?
-- Beyond the lecture: the confusion matrix of the test set (row = true class, column =
-- predicted, sklearn's orientation) and the pairs it confuses most.

-- %%
plt.confusion_matrix(y_test, y_pred, class_names)
plt.show()

-- %%
print(analysis.most_confused(y_test, y_pred, class_names):head(10))

-- %%
print(analysis.classification_report(y_test, y_pred, class_names))
