-- examples/error_analysis.lua: the lecture's error-analysis pass on the CNN that `make demo` trained.
-- Run from the repository root after `make demo` (bin/cvision examples/error_analysis.lua --help):
--   bin/cvision examples/error_analysis.lua [EXTRA_DIR]
--
-- 1. On the test split (data/hanzi/Test): evaluate, list the failed predictions, plot them with
--    Chinese titles ("东 not 炎 (63%)"), histogram the confidence when right and when wrong, print
--    the per-class accuracy table sorted like pandas' sort_values and the classification report.
-- 2. On a folder of extra images with the same class folders (the lecture's 385 "poorly written"
--    characters): EXTRA_DIR, or the "other hands" set beside the data folder (data/other_hands),
--    written when missing by cv.datasets.hanzi_fonts: 7 characters per class drawn by another
--    process than the training set's writers (eight CJK fonts, warped, thickened or thinned,
--    turned, blurred, noised). The same analysis, plus the bar chart of the classes with accuracy
--    below 0.5 and the pairs the model confuses most.
-- Figures go to out/error_analysis/. Environment as the demo: CVISION_DEMO_DATA, CVISION_DEMO_OUT.
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath

local argparse = require "argparse"
local cv = require "cvision"
local analysis = require "cvision.analysis"
local plt = require "cvision.plot"
local hanzi_fonts = require "cvision.datasets.hanzi_fonts"

local data_dir = os.getenv("CVISION_DEMO_DATA") or "data/hanzi"
local model_dir = os.getenv("CVISION_DEMO_OUT") or "out/demo"
local out_dir = "out/error_analysis"
local parser = argparse("error_analysis.lua", "The lecture's error analysis of the CNN `make demo` trained.")
parser:argument("extra_dir", "Folder of extra images, one folder per class (default: the other-hands set)."):args("?")
local args = parser:parse(arg or {})
local extra_dir = args.extra_dir or (data_dir:match("^(.*)/[^/]*$") or ".") .. "/other_hands"
local img_size = {80, 60}

local function exists(path)
  local f = io.open(path)
  if f then f:close() end
  return f ~= nil
end

local model_path = model_dir .. "/cnn.safetensors"
if not exists(model_path) or not exists(data_dir .. "/Test") then
  io.stderr:write(("error_analysis: %s or %s/Test is missing: run `make demo` first\n"):format(
    model_path, data_dir))
  os.exit(1)
end
cv.data.makedirs(out_dir)

local model = cv.models.load_model(model_path)
local written = {}
local function save(fig, name)
  local path = out_dir .. "/" .. name
  fig:savefig(path)
  plt.close(fig)
  written[#written + 1] = path
end

local function load(dir)
  local ds = cv.data.image_dataset_from_directory(dir, {image_size = img_size, batch_size = 32,
    shuffle = false, color_mode = "grayscale"})
  local X, y = ds:to_tensors()
  return ds, X, y
end

-- the whole pass on one set of images
local function analyse(tag, X, y, class_names)
  print(("\n== %s: %d images"):format(tag, X.shape[1]))
  local metrics = model:evaluate(X, y, {verbose = 0})
  print(("loss %.4f  accuracy %.4f  top-5 accuracy %.4f"):format(metrics[1], metrics[2], metrics[3]))

  local probs = analysis.softmax(model:predict(X))     -- the CNN outputs logits
  local failed = analysis.failed_predictions(probs, y, class_names)
  print(("%d wrong; the first of them:"):format(#failed))
  print(failed:head(10))
  save(plt.failed_predictions(probs, X, y, class_names, {max = 20}), tag .. "_failed_predictions.png")

  local conf = analysis.confidence(probs, y)
  local function mean(t)
    local s = 0
    for _, v in ipairs(t) do s = s + v end
    return #t > 0 and s / #t or 0 / 0
  end
  print(("mean confidence when right %.3f (%d), when wrong %.3f (%d)"):format(mean(conf.right),
    #conf.right, mean(conf.wrong), #conf.wrong))
  save(plt.confidence(probs, X, y), tag .. "_confidence.png")

  local acc = analysis.per_class_accuracy(y, probs, class_names)
  print("\nWhich is worst... (per-class accuracy, sorted)")
  print(acc:sort("Accuracy"):head(8))
  local fails = acc:filter(function(r) return r.Accuracy < 0.5 end)
  print(("%d classes below 0.5 accuracy"):format(#fails))
  print("\nThe pairs it confuses most (actual read as predicted):")
  print(analysis.most_confused(y, probs, class_names):head(10))
  save((plt.class_accuracy(probs, X, y, class_names, {threshold = 0.5})), tag .. "_class_accuracy.png")
  save((plt.confusion_matrix(y, probs, class_names)), tag .. "_confusion_matrix.png")

  local report = analysis.classification_report(y, probs, class_names)
  print(("\nmacro F1 %.3f, weighted F1 %.3f, top-5 accuracy %.3f"):format(
    report:column("f1-score")[#class_names + 2], report:column("f1-score")[#class_names + 3],
    analysis.top_k_accuracy(probs, y, 5)))
  return acc
end

-- 1. the test split
local test_ds, X_test, y_test = load(data_dir .. "/Test")
local class_names = test_ds.class_names
analyse("test", X_test, y_test, class_names)

-- 2. extra images written by another process: the other-hands set (made when missing)
if not args.extra_dir and not hanzi_fonts.exists(extra_dir, class_names) then
  print(("\n== writing 7 font-drawn characters per class into %s"):format(extra_dir))
  hanzi_fonts.generate(extra_dir, {characters = class_names})
end
local extra_ds, X_extra, y_extra = load(extra_dir)
for i, name in ipairs(class_names) do
  if extra_ds.class_names[i] ~= name then
    error(("%s: class folder %d is %s, expected %s (the same classes as the training set)"):format(
      extra_dir, i, tostring(extra_ds.class_names[i]), name))
  end
end
analyse("extra", X_extra, y_extra, class_names)

print("\nfigures written:")
for _, p in ipairs(written) do print("  " .. p) end
