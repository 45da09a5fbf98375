-- notebooks/02-convolution.lua: the lecture's Convolutional Layers, Convolutional Layer Options and
-- pooling as a notebook (tools/notebooks.py builds 02-convolution.ipynb from it). Its names are
-- globals, which is what the cvision kernel makes of a cell's top-level locals: so each cell also
-- works pasted alone into the REPL, where the locals of a line end with that line.
-- luacheck: allow defined top

-- %% [markdown]
-- # Computer Vision, part 2: convolution by hand
--
-- The lecture's sections on convolutional layers, their options and pooling, cell by cell: each
-- numeric example computed by hand with Lua loops, then by cvision's `Conv2D`, `MaxPooling2D` and
-- `AveragePooling2D` layers, which must give the same numbers. Open `02-convolution.ipynb` with the
-- cvision kernel, run this file whole (`bin/cvision notebooks/02-convolution.lua`), or paste its
-- cells into the REPL one by one.

-- %%
cv = require "cvision"
plt = cv.plot
L = cv.layers

-- %% [markdown]
-- ## 'Convolution' not 'complicated'
-- Say X1, X2 ~ f_X are i.i.d. and S = X1 + X2. The density of S is
-- f_S(s) = ∫ f_X(x1) f_X(s - x1) dx1: the *convolution* f_S = f_X ⋆ f_X. With two dice the
-- integral is a sum: P(S = s) = Σ_x P(X = x) P(X = s - x).

-- %%
function convolve(f, g)          -- f, g: probabilities of 1, 2, ..., #f and 1, ..., #g
  local h = {}
  for s = 2, #f + #g do
    h[s - 1] = 0
    for x = math.max(1, s - #g), math.min(#f, s - 1) do h[s - 1] = h[s - 1] + f[x] * g[s - x] end
  end
  return h                       -- h[k] is P(S = k + 1)
end
die = {1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6, 1 / 6}
two_dice = convolve(die, die)
for k, p in ipairs(two_dice) do io.write(("P(S=%d) = %d/36  "):format(k + 1, math.floor(p * 36 + 0.5))) end
print()
plt.figure{figsize = {5, 2.5}}
plt.bar({2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, two_dice)
plt.title("the sum of two dice: a die convolved with itself")
plt.show()

-- %% [markdown]
-- ## Image editing with kernels, by hand
-- The lecture's example: a 5x5 binary image and the 3x3 kernel [[1, 0, 1], [0, 1, 0], [1, 0, 1]].
-- The kernel slides over the image; at each place the products of the overlapping numbers are
-- summed. (As in Keras, and as in most deep learning, the kernel is not flipped: strictly this is
-- cross-correlation, but everyone calls it convolution.) `conv2d` below does it with loops, with
-- optional zero padding and strides.

-- %%
image = {
  {1, 1, 1, 0, 0},
  {0, 1, 1, 1, 0},
  {0, 0, 1, 1, 1},
  {0, 0, 1, 1, 0},
  {0, 1, 1, 0, 0}}
kernel = {
  {1, 0, 1},
  {0, 1, 0},
  {1, 0, 1}}

function conv2d(x, k, opts)      -- x, k: tables of rows; opts.pad: zeros around x, opts.stride
  opts = opts or {}
  local pad, sy, sx = opts.pad or 0, opts.stride or 1, opts.stride or 1
  if type(opts.stride) == "table" then sy, sx = opts.stride[1], opts.stride[2] end
  local H, W, KH, KW = #x, #x[1], #k, #k[1]
  local function at(i, j)        -- x with its border of zeros
    if i < 1 or i > H or j < 1 or j > W then return 0 end
    return x[i][j]
  end
  local out = {}
  for oi = 1, (H + 2 * pad - KH) // sy + 1 do
    out[oi] = {}
    for oj = 1, (W + 2 * pad - KW) // sx + 1 do
      local top, left, s = (oi - 1) * sy - pad, (oj - 1) * sx - pad, 0
      for a = 1, KH do
        for b = 1, KW do s = s + at(top + a, left + b) * k[a][b] end
      end
      out[oi][oj] = s
    end
  end
  return out
end

feature = conv2d(image, kernel)
cv.tensor(feature)

-- %% [markdown]
-- The top-left 4 of the lecture's "Convolved Feature": 1·1 + 1·0 + 1·1 + 0·0 + 1·1 + 1·0 + 0·1 +
-- 0·0 + 1·1. Now the same with a `Conv2D` layer: one filter, a 3x3 kernel, no bias. A layer takes
-- a batch of images, NHWC: (batch, height, width, channels), and its kernel has the shape
-- (height, width, input channels, filters).

-- %%
x = cv.tensor(image):reshape{1, 5, 5, 1}
layer = L.Conv2D(1, 3, {use_bias = false})
layer:build({5, 5, 1})
layer:set_weights{cv.tensor(kernel):reshape{3, 3, 1, 1}}
y = layer(x)
print(("Conv2D output shape (%s)"):format(table.concat(y.shape, ", ")))
print("largest difference from the loops:", (y:reshape{3, 3} - cv.tensor(feature)):abs():max())
y:reshape{3, 3}

-- %% [markdown]
-- ## Padding
-- What happens when the filter goes off the edge of the input? Scanning only where the filter fits
-- shrinks the output (5x5 to 3x3 above) and loses information at the borders, especially after
-- many filters. So we add a border of extra elements around the input, **padding**; normally zeros,
-- **zero padding**. One row and column of zeros on each side keeps a 3x3 filter's output 5x5: that
-- is Keras' `padding="same"`.

-- %%
padded = conv2d(image, kernel, {pad = 1})
same = L.Conv2D(1, 3, {padding = "same", use_bias = false})
same:build({5, 5, 1})
same:set_weights{cv.tensor(kernel):reshape{3, 3, 1, 1}}
y_same = same(x):reshape{5, 5}
print("largest difference from the loops:", (y_same - cv.tensor(padded)):abs():max())
print(y_same)

-- %% [markdown]
-- ## Striding
-- We don't have to go one pixel across or down at a time. The lecture's example uses a stride of
-- three horizontally and two vertically; the output is smaller than the input. On a 7x7 input with
-- a 3x3 filter, strides (2, 3) leave 3x2 outputs.

-- %%
big = {}
for i = 1, 7 do
  big[i] = {}
  for j = 1, 7 do big[i][j] = (i + 2 * j) % 3 end
end
strided = conv2d(big, kernel, {stride = {2, 3}})
print("by hand:")
print(cv.tensor(strided))
striding = L.Conv2D(1, 3, {strides = {2, 3}, use_bias = false})
striding:build({7, 7, 1})
striding:set_weights{cv.tensor(kernel):reshape{3, 3, 1, 1}}
y_strided = striding(cv.tensor(big):reshape{1, 7, 7, 1})
print(("Conv2D with strides (2, 3): shape (%s)"):format(table.concat(y_strided.shape, ", ")))
print("largest difference from the loops:", (y_strided:reshape{3, 2} - cv.tensor(strided)):abs():max())

-- %% [markdown]
-- With a 3x3 filter and stride 3 in both directions, no input element is used twice (the lecture's
-- "choosing strides"): a 6x6 input gives 2x2.

-- %%
six = {}
for i = 1, 6 do
  six[i] = {}
  for j = 1, 6 do six[i][j] = i + j end
end
cv.tensor(conv2d(six, kernel, {stride = 3}))

-- %% [markdown]
-- ## Multidimensional convolution
-- The number of channels in the input must equal the number of channels in the filter: a 3x3
-- filter over an RGB input has 3x3x3 = 27 weights. Each channel is multiplied separately, and the
-- three results are added together.

-- %%
rgb, filter = {}, {}
for c = 1, 3 do
  rgb[c], filter[c] = {}, {}
  for i = 1, 5 do
    rgb[c][i] = {}
    for j = 1, 5 do rgb[c][i][j] = (i * j + c) % 4 end
  end
  for i = 1, 3 do
    filter[c][i] = {}
    for j = 1, 3 do filter[c][i][j] = (i + j + c) % 3 - 1 end
  end
end
per_channel = {}
total = cv.zeros{3, 3}
for c = 1, 3 do
  per_channel[c] = conv2d(rgb[c], filter[c])
  total = total + cv.tensor(per_channel[c])
  print(("channel %d:"):format(c), cv.tensor(per_channel[c]))
end
print("sum of the three:", total)

-- %% [markdown]
-- The same with `Conv2D`: the input is (1, 5, 5, 3) and the kernel (3, 3, 3, 1), both NHWC, so the
-- channel is the last index.

-- %%
x_rgb = cv.zeros{1, 5, 5, 3}
w_rgb = cv.zeros{3, 3, 3, 1}
for c = 1, 3 do
  for i = 1, 5 do
    for j = 1, 5 do x_rgb:set(1, i, j, c, rgb[c][i][j]) end
  end
  for i = 1, 3 do
    for j = 1, 3 do w_rgb:set(i, j, c, 1, filter[c][i][j]) end
  end
end
multi = L.Conv2D(1, 3, {use_bias = false})
multi:build({5, 5, 3})
multi:set_weights{w_rgb}
print("weights in the filter:", multi:count_params())
print("largest difference from the loops:", (multi(x_rgb):reshape{3, 3} - total):abs():max())

-- %% [markdown]
-- ## Convolution layer
-- Multiple filters are bundled together in one layer, applied simultaneously and independently to
-- the input; the number of channels in the output is the number of filters. The lecture's example:
-- a 6-channel input and four 3x3 filters give a 4-channel output. Each filter has 3x3x6 weights
-- (and a bias).

-- %%
four = L.Conv2D(4, 3, {padding = "same"})
four:build({10, 10, 6})
out4 = four(cv.randn{1, 10, 10, 6})
print(("input (1, 10, 10, 6) -> output (%s)"):format(table.concat(out4.shape, ", ")))
print(("kernel (%s), %d weights = 3*3*6*4 + 4 biases"):format(
  table.concat(four:get_weights()[1].shape, ", "), four:count_params()))

-- %% [markdown]
-- ## 1x1 convolution
-- Convolution with 1x1 filters reduces the number of channels (feature reduction): the lecture's
-- example has a 300-channel input and 175 1x1 filters of 300 weights each, giving 175 channels.
-- (Detecting yellow in part 1 was a 1x1 convolution with one filter.)

-- %%
one_by_one = L.Conv2D(175, 1)
one_by_one:build({8, 8, 300})
reduced = one_by_one(cv.randn{1, 8, 8, 300})
print(("input (1, 8, 8, 300) -> output (%s), %d weights = 300*175 + 175 biases"):format(
  table.concat(reduced.shape, ", "), one_by_one:count_params()))

-- %% [markdown]
-- ## Pooling
-- Pooling, or **downsampling**, blurs a tensor: the lecture subdivides a 4x4 input into 2x2 blocks
-- and keeps each block's average (average pooling) or its largest value (max pooling).

-- %%
grid = {
  {3, 2, -3, 2},
  {1, 6, 20, 5},
  {4, -13, 2, 6},
  {-2, 3, 9, 3}}
function pool(x, size, reduce)
  local out = {}
  for bi = 1, #x // size do
    out[bi] = {}
    for bj = 1, #x[1] // size do
      local block = {}
      for i = 1, size do
        for j = 1, size do block[#block + 1] = x[(bi - 1) * size + i][(bj - 1) * size + j] end
      end
      out[bi][bj] = reduce(block)
    end
  end
  return out
end
function average(t) local s = 0 for _, v in ipairs(t) do s = s + v end return s / #t end
function largest(t) return math.max(table.unpack(t)) end
print("average:", cv.tensor(pool(grid, 2, average)))
print("max:", cv.tensor(pool(grid, 2, largest)))

-- %% [markdown]
-- And with the layers (pool size 2, strides the pool size, as in Keras):

-- %%
g = cv.tensor(grid):reshape{1, 4, 4, 1}
avg_layer, max_layer = L.AveragePooling2D(2), L.MaxPooling2D(2)
print("AveragePooling2D:", avg_layer(g):reshape{2, 2})
print("MaxPooling2D:", max_layer(g):reshape{2, 2})
print("largest differences:", (avg_layer(g):reshape{2, 2} - cv.tensor(pool(grid, 2, average))):abs():max(),
  (max_layer(g):reshape{2, 2} - cv.tensor(pool(grid, 2, largest))):abs():max())

-- %% [markdown]
-- ## Pooling for multiple channels
-- The lecture's example: a 6x6 input with 1 channel and zero padding, a convolution layer of three
-- 3x3 filters (output 6x6 with 3 channels), then max pooling applied to each channel (output 3x3,
-- 3 channels). Here the three filters find vertical edges, horizontal edges and blur.

-- %%
cross = cv.zeros{1, 6, 6, 1}
for i = 1, 6 do
  cross:set(1, i, 3, 1, 1)
  cross:set(1, 4, i, 1, 1)
end
model = cv.Sequential{
  cv.Input{6, 6, 1},
  L.Conv2D(3, 3, {padding = "same", use_bias = false, name = "three_filters"}),
  L.MaxPooling2D{name = "max_pool"},
}
filters = cv.zeros{3, 3, 1, 3}
for i = 1, 3 do
  for j = 1, 3 do
    filters:set(i, j, 1, 1, ({-1, 0, 1})[j])     -- vertical edges
    filters:set(i, j, 1, 2, ({-1, 0, 1})[i])     -- horizontal edges
    filters:set(i, j, 1, 3, 1 / 9)               -- blur
  end
end
model.layers[1]:set_weights{filters}
model:summary()

-- %%
maps = model.layers[1](cross)
pooled = model(cross)
print(("conv output (%s), pooled (%s)"):format(table.concat(maps.shape, ", "), table.concat(pooled.shape, ", ")))
function channel(t, c)               -- channel c of a (1, H, W, C) tensor, as (H, W)
  local H, W, C = t.shape[2], t.shape[3], t.shape[4]
  local parts = {}
  for k = 1, C do parts[k] = cv.zeros{1, H, W, 1} end
  return cv.split(t, 4, parts)[c]:reshape{H, W}
end
plt.figure{figsize = {9, 4.5}}
plt.subplot(2, 4, 1)
plt.imshow(cross[1], {cmap = "gray"})
plt.title("input 6x6")
plt.axis("off")
for c, name in ipairs{"vertical", "horizontal", "blur"} do
  local map = channel(maps, c)
  local scale = {cmap = "gray", vmin = map:min(), vmax = map:max()}   -- the same grays for both
  plt.subplot(2, 4, c + 1)
  plt.imshow(map, scale)
  plt.title(name .. " 6x6")
  plt.axis("off")
  plt.subplot(2, 4, c + 5)
  plt.imshow(channel(pooled, c), scale)
  plt.title("max pooled 3x3")
  plt.axis("off")
end
plt.show()
