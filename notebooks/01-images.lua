-- %% [markdown]
-- # Computer Vision, part 1: images and convolutions
--
-- The first section of the lecture (../shared/seed/lecture-computer-vision.txt), cell by cell, in
-- cvision. A notebook here is a Lua script in the "percent" format: `-- %%` starts a code cell and
-- `-- %% [markdown]` a text cell. Run it whole with `bin/cvision notebooks/01-images.lua`, or paste
-- its cells into the REPL one by one. Figures go to $CVISION_NOTEBOOK_OUT (default out/notebooks).

-- %%
local cv = require "cvision"
local plt = cv.plot
local out = os.getenv("CVISION_NOTEBOOK_OUT") or "out/notebooks"
cv.core.data_mkdir(out:match("^(.*)/[^/]*$") or ".")
cv.core.data_mkdir(out)
local here = debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or "."

-- %% [markdown]
-- ## How the computer sees them
-- A photo is a rank 3 tensor: height, width and channels. The lecture reads four 16x16 pixel-art
-- images (GIF and BMP); cvision reads GIF, BMP, PNG and JPEG alike.

-- %%
local fixtures = here .. "/../spec/fixtures/images/"
local img1 = cv.imread(fixtures .. "rgb16x16.gif")
local img2 = cv.imread(fixtures .. "rgb16x16.bmp")
local img3 = cv.imread(fixtures .. "rgb16x16.png")
print(("Shapes are: (%s), (%s), (%s)."):format(table.concat(img1.shape, ", "),
  table.concat(img2.shape, ", "), table.concat(img3.shape, ", ")))
print(img1[1]:slice(1, 3))        -- the first three pixels of the first row, as numpy prints them

-- %% [markdown]
-- ## How we see them
-- `imshow` draws the tensor; `savefig` writes the figure (in the REPL a figure left unsaved is
-- written to a PNG whose path is printed).

-- %%
plt.figure{figsize = {6, 2}}
for i, img in ipairs{img1, img2, img3} do
  plt.subplot(1, 3, i)
  plt.imshow(img)
  plt.axis("off")
end
plt.savefig(out .. "/01-how-we-see-them.png")
plt.close()

-- %% [markdown]
-- ## Why is 255 special?
-- Each colour intensity is one byte, 0 to 255; casting to uint8 wraps around as numpy does.

-- %%
print(cv.tensor{0, 1, 255, 256}:astype("uint8"))

-- %% [markdown]
-- ## Image editing with kernels
-- The lecture's example: a 5x5 binary image and the 3x3 kernel [[1, 0, 1], [0, 1, 0], [1, 0, 1]].
-- A Conv2D layer with that kernel, no bias and "valid" padding computes the convolved feature:
-- 4 in the top-left corner.

-- %%
local image = cv.tensor{
  {1, 1, 1, 0, 0},
  {0, 1, 1, 1, 0},
  {0, 0, 1, 1, 1},
  {0, 0, 1, 1, 0},
  {0, 1, 1, 0, 0}}:reshape{1, 5, 5, 1}
local conv = cv.layers.Conv2D(1, 3, {use_bias = false})
conv:build({5, 5, 1})
conv:set_weights{cv.tensor{{1, 0, 1}, {0, 1, 0}, {1, 0, 1}}:reshape{3, 3, 1, 1}}
local feature = conv(image):reshape{3, 3}
print(feature)
assert(feature:at(1, 1) == 4)

-- %% [markdown]
-- ## Example: detecting yellow
-- Yellow = red + green. A neuron with weights 1, 1, -1 on the red, green and blue channels,
-- swept over every pixel (a 1x1 convolution), lights up where the image is yellow.

-- %%
local rgb = cv.zeros({1, 8, 8, 3})
for y = 1, 8 do
  for x = 1, 8 do
    local yellow = x <= 4
    rgb:set(1, y, x, 1, 1)                      -- red everywhere
    rgb:set(1, y, x, 2, yellow and 1 or 0)      -- green on the left half
    rgb:set(1, y, x, 3, yellow and 0 or 1)      -- blue on the right half
  end
end
local neuron = cv.layers.Conv2D(1, 1, {use_bias = false})
neuron:build({8, 8, 3})
neuron:set_weights{cv.tensor{1, 1, -1}:reshape{1, 1, 3, 1}}
local yellowness = neuron(rgb)
print(yellowness[1]:reshape{8, 8}:slice(1, 2))  -- 2 on the yellow half, 0 on the magenta half
plt.figure{figsize = {5, 2.5}}
plt.subplot(1, 2, 1)
plt.imshow(rgb[1])
plt.title("input")
plt.axis("off")
plt.subplot(1, 2, 2)
plt.imshow(yellowness[1], {vmin = 0, vmax = 2})  -- viridis: yellow where yellow
plt.title("yellowness")
plt.axis("off")
plt.savefig(out .. "/01-detecting-yellow.png")
plt.close()
print("figures in " .. out)
