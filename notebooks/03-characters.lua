-- notebooks/03-characters.lua: the lecture's Chinese Character Recognition Dataset section as a
-- notebook (tools/notebooks.py builds 03-characters.ipynb from it). Its names are globals, which is
-- what the cvision kernel makes of a cell's top-level locals: so each cell also works pasted alone
-- into the REPL, where the locals of a line end with that line.
-- luacheck: allow defined top

-- %% [markdown]
-- # Computer Vision, part 3: the character data set
--
-- The lecture's "Chinese Character Recognition Dataset" section, cell by cell: the folders of
-- images, how many there are of each character, their dimensions, loading them with
-- `image_dataset_from_directory`, turning them into tensors and plotting some. Open
-- `03-characters.ipynb` with the cvision kernel, run this file whole
-- (`bin/cvision notebooks/03-characters.lua`), or paste its cells into the REPL one by one.
--
-- **Smaller than the lecture's data.** The lecture uses 55 characters of CASIA's handwriting
-- database (32,206 training and 7,684 test images). CASIA cannot be downloaded here, so
-- `cv.datasets.hanzi` writes a stand-in: the same 55 characters written by simulated writers (the
-- test set by writers none of the training set's). To run in seconds this notebook writes 40
-- training and 10 test images a character (16 and 4 for 囡 and 啖, which the lecture also has
-- fewer of). `bin/cvision examples/make_data.lua` (`make data`) writes the lecture's full counts.

-- %%
cv = require "cvision"
plt = cv.plot
hanzi = cv.datasets.hanzi
-- the repository's folder: "." in the repository, ".." in notebooks/ (where Jupyter runs it),
-- else the source tree cvision was loaded from
root = "."
for _, dir in ipairs{".", "..", (package.searchpath("cvision", package.path) or ""):match("^(.*)/lua/cvision/init%.lua$")} do
  local f = io.open(dir .. "/notebooks/03-characters.lua", "rb")
  if f then f:close(); root = dir; break end
end
-- written once, shared with 04-logistic-regression ($CVISION_NOTEBOOK_DATA overrides)
data_dir = os.getenv("CVISION_NOTEBOOK_DATA") or root .. "/out/notebooks/hanzi55"

-- %% [markdown]
-- ## MNIST and CASIA
-- MNIST is the classic data set of handwritten digits. CASIA's Chinese handwriting database (from
-- the Institute of Automation of the Chinese Academy of Sciences) is a 13 GB data set of 3,999,571
-- handwritten characters; the lecture pulls out 55 characters to experiment with:

-- %%
print(table.concat(hanzi.classes, " "))
print(#hanzi.classes .. " characters")

-- %% [markdown]
-- Writing the stand-in (once: the same seed writes the same bytes, so a second run finds it):

-- %%
common_chars, rare_chars = {}, {}
for _, c in ipairs(hanzi.classes) do    -- the lecture has far fewer of 囡 and 啖
  table.insert(hanzi.train_counts[c] < 300 and rare_chars or common_chars, c)
end
if not hanzi.exists(data_dir) then
  hanzi.generate(data_dir, {characters = common_chars, per_class = 40, test_per_class = 10})
  hanzi.generate(data_dir, {characters = rare_chars, per_class = 16, test_per_class = 4})
end

-- %% [markdown]
-- ## Inspect directory structure
-- The lecture uses the `directory_tree` package; cvision has `cv.data.display_tree` (the first
-- folders and files of each folder, and how many more there are).

-- %%
print(cv.data.display_tree(data_dir, {max_dirs = 3, max_files = 2, print = false}))

-- %% [markdown]
-- ## Count number of images for each character
-- The lecture's `count_images_in_folders` counts the PNG files in each class folder;
-- `cv.data.count_images` does the same.

-- %%
train_counts = cv.data.count_images(data_dir .. "/Train", {pattern = "png"})
test_counts = cv.data.count_images(data_dir .. "/Test", {pattern = "png"})
function as_dict(counts)             -- printed like the lecture's Python dict
  local parts = {}
  for _, c in ipairs(counts.classes) do parts[#parts + 1] = ("'%s': %d"):format(c, counts.counts[c]) end
  return "{" .. table.concat(parts, ", ") .. "}"
end
print(as_dict(train_counts))
print(as_dict(test_counts))

-- %% [markdown]
-- ## Number of images for each character

-- %%
train_values, test_values = {}, {}
for _, c in ipairs(train_counts.classes) do
  train_values[#train_values + 1] = train_counts.counts[c]
  test_values[#test_values + 1] = test_counts.counts[c]
end
plt.hist(train_values, {bins = 30, label = "Train"})
plt.hist(test_values, {bins = 30, label = "Test"})
plt.legend()
plt.show()

-- %% [markdown]
-- Here 40 training and 10 test images per character (the lecture's CASIA subset: about 600 and
-- 140); a couple of characters have a lot less of both, as in the lecture.
--
-- ## Checking the dimensions
-- The lecture reads every image to collect its height and width; `cv.data.image_dimensions` does
-- that (decoding in C) and returns the heights and widths as two lists.

-- %%
train_heights, train_widths = cv.data.image_dimensions(data_dir .. "/Train")
test_heights, test_widths = cv.data.image_dimensions(data_dir .. "/Test")
print(("%d train and %d test images"):format(#train_heights, #test_heights))

-- %%
plt.hist(train_heights, {bins = 30, alpha = 0.5, label = "Train Heights"})
plt.hist(train_widths, {bins = 30, alpha = 0.5, label = "Train Widths"})
plt.hist(test_heights, {bins = 30, alpha = 0.5, label = "Test Heights"})
plt.hist(test_widths, {bins = 30, alpha = 0.5, label = "Test Widths"})
plt.legend()
plt.show()

-- %% [markdown]
-- The images are taller than they are wide, and there are more training images than test images.
-- With `density = true` the two sets are on the same scale:

-- %%
plt.hist(train_heights, {bins = 30, alpha = 0.5, label = "Train Heights", density = true})
plt.hist(train_widths, {bins = 30, alpha = 0.5, label = "Train Widths", density = true})
plt.hist(test_heights, {bins = 30, alpha = 0.5, label = "Test Heights", density = true})
plt.hist(test_widths, {bins = 30, alpha = 0.5, label = "Test Widths", density = true})
plt.legend()
plt.show()

-- %%
plt.figure{figsize = {9, 3}}
plt.subplot(1, 2, 1)
plt.hist(train_heights, {bins = 30, alpha = 0.5, density = true, label = "Train"})
plt.hist(test_heights, {bins = 30, alpha = 0.5, density = true, label = "Test"})
plt.title("heights")
plt.legend()
plt.subplot(1, 2, 2)
plt.hist(train_widths, {bins = 30, alpha = 0.5, density = true, label = "Train"})
plt.hist(test_widths, {bins = 30, alpha = 0.5, density = true, label = "Test"})
plt.title("widths")
plt.legend()
plt.show()

-- %% [markdown]
-- The distributions of the dimensions are pretty similar between the training and test sets.
--
-- ## Keras image dataset loading
-- `cv.data.image_dataset_from_directory` has Keras' options and semantics: the classes are the
-- sorted folder names, each image is resized to `image_size` (80x60 here, as in the lecture),
-- `shuffle = false` keeps the files in order.

-- %%
batch_size = 32
img_height = 80
img_width = 60
img_size = {img_height, img_width}

train_ds = cv.data.image_dataset_from_directory(data_dir .. "/Train", {
  image_size = img_size,
  batch_size = batch_size,
  shuffle = false,
  color_mode = "grayscale"})

test_ds = cv.data.image_dataset_from_directory(data_dir .. "/Test", {
  image_size = img_size,
  batch_size = batch_size,
  shuffle = false,
  color_mode = "grayscale"})

-- %% [markdown]
-- ## Convert to tensors

-- %%
class_names = train_ds.class_names
print("{'" .. table.concat(class_names, "', '") .. "'}")

-- %% [markdown]
-- The lecture's `np.concatenate(list(train_ds.map(lambda x, y: x)))`, one to one
-- (`ds:to_tensors()` does the same in one call). NB: it needs `shuffle = false` above for these X
-- and y to line up.

-- %%
function images(x, _) return x end
function labels(_, y) return y end
X_main = cv.concatenate(train_ds:map(images):totable())
y_main = cv.concatenate(train_ds:map(labels):totable())

X_test = cv.concatenate(test_ds:map(images):totable())
y_test = cv.concatenate(test_ds:map(labels):totable())

function shape(t) return "(" .. table.concat(t.shape, ", ") .. ")" end
print(shape(X_main), shape(y_main), shape(X_test), shape(y_test))

-- %% [markdown]
-- ## Some setup
-- `cv.data.train_test_split` holds out 20% for validation, picking the same rows as scikit-learn
-- does with `random_state = 123`.

-- %%
X_train, X_val, y_train, y_val = cv.data.train_test_split(X_main, y_main, {test_size = 0.2,
  random_state = 123})
print(shape(X_train), shape(y_train), shape(X_val), shape(y_val), shape(X_test), shape(y_test))

-- %% [markdown]
-- The lecture's `plot_mandarin_characters`: the first n images with their characters as titles
-- (cv.plot draws Chinese text with a CJK font of its own, so no font file is needed).
--
-- **Labels are 1-based in cvision** (Keras' are 0-based): `y = 1` is 东, the lecture's 0, and
-- `class_names[y]` is the character, as Lua lists start at 1.

-- %%
function plot_mandarin_characters(X, y, names, n)
  n = n or 5
  plt.figure{figsize = {10, 4}}
  for i = 1, n do
    plt.subplot(1, n, i)
    plt.imshow(X[i], {cmap = "gray"})
    plt.title(names[math.tointeger(y[i])])
    plt.axis("off")
  end
end
print("{'" .. table.concat(class_names, "', '", 1, 5) .. "'}")

-- %%
X_dong = X_train[y_train:eq(1)]; y_dong = y_train[y_train:eq(1)]
X_ren = X_train[y_train:eq(3)]; y_ren = y_train[y_train:eq(3)]
print(shape(X_dong), shape(X_ren))

-- %% [markdown]
-- ## Plotting some training characters

-- %%
plot_mandarin_characters(X_dong, y_dong, class_names)
plt.show()

-- %%
plot_mandarin_characters(X_ren, y_ren, class_names)
plt.show()

-- %% [markdown]
-- Without the colourmap... `imshow` draws a one-channel image with viridis unless told
-- `cmap = "gray"`, as matplotlib does.

-- %%
dong = X_test[y_test:eq(1)][1]
plt.imshow(dong, {cmap = "gray"})
plt.show()

-- %%
dong = X_test[y_test:eq(1)][2]
plt.imshow(dong)
plt.show()
