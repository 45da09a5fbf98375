-- cvision.analysis: what a trained classifier gets wrong (the lecture's error-analysis pass).
-- Inputs are model outputs (N, K) as logits or probabilities and 1-based labels (a tensor or a
-- Lua table). Results are plain Lua values or a small DataFrame that prints like pandas' and sorts.
local core = require "cvision.core"
local tensor = require "cvision.tensor"

local M = {}

---------------------------------------------------------------------------------------------------
-- helpers
---------------------------------------------------------------------------------------------------

-- labels as a Lua array of integers, checked against n (rows) and k (classes) when given
local function label_list(y, who, n, k)
  local t
  if core.is_tensor(y) then
    if y:dim() ~= 1 then
      error(("%s: labels must be 1-D, got shape (%s)"):format(who, table.concat(y.shape, ", ")), 3)
    end
    t = y:totable()
  elseif type(y) == "table" then
    t = y
  else
    error(("%s: labels must be a tensor or a table, got %s"):format(who, type(y)), 3)
  end
  if n and #t ~= n then
    error(("%s: %d labels for %d predictions"):format(who, #t, n), 3)
  end
  local out = {}
  for i, v in ipairs(t) do
    local c = math.tointeger(v)
    if not c or c < 1 or (k and c > k) then
      error(("%s: label %s at position %d is not a class number in 1..%s"):format(who,
        tostring(v), i, k and tostring(k) or "K"), 3)
    end
    out[i] = c
  end
  return out
end

--- labels(y [, who]) --> Lua array of the 1-based class numbers in y (a 1-D tensor or a table);
--- an error names the first value that is not a positive integer
function M.labels(y, who) return label_list(y, who or "labels") end

local function check_scores(p, who)
  if not core.is_tensor(p) or p:dim() ~= 2 then
    error(("%s: expected predictions of shape (N, classes), got %s"):format(who,
      core.is_tensor(p) and ("(" .. table.concat(p.shape, ", ") .. ")") or type(p)), 3)
  end
  return p.shape[1], p.shape[2]
end

-- true when every row of p is already a probability distribution
local function is_probability(p)
  local mn = p:min()
  if mn < 0 then return false end
  local sums = p:sum(2):totable()
  for _, s in ipairs(sums) do
    if math.abs(s - 1) > 1e-3 then return false end
  end
  return true
end

---------------------------------------------------------------------------------------------------
-- probabilities, predictions, confidence
---------------------------------------------------------------------------------------------------

--- softmax(logits) --> probabilities (N, K), row by row, computed stably
function M.softmax(logits)
  check_scores(logits, "softmax")
  local y = tensor.zeros(logits.shape)
  core.nn.activation_forward(y, logits:float(), "softmax", 0)
  return y
end

--- probabilities(scores) --> scores unchanged when each row already sums to 1, else softmax(scores)
function M.probabilities(scores)
  check_scores(scores, "probabilities")
  if is_probability(scores) then return scores end
  return M.softmax(scores)
end

--- predictions(scores) --> classes, confidences: Lua arrays of the 1-based argmax of each row and
--- its probability
function M.predictions(scores)
  local p = M.probabilities(scores)
  local cls = p:argmax(2):totable()
  local conf = p:max(2):totable()
  for i, c in ipairs(cls) do cls[i] = math.tointeger(c) end
  return cls, conf
end

--- confidence(scores, y) --> {right = {...}, wrong = {...}}: the predicted class's probability on
--- the rows the model gets right and on those it gets wrong
function M.confidence(scores, y)
  local n, k = check_scores(scores, "confidence")
  local yt = label_list(y, "confidence", n, k)
  local cls, conf = M.predictions(scores)
  local out = {right = {}, wrong = {}}
  for i = 1, n do
    local bucket = cls[i] == yt[i] and out.right or out.wrong
    bucket[#bucket + 1] = conf[i]
  end
  return out
end

--- failed_predictions(scores, y [, class_names]) --> DataFrame of the misclassified rows:
--- Index (row number), True, Predicted, Confidence (and TrueName, PredictedName with names)
function M.failed_predictions(scores, y, class_names)
  local n, k = check_scores(scores, "failed_predictions")
  local yt = label_list(y, "failed_predictions", n, k)
  local cls, conf = M.predictions(scores)
  local cols = {Index = {}, True = {}, Predicted = {}, Confidence = {}}
  local names = {"Index", "True", "Predicted", "Confidence"}
  if class_names then
    cols.TrueName, cols.PredictedName = {}, {}
    names = {"Index", "True", "TrueName", "Predicted", "PredictedName", "Confidence"}
  end
  for i = 1, n do
    if cls[i] ~= yt[i] then
      local r = #cols.Index + 1
      cols.Index[r], cols.True[r], cols.Predicted[r], cols.Confidence[r] = i, yt[i], cls[i], conf[i]
      if class_names then
        cols.TrueName[r] = class_names[yt[i]] or tostring(yt[i])
        cols.PredictedName[r] = class_names[cls[i]] or tostring(cls[i])
      end
    end
  end
  return M.DataFrame(cols, names)
end

---------------------------------------------------------------------------------------------------
-- per-class figures
---------------------------------------------------------------------------------------------------

-- predicted classes from scores (N, K) or from a list/tensor of class numbers
local function predicted_list(pred, who, n, k)
  if core.is_tensor(pred) and pred:dim() == 2 then
    local pn, pk = check_scores(pred, who)
    if n and pn ~= n then error(("%s: %d predictions for %d labels"):format(who, pn, n), 3) end
    if k and pk ~= k then
      error(("%s: predictions have %d classes, expected %d"):format(who, pk, k), 3)
    end
    return (M.predictions(pred)), pk
  end
  return label_list(pred, who, n, k), k
end

--- confusion_matrix(y_true, y_pred [, num_classes]) --> float32 tensor (K, K): row = true class,
--- column = predicted class (sklearn's orientation). y_pred may be scores (N, K).
function M.confusion_matrix(y_true, y_pred, num_classes)
  local yt = label_list(y_true, "confusion_matrix")
  local yp, k = predicted_list(y_pred, "confusion_matrix", #yt, num_classes)
  k = k or num_classes
  if not k then
    k = 0
    for i = 1, #yt do k = math.max(k, yt[i], yp[i]) end
  end
  for i = 1, #yt do
    if yt[i] > k or yp[i] > k then
      error(("confusion_matrix: class %d at position %d is beyond num_classes %d"):format(
        math.max(yt[i], yp[i]), i, k), 2)
    end
  end
  local counts = {}
  for i = 1, k * k do counts[i] = 0 end
  for i = 1, #yt do
    local c = (yt[i] - 1) * k + yp[i]
    counts[c] = counts[c] + 1
  end
  return tensor.tensor(counts):reshape{k, k}
end

--- per_class_accuracy(y_true, y_pred, class_names) --> DataFrame {Class, Accuracy, Count}, one row
--- per class in class order (Accuracy is nan for a class with no samples). y_pred may be scores.
function M.per_class_accuracy(y_true, y_pred, class_names)
  if type(class_names) ~= "table" then
    error("per_class_accuracy: class_names (a list of names) is required", 2)
  end
  local k = #class_names
  local yt = label_list(y_true, "per_class_accuracy", nil, k)
  local yp = predicted_list(y_pred, "per_class_accuracy", #yt, k)
  local right, count = {}, {}
  for c = 1, k do right[c], count[c] = 0, 0 end
  for i = 1, #yt do
    count[yt[i]] = count[yt[i]] + 1
    if yp[i] == yt[i] then right[yt[i]] = right[yt[i]] + 1 end
  end
  local acc = {}
  for c = 1, k do acc[c] = count[c] > 0 and right[c] / count[c] or 0 / 0 end
  local names = {}
  for c = 1, k do names[c] = class_names[c] end
  return M.DataFrame({Class = names, Accuracy = acc, Count = count}, {"Class", "Accuracy", "Count"})
end

--- most_confused(y_true, y_pred, class_names [, min_count=1]) --> DataFrame {Actual, Predicted,
--- Count}: every (true class, predicted class) pair with a mistake, most frequent first (ties in
--- class order), as fastai's ClassificationInterpretation.most_confused. y_pred may be scores.
function M.most_confused(y_true, y_pred, class_names, min_count)
  if type(class_names) ~= "table" then error("most_confused: class_names (a list of names) is required", 2) end
  min_count = min_count or 1
  if math.type(min_count) ~= "integer" or min_count < 1 then
    error(("most_confused: min_count must be a positive integer, got %s"):format(tostring(min_count)), 2)
  end
  local k = #class_names
  local yt = label_list(y_true, "most_confused", nil, k)
  local yp = predicted_list(y_pred, "most_confused", #yt, k)
  local counts = {}
  for i = 1, #yt do
    if yt[i] ~= yp[i] then
      local key = (yt[i] - 1) * k + yp[i]
      counts[key] = (counts[key] or 0) + 1
    end
  end
  local keys = {}
  for key, n in pairs(counts) do if n >= min_count then keys[#keys + 1] = key end end
  table.sort(keys, function(a, b) if counts[a] ~= counts[b] then return counts[a] > counts[b] end return a < b end)
  local actual, predicted, count = {}, {}, {}
  for i, key in ipairs(keys) do
    actual[i], predicted[i], count[i] = class_names[(key - 1) // k + 1], class_names[(key - 1) % k + 1], counts[key]
  end
  return M.DataFrame({Actual = actual, Predicted = predicted, Count = count}, {"Actual", "Predicted", "Count"})
end

--- classification_report(y_true, y_pred, class_names) --> DataFrame {Class, precision, recall,
--- f1-score, support} with sklearn's definitions (0 where undefined), followed by the rows
--- "accuracy", "macro avg" and "weighted avg"; tostring prints it like sklearn's report.
function M.classification_report(y_true, y_pred, class_names)
  if type(class_names) ~= "table" then
    error("classification_report: class_names (a list of names) is required", 2)
  end
  local k = #class_names
  local yt = label_list(y_true, "classification_report", nil, k)
  local yp = predicted_list(y_pred, "classification_report", #yt, k)
  local tp, npred, support = {}, {}, {}
  for c = 1, k do tp[c], npred[c], support[c] = 0, 0, 0 end
  for i = 1, #yt do
    support[yt[i]] = support[yt[i]] + 1
    npred[yp[i]] = npred[yp[i]] + 1
    if yp[i] == yt[i] then tp[yt[i]] = tp[yt[i]] + 1 end
  end
  local cols = {Class = {}, precision = {}, recall = {}, ["f1-score"] = {}, support = {}}
  local n, correct = #yt, 0
  local macro, weighted = {0, 0, 0}, {0, 0, 0}
  for c = 1, k do
    local p = npred[c] > 0 and tp[c] / npred[c] or 0
    local r = support[c] > 0 and tp[c] / support[c] or 0
    local f = (p + r) > 0 and 2 * p * r / (p + r) or 0
    cols.Class[c], cols.precision[c], cols.recall[c], cols["f1-score"][c], cols.support[c] =
      class_names[c], p, r, f, support[c]
    correct = correct + tp[c]
    macro[1], macro[2], macro[3] = macro[1] + p / k, macro[2] + r / k, macro[3] + f / k
    if n > 0 then
      local w = support[c] / n
      weighted[1], weighted[2], weighted[3] = weighted[1] + p * w, weighted[2] + r * w,
        weighted[3] + f * w
    end
  end
  local function add(name, p, r, f, s)
    local i = #cols.Class + 1
    cols.Class[i], cols.precision[i], cols.recall[i], cols["f1-score"][i], cols.support[i] =
      name, p, r, f, s
  end
  local accuracy = n > 0 and correct / n or 0
  add("accuracy", 0 / 0, 0 / 0, accuracy, n)
  add("macro avg", macro[1], macro[2], macro[3], n)
  add("weighted avg", weighted[1], weighted[2], weighted[3], n)
  local df = M.DataFrame(cols, {"Class", "precision", "recall", "f1-score", "support"})
  df.accuracy = accuracy
  df.float_format = "%.2f"
  df.show_index = false
  df.nan_text = ""      -- sklearn leaves the accuracy row's precision and recall blank
  return df
end

--- top_k_accuracy(scores, y, k) --> fraction of rows whose label is among the k highest scores
function M.top_k_accuracy(scores, y, k)
  local n, nk = check_scores(scores, "top_k_accuracy")
  k = math.tointeger(k or 5)
  if not k or k < 1 then error("top_k_accuracy: k must be a positive integer", 2) end
  local yt = label_list(y, "top_k_accuracy", n, nk)
  if n == 0 then return 0 end
  local labels = tensor.tensor(yt)
  return core.nn.topk_correct(scores:float(), labels, k) / n
end

--- accuracy(y_true, y_pred) --> fraction right; y_pred may be scores (N, K) or class numbers
function M.accuracy(y_true, y_pred)
  local yt = label_list(y_true, "accuracy")
  local yp = predicted_list(y_pred, "accuracy", #yt)
  if #yt == 0 then return 0 end
  local right = 0
  for i = 1, #yt do if yt[i] == yp[i] then right = right + 1 end end
  return right / #yt
end

---------------------------------------------------------------------------------------------------
-- DataFrame: columns of equal length, printed like pandas, sortable
---------------------------------------------------------------------------------------------------

local DataFrame = {}
DataFrame.__index = DataFrame
M.DataFrameClass = DataFrame

--- DataFrame(columns, order [, index]) --> a frame; columns maps names to equal-length arrays,
--- order lists the column names in display order, index labels the rows (default 1..n)
function M.DataFrame(columns, order, index)
  if type(columns) ~= "table" then error("DataFrame: columns must be a table of arrays", 2) end
  if not order then
    order = {}
    for name in pairs(columns) do order[#order + 1] = name end
    table.sort(order)
  end
  local n
  for _, name in ipairs(order) do
    local col = columns[name]
    if type(col) ~= "table" then error(("DataFrame: column '%s' is missing"):format(name), 2) end
    if n and #col ~= n then
      error(("DataFrame: column '%s' has %d rows, expected %d"):format(name, #col, n), 2)
    end
    n = #col
  end
  n = n or 0
  if not index then
    index = {}
    for i = 1, n do index[i] = i end
  end
  return setmetatable({columns = columns, names = order, index = index, n = n,
                       float_format = "%.6f", show_index = true}, DataFrame)
end

function DataFrame.__len(df) return df.n end

--- df:column(name) --> the column's array
function DataFrame:column(name)
  local col = self.columns[name]
  if not col then error(("DataFrame: no column '%s'"):format(tostring(name)), 2) end
  return col
end

--- df:row(i) --> table of the i-th row's values by column name
function DataFrame:row(i)
  local r = {}
  for _, name in ipairs(self.names) do r[name] = self.columns[name][i] end
  return r
end

local function take(df, rows)
  local cols, index = {}, {}
  for _, name in ipairs(df.names) do
    local src, dst = df.columns[name], {}
    for j, i in ipairs(rows) do dst[j] = src[i] end
    cols[name] = dst
  end
  for j, i in ipairs(rows) do index[j] = df.index[i] end
  local out = M.DataFrame(cols, df.names, index)
  out.float_format, out.show_index, out.nan_text = df.float_format, df.show_index, df.nan_text
  return out
end

--- df:sort(column [, ascending=true]) --> a new frame sorted by the column (stable; NaN last)
function DataFrame:sort(column, ascending)
  local col = self:column(column)
  if ascending == nil then ascending = true end
  local rows = {}
  for i = 1, self.n do rows[i] = i end
  table.sort(rows, function(a, b)
    local x, y = col[a], col[b]
    local xnan, ynan = x ~= x, y ~= y
    if xnan or ynan then
      if xnan and ynan then return a < b end
      return ynan
    end
    if x == y then return a < b end
    if ascending then return x < y end
    return x > y
  end)
  return take(self, rows)
end
DataFrame.sort_values = DataFrame.sort

--- df:filter(fn) --> a new frame of the rows for which fn(row) is true
function DataFrame:filter(fn)
  local rows = {}
  for i = 1, self.n do
    if fn(self:row(i)) then rows[#rows + 1] = i end
  end
  return take(self, rows)
end

--- df:head([n=5]) --> the first n rows
function DataFrame:head(n)
  local rows = {}
  for i = 1, math.min(n or 5, self.n) do rows[i] = i end
  return take(self, rows)
end

local function fmt_cell(df, v)
  if type(v) == "number" then
    if v ~= v then return df.nan_text or "NaN" end
    if math.type(v) == "integer" then return tostring(v) end
    return (df.float_format):format(v)
  end
  return tostring(v)
end

-- characters, as pandas counts them for a DataFrame (not terminal cells: its east_asian_width
-- option is off by default)
local function width(s) return utf8.len(s) or #s end

local function pad_left(s, w) return (" "):rep(w - width(s)) .. s end

--- df:to_tensor([names]) --> float32 tensor (rows, #names) of numeric columns (all by default)
function DataFrame:to_tensor(names)
  names = names or self.names
  if type(names) == "string" then names = {names} end
  local cols = {}
  for j, name in ipairs(names) do
    local col = self.columns[name]
    if not col then error(("to_tensor: no column '%s' (columns: %s)"):format(tostring(name), table.concat(self.names, ", ")), 2) end
    if self.n > 0 and type(col[1]) ~= "number" then
      error(("to_tensor: column '%s' is text; encode it first (cv.data.OneHotEncoder)"):format(name), 2)
    end
    cols[j] = col
  end
  local rows = {}
  for i = 1, self.n do
    local r = {}
    for j = 1, #cols do r[j] = cols[j][i] end
    rows[i] = r
  end
  if self.n == 0 then return tensor.zeros({0, #cols}) end
  return tensor.tensor(rows)
end

--- tostring(df): pandas' layout, right-aligned columns, the middle elided past 60 rows
function DataFrame:__tostring()
  local rows = {}
  if self.n > 60 then
    for i = 1, 5 do rows[#rows + 1] = i end
    rows[#rows + 1] = false
    for i = self.n - 4, self.n do rows[#rows + 1] = i end
  else
    for i = 1, self.n do rows[i] = i end
  end
  local cells, widths = {}, {}
  local function measure(c, s) widths[c] = math.max(widths[c] or 0, width(s)) end
  local header = {self.show_index and "" or nil}
  local first = self.show_index and 1 or 0
  for j, name in ipairs(self.names) do
    header[j + first] = name
    measure(j + first, name)
  end
  for r, i in ipairs(rows) do
    local line = {}
    if self.show_index then
      line[1] = i and tostring(self.index[i]) or "..."
      measure(1, line[1])
    end
    for j, name in ipairs(self.names) do
      line[j + first] = i and fmt_cell(self, self.columns[name][i]) or "..."
      measure(j + first, line[j + first])
    end
    cells[r] = line
  end
  local out = {}
  local function emit(line)
    local parts = {}
    for c = 1, #widths do parts[c] = pad_left(line[c] or "", widths[c]) end
    out[#out + 1] = table.concat(parts, "  ")
  end
  emit(header)
  for _, line in ipairs(cells) do emit(line) end
  if self.n > 60 then out[#out + 1] = ("\n[%d rows x %d columns]"):format(self.n, #self.names) end
  return table.concat(out, "\n")
end

return M
