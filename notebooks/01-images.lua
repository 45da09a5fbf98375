-- notebooks/01-images.lua: the lecture's Images section as a notebook (tools/notebooks.py builds
-- 01-images.ipynb from it). Its names are globals, which is what the cvision kernel makes of a
-- cell's top-level locals: so each cell also works pasted alone into the REPL, where the locals of
-- a line end with that line.
-- luacheck: allow defined top

-- %% [markdown]
-- # Computer Vision, part 1: images
--
-- The lecture's first section (Images), cell by cell, in cvision: tensors, photos as rank 3
-- tensors, how the computer and how we see them, why 255 is special, image editing with kernels
-- and detecting yellow. Open `01-images.ipynb` with the cvision kernel, run this file whole
-- (`bin/cvision notebooks/01-images.lua`), or paste its cells into the REPL one by one.

-- %%
cv = require "cvision"
plt = cv.plot
-- the repository's folder (its test images are used below): "." in the repository, ".." in
-- notebooks/, else the source tree cvision was loaded from
root = "."
for _, dir in ipairs{".", "..", (package.searchpath("cvision", package.path) or ""):match("^(.*)/lua/cvision/init%.lua$")} do
  local f = io.open(dir .. "/spec/fixtures/images/rgb16x16.gif", "rb")
  if f then f:close(); root = dir; break end
end

-- %% [markdown]
-- ## Shapes of data
-- A tensor is an N-dimensional array of data: a vector has rank 1, a matrix rank 2, a colour image
-- rank 3, a batch of colour images rank 4.

-- %%
vector = cv.tensor{1, 2, 3}
matrix = cv.tensor{{1, 2, 3}, {4, 5, 6}}
image = cv.zeros{4, 5, 3}
batch = cv.zeros{32, 4, 5, 3}
for _, t in ipairs{vector, matrix, image, batch} do
  print(("rank %d, shape (%s)"):format(t:dim(), table.concat(t.shape, ", ")))
end
print(matrix)

-- %% [markdown]
-- ## Shapes of photos
-- A photo is a rank 3 tensor: height, width and channels (red, green, blue). Here is a small
-- "photo" drawn by cvision: a sky, a yellow sun, green grass and a red house.

-- %%
canvas = cv.core.canvas(96, 64, "#87ceebff")        -- width 96, height 64, sky blue
canvas:fill_rect(0, 44, 96, 20, "#2e8b22ff")               -- grass
canvas:circle(72, 16, 9, "#ffd700ff")                     -- the sun
canvas:fill_rect(14, 28, 26, 18, "#b22222ff")              -- a house
canvas:fill_polygon({10, 28, 27, 16, 44, 28}, "#8b4513ff") -- its roof
photo = canvas:tensor(3)
print(("photo: shape (%s), dtype %s"):format(table.concat(photo.shape, ", "), photo.dtype))
plt.imshow(photo)
plt.axis("off")
plt.show()

-- %% [markdown]
-- Each channel is one rank 2 tensor (one number per pixel). `cv.split` copies the three channels
-- out (the lecture's numpy would write `photo[:, :, 0]`).

-- %%
channels = cv.split(photo:float(), 3, {cv.zeros{64, 96, 1}, cv.zeros{64, 96, 1}, cv.zeros{64, 96, 1}})
plt.figure{figsize = {9, 2.5}}
for i, name in ipairs{"red", "green", "blue"} do
  plt.subplot(1, 3, i)
  plt.imshow(channels[i], {cmap = "gray", vmin = 0, vmax = 255})
  plt.title(name)
  plt.axis("off")
end
plt.show()

-- %% [markdown]
-- ## How the computer sees them
-- The lecture reads four 16x16 pixel-art images (GIF and BMP); cvision's `imread` reads GIF, BMP,
-- PNG and JPEG alike, as uint8 tensors of shape (height, width, channels).

-- %%
fixtures = root .. "/spec/fixtures/images/"
img1 = cv.imread(fixtures .. "rgb16x16.gif")
img2 = cv.imread(fixtures .. "rgb16x16.bmp")
img3 = cv.imread(fixtures .. "rgb16x16.png")
img4 = cv.imread(fixtures .. "rgb16x16.jpg")
print(("Shapes are: (%s), (%s), (%s), (%s)."):format(table.concat(img1.shape, ", "),
  table.concat(img2.shape, ", "), table.concat(img3.shape, ", "), table.concat(img4.shape, ", ")))

-- %% [markdown]
-- The numbers themselves (the first three pixels of the first row, as numpy prints them):

-- %%
img1[1]:slice(1, 3)

-- %% [markdown]
-- ## How we see them
-- `imshow` draws the tensor as a picture.

-- %%
plt.figure{figsize = {8, 2}}
for i, img in ipairs{img1, img2, img3, img4} do
  plt.subplot(1, 4, i)
  plt.imshow(img)
  plt.axis("off")
end
plt.show()

-- %% [markdown]
-- ## Why is 255 special?
-- Each pixel's colour intensity is stored in one byte: 8 bits, 00000000 to 11111111, so the
-- largest *unsigned* number is 2^8 - 1 = 255. Casting to uint8 wraps around as numpy does.

-- %%
print(cv.tensor{0, 1, 255, 256}:astype("uint8"))

-- %% [markdown]
-- With *signed* numbers a byte goes from -128 to 127:

-- %%
print(cv.tensor{-128, 1, 127, 128}:astype("int8"))

-- %% [markdown]
-- Alternatively, hexadecimal numbers are used: 10100001 is 1010 0001, that is A and 1: 0xA1.

-- %%
print(("0xA1 = %d, 0xFF = %d"):format(0xA1, 0xFF))

-- %% [markdown]
-- ## Image editing with kernels
-- (See https://setosa.io/ev/image-kernels/.) The lecture's example: a 5x5 binary image and the
-- 3x3 kernel [[1, 0, 1], [0, 1, 0], [1, 0, 1]]. A Conv2D layer with that kernel, no bias and
-- "valid" padding computes the convolved feature: 4 in the top-left corner.

-- %%
binary = cv.tensor{
  {1, 1, 1, 0, 0},
  {0, 1, 1, 1, 0},
  {0, 0, 1, 1, 1},
  {0, 0, 1, 1, 0},
  {0, 1, 1, 0, 0}}:reshape{1, 5, 5, 1}
conv = cv.layers.Conv2D(1, 3, {use_bias = false})
conv:build({5, 5, 1})
conv:set_weights{cv.tensor{{1, 0, 1}, {0, 1, 0}, {1, 0, 1}}:reshape{3, 3, 1, 1}}
feature = conv(binary):reshape{3, 3}
assert(feature:at(1, 1) == 4)
print(feature)

-- %% [markdown]
-- The same idea edits photos: a kernel that averages blurs, one that adds the centre and subtracts
-- the neighbours sharpens, one that sums to zero finds the outlines. Here on a handwritten
-- character (cvision's handwriting generator, used from part 3 on).

-- %%
char = cv.datasets.hanzi.render(utf8.char(0x6C38)):float()   -- 永, whose strokes are the brush's classic exercise
H, W = char.shape[1], char.shape[2]
kernels = {
  blur = {{1 / 9, 1 / 9, 1 / 9}, {1 / 9, 1 / 9, 1 / 9}, {1 / 9, 1 / 9, 1 / 9}},
  sharpen = {{0, -1, 0}, {-1, 5, -1}, {0, -1, 0}},
  outline = {{-1, -1, -1}, {-1, 8, -1}, {-1, -1, -1}},
}
plt.figure{figsize = {10, 3}}
plt.subplot(1, 4, 1)
plt.imshow(char, {cmap = "gray"})
plt.title("original")
plt.axis("off")
for i, name in ipairs{"blur", "sharpen", "outline"} do
  local k = cv.layers.Conv2D(1, 3, {use_bias = false, padding = "same"})
  k:build({H, W, 1})
  k:set_weights{cv.tensor(kernels[name]):reshape{3, 3, 1, 1}}
  plt.subplot(1, 4, i + 1)
  plt.imshow(k(char:reshape{1, H, W, 1})[1]:clamp(0, 255), {cmap = "gray", vmin = 0, vmax = 255})
  plt.title(name)
  plt.axis("off")
end
plt.show()

-- %% [markdown]
-- ## Example: detecting yellow
-- Yellow = red + green. Apply a neuron to each pixel: if red or green go up, or blue goes down,
-- yellowness goes up, so its RGB weights are 1, 1, -1. Sweeping the neuron over every pixel (a
-- 1x1 convolution) turns the 3-channel photo into a 1-channel image: the more yellow the pixel,
-- the whiter it is.

-- %%
neuron = cv.layers.Conv2D(1, 1, {use_bias = false})
neuron:build({64, 96, 3})
neuron:set_weights{cv.tensor{1, 1, -1}:reshape{1, 1, 3, 1}}
yellowness = neuron(photo:float():reshape{1, 64, 96, 3} / 255)[1]
print(("yellowness: shape (%s), from %.2f to %.2f"):format(table.concat(yellowness.shape, ", "),
  yellowness:min(), yellowness:max()))
plt.figure{figsize = {7, 2.5}}
plt.subplot(1, 2, 1)
plt.imshow(photo)
plt.title("input")
plt.axis("off")
plt.subplot(1, 2, 2)
plt.imshow(yellowness, {cmap = "gray"})
plt.title("yellowness")
plt.axis("off")
plt.show()
