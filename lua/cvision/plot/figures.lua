-- cvision.plot.figures: the lecture's ready-made figures, built on cvision.plot. Each returns the
-- Figure (current afterwards) and writes it when opts.path is given:
--   history(h)                                   loss and accuracy, train vs validation
--   model(model, {show_shapes = true})           the layers as boxes with names, types and shapes
--   images(X, y, class_names, {n = 5})           a row of images titled with their classes
--   failed_predictions(model|probs, X, y, names) wrong predictions titled "东 not 炎 (63%)"
--   confusion_matrix(y_true, y_pred|probs, names)
--   confidence(model|probs, X, y)                histograms of confidence when right vs wrong
--   class_accuracy(model|probs, X, y, names)     the worst classes' accuracy as bars
--   tuner_results(tuner)                         a search's scores by trial and by hyperparameter
-- Labels are 1-based class numbers, as everywhere in cvision. The numbers behind the pictures
-- (predictions, confusion matrix, per-class accuracy, confidence) come from cvision.analysis.
local plot = require "cvision.plot"
local core = require "cvision.core"
local analysis = require "cvision.analysis"
local tensor = require "cvision.tensor"

local F = {}
local tolist = require("cvision.plot.values").tolist
local rounded_rect = require("cvision.plot.paint").rounded_rect
local errors = require "cvision.util.errors"
local max, min, floor, ceil = math.max, math.min, math.floor, math.ceil

-- The options of each ready-made figure; an unknown one is an error with a "did you mean".
local OPTIONS = {
  history = { path = true, figsize = true, dpi = true },
  images = { n = true, cols = true, cmap = true, figsize = true, dpi = true, path = true },
  failed_predictions = { max = true, cols = true, figsize = true, dpi = true, path = true },
  confusion_matrix = { normalize = true, cmap = true, colorbar = true, size = true, figsize = true,
    dpi = true, title = true, path = true },
  confidence = { bins = true, figsize = true, dpi = true, path = true },
  class_accuracy = { threshold = true, fontsize = true, figsize = true, dpi = true, path = true },
  model = { show_shapes = true, dpi = true, path = true },
}
local function check(fname, opts)
  local o = errors.check_options(fname, opts, OPTIONS[fname], 4, "keyword")
  return o
end

local function finish(fig, opts)
  if opts and opts.path then fig:savefig(opts.path) end
  return fig
end

-- Labels as a Lua array of 1-based class numbers (an error names a bad one).
local function labels(y) return analysis.labels(y, "plot") end

local function class_name(names, k)
  return names and names[k] ~= nil and tostring(names[k]) or tostring(k)
end

-- Scores (N, K) from a model (model:predict(X)), a tensor, or a table of rows.
local function scores(model_or_probs, X)
  local probs = model_or_probs
  if type(probs) == "table" and type(probs.predict) == "function" then
    probs = probs:predict(X)
  elseif type(probs) == "table" and type(probs[1]) == "table" then
    probs = tensor.tensor(probs)
  end
  if not core.is_tensor(probs) then
    error("a model (with :predict) or an (N, K) table or tensor of probabilities expected", 3)
  end
  return probs
end

-- The predicted class (1-based) and its probability per row; logits go through softmax.
local function predictions(model_or_probs, X)
  local probs = scores(model_or_probs, X)
  local pred, conf = analysis.predictions(probs)
  return pred, conf, probs.shape[1], probs.shape[2]
end
F._predictions = predictions

local function shape_str(s)
  if s == nil then return "?" end
  if type(s) ~= "table" then return tostring(s) end
  local parts = { "None" }
  for i = 1, #s do parts[#parts + 1] = tostring(s[i]) end
  return "(" .. table.concat(parts, ", ") .. ")"
end
F._shape_str = shape_str

--- history(h [, {path, figsize}]) --> Figure: loss (left) and accuracy (right), train and validation
-- h is a History (h.history) or a table of arrays: loss, val_loss, accuracy, val_accuracy.
function F.history(h, opts)
  opts = check("history", opts)
  if type(h) ~= "table" then error("bad argument #1 to 'history' (History or table expected)", 2) end
  local hist = h.history or h
  local panels = {
    { "Loss", hist.loss, hist.val_loss },
    { "Accuracy", hist.accuracy or hist.acc, hist.val_accuracy or hist.val_acc },
  }
  local present = {}
  for _, p in ipairs(panels) do if p[2] or p[3] then present[#present + 1] = p end end
  if #present == 0 then error("bad argument #1 to 'history' (no loss or accuracy in it)", 2) end
  local fig = plot.figure { figsize = opts.figsize or { 10, 4 }, dpi = opts.dpi }
  for i, p in ipairs(present) do
    local ax = fig:add_subplot(1, #present, i)
    local function curve(v, label)
      if not v then return end
      local ys = tolist(v, "history")
      local xs = {}
      for e = 1, #ys do xs[e] = e end
      ax:plot(xs, ys, { label = label })
    end
    curve(p[2], "Train")
    curve(p[3], "Validation")
    ax:set_title(p[1])
    ax:set_xlabel("Epoch")
    ax:legend()
  end
  fig:tight_layout()
  return finish(fig, opts)
end

--- images(X, y, class_names [, {n = 5, cols, cmap = "gray", figsize, path}]) --> Figure
-- The first n images of X (a tensor (N, H, W[, C]) or an array of images) titled with their class.
function F.images(X, y, class_names, opts)
  opts = check("images", opts)
  local N
  if type(X) == "userdata" then N = core.plot_tensor_info(X)[1] else N = #X end
  local n = min(opts.n or 5, N)
  local cols = opts.cols or min(n, 10)
  local rows = ceil(n / cols)
  local ys = y and labels(y)
  local fig = plot.figure { figsize = opts.figsize or (rows == 1 and { 10, 4 } or { 2 * cols, 2.4 * rows }),
    dpi = opts.dpi }
  for i = 1, n do
    local ax = fig:add_subplot(rows, cols, i)
    if type(X) == "userdata" then
      ax:imshow(X, { cmap = opts.cmap or "gray", sample = i })
    else
      ax:imshow(X[i], { cmap = opts.cmap or "gray" })
    end
    if ys then ax:set_title(class_name(class_names, ys[i])) end
    ax:axis("off")
  end
  return finish(fig, opts)
end

--- failed_predictions(model | probs, X, y, class_names [, {max = 20, cols = 5, path}]) --> Figure,
-- wrong (array of sample indices). Titles read "<true> not <predicted> (<confidence>%)".
function F.failed_predictions(model_or_probs, X, y, class_names, opts)
  opts = check("failed_predictions", opts)
  local pred, conf = predictions(model_or_probs, X)
  local ys = labels(y)
  local wrong = {}
  for i = 1, #ys do if pred[i] ~= ys[i] then wrong[#wrong + 1] = i end end
  local n = min(#wrong, opts.max or 20)
  local cols = opts.cols or 5
  local rows = max(1, ceil(n / cols))
  local fig = plot.figure { figsize = opts.figsize or { 2 * cols, 2.4 * rows }, dpi = opts.dpi }
  for j = 1, n do
    local i = wrong[j]
    local ax = fig:add_subplot(rows, cols, j)
    if type(X) == "userdata" then ax:imshow(X, { cmap = "gray", sample = i })
    else ax:imshow(X[i], { cmap = "gray" }) end
    ax:set_title(string.format("%s not %s (%d%%)", class_name(class_names, ys[i]),
      class_name(class_names, pred[i]), floor(conf[i] * 100 + 0.5)), { fontsize = 11 })
    ax:axis("off")
  end
  if n == 0 then fig:text(0.5, 0.5, "no failed predictions", { ha = "center", va = "center", fontsize = 12 }) end
  fig:tight_layout { pad = 0.5 }
  return finish(fig, opts), wrong
end

--- confusion_matrix(y_true, y_pred | probs, class_names [, {normalize, cmap = "Blues", colorbar, path}])
-- --> Figure, matrix (K x K counts, rows = true classes)
function F.confusion_matrix(y_true, y_pred, class_names, opts)
  opts = check("confusion_matrix", opts)
  local probs = (core.is_tensor(y_pred) and y_pred:dim() == 2 or
                 (type(y_pred) == "table" and type(y_pred[1]) == "table")) and scores(y_pred) or y_pred
  local m = analysis.confusion_matrix(y_true, probs, class_names and #class_names or nil):totable()
  local K = #m
  local shown = m
  if opts.normalize then
    shown = {}
    for a = 1, K do
      local s = 0
      for b = 1, K do s = s + m[a][b] end
      shown[a] = {}
      for b = 1, K do shown[a][b] = s > 0 and m[a][b] / s or 0 end
    end
  end
  local side = opts.size or max(5, min(16, 2 + K * 0.28))
  local fig = plot.figure { figsize = opts.figsize or { side + 1, side }, dpi = opts.dpi }
  local ax = fig:add_subplot(1, 1, 1)
  local vmax = 0
  for a = 1, K do for b = 1, K do vmax = max(vmax, shown[a][b]) end end
  ax:imshow(shown, { cmap = opts.cmap or "Blues", vmin = 0, vmax = vmax > 0 and vmax or 1 })
  local ticks, names = {}, {}
  for k = 1, K do ticks[k] = k - 1; names[k] = class_name(class_names, k) end
  local long = false
  for _, s in ipairs(names) do if (utf8.len(s) or #s) > 2 then long = true end end
  ax:set_xticks(ticks, names, { rotation = (K > 12 and long) and 90 or 0, fontsize = K > 30 and 9 or 10 })
  ax:set_yticks(ticks, names, { fontsize = K > 30 and 9 or 10 })
  if K <= 20 then
    for a = 1, K do
      for b = 1, K do
        local v = shown[a][b]
        local s = opts.normalize and string.format("%.2f", v) or tostring(floor(v + 0.5))
        ax:text(b - 1, a - 1, s, { ha = "center", va = "center", fontsize = K > 10 and 7 or 10,
          color = v > vmax / 2 and "white" or "black" })
      end
    end
  end
  if opts.colorbar ~= false then ax:colorbar() end
  ax:set_xlabel("Predicted label")
  ax:set_ylabel("True label")
  ax:set_title(opts.title or "Confusion matrix")
  fig:tight_layout()
  return finish(fig, opts), m
end

--- confidence(model | probs, X, y [, {bins = 10, path}]) --> Figure: histograms of the predicted
-- class's probability when the prediction is right (left) and wrong (right)
function F.confidence(model_or_probs, X, y, opts)
  opts = check("confidence", opts)
  local c = analysis.confidence(scores(model_or_probs, X), y)
  local right, wrong = c.right, c.wrong
  local fig = plot.figure { figsize = opts.figsize or { 10, 4 }, dpi = opts.dpi }
  local a1 = fig:add_subplot(1, 2, 1)
  a1:hist(right, { bins = opts.bins or 10, color = "C0" })
  a1:set_title(string.format("Confidence when correct (%d)", #right))
  a1:set_xlabel("Probability of the predicted class")
  local a2 = fig:add_subplot(1, 2, 2)
  a2:hist(wrong, { bins = opts.bins or 10, color = "C3" })
  a2:set_title(string.format("Confidence when wrong (%d)", #wrong))
  a2:set_xlabel("Probability of the predicted class")
  fig:tight_layout()
  return finish(fig, opts), right, wrong
end

--- class_accuracy(model | probs, X, y, class_names [, {threshold = 0.5, path}]) --> Figure, acc
-- Bars of the classes whose accuracy is below threshold, worst first, named in Chinese on the x
-- axis (the lecture's "least (AI-) legible characters"). acc[k] is class k's accuracy.
function F.class_accuracy(model_or_probs, X, y, class_names, opts)
  opts = check("class_accuracy", opts)
  local probs = scores(model_or_probs, X)
  local names_ = class_names
  if not names_ then
    names_ = {}
    for k = 1, probs.shape[2] do names_[k] = tostring(k) end
  end
  local df = analysis.per_class_accuracy(y, probs, names_)
  local acc, rows = {}, {}
  for k, a in ipairs(df:column("Accuracy")) do
    if a == a then
      acc[k] = a
      if a < (opts.threshold or 0.5) then rows[#rows + 1] = { k, a } end
    end
  end
  table.sort(rows, function(a, b) if a[2] ~= b[2] then return a[2] < b[2] end return a[1] < b[1] end)
  local names, vals = {}, {}
  for i, r in ipairs(rows) do names[i] = class_name(class_names, r[1]); vals[i] = r[2] end
  -- wide enough that each bar's (Chinese) tick label has room: about 0.28 inch a bar
  local fig = plot.figure { figsize = opts.figsize or { max(6.4, 1.2 + 0.28 * #rows), 4.8 }, dpi = opts.dpi }
  local ax = fig:add_subplot(1, 1, 1)
  if #rows > 0 then
    ax:bar(names, vals, { label = "Accuracy" })
    ax:set_xticks(nil, nil, { rotation = 0, fontsize = opts.fontsize or 12 })
    ax:legend()
  end
  ax:set_xlabel("Class")
  return finish(fig, opts), acc
end

--- model(model [, {show_shapes = true, path, dpi = 100}]) --> Figure: the layers as a column of boxes
-- joined by arrows, each with "name (ClassName)" and, with show_shapes, its input and output shapes
-- as (None, ...). Drawn by the raster, no Graphviz needed.
function F.model(model, opts)
  opts = check("model", opts)
  local layers = model and model.layers
  if type(layers) ~= "table" then error("bad argument #1 to 'model' (model with .layers expected)", 2) end
  local show = opts.show_shapes ~= false
  local dpi = opts.dpi or 100
  local fs = 10 * dpi / 72
  local nodes = {}
  local first = layers[1]
  if first and first.input_shape and first.class_name ~= "InputLayer" then
    nodes[#nodes + 1] = { title = (model.input_name or "input_layer") .. " (InputLayer)",
      input = first.input_shape, output = first.input_shape }
  end
  for _, l in ipairs(layers) do
    nodes[#nodes + 1] = { title = tostring(l.name or "?") .. " (" .. tostring(l.class_name or "?") .. ")",
      input = l.input_shape, output = l.output_shape }
  end
  local pad = 0.8 * fs
  local boxw = 0
  local _, asc, desc = core.plot_text_size("Ag", fs)
  local lh = asc + desc
  for _, nd in ipairs(nodes) do
    nd.tw = core.plot_text_size(nd.title, fs * 1.05)
    boxw = max(boxw, nd.tw + 2 * pad)
    if show then
      nd.ins = shape_str(nd.input)
      nd.outs = shape_str(nd.output)
      local wi = core.plot_text_size("Input shape", fs) + core.plot_text_size(nd.outs, fs)
      local wo = core.plot_text_size("Output shape", fs) + core.plot_text_size(nd.ins, fs)
      boxw = max(boxw, 2 * max(core.plot_text_size(nd.ins, fs), core.plot_text_size(nd.outs, fs),
        core.plot_text_size("Output shape", fs)) + 4 * pad, wi + 3 * pad, wo + 3 * pad)
    end
  end
  local head = lh + pad * 1.2
  local body = show and (2 * lh + pad * 1.5) or 0
  local boxh = head + body
  local gap = 2.2 * fs
  local margin = 1.5 * fs
  local W = boxw + 2 * margin
  local H = #nodes * boxh + (#nodes - 1) * gap + 2 * margin
  local fig = plot.figure { figsize = { W / dpi, H / dpi }, dpi = dpi }
  fig:add_painter(function(cv)
    local black = { 0, 0, 0, 1 }
    for i, nd in ipairs(nodes) do
      local x, y = margin, margin + (i - 1) * (boxh + gap)
      cv:fill_polygon(rounded_rect(x, y, boxw, boxh, 0.4 * fs), { 0.98, 0.98, 0.98, 1 })
      cv:fill_polygon(rounded_rect(x, y, boxw, head + 0.4 * fs, 0.4 * fs), { 0.85, 0.91, 0.97, 1 })
      if show then cv:fill_rect(x + 1, y + head, boxw - 2, 0.4 * fs + 1, { 0.98, 0.98, 0.98, 1 }) end
      local outline = rounded_rect(x, y, boxw, boxh, 0.4 * fs)
      outline[#outline + 1] = outline[1]; outline[#outline + 1] = outline[2]
      cv:stroke(outline, { 0.25, 0.25, 0.25, 1 }, 1.2)
      cv:text(nd.title, x + boxw / 2, y + head / 2, fs * 1.05, black, "center", "center")
      if show then
        local yy = y + head
        cv:stroke({ x, yy, x + boxw, yy }, { 0.25, 0.25, 0.25, 1 }, 1)
        cv:stroke({ x + boxw / 2, yy, x + boxw / 2, y + boxh }, { 0.6, 0.6, 0.6, 1 }, 1)
        local c1, c2 = x + boxw / 4, x + 3 * boxw / 4
        local r1 = yy + pad * 0.5 + lh / 2
        local r2 = r1 + lh + pad * 0.4
        local grey = { 0.35, 0.35, 0.35, 1 }
        cv:text("Input shape", c1, r1, fs * 0.9, grey, "center", "center")
        cv:text("Output shape", c2, r1, fs * 0.9, grey, "center", "center")
        cv:text(nd.ins, c1, r2, fs, black, "center", "center")
        cv:text(nd.outs, c2, r2, fs, black, "center", "center")
      end
      if i < #nodes then
        local ax, ay0, ay1 = x + boxw / 2, y + boxh, y + boxh + gap
        cv:stroke({ ax, ay0 + 2, ax, ay1 - 0.45 * fs }, black, 1.4)
        cv:fill_polygon({ ax - 0.35 * fs, ay1 - 0.6 * fs, ax + 0.35 * fs, ay1 - 0.6 * fs, ax, ay1 - 1 }, black)
      end
    end
  end)
  return finish(fig, opts)
end

--- tuner_results(tuner [, {figsize, dpi, cols = 3, path}]) --> Figure (cvision.plot.tuner_results)
function F.tuner_results(...) return require("cvision.plot.tuner_results").tuner_results(...) end

return F
