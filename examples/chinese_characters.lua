-- examples/chinese_characters.lua: the lecture's "Chinese Character Recognition" part, end to end
-- (`make demo`). Run from the repository root: bin/cvision examples/chinese_characters.lua
--
-- 1. Generates the dataset when data/hanzi is missing: 55 characters handwritten by simulated
--    writers (cv.datasets.hanzi, a CASIA-like stand-in: 32,206 Train and 7,684 Test files, Test
--    written by other writers than Train).
-- 2. Looks at the folders (display_tree, count_images), loads them with
--    image_dataset_from_directory exactly as the lecture does, and splits off validation with
--    train_test_split(test_size=0.2, random_state=123) (the same rows as scikit-learn picks).
-- 3. Trains the lecture's multinomial logistic regression and CNN with EarlyStopping, prints
--    their summaries and train / validation / test loss, accuracy and top-5 accuracy, saves both
--    models, and draws the lecture's figures into out/demo/.
-- 4. Reads "other hands": 7 characters per class drawn by another process than the training set
--    (cv.datasets.hanzi_fonts: eight Debian CJK fonts, warped, thickened or thinned, turned,
--    blurred, noised; written to data/other_hands when missing), as the lecture read the 385
--    characters its author wrote badly, and prints both accuracies next to the lecture's.
--
-- Deviation from the lecture, to run in a few minutes on 2 cores: at most DEMO_EPOCHS epochs
-- (default 12 for the CNN, 20 for the logistic regression) with EarlyStopping(patience=4) instead of
-- 100 epochs with patience 15. Environment: CVISION_DEMO_EPOCHS=n overrides both maxima,
-- CVISION_DEMO_DATA=dir the data folder, CVISION_DEMO_OUT=dir the output folder,
-- CVISION_DEMO_OTHER=dir the other-hands folder (default: other_hands beside the data folder).
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath

local cv = require "cvision"
local hanzi = require "cvision.datasets.hanzi"
local L = cv.layers

local data_dir = os.getenv("CVISION_DEMO_DATA") or "data/hanzi"
local out_dir = os.getenv("CVISION_DEMO_OUT") or "out/demo"
local other_dir = os.getenv("CVISION_DEMO_OTHER") or (data_dir:match("^(.*)/[^/]*$") or ".") .. "/other_hands"
local max_epochs = tonumber(os.getenv("CVISION_DEMO_EPOCHS") or "")
local cnn_epochs, logistic_epochs = max_epochs or 12, max_epochs or 20
local patience = 4

local clock = cv.core.monotonic or os.time
local t_start = clock()
local function section(title) print(("\n== %s"):format(title)) end

-- 1. the data ----------------------------------------------------------------------------------
if not hanzi.exists(data_dir) then
  section("Generating the handwriting dataset (" .. data_dir .. ")")
  hanzi.generate(data_dir)
end
cv.data.makedirs(out_dir)

section("Inspect directory structure")
cv.data.display_tree(data_dir, {max_dirs = 3, max_files = 3})

section("Count number of images for each character")
local train_counts = cv.data.count_images(data_dir .. "/Train", {pattern = "png"})
local test_counts = cv.data.count_images(data_dir .. "/Test", {pattern = "png"})
local parts = {}
for _, c in ipairs(train_counts.classes) do
  parts[#parts + 1] = ("%s %d/%d"):format(c, train_counts.counts[c], test_counts.counts[c] or 0)
end
print("train/test: " .. table.concat(parts, ", "))
print(("%d train and %d test images"):format(train_counts:total(), test_counts:total()))

section("Keras image dataset loading")
local batch_size, img_height, img_width = 32, 80, 60
local img_size = {img_height, img_width}
local train_ds = cv.data.image_dataset_from_directory(data_dir .. "/Train", {
  image_size = img_size, batch_size = batch_size, shuffle = false, color_mode = "grayscale"})
local test_ds = cv.data.image_dataset_from_directory(data_dir .. "/Test", {
  image_size = img_size, batch_size = batch_size, shuffle = false, color_mode = "grayscale"})

local class_names = train_ds.class_names
print("{'" .. table.concat(class_names, "', '") .. "'}")

-- NB: shuffle=false above, so that X and y line up (as in the lecture)
local X_main, y_main = train_ds:to_tensors()
local X_test, y_test = test_ds:to_tensors()
local function shape(t) return "(" .. table.concat(t.shape, ", ") .. ")" end
print(shape(X_main), shape(y_main), shape(X_test), shape(y_test))

local X_train, X_val, y_train, y_val = cv.data.train_test_split(X_main, y_main,
  {test_size = 0.2, random_state = 123})
print(shape(X_train), shape(y_train), shape(X_val), shape(y_val), shape(X_test), shape(y_test))
print(("loading took %.1f s"):format(clock() - t_start))

-- 2. the models --------------------------------------------------------------------------------
local num_classes = #class_names
local results = {}

local function report(name, model)
  local rows = {}
  for _, set in ipairs({{"train", X_train, y_train}, {"validation", X_val, y_val}, {"test", X_test, y_test}}) do
    local r = model:evaluate(set[2], set[3], {verbose = 0})
    rows[#rows + 1] = r
    print(("%-10s loss %.4f  accuracy %.4f  top-5 accuracy %.4f"):format(set[1], r[1], r[2], r[3]))
  end
  results[name] = rows
end

local function train(name, model, epochs, loss)
  local topk = cv.metrics.SparseTopKCategoricalAccuracy{k = 5}
  model:compile{optimizer = "adam", loss = loss, metrics = {"accuracy", topk}}
  local es = cv.callbacks.EarlyStopping{patience = patience, restore_best_weights = true,
    monitor = "val_accuracy", verbose = 2}
  local t0 = clock()
  local hist = model:fit(X_train, y_train, {validation_data = {X_val, y_val}, epochs = epochs,
    callbacks = {es}, verbose = 0})
  local history = hist.history or hist
  print(("%s: %d epochs in %.0f s"):format(name, #(history.loss or {}), clock() - t0))
  return history
end

section("Fitting a (multinomial) logistic regression")
cv.clear_session()
cv.manual_seed(123)
local logistic = cv.Sequential{
  cv.Input{img_height, img_width, 1}, L.Flatten(), L.Rescaling(1 / 255),
  L.Dense(num_classes, {activation = "softmax"}),
}
logistic:summary()
local logistic_history = train("logistic regression", logistic, logistic_epochs,
  cv.losses.SparseCategoricalCrossentropy())
report("logistic", logistic)
logistic:save(out_dir .. "/logistic.safetensors")

section("Fitting a CNN")
cv.manual_seed(123)
local cnn = cv.Sequential{
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
cnn:summary()
local cnn_history = train("CNN", cnn, cnn_epochs, cv.losses.SparseCategoricalCrossentropy{from_logits = true})
report("cnn", cnn)
cnn:save(out_dir .. "/cnn.safetensors")

-- "other hands": characters the training set's writers never wrote, made by another process (the
-- glyphs of eight Debian CJK fonts, warped, thickened or thinned, turned, blurred, noised; 7 per
-- class like the lecture's 385 poorly written ones): how well the CNN reads a different hand
section("Other hands: font-drawn characters (" .. other_dir .. ")")
local hanzi_fonts = require "cvision.datasets.hanzi_fonts"
if not hanzi_fonts.exists(other_dir, class_names) then hanzi_fonts.generate(other_dir, {characters = class_names}) end
local other_ds = cv.data.image_dataset_from_directory(other_dir, {image_size = img_size, batch_size = batch_size,
  shuffle = false, color_mode = "grayscale"})
assert(table.concat(other_ds.class_names, ",") == table.concat(class_names, ","), other_dir .. ": other class folders")
local X_other, y_other = other_ds:to_tensors()
for _, name in ipairs({"logistic", "cnn"}) do
  local model = name == "cnn" and cnn or logistic
  results[name].other = model:evaluate(X_other, y_other, {verbose = 0})
end

section("Summary (lecture, CASIA: logistic test 0.477, CNN test 0.886 and 0.764 on its author's 385)")
for _, name in ipairs({"logistic", "cnn"}) do
  local r = results[name]
  print(("%-9s accuracy train %.3f  validation %.3f  test %.3f   top-5 test %.3f   other hands %.3f"):format(
    name, r[1][2], r[2][2], r[3][2], r[3][3], r.other[2]))
end
print(("CNN: generator test %.3f (lecture 0.886 on CASIA), other hands %.3f (lecture 0.764)"):format(
  results.cnn[3][2], results.cnn.other[2]))

-- 3. the lecture's figures (when cv.plot is there) ---------------------------------------------
local ok_plot, plt = pcall(require, "cvision.plot")
if ok_plot then
  local fig_dir = out_dir .. "/figures"
  cv.data.makedirs(fig_dir)
  local written = {}
  local function save(file, fig)
    local ok, err = pcall(function() (fig or plt.gcf()):savefig(fig_dir .. "/" .. file) end)
    if ok then written[#written + 1] = fig_dir .. "/" .. file else print("figure " .. file .. ": " .. tostring(err)) end
    pcall(plt.close, "all")
  end
  local function try(file, f)
    local ok, err = pcall(f)
    if ok then save(file) else print("figure " .. file .. ": " .. tostring(err)); pcall(plt.close, "all") end
  end
  local function class_rows(X, y, k, n)
    local idx = {}
    local yt = y:totable()
    for i = 1, #yt do if yt[i] == k and #idx < n then idx[#idx + 1] = i end end
    return X:index(idx), y:index(idx)
  end
  try("characters_dong.png", function()
    local Xd, yd = class_rows(X_train, y_train, 1, 5)
    plt.images(Xd, yd, class_names, {n = 5})
  end)
  try("characters_ren.png", function()
    local Xr, yr = class_rows(X_train, y_train, 3, 5)
    plt.images(Xr, yr, class_names, {n = 5})
  end)
  try("counts_hist.png", function()
    local tr, te = {}, {}
    for _, c in ipairs(train_counts.classes) do tr[#tr + 1] = train_counts.counts[c]; te[#te + 1] = test_counts.counts[c] end
    plt.figure()
    plt.hist(tr, {bins = 30, label = "Train"})
    plt.hist(te, {bins = 30, label = "Test"})
    plt.legend()
    plt.title("Number of images for each character")
    plt.xlabel("Images per character"); plt.ylabel("Characters")
  end)
  try("dimensions_hist.png", function()
    local th, tw = cv.data.image_dimensions(data_dir .. "/Train")
    local sh, sw = cv.data.image_dimensions(data_dir .. "/Test")
    plt.figure()
    plt.hist(th, {bins = 30, alpha = 0.5, label = "Train Heights"})
    plt.hist(tw, {bins = 30, alpha = 0.5, label = "Train Widths"})
    plt.hist(sh, {bins = 30, alpha = 0.5, label = "Test Heights"})
    plt.hist(sw, {bins = 30, alpha = 0.5, label = "Test Widths"})
    plt.legend()
    plt.title("Image heights and widths")
    plt.xlabel("Pixels"); plt.ylabel("Images")
  end)
  save("logistic_history.png", plt.history(logistic_history))
  save("cnn_history.png", plt.history(cnn_history))
  try("cnn_model.png", function() plt.model(cnn, {show_shapes = true}) end)
  local ok_pred, probs = pcall(function() return cv.activations.softmax(cnn:predict(X_test, {verbose = 0})) end)
  if not ok_pred then ok_pred, probs = pcall(function() return cnn:predict(X_test, {verbose = 0}) end) end
  if ok_pred then
    try("failed_predictions.png", function() plt.failed_predictions(probs, X_test, y_test, class_names, {max = 20}) end)
    try("confidence_hist.png", function() plt.confidence(probs, nil, y_test) end)
    try("class_accuracy.png", function() plt.class_accuracy(probs, nil, y_test, class_names) end)
    try("confusion_matrix.png", function() plt.confusion_matrix(y_test, probs, class_names) end)
  end
  print(("\n%d figures written to %s"):format(#written, fig_dir))
end

print(("\nmodels saved to %s/logistic.safetensors and %s/cnn.safetensors; total %.0f s"):format(
  out_dir, out_dir, clock() - t_start))
