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

F._shape_str = function(s) return require("cvision.plot.model_figure").shape_str(s) end

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

-- Shrinks the figure to its one square (aspect "equal") axes: tight_layout gives the axes a cell
-- of the figure's shape and the square sits in it with empty bands beside or above it; the figure
-- loses those bands (twice, as the labels' room changes a little with the size).
local function fit_to_square(fig, ax)
  for _ = 1, 2 do
    fig:_layout()
    local W, H = fig.width, fig.height
    local cellw, cellh = ax.rect[3] * W, ax.rect[4] * H
    local bw = (ax.cbar and ax.cbar.box[3] or ax.box[3]) - ax.box[1]
    local bh = ax.box[4] - ax.box[2]
    -- the colour bar takes its share of the cell whatever the square's width: keep its 20 %
    local extra_w = ax.cbar and cellw * 0.8 - (ax.box[3] - ax.box[1]) or cellw - bw
    local extra_h = cellh - bh
    if extra_w < 2 and extra_h < 2 then break end
    fig.width = max(1, floor(W - max(0, extra_w) + 0.5))
    fig.height = max(1, floor(H - max(0, extra_h) + 0.5))
    fig.figsize = { fig.width / fig.dpi, fig.height / fig.dpi }
    fig:tight_layout()
  end
  -- the colour bar's fifth of the cell is wider than the bar and its labels: the figure ends
  -- where they do (the layout is kept as it is, so it is not redone at render)
  fig:_layout()
  local _, r = ax:_decor()
  local pad = 1.08 * fig.dpi * 10 / 72
  local cut = fig.width - (ax.box[3] + r) - pad
  if cut > 1 then
    local p, W = fig.subplotpars, fig.width
    local left_px, right_px = p.left * W, p.right * W
    fig.width = max(1, floor(W - cut + 0.5))
    fig.figsize = { fig.width / fig.dpi, fig.height / fig.dpi }
    p.left, p.right = left_px / fig.width, right_px / fig.width
    fig.tight = nil
    fig:subplots_adjust {}
  end
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
  fit_to_square(fig, ax)
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
-- axis (the lecture's "least (AI-) legible characters"); when none is below, the axes say so and
-- name the weakest class. acc[k] is class k's accuracy.
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
  local threshold = opts.threshold or 0.5
  local pct = string.format("%g%%", threshold * 100)
  ax:set_ylim(0, 1)
  ax:set_ylabel("Accuracy")
  ax:set_xlabel("Class")
  if #rows > 0 then
    ax:bar(names, vals, { label = "Accuracy" })
    ax:set_xticks(nil, nil, { rotation = 0, fontsize = opts.fontsize or 12 })
    ax:set_title(string.format("Classes below %s accuracy, worst first (%d of %d)", pct, #rows, probs.shape[2]))
    ax:legend()
  else
    -- nothing to draw: say so, and name the weakest class, rather than show a blank axes
    local worst
    for k, a in pairs(acc) do if not worst or a < acc[worst] or (a == acc[worst] and k < worst) then worst = k end end
    ax:set_title(string.format("Classes below %s accuracy", pct))
    ax:set_xticks({})
    local msg = string.format("No class is below %s accuracy", pct)
    if worst then
      msg = msg .. string.format("\n(the lowest: %s at %.0f%%)", class_name(class_names, worst), acc[worst] * 100)
    end
    ax:text(0.5, 0.5, msg, { transform = "axes", ha = "center", va = "center", fontsize = 14 })
  end
  return finish(fig, opts), acc
end

--- model(model [, {show_shapes = true, path, dpi = 100}]) --> Figure (cvision.plot.model_figure):
-- the layers as boxes joined by arrows, skip connections included
function F.model(...) return require("cvision.plot.model_figure").model(...) end

--- tuner_results(tuner [, {figsize, dpi, cols = 3, path}]) --> Figure (cvision.plot.tuner_results)
function F.tuner_results(...) return require("cvision.plot.tuner_results").tuner_results(...) end

return F
