-- examples/plots.lua: the lecture's figures drawn with cv.plot, written to out/figures/ (or the
-- folder given as the first argument) and listed at the end.
-- Run from the repository root: lua5.4 examples/plots.lua [folder]
--
-- It needs no dataset and no trained model: the "handwritten" characters are the 55 lecture
-- characters rendered with the Chinese font at random offsets, sizes and slants, and the training
-- history and predictions are synthetic, shaped like the lecture's CNN run (train accuracy 0.995,
-- validation 0.932; 91 of 385 poorly written characters wrong). The demo (make demo) draws the same
-- figures from its real run with the same calls.
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath

local cv = require "cvision"
local plt = require "cvision.plot"
local core = cv.core

local outdir = arg and arg[1] or "out/figures"
os.execute("mkdir -p '" .. outdir .. "'")
local written = {}
local function save(name, fig)
  local path = outdir .. "/" .. name
  ;(fig or plt.gcf()):savefig(path)
  written[#written + 1] = path
  plt.close("all")
end

math.randomseed(123)
local function randn() return math.sqrt(-2 * math.log(1 - math.random())) * math.cos(2 * math.pi * math.random()) end

local class_names = { "东", "主", "人", "从", "众", "出", "口", "吗", "吠", "哭", "啖", "因", "囡", "国",
  "大", "天", "太", "夫", "女", "妈", "山", "川", "工", "日", "明", "月", "朋", "木", "本", "林", "森", "水",
  "火", "炎", "牛", "犬", "玉", "王", "白", "竹", "羊", "美", "羔", "肉", "肤", "舟", "虎", "虫", "门", "闪",
  "问", "闲", "马", "鱼", "鸟" }
local K = #class_names
local index = {}
for i, c in ipairs(class_names) do index[c] = i end

-- One 80x60 greyscale "photo" of a character: white paper, dark ink, a little shifted and slanted.
local function render_char(ch)
  local c = core.canvas(60, 80, { 0.92 + 0.06 * math.random(), 0.92 + 0.06 * math.random(), 0.9, 1 })
  local size = 40 + 10 * math.random()
  local ink = 0.1 + 0.25 * math.random()
  c:text(ch, 30 + 4 * randn(), 42 + 4 * randn(), size, { ink, ink, ink, 1 }, "center", "center", 8 * randn())
  return c:tensor(1)
end

-- a small "dataset": n images of each listed class
local function make_set(classes, n)
  local imgs, ys = {}, {}
  for _, k in ipairs(classes) do
    for _ = 1, n do
      imgs[#imgs + 1] = render_char(class_names[k]):reshape { 1, 80, 60, 1 }
      ys[#ys + 1] = k
    end
  end
  return cv.concat(imgs, 1):astype("float32"), ys
end

-- 1. plot_mandarin_characters: five 东 and five 人
local X_dong, y_dong = make_set({ index["东"] }, 5)
plt.images(X_dong, y_dong, class_names, { n = 5 })
save("characters_dong.png")
local X_ren, y_ren = make_set({ index["人"] }, 5)
plt.images(X_ren, y_ren, class_names, { n = 5 })
save("characters_ren.png")

-- 2. "Without the colourmap..": the same image in gray and in the default viridis
plt.figure { figsize = { 8, 4 } }
plt.subplot(1, 2, 1); plt.imshow(X_dong, { sample = 1, cmap = "gray" }); plt.title('cmap="gray"')
plt.subplot(1, 2, 2); plt.imshow(X_dong, { sample = 2 }); plt.title("default (viridis)")
save("colourmap.png")

-- 3. images per character: ~600 train / ~140 test, two rare characters
local train_counts, test_counts = {}, {}
for k = 1, K do
  local rare = class_names[k] == "啖" or class_names[k] == "囡"
  train_counts[k] = rare and 240 or math.floor(598 + 3 * randn() + 0.5)
  test_counts[k] = rare and 60 or math.floor(143 + 1.5 * randn() + 0.5)
end
plt.figure()
plt.hist(train_counts, { bins = 30, label = "Train" })
plt.hist(test_counts, { bins = 30, label = "Test" })
plt.legend()
plt.title("Number of images for each character")
plt.xlabel("Images per character"); plt.ylabel("Characters")
save("counts_hist.png")

-- 4. image dimensions: taller than wide, more train than test
local th, tw, sh, sw = {}, {}, {}, {}
for i = 1, 32206 // 8 do th[i] = 88 + 14 * randn(); tw[i] = 72 + 12 * randn() end
for i = 1, 7684 // 8 do sh[i] = 88 + 14 * randn(); sw[i] = 72 + 12 * randn() end
for _, density in ipairs({ false, true }) do
  plt.figure()
  plt.hist(th, { bins = 30, alpha = 0.5, label = "Train Heights", density = density })
  plt.hist(tw, { bins = 30, alpha = 0.5, label = "Train Widths", density = density })
  plt.hist(sh, { bins = 30, alpha = 0.5, label = "Test Heights", density = density })
  plt.hist(sw, { bins = 30, alpha = 0.5, label = "Test Widths", density = density })
  plt.legend()
  plt.title("Image heights and widths")
  plt.xlabel("Pixels"); plt.ylabel(density and "Density" or "Images")
  save(density and "dimensions_density.png" or "dimensions_hist.png")
end

-- 5. the CNN as a diagram (the real cvision model when the layers are there)
local ok, model = pcall(function()
  local L = cv.layers
  local m = cv.Sequential {
    cv.Input { 80, 60, 1 }, L.Rescaling(1 / 255),
    L.Conv2D(16, 3, { padding = "same", activation = "relu" }), L.MaxPooling2D(),
    L.Conv2D(32, 3, { padding = "same", activation = "relu" }), L.MaxPooling2D(),
    L.Conv2D(64, 3, { padding = "same", activation = "relu" }), L.MaxPooling2D { pool_size = { 4, 4 } },
    L.Flatten(), L.Dense(64, { activation = "relu" }), L.Dense(K),
  }
  assert(m.layers[1].output_shape)
  return m
end)
if not ok then
  local function l(name, cls, i, o) return { name = name, class_name = cls, input_shape = i, output_shape = o } end
  model = { layers = {
    l("rescaling", "Rescaling", { 80, 60, 1 }, { 80, 60, 1 }), l("conv2d", "Conv2D", { 80, 60, 1 }, { 80, 60, 16 }),
    l("max_pooling2d", "MaxPooling2D", { 80, 60, 16 }, { 40, 30, 16 }),
    l("conv2d_1", "Conv2D", { 40, 30, 16 }, { 40, 30, 32 }),
    l("max_pooling2d_1", "MaxPooling2D", { 40, 30, 32 }, { 20, 15, 32 }),
    l("conv2d_2", "Conv2D", { 20, 15, 32 }, { 20, 15, 64 }),
    l("max_pooling2d_2", "MaxPooling2D", { 20, 15, 64 }, { 5, 3, 64 }),
    l("flatten", "Flatten", { 5, 3, 64 }, { 960 }), l("dense", "Dense", { 960 }, { 64 }),
    l("dense_1", "Dense", { 64 }, { 55 }) } }
end
save("cnn_model.png", plt.model(model, { show_shapes = true }))

-- 6. plot_history: loss and accuracy curves of a run like the lecture's CNN
local hist = { loss = {}, val_loss = {}, accuracy = {}, val_accuracy = {} }
for e = 1, 40 do
  hist.accuracy[e] = 0.995 - 0.9 * math.exp(-e / 4) + 0.002 * randn()
  hist.val_accuracy[e] = 0.932 - 0.85 * math.exp(-e / 4) + 0.006 * randn()
  hist.loss[e] = 4 * math.exp(-e / 4) + 0.02 + 0.01 * math.abs(randn())
  hist.val_loss[e] = 3.8 * math.exp(-e / 4) + 0.22 + 0.006 * e + 0.02 * math.abs(randn())
end
save("cnn_history.png", plt.history(hist))

-- 7. error analysis on 385 "poorly written" characters (7 per class), 91 wrong
local X_pat, y_pat = make_set((function() local t = {} for k = 1, K do t[k] = k end return t end)(), 7)
local confusions = { ["东"] = "炎", ["人"] = "犬", ["口"] = "门", ["吗"] = "妈", ["吠"] = "肤", ["日"] = "月",
  ["大"] = "犬", ["问"] = "闪", ["众"] = "炎", ["木"] = "本", ["王"] = "玉", ["天"] = "夫" }
local worst = { ["日"] = 7, ["大"] = 7, ["吠"] = 6, ["问"] = 6, ["口"] = 5, ["人"] = 4, ["吗"] = 4 }
local probs = {}
local wrong_left = 91
local per_class_wrong = {}
for k = 1, K do per_class_wrong[k] = worst[class_names[k]] or 0; wrong_left = wrong_left - per_class_wrong[k] end
while wrong_left > 0 do
  local k = math.random(K)
  if per_class_wrong[k] < 3 then per_class_wrong[k] = per_class_wrong[k] + 1; wrong_left = wrong_left - 1 end
end
for i = 1, #y_pat do
  local k = y_pat[i]
  local j = (i - 1) % 7 + 1
  local row = {}
  for c = 1, K do row[c] = 0.02 * math.random() end
  local target = k
  if j <= per_class_wrong[k] then
    local conf = confusions[class_names[k]]
    target = conf and index[conf] or (k % K) + 1
  end
  local p = 0.45 + 0.55 * math.random() ^ 0.5
  row[target] = row[target] + 8 * p ^ 4
  local s = 0
  for c = 1, K do s = s + row[c] end
  for c = 1, K do row[c] = row[c] / s end
  probs[i] = row
end
local _, wrong = plt.failed_predictions(probs, X_pat, y_pat, class_names, { max = 20 })
save("failed_predictions.png")
plt.confidence(probs, nil, y_pat)
save("confidence_hist.png")
plt.class_accuracy(probs, nil, y_pat, class_names)
plt.title("Least (AI-) legible characters")
save("class_accuracy.png")
plt.confusion_matrix(y_pat, probs, class_names)
save("confusion_matrix.png")

print(string.format("%d of %d synthetic predictions wrong", #wrong, #y_pat))
print("figures written:")
for _, p in ipairs(written) do print("  " .. p) end
