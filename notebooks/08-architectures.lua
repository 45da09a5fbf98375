-- notebooks/08-architectures.lua: the lecture's "Benchmark Problems" section as a notebook
-- (tools/notebooks.py builds 08-architectures.ipynb from it). Its names are globals, which is what
-- the cvision kernel makes of a cell's top-level locals: so each cell also works pasted alone into
-- the REPL.
-- luacheck: allow defined top

-- %% [markdown]
-- # Computer Vision, part 8: benchmark problems and architectures
--
-- The lecture's "Benchmark Problems" section in cvision: the architectures that won (or nearly
-- won) the benchmarks, built layer for layer by `cv.applications` (Keras' `keras.applications`,
-- plus the lecture's LeNet-5 and AlexNet), with their summaries and parameter counts, and the two
-- ideas behind the later ones, the Inception module and the residual connection, built with the
-- functional API and drawn. Nothing is trained here: the weights are random (nothing is
-- downloaded), which is all a summary needs.
--
-- Open `08-architectures.ipynb` with the cvision kernel, run this file whole
-- (`bin/cvision notebooks/08-architectures.lua`), or paste its cells into the REPL one by one.

-- %%
cv = require "cvision"
plt = cv.plot
L = cv.layers
A = cv.applications
-- a parameter count as Keras prints it: 61,706
function commas(n)
  local s = tostring(math.tointeger(n) or n)
  repeat
    local k
    s, k = s:gsub("^(-?%d+)(%d%d%d)", "%1,%2")
  until k == 0
  return s
end

-- %% [markdown]
-- ## Benchmarks
-- Teachable Machine's image models are trained by transfer learning: a pretrained MobileNet
-- whose last layer becomes your classes. Such networks are compared on benchmark data sets:
--
-- - CIFAR-10 / CIFAR-100 (Canadian Institute for Advanced Research): 60,000 32x32 colour images
--   in 10 classes, or in 100 classes.
-- - ImageNet and its Large Scale Visual Recognition Challenge (ILSVRC), originally 1,000 synsets;
--   in 2021, 14,197,122 labelled images from 21,841 synsets.
--
-- Keras applications (here `cv.applications`) are the downloadable models.
--
-- ## LeNet-5 (1998)
--
-- | Layer | Type | Channels | Size | Kernel size | Stride | Activation |
-- |---|---|---|---|---|---|---|
-- | In | Input | 1 | 32x32 | - | - | - |
-- | C1 | Convolution | 6 | 28x28 | 5x5 | 1 | tanh |
-- | S2 | Avg pooling | 6 | 14x14 | 2x2 | 2 | tanh |
-- | C3 | Convolution | 16 | 10x10 | 5x5 | 1 | tanh |
-- | S4 | Avg pooling | 16 | 5x5 | 2x2 | 2 | tanh |
-- | C5 | Convolution | 120 | 1x1 | 5x5 | 1 | tanh |
-- | F6 | Fully connected | - | 84 | - | - | tanh |
-- | Out | Fully connected | - | 10 | - | - | RBF |
--
-- MNIST images are 28x28 pixels; with zero-padding (for a 5x5 kernel) that becomes 32x32.
-- (Source: Géron (2018), *Hands-On Machine Learning*, 2nd ed., ch. 14.) cvision's `LeNet5` puts a
-- softmax where the RBF output was.

-- %%
lenet = A.LeNet5()
lenet:summary()

-- %% [markdown]
-- ## AlexNet (2012)
--
-- | Layer | Type | Channels | Size | Kernel | Stride | Padding | Activation |
-- |---|---|---|---|---|---|---|---|
-- | In | Input | 3 | 227x227 | - | - | - | - |
-- | C1 | Convolution | 96 | 55x55 | 11x11 | 4 | valid | ReLU |
-- | S2 | Max pool | 96 | 27x27 | 3x3 | 2 | valid | - |
-- | C3 | Convolution | 256 | 27x27 | 5x5 | 1 | same | ReLU |
-- | S4 | Max pool | 256 | 13x13 | 3x3 | 2 | valid | - |
-- | C5 | Convolution | 384 | 13x13 | 3x3 | 1 | same | ReLU |
-- | C6 | Convolution | 384 | 13x13 | 3x3 | 1 | same | ReLU |
-- | C7 | Convolution | 256 | 13x13 | 3x3 | 1 | same | ReLU |
-- | S8 | Max pool | 256 | 6x6 | 3x3 | 2 | valid | - |
-- | F9 | Fully conn. | - | 4,096 | - | - | - | ReLU |
-- | F10 | Fully conn. | - | 4,096 | - | - | - | ReLU |
-- | Out | Fully conn. | - | 1,000 | - | - | - | Softmax |
--
-- Winner of the ILSVRC 2012 challenge (top-five error 17%), developed by Alex Krizhevsky, Ilya
-- Sutskever and Geoffrey Hinton. (cvision's `AlexNet` leaves out the dropout and local response
-- normalisation of the original.)

-- %%
alexnet = A.AlexNet()
alexnet:summary()

-- %% [markdown]
-- Almost all of AlexNet's 62 million parameters are in its three dense layers:

-- %%
dense_params = 0
for _, layer in ipairs(alexnet.layers) do
  if layer.name:match("^F") or layer.name == "Out" then dense_params = dense_params + layer:count_params() end
end
total_params = alexnet:count_params()
alexnet = nil                                        -- 250 MB of weights: let them go
collectgarbage()
print(("dense layers: %s of %s parameters (%.0f%%)"):format(commas(dense_params),
  commas(total_params), 100 * dense_params / total_params))

-- %% [markdown]
-- ## Data augmentation
-- AlexNet was also trained on shifted, flipped and recoloured copies of the images. Keras'
-- augmentation layers are cvision's too; they change the images only while training
-- (`training = true`), here on a generated handwritten character.

-- %%
hanzi = require "cvision.datasets.hanzi"
char = hanzi.render(hanzi.classes[15]):float()            -- 大, one simulated writer's
H, W = char.shape[1], char.shape[2]
cv.manual_seed(1)
augment = cv.Sequential{
  cv.Input{H, W, 1},
  L.RandomRotation(0.05, {fill_mode = "constant", fill_value = 255}),
  L.RandomZoom(0.2, {fill_mode = "constant", fill_value = 255}),
  L.RandomTranslation(0.1, 0.1, {fill_mode = "constant", fill_value = 255}),
}
batch = cv.concat({char:reshape{1, H, W, 1}, char:reshape{1, H, W, 1}, char:reshape{1, H, W, 1},
  char:reshape{1, H, W, 1}, char:reshape{1, H, W, 1}, char:reshape{1, H, W, 1}}, 1)
augmented = augment(batch, {training = true})
plt.figure{figsize = {10, 2.2}}
for i = 1, 6 do
  plt.subplot(1, 7, i + 1)
  plt.imshow(augmented[i], {cmap = "gray", vmin = 0, vmax = 255})
  plt.axis("off")
end
plt.subplot(1, 7, 1)
plt.imshow(char, {cmap = "gray", vmin = 0, vmax = 255})
plt.title("original")
plt.axis("off")
plt.show()

-- %% [markdown]
-- ## Inception module (2014)
-- Used in the ILSVRC 2014 winning solution, GoogLeNet (top-5 error below 7%); VGGNet was the
-- runner-up. (Szegedy et al. (2014), *Going deeper with convolutions*.) Four branches look at
-- the same input with different kernel sizes: 1x1, 3x3 and 5x5 convolutions (the last two after
-- a 1x1 convolution that cuts the channels) and a max pooling, and their outputs are stacked
-- along the channels. Built with the functional API: GoogLeNet's module "3a".

-- %%
function inception_module(x, f1, f3_reduce, f3, f5_reduce, f5, pool_proj, name)
  local relu_same = {padding = "same", activation = "relu"}
  local b1 = L.Conv2D(f1, 1, relu_same)(x)
  local b3 = L.Conv2D(f3_reduce, 1, relu_same)(x)
  b3 = L.Conv2D(f3, 3, relu_same)(b3)
  local b5 = L.Conv2D(f5_reduce, 1, relu_same)(x)
  b5 = L.Conv2D(f5, 5, relu_same)(b5)
  local bp = L.MaxPooling2D(3, {strides = 1, padding = "same"})(x)
  bp = L.Conv2D(pool_proj, 1, relu_same)(bp)
  return L.Concatenate{name = name}({b1, b3, b5, bp})
end

inputs = cv.Input{28, 28, 192}
outputs = inception_module(inputs, 64, 96, 128, 16, 32, 32, "inception_3a")
inception = cv.Model{inputs = inputs, outputs = outputs, name = "inception_module"}
inception:summary()

-- %%
plt.model(inception, {show_shapes = true})
plt.show()

-- %% [markdown]
-- ## GoogLeNet / Inception v1 (2014)
-- Nine such modules stacked (Szegedy et al.'s Table 1; without the auxiliary classifiers and the
-- local response normalisation): 22 layers deep, yet 9 times fewer parameters than AlexNet.

-- %%
googlenet = A.GoogLeNet()
n_inception = 0
for _, layer in ipairs(googlenet.layers) do
  if layer.class_name == "Concatenate" or tostring(layer.name):match("concat") then n_inception = n_inception + 1 end
end
print(("GoogLeNet: %s parameters, %d layers, %d inception modules"):format(
  commas(googlenet:count_params()), #googlenet.layers, n_inception))
googlenet = nil

-- %% [markdown]
-- ## VGGNet (2014)
-- The runner-up: only 3x3 convolutions, in 5 blocks, and AlexNet's dense top. VGG16 has 138
-- million parameters; most are again in the dense top, so this builds only the convolutional
-- part (`include_top = false`) and counts the three dense layers by hand.

-- %%
vgg_base = A.VGG16{include_top = false}
conv_params = vgg_base:count_params()
vgg_base = nil
collectgarbage()
-- flatten 7x7x512 -> fc1 4096 -> fc2 4096 -> predictions 1000
top = (7 * 7 * 512 * 4096 + 4096) + (4096 * 4096 + 4096) + (4096 * 1000 + 1000)
print(("VGG16 convolutions: %s parameters"):format(commas(conv_params)))
print(("VGG16 dense top:    %s parameters"):format(commas(top)))
print(("VGG16 in all:       %s (Keras: 138,357,544)"):format(commas(conv_params + top)))

-- %% [markdown]
-- ## Depth is important for image tasks
-- Deeper models aren't just better because they have more parameters (Goodfellow et al. (2016),
-- *Deep Learning*, Figure 6.7: accuracy on the Street View House Numbers against depth). But a
-- deep stack of layers is hard to train: the gradient has to pass through all of them.
--
-- ## Residual connection
-- A residual block adds its input to its output, `y = F(x) + x`: the block only has to learn the
-- difference from the identity, and the gradient flows back through the shortcut unchanged.
-- (Géron (2018), Figure 14-15.) Built functionally with `Add`:

-- %%
function residual_block(x, filters, name)
  local shortcut = x
  local y = L.Conv2D(filters, 3, {padding = "same", name = name .. "_conv1"})(x)
  y = L.BatchNormalization{name = name .. "_bn1"}(y)
  y = L.Activation("relu", {name = name .. "_relu1"})(y)
  y = L.Conv2D(filters, 3, {padding = "same", name = name .. "_conv2"})(y)
  y = L.BatchNormalization{name = name .. "_bn2"}(y)
  y = L.Add{name = name .. "_add"}({shortcut, y})     -- the shortcut
  return L.Activation("relu", {name = name .. "_out"})(y)
end

inputs = cv.Input{56, 56, 64}
outputs = residual_block(inputs, 64, "block1")
resblock = cv.Model{inputs = inputs, outputs = outputs, name = "residual_block"}
resblock:summary()

-- %%
plt.model(resblock, {show_shapes = true})
plt.show()

-- %% [markdown]
-- ## ResNet (2015)
-- ResNet won the ILSVRC 2015 challenge (top-5 error 3.6%), developed by Kaiming He et al.
-- ResNet-50 stacks 16 bottleneck residual blocks (1x1, 3x3, 1x1 convolutions) after a 7x7
-- convolution.

-- %%
resnet = A.ResNet50()
n_add = 0
for _, layer in ipairs(resnet.layers) do
  if layer.class_name == "Add" or tostring(layer.name):match("_add$") then n_add = n_add + 1 end
end
print(("ResNet50: %s parameters, %d layers, %d residual connections"):format(
  commas(resnet:count_params()), #resnet.layers, n_add))
resnet = nil

-- %% [markdown]
-- ## Keras applications
-- The other architectures `cv.applications` builds as Keras does, with Keras' parameter counts
-- (MobileNet is the one Teachable Machine starts from; the next notebook fine-tunes one).

-- %%
print(("%-15s %12s %7s  %s"):format("model", "parameters", "layers", "input"))
for _, name in ipairs{"MobileNet", "MobileNetV2", "EfficientNetB0", "DenseNet121", "Xception",
    "InceptionV3", "ResNet50"} do
  local m = A[name]()
  local shape = m.input_shape or m.inputs[1].shape
  print(("%-15s %12s %7d  %s"):format(name, commas(m:count_params()), #m.layers,
    table.concat(shape, "x")))
  m = nil  -- luacheck: ignore 311 (let the model go before the next one is built)
  collectgarbage()
end
