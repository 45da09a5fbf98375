-- examples/lecture_models.lua: the lecture's two models on the 80x60 greyscale Chinese characters
-- (55 classes): a multinomial logistic regression and a small CNN, with their Keras summaries.
-- Run from the repository root: lua5.4 examples/lecture_models.lua
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath

local cv = require "cvision"
local L = cv.layers

local img_height, img_width, num_classes = 80, 60, 55

cv.clear_session()
cv.manual_seed(123)

-- logistic regression: pretend it is not an image
local logistic = cv.Sequential{
  cv.Input{img_height, img_width, 1}, L.Flatten(), L.Rescaling(1 / 255),
  L.Dense(num_classes, {activation = "softmax"}),
}
logistic:summary()
logistic:compile{optimizer = "adam", loss = cv.losses.SparseCategoricalCrossentropy(),
                 metrics = {"accuracy", cv.metrics.SparseTopKCategoricalAccuracy{k = 5}}}

print()

-- the CNN (architecture after https://www.tensorflow.org/tutorials/images/classification)
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
cnn:compile{optimizer = "adam", loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true},
            metrics = {"accuracy", cv.metrics.SparseTopKCategoricalAccuracy{k = 5}}}

-- the lecture's mistake, with a message that says what to do
local x = cv.zeros{4, img_height, img_width, 1}
local ok, err = pcall(cnn.predict, cnn, x[1])
print()
print(ok and "predict accepted a single sample?" or err)
print(cnn:predict(x:slice(1, 1)).shape[2], "outputs for one sample")
