local cv = require "cvision"
local A = require "cvision.analysis"

-- 4 samples, 3 classes; rows are probabilities
local probs = cv.tensor{
  {0.7, 0.2, 0.1},   -- predicts 1, true 1: right
  {0.1, 0.6, 0.3},   -- predicts 2, true 3: wrong
  {0.2, 0.3, 0.5},   -- predicts 3, true 3: right
  {0.8, 0.1, 0.1},   -- predicts 1, true 2: wrong
}
local y = cv.tensor{1, 3, 3, 2}
local names = {"东", "人", "大"}

describe("analysis.softmax", function()
  it("turns logits into rows that sum to one, stable for large values", function()
    local p = A.softmax(cv.tensor{{0, 0}, {1000, 1000 + math.log(3)}})
    assert.near(0.5, p:at(1, 1), 1e-6)
    assert.near(0.25, p:at(2, 1), 1e-5)
    assert.near(0.75, p:at(2, 2), 1e-5)
  end)
  it("rejects a 1-D input naming the expected shape", function()
    assert.has_error(function() A.softmax(cv.tensor{1, 2}) end,
      "softmax: expected predictions of shape (N, classes), got (2)")
  end)
end)

describe("analysis.probabilities", function()
  it("leaves probabilities alone and applies softmax to logits", function()
    assert.equal(probs, A.probabilities(probs))
    local p = A.probabilities(cv.tensor{{2, 0}})
    assert.near(math.exp(2) / (math.exp(2) + 1), p:at(1, 1), 1e-6)
  end)
end)

describe("analysis.predictions", function()
  it("gives the 1-based argmax and its probability", function()
    local cls, conf = A.predictions(probs)
    assert.same({1, 2, 3, 1}, cls)
    assert.near(0.6, conf[2], 1e-6)
    assert.near(0.8, conf[4], 1e-6)
  end)
end)

describe("analysis.confidence", function()
  it("splits confidences into right and wrong predictions", function()
    local c = A.confidence(probs, y)
    assert.equal(2, #c.right)
    assert.equal(2, #c.wrong)
    assert.near(0.7, c.right[1], 1e-6)
    assert.near(0.5, c.right[2], 1e-6)
    assert.near(0.6, c.wrong[1], 1e-6)
    assert.near(0.8, c.wrong[2], 1e-6)
  end)
  it("names a label outside the classes", function()
    assert.has_error(function() A.confidence(probs, {1, 2, 3, 4}) end,
      "confidence: label 4 at position 4 is not a class number in 1..3")
  end)
  it("names a count mismatch", function()
    assert.has_error(function() A.confidence(probs, {1, 2}) end,
      "confidence: 2 labels for 4 predictions")
  end)
end)

describe("analysis.failed_predictions", function()
  it("lists the wrong rows with true and predicted names", function()
    local f = A.failed_predictions(probs, y, names)
    assert.equal(2, #f)
    assert.same({2, 4}, f:column("Index"))
    assert.same({"大", "人"}, f:column("TrueName"))
    assert.same({"人", "东"}, f:column("PredictedName"))
    assert.near(0.6, f:column("Confidence")[1], 1e-6)
  end)
end)

describe("analysis.confusion_matrix", function()
  it("counts true classes by row and predictions by column", function()
    local cm = A.confusion_matrix(y, probs)
    assert.same({{1, 0, 0}, {1, 0, 0}, {0, 1, 1}}, cm:totable())
  end)
  it("accepts class numbers and a class count", function()
    local cm = A.confusion_matrix({1, 2}, {2, 2}, 4)
    assert.same({4, 4}, cm.shape)
    assert.equal(1, cm:at(1, 2))
    assert.equal(1, cm:at(2, 2))
    assert.equal(2, cm:sum())
  end)
  it("refuses classes beyond num_classes", function()
    assert.has_error(function() A.confusion_matrix({1, 5}, {1, 1}, 3) end)
  end)
end)

describe("analysis.per_class_accuracy", function()
  it("gives each class's accuracy in class order", function()
    local acc = A.per_class_accuracy(y, probs, names)
    assert.same({"东", "人", "大"}, acc:column("Class"))
    assert.same({1, 0, 0.5}, acc:column("Accuracy"))
    assert.same({1, 1, 2}, acc:column("Count"))
  end)
  it("sorts by accuracy like pandas' sort_values, keeping row labels", function()
    local acc = A.per_class_accuracy(y, probs, names):sort("Accuracy")
    assert.same({"人", "大", "东"}, acc:column("Class"))
    assert.same({2, 3, 1}, acc.index)
    local desc = A.per_class_accuracy(y, probs, names):sort("Accuracy", false)
    assert.same({"东", "大", "人"}, desc:column("Class"))
  end)
  it("prints like a DataFrame", function()
    local s = tostring(A.per_class_accuracy(y, probs, names):sort("Accuracy"))
    assert.equal(table.concat({
      "   Class  Accuracy  Count",
      "2      人  0.000000      1",
      "3      大  0.500000      2",
      "1      东  1.000000      1"}, "\n"), s)
  end)
  it("filters rows", function()
    local low = A.per_class_accuracy(y, probs, names):filter(function(r) return r.Accuracy < 0.6 end)
    assert.same({"人", "大"}, low:column("Class"))
  end)
  it("requires class names", function()
    assert.has_error(function() A.per_class_accuracy(y, probs) end,
      "per_class_accuracy: class_names (a list of names) is required")
  end)
end)

describe("analysis.classification_report", function()
  it("computes precision, recall, F1 and support per class and the averages", function()
    -- class 1: predicted twice (rows 1, 4), right once -> precision 0.5, recall 1/1
    -- class 2: predicted once (row 2), never right -> 0, recall 0/1
    -- class 3: predicted once (row 3), right -> precision 1, recall 1/2
    local r = A.classification_report(y, probs, names)
    assert.same({0.5, 0, 1}, {r:column("precision")[1], r:column("precision")[2], r:column("precision")[3]})
    assert.same({1, 0, 0.5}, {r:column("recall")[1], r:column("recall")[2], r:column("recall")[3]})
    assert.near(2 / 3, r:column("f1-score")[1], 1e-12)
    assert.near(2 / 3, r:column("f1-score")[3], 1e-12)
    assert.equal(0.5, r.accuracy)
    assert.equal("macro avg", r:column("Class")[5])
    assert.near(0.5, r:column("precision")[5], 1e-12)
    -- weighted: supports 1, 1, 2 of 4
    assert.near(0.25 * 0.5 + 0.5 * 1, r:column("precision")[6], 1e-12)
    assert.matches("weighted avg", tostring(r))
    -- sklearn's layout: the accuracy row shows only the f1-score column and the support
    assert.matches("\n +accuracy +0%.50 +4\n", tostring(r))
  end)
end)

describe("analysis.top_k_accuracy", function()
  it("counts a row as right when its label is among the k best", function()
    assert.equal(0.5, A.top_k_accuracy(probs, y, 1))
    -- top-2: row 2 (0.6, 0.3 -> classes 2, 3) holds 3; row 4 (0.8, 0.1, 0.1) holds class 2? tie
    assert.equal(1, A.top_k_accuracy(probs, y, 3))
  end)
  it("rejects a non-positive k", function()
    assert.has_error(function() A.top_k_accuracy(probs, y, 0) end,
      "top_k_accuracy: k must be a positive integer")
  end)
end)

describe("analysis.accuracy", function()
  it("compares class numbers or scores with the labels", function()
    assert.equal(0.5, A.accuracy(y, probs))
    assert.equal(0.75, A.accuracy({1, 2, 3, 3}, {1, 2, 3, 1}))
  end)
end)

describe("analysis.DataFrame", function()
  it("checks that columns have equal lengths", function()
    assert.has_error(function() A.DataFrame({a = {1, 2}, b = {1}}, {"a", "b"}) end,
      "DataFrame: column 'b' has 1 rows, expected 2")
  end)
  it("heads, rows and elides long frames", function()
    local xs = {}
    for i = 1, 100 do xs[i] = i end
    local df = A.DataFrame({x = xs}, {"x"})
    assert.equal(5, #df:head())
    assert.same({x = 7}, df:row(7))
    local s = tostring(df)
    assert.matches("%.%.%.", s)
    assert.matches("%[100 rows x 1 columns%]", s)
  end)
  it("puts NaN last when sorting", function()
    local df = A.DataFrame({v = {0 / 0, 2, 1}}, {"v"}):sort("v")
    assert.same({3, 2, 1}, df.index)
  end)
end)

describe("analysis.labels", function()
  it("turns a tensor or a table of class numbers into integers", function()
    assert.same({1, 3, 2}, A.labels(cv.tensor{1, 3, 2}))
    assert.equal("integer", math.type(A.labels({2.0})[1]))
  end)
  it("names a label that is not a 1-based class number", function()
    assert.has_error(function() A.labels({1, 0}) end,
      "labels: label 0 at position 2 is not a class number in 1..K")
    assert.has_error(function() A.labels({1.5}, "plot") end,
      "plot: label 1.5 at position 1 is not a class number in 1..K")
  end)
end)

describe("analysis.most_confused", function()
  it("lists the mistaken pairs, most frequent first, ties in class order", function()
    local df = A.most_confused({1, 1, 2, 2, 3, 3, 3}, {2, 2, 1, 2, 1, 1, 3}, {"a", "b", "c"})
    assert.are.same({"a", "c", "b"}, df:column("Actual"))
    assert.are.same({"b", "a", "a"}, df:column("Predicted"))
    assert.are.same({2, 2, 1}, df:column("Count"))
  end)

  it("takes scores, keeps pairs seen at least min_count times, and checks its arguments", function()
    local scores = cv.tensor{{0.1, 0.9}, {0.2, 0.8}, {0.7, 0.3}, {0.6, 0.4}}
    local df = A.most_confused({1, 1, 2, 1}, scores, {"x", "y"}, 2)
    assert.are.same({"x"}, df:column("Actual"))
    assert.are.same({2}, df:column("Count"))
    assert.are.equal(0, #A.most_confused({1, 2}, {1, 2}, {"x", "y"}))
    assert.has_error(function() A.most_confused({1}, {1}) end,
      "most_confused: class_names (a list of names) is required")
    assert.has_error(function() A.most_confused({1}, {1}, {"x"}, 0) end,
      "most_confused: min_count must be a positive integer, got 0")
  end)
end)
