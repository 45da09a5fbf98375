-- cvision.data: loading image folders and splitting arrays, as the lecture does with Keras and
-- scikit-learn.
--
--   image_dataset_from_directory(dir, opts) --> dataset (or training, validation with subset="both")
--   train_test_split(X, y, opts)            --> X_train, X_test, y_train, y_test
--   display_tree(dir [, opts])               prints the folder tree (like `directory_tree`)
--   count_images(dir [, opts])               --> per-class counts (prints as a table)
--   ds:map(fn) / ds:totable()                lazy per-batch map (tf.data's), list of batches
--   read_csv(path) / write_csv(path, names, columns)   tables (cvision.data.csv)
--   StandardScaler() / OneHotEncoder()       scikit-learn's scalers (cvision.data.scalers)
--
-- Decoding and resizing run in C threads (csrc/dataload.c). Shuffles use MT19937 exactly as numpy's
-- legacy RandomState does, so a seed gives the same file order as Keras and the same split as
-- scikit-learn (train_test_split(..., random_state=123) picks the same rows as the lecture).
local core = require "cvision.core"
local tensor = require "cvision.tensor"

local M = {}

---------------------------------------------------------------------------------------------------
-- numpy's RandomState (MT19937): seeding with an integer, and shuffle / permutation
---------------------------------------------------------------------------------------------------

local MT = {}
MT.__index = MT

--- M.RandomState(seed) --> generator with :random_u32(), :random(), :shuffle(list), :permutation(n)
function M.RandomState(seed)
  if math.type(seed) ~= "integer" or seed < 0 or seed > 0xffffffff then
    error("bad argument #1 to 'RandomState' (seed must be an integer between 0 and 2^32 - 1)", 2)
  end
  local mt = {}
  mt[0] = seed
  for i = 1, 623 do
    local prev = mt[i - 1]
    mt[i] = (1812433253 * (prev ~ (prev >> 30)) + i) & 0xffffffff
  end
  return setmetatable({mt = mt, i = 624}, MT)
end

--- rs:random_u32() --> the next 32-bit integer of the MT19937 stream (numpy's RandomState draws)
function MT:random_u32()
  local mt = self.mt
  if self.i >= 624 then
    for k = 0, 623 do
      local y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff)
      local v = mt[(k + 397) % 624] ~ (y >> 1)
      if y & 1 == 1 then v = v ~ 0x9908b0df end
      mt[k] = v
    end
    self.i = 0
  end
  local y = mt[self.i]
  self.i = self.i + 1
  y = y ~ (y >> 11)
  y = y ~ ((y << 7) & 0x9d2c5680)
  y = y ~ ((y << 15) & 0xefc60000)
  y = y ~ (y >> 18)
  return y
end

--- rs:random() --> a number in [0, 1), as numpy's RandomState.random_sample (53 random bits)
function MT:random()
  local a, b = self:random_u32() >> 5, self:random_u32() >> 6
  return (a * 67108864.0 + b) / 9007199254740992.0
end

--- rs:interval(max) --> an integer uniform in [0, max], by masked rejection (numpy's
--- random_interval, so shuffles match numpy's for the same seed)
function MT:interval(max)
  if max == 0 then return 0 end
  local mask = max
  mask = mask | (mask >> 1); mask = mask | (mask >> 2); mask = mask | (mask >> 4)
  mask = mask | (mask >> 8); mask = mask | (mask >> 16)
  while true do
    local v = self:random_u32() & mask
    if v <= max then return v end
  end
end

--- rs:shuffle(list): in place, as numpy's RandomState.shuffle on a 1-D array
function MT:shuffle(list)
  for i = #list - 1, 1, -1 do
    local j = self:interval(i)
    list[i + 1], list[j + 1] = list[j + 1], list[i + 1]
  end
  return list
end

--- rs:permutation(n) --> Lua list of 1-based indices, as numpy's permutation(n) + 1
function MT:permutation(n)
  local p = {}
  for i = 1, n do p[i] = i end
  return self:shuffle(p)
end

---------------------------------------------------------------------------------------------------
-- folders
---------------------------------------------------------------------------------------------------

local image_ext = {bmp = true, gif = true, jpeg = true, jpg = true, png = true}

local function is_image_name(name)
  local ext = name:match("%.([^./]+)$")
  return ext ~= nil and image_ext[ext:lower()] == true
end

local function listdir(dir, who)
  local dirs, files = core.data_listdir(dir)
  if not dirs then error(("%s: cannot read directory %s"):format(who, files), 3) end
  return dirs, files
end

-- image files under dir, recursively, sorted as Keras' os.walk walk sorted by root then name
local function walk_images(dir, out)
  local dirs, files = core.data_listdir(dir)
  if not dirs then return out end
  for _, f in ipairs(files) do
    if is_image_name(f) then out[#out + 1] = dir .. "/" .. f end
  end
  for _, d in ipairs(dirs) do walk_images(dir .. "/" .. d, out) end
  return out
end

---------------------------------------------------------------------------------------------------
-- image_dataset_from_directory
---------------------------------------------------------------------------------------------------

local Dataset = {}
Dataset.__index = Dataset
M.Dataset = Dataset

local color_channels = {grayscale = 1, rgb = 3, rgba = 4}

local function check_opts(opts)
  local known = {image_size = true, batch_size = true, shuffle = true, seed = true, color_mode = true,
    validation_split = true, subset = true, interpolation = true, labels = true, label_mode = true,
    class_names = true, verbose = true, follow_links = true, crop_to_aspect_ratio = true}
  for k in pairs(opts) do
    if not known[k] then
      error(("bad argument #2 to 'image_dataset_from_directory' (unknown option '%s')"):format(tostring(k)), 3)
    end
  end
end

local function argerr(msg) error("bad argument #2 to 'image_dataset_from_directory' (" .. msg .. ")", 3) end

--- image_dataset_from_directory(dir, {image_size={256, 256}, batch_size=32, shuffle=true, seed,
---   color_mode="rgb", validation_split, subset, interpolation="bilinear", labels="inferred",
---   label_mode="int", class_names, verbose=true}) --> dataset (two with subset="both")
-- Keras' semantics: classes are the sorted subfolder names; files (PNG, JPEG, BMP, GIF by
-- extension, any depth) are listed class by class, sorted; with shuffle the list is shuffled once
-- with numpy's RandomState(seed); validation_split keeps the LAST fraction for "validation".
-- Labels are 1-based float32 class numbers (Keras' are 0-based): label_mode "int" gives (N),
-- "categorical" one-hot (N, K), "binary" (N, 1) of 0/1, nil no labels.
-- Example:
--   local train_ds, val_ds = cv.data.image_dataset_from_directory("data/Train", {
--     image_size = {80, 60}, color_mode = "grayscale", validation_split = 0.2, subset = "both", seed = 123})
--   local X, y = train_ds:to_tensors()   -- X (N, 80, 60, 1) float32, y (N) class numbers
function M.image_dataset_from_directory(dir, opts)
  if type(dir) ~= "string" then
    error("bad argument #1 to 'image_dataset_from_directory' (directory path expected)", 2)
  end
  opts = opts or {}
  check_opts(opts)
  local size = opts.image_size or {256, 256}
  if type(size) ~= "table" or math.type(size[1]) ~= "integer" or math.type(size[2]) ~= "integer"
     or size[1] < 1 or size[2] < 1 then
    argerr("image_size must be {height, width} of positive integers")
  end
  local batch_size = opts.batch_size == nil and 32 or opts.batch_size
  if batch_size ~= false and (math.type(batch_size) ~= "integer" or batch_size < 1) then
    argerr("batch_size must be a positive integer")
  end
  local color_mode = opts.color_mode or "rgb"
  local channels = color_channels[color_mode]
  if not channels then argerr("color_mode must be \"grayscale\", \"rgb\" or \"rgba\", got " .. tostring(color_mode)) end
  local interpolation = opts.interpolation or "bilinear"
  if interpolation ~= "bilinear" and interpolation ~= "nearest" then
    argerr("interpolation must be \"bilinear\" or \"nearest\"")
  end
  local label_mode = opts.label_mode
  if label_mode == nil then label_mode = "int" end
  if label_mode ~= "int" and label_mode ~= "categorical" and label_mode ~= "binary" and label_mode ~= false then
    argerr("label_mode must be \"int\", \"categorical\", \"binary\" or false")
  end
  local labels_opt = opts.labels == nil and "inferred" or opts.labels
  local shuffle = opts.shuffle ~= false
  local seed = opts.seed
  local split, subset = opts.validation_split, opts.subset
  if split ~= nil then
    if type(split) ~= "number" or split <= 0 or split >= 1 then argerr("validation_split must be between 0 and 1") end
    if subset ~= "training" and subset ~= "validation" and subset ~= "both" then
      argerr("with validation_split, subset must be \"training\", \"validation\" or \"both\"")
    end
    if shuffle and seed == nil then
      argerr("when using validation_split and shuffle, pass a seed so that the subsets do not overlap")
    end
  elseif subset ~= nil then
    argerr("subset needs validation_split")
  end
  if shuffle and seed == nil then seed = core.data_random_seed() end
  local verbose = opts.verbose ~= false
  if opts.crop_to_aspect_ratio then argerr("crop_to_aspect_ratio is not supported (images are resized, as Keras' default)") end

  -- index the folder
  local class_dirs = listdir(dir, "image_dataset_from_directory")
  local class_names = class_dirs
  if opts.class_names then
    class_names = opts.class_names
    local have = {}
    for _, c in ipairs(class_dirs) do have[c] = true end
    for _, c in ipairs(class_names) do
      if not have[c] then argerr(("class_names names '%s', which is not a subfolder of %s"):format(c, dir)) end
    end
  end
  local paths, labels = {}, {}
  if labels_opt == "inferred" then
    for k, c in ipairs(class_names) do
      local before = #paths
      walk_images(dir .. "/" .. c, paths)
      for i = before + 1, #paths do labels[i] = k end
    end
  else
    walk_images(dir, paths)
    if type(labels_opt) == "table" then
      if #labels_opt ~= #paths then
        argerr(("labels has %d entries but %s holds %d image files"):format(#labels_opt, dir, #paths))
      end
      for i, l in ipairs(labels_opt) do labels[i] = l end
    end
    class_names = nil
  end
  if verbose then
    if class_names then
      print(("Found %d files belonging to %d classes."):format(#paths, #class_names))
    else
      print(("Found %d files."):format(#paths))
    end
  end
  if #paths == 0 then
    error(("image_dataset_from_directory: no images found in %s (allowed formats: .bmp, .gif, .jpeg, .jpg, .png)"):format(dir), 2)
  end
  if shuffle then
    M.RandomState(seed):shuffle(paths)
    if #labels > 0 then M.RandomState(seed):shuffle(labels) end
  end

  local function make(first, last, what)
    local p, l = {}, {}
    for i = first, last do
      p[#p + 1] = paths[i]
      if #labels > 0 then l[#l + 1] = labels[i] end
    end
    if verbose and what then print(("Using %d files for %s."):format(#p, what)) end
    return setmetatable({
      file_paths = p, labels_list = #l > 0 and l or nil, class_names = class_names,
      batch_size = batch_size or #p, image_size = {size[1], size[2]}, channels = channels,
      color_mode = color_mode, interpolation = interpolation, label_mode = label_mode,
      num_classes = class_names and #class_names or nil, shuffle = shuffle, seed = seed, epoch = 0,
    }, Dataset)
  end

  if split == nil then return make(1, #paths) end
  local nval = math.floor(split * #paths)
  local ntrain = #paths - nval
  if subset == "training" then return make(1, ntrain, "training") end
  if subset == "validation" then return make(ntrain + 1, #paths, "validation") end
  return make(1, ntrain, "training"), make(ntrain + 1, #paths, "validation")
end

--- #ds --> number of batches
function Dataset.__len(ds)
  return math.ceil(#ds.file_paths / ds.batch_size)
end
--- ds:num_batches() --> number of batches (#ds)
function Dataset:num_batches() return #self end
--- ds:cardinality() --> number of batches (tf.data's name)
function Dataset:cardinality() return #self end

function Dataset:__tostring()
  return ("Dataset(%d files, %d batches of %d, image_size {%d, %d}, %s)"):format(#self.file_paths,
    #self, self.batch_size, self.image_size[1], self.image_size[2], self.color_mode)
end

-- labels for the files at positions idx (a Lua list) as a tensor, per label_mode
function Dataset:_labels(idx)
  if not self.labels_list or self.label_mode == false then return nil end
  local n = #idx
  if self.label_mode == "categorical" then
    local k = self.num_classes or 0
    for _, i in ipairs(idx) do if self.labels_list[i] > k then k = self.labels_list[i] end end
    local y = tensor.zeros{n, k}
    for r, i in ipairs(idx) do y:set(r, self.labels_list[i], 1) end
    return y
  end
  local vals = {}
  for r, i in ipairs(idx) do
    vals[r] = self.label_mode == "binary" and self.labels_list[i] - 1 or self.labels_list[i]
  end
  local y = core.tensor(vals)
  if y.dtype ~= "float32" then y = y:astype("float32") end
  if self.label_mode == "binary" then y = y:reshape{n, 1} end
  return y
end

-- X for the files at positions idx
function Dataset:_images(idx)
  local p = {}
  for r, i in ipairs(idx) do p[r] = self.file_paths[i] end
  return core.data_load_images(p, self.image_size[1], self.image_size[2], self.channels, self.interpolation)
end

--- ds:to_tensors() --> X (N, h, w, c) float32 0..255, y (labels per label_mode, 1-based), in the
--- dataset's file order (the listing order when shuffle is false, the seeded shuffle otherwise)
function Dataset:to_tensors()
  local idx = {}
  for i = 1, #self.file_paths do idx[i] = i end
  return self:_images(idx), self:_labels(idx)
end

--- ds:_index_batches() --> an iterator over the next pass' batches as lists of file positions
--- (in the pass' order, see batches), counting the pass
function Dataset:_index_batches()
  local n = #self.file_paths
  local order
  if self.shuffle and self.epoch > 0 then
    order = M.RandomState((self.seed + self.epoch) & 0xffffffff):permutation(n)
  else
    order = {}
    for i = 1, n do order[i] = i end
  end
  self.epoch = self.epoch + 1
  local b, bs = 0, self.batch_size
  return function()
    local first = b * bs + 1
    if first > n then return nil end
    b = b + 1
    local idx = {}
    for i = first, math.min(first + bs - 1, n) do idx[#idx + 1] = order[i] end
    return idx
  end
end

--- for X, y in ds:batches() do ... end: batches of batch_size. Like Keras (which reshuffles each
--- epoch), a shuffled dataset is visited in a fresh order on each call after the first: the first
--- pass follows file_paths, pass k uses RandomState(seed + k - 1) on top of it.
function Dataset:batches()
  local next_idx = self:_index_batches()
  return function()
    local idx = next_idx()
    if idx == nil then return nil end
    return self:_images(idx), self:_labels(idx)
  end
end

--- ds:shard(num_shards, index) --> the dataset's batches of which only part index (0-based) is
--- read (cvision.data.shard: each batch's rows cv.distributed.shard(rows, index, num_shards), the
--- other parts' files never opened); a data-parallel fit shards an image_dataset_from_directory
--- dataset this way by itself
function Dataset:shard(num_shards, index)
  return require("cvision.data.shard").new(self, num_shards, index, 2)
end

-- ds:map(fn): a lazy view of a dataset, as tf.data's map on a batched dataset
local Mapped = {}
Mapped.__index = Mapped
M.MappedDataset = Mapped

--- ds:map(fn) --> dataset whose batches are fn(x, y) of ds's batches, computed lazily on each
--- pass (tf.data's `ds.map(f)` on a batched dataset). fn may return one value (x2) or two (x2, y2);
--- the mapped dataset has #, num_batches, batches, map and totable, and fits like ds.
--- The lecture's `np.concatenate(list(train_ds.map(lambda x, y: x)))` reads
--- `cv.concatenate(train_ds:map(function(x, y) return x end):totable())`.
function Dataset:map(fn)
  if type(fn) ~= "function" then
    error(("bad argument #1 to 'map' (function expected, got %s)"):format(type(fn)), 2)
  end
  return setmetatable({source = self, fn = fn}, Mapped)
end
Mapped.map = Dataset.map

function Mapped.__len(ds) return #ds.source end
--- mapped:num_batches() --> number of batches (the source's)
function Mapped:num_batches() return #self end
--- mapped:cardinality() --> number of batches (tf.data's name)
function Mapped:cardinality() return #self end
function Mapped:__tostring() return ("MappedDataset(%d batches of %s)"):format(#self, tostring(self.source)) end

--- for x2, y2 in mapped:batches() do ... end: fn applied to each batch of the source as it comes
function Mapped:batches()
  local next_batch, fn = self.source:batches(), self.fn
  return function()
    local x, y = next_batch()
    if x == nil then return nil end
    return fn(x, y)
  end
end

--- ds:totable() --> a Lua list with one entry per batch (Python's list(ds)): the batch itself when
--- the dataset yields one value per batch (a map returning x), else the pair {x, y}
local function totable(ds)
  local out = {}
  for x, y in ds:batches() do
    if y == nil then out[#out + 1] = x else out[#out + 1] = {x, y} end
  end
  return out
end
Dataset.totable, Mapped.totable = totable, totable

---------------------------------------------------------------------------------------------------
-- train_test_split
---------------------------------------------------------------------------------------------------

local function n_rows(t) return tensor.is_tensor(t) and t.shape[1] or #t end

local function take(t, idx)
  if tensor.is_tensor(t) then return t:index(core.tensor(idx)) end
  local out = {}
  for r, i in ipairs(idx) do out[r] = t[i] end
  return out
end

-- sklearn's sizes: a float is a fraction (test rounded up, train down), an integer a count
local function split_sizes(n, test_size, train_size)
  local function check(v, name)
    if v == nil then return end
    if math.type(v) == "integer" then
      if v < 1 or v >= n then error(("bad argument #3 to 'train_test_split' (%s=%d must be between 1 and %d)"):format(name, v, n - 1), 4) end
    elseif type(v) ~= "number" or v <= 0 or v >= 1 then
      error(("bad argument #3 to 'train_test_split' (%s must be a fraction in (0, 1) or a count)"):format(name), 4)
    end
  end
  check(test_size, "test_size"); check(train_size, "train_size")
  if test_size == nil and train_size == nil then test_size = 0.25 end
  local n_test, n_train
  if test_size then
    n_test = math.type(test_size) == "integer" and test_size or math.ceil(test_size * n)
  end
  if train_size then
    n_train = math.type(train_size) == "integer" and train_size or math.floor(train_size * n)
  end
  n_test = n_test or n - n_train
  n_train = n_train or n - n_test
  if n_train + n_test > n then
    error(("train_test_split: train_size + test_size = %d is more than the %d samples"):format(n_train + n_test, n), 3)
  end
  if n_train < 1 or n_test < 1 then
    error(("train_test_split: with %d samples the split leaves an empty set"):format(n), 3)
  end
  return n_train, n_test
end

local function label_key(y, i)
  if tensor.is_tensor(y) then
    local row = y[i]
    if tensor.is_tensor(row) then return table.concat(row:flatten():totable(), ",") end
    return row
  end
  return y[i]
end

--- train_test_split(X, y, {test_size=0.25, train_size, random_state, shuffle=true, stratify})
---   --> X_train, X_test, y_train, y_test (y may be nil: then X_train, X_test)
-- sklearn's rule: n_test = ceil(test_size * n), n_train = n - n_test; with random_state (an
-- integer) the rows are those of sklearn (numpy's RandomState permutation: test rows first).
-- stratify (labels, tensor or list) keeps each class's share in both parts (class test counts as
-- sklearn's _approximate_mode, rows drawn with the same generator; not row-identical to sklearn).
function M.train_test_split(X, y, opts)
  if type(y) == "table" and not tensor.is_tensor(y) and opts == nil and (y.test_size or y.random_state
     or y.train_size or y.stratify or y.shuffle ~= nil) then
    opts, y = y, nil
  end
  opts = opts or {}
  local n = n_rows(X)
  if y ~= nil and n_rows(y) ~= n then
    error(("train_test_split: X has %d rows but y has %d"):format(n, n_rows(y)), 2)
  end
  local n_train, n_test = split_sizes(n, opts.test_size, opts.train_size)
  local seed = opts.random_state
  if seed == nil then seed = core.data_random_seed() end
  local train_idx, test_idx = {}, {}
  if opts.shuffle == false then
    if opts.stratify ~= nil then error("train_test_split: stratify needs shuffle", 2) end
    for i = 1, n_train do train_idx[i] = i end
    for i = 1, n_test do test_idx[i] = n_train + i end
  elseif opts.stratify ~= nil then
    local strat = opts.stratify
    if n_rows(strat) ~= n then error("train_test_split: stratify must have one label per row", 2) end
    local keys, classes, members = {}, {}, {}
    for i = 1, n do
      local k = label_key(strat, i)
      if not members[k] then members[k] = {}; keys[#keys + 1] = k end
      local m = members[k]
      m[#m + 1] = i
    end
    table.sort(keys, function(a, b)
      if type(a) == type(b) then return a < b end
      return type(a) == "number"
    end)
    for _, k in ipairs(keys) do
      if #members[k] < 2 then
        error("train_test_split: the least populated class in stratify has only 1 member; each class needs 2", 2)
      end
      classes[#classes + 1] = members[k]
    end
    local rs = M.RandomState(seed)
    -- _approximate_mode: floor of each class's share, the rest to the largest remainders
    local function allot(total)
      local out, rem, left = {}, {}, total
      for c, m in ipairs(classes) do
        local exact = total * #m / n
        out[c] = math.floor(exact)
        rem[#rem + 1] = {c = c, r = exact - out[c]}
        left = left - out[c]
      end
      table.sort(rem, function(a, b) if a.r ~= b.r then return a.r > b.r end return a.c < b.c end)
      for i = 1, left do out[rem[i].c] = out[rem[i].c] + 1 end
      return out
    end
    local tr, te = allot(n_train), allot(n_test)
    for c, m in ipairs(classes) do
      local perm = rs:permutation(#m)
      for j = 1, tr[c] do train_idx[#train_idx + 1] = m[perm[j]] end
      for j = tr[c] + 1, math.min(tr[c] + te[c], #m) do test_idx[#test_idx + 1] = m[perm[j]] end
    end
    rs:shuffle(train_idx)
    rs:shuffle(test_idx)
  else
    local perm = M.RandomState(seed):permutation(n)
    for i = 1, n_test do test_idx[i] = perm[i] end
    for i = 1, n_train do train_idx[i] = perm[n_test + i] end
  end
  if y == nil then return take(X, train_idx), take(X, test_idx) end
  return take(X, train_idx), take(X, test_idx), take(y, train_idx), take(y, test_idx)
end

---------------------------------------------------------------------------------------------------
-- folder tools
---------------------------------------------------------------------------------------------------

local Counts = {}
Counts.__index = Counts

local width = require("cvision.util.text").width   -- CJK characters take two terminal cells

function Counts:__tostring()
  local w = 5
  for _, c in ipairs(self.classes) do w = math.max(w, width(c)) end
  local lines = {}
  local function pad(s) return s .. string.rep(" ", w - width(s)) end
  lines[1] = pad("class") .. "  images"
  local total = 0
  for _, c in ipairs(self.classes) do
    lines[#lines + 1] = ("%s  %6d"):format(pad(c), self.counts[c])
    total = total + self.counts[c]
  end
  lines[#lines + 1] = ("%s  %6d"):format(pad("total"), total)
  return table.concat(lines, "\n")
end

--- counts:total() --> the number of images over all classes
function Counts:total()
  local t = 0
  for _, c in ipairs(self.classes) do t = t + self.counts[c] end
  return t
end

--- count_images(dir [, {pattern}]) --> counts: counts[class] = number of images directly inside
--- dir/class (counts.classes lists the classes in sorted order); prints as a table. Like the
--- lecture's count_images_in_folders (which globs *.png); pattern "png" does that, default any image.
function M.count_images(dir, opts)
  opts = opts or {}
  local dirs = listdir(dir, "count_images")
  local res = setmetatable({classes = {}, counts = {}}, Counts)
  for _, c in ipairs(dirs) do
    local _, files = core.data_listdir(dir .. "/" .. c)
    local n = 0
    for _, f in ipairs(files or {}) do
      if opts.pattern then
        if f:lower():match("%." .. opts.pattern .. "$") then n = n + 1 end
      elseif is_image_name(f) then
        n = n + 1
      end
    end
    res.classes[#res.classes + 1] = c
    res.counts[c] = n
  end
  return res
end

--- display_tree(dir [, {max_files=3, max_dirs, max_depth, print=print}]) --> the tree as a string
--- (and prints it): each folder with its number of files, then its first max_dirs subfolders and
--- max_files files, and "... (N more files)" for the rest.
function M.display_tree(dir, opts)
  opts = opts or {}
  local max_files = opts.max_files or 3
  local max_depth = opts.max_depth or math.huge
  local max_dirs = opts.max_dirs or math.huge
  listdir(dir, "display_tree")
  local lines = {(dir:match("([^/]+)/*$") or dir) .. "/"}
  local function walk(path, prefix, depth)
    local dirs, files = core.data_listdir(path)
    if not dirs then return end
    local entries = {}
    local shown_dirs = math.min(#dirs, max_dirs)
    for i = 1, shown_dirs do entries[#entries + 1] = {name = dirs[i], dir = true} end
    if #dirs > shown_dirs then
      entries[#entries + 1] = {name = ("... (%d more folders)"):format(#dirs - shown_dirs), more = true}
    end
    local shown = math.min(#files, max_files)
    for i = 1, shown do entries[#entries + 1] = {name = files[i]} end
    if #files > shown then entries[#entries + 1] = {name = ("... (%d more files)"):format(#files - shown), more = true} end
    for i, e in ipairs(entries) do
      local last = i == #entries
      local branch = last and "└── " or "├── "
      if e.dir then
        local _, sub = core.data_listdir(path .. "/" .. e.name)
        local nf = sub and #sub or 0
        lines[#lines + 1] = prefix .. branch .. e.name .. "/" .. (nf > 0 and ("  (%d files)"):format(nf) or "")
        if depth < max_depth then walk(path .. "/" .. e.name, prefix .. (last and "    " or "│   "), depth + 1) end
      else
        lines[#lines + 1] = prefix .. branch .. e.name
      end
    end
  end
  walk(dir, "", 1)
  local s = table.concat(lines, "\n")
  local out = opts.print == nil and print or opts.print
  if out then out(s) end
  return s
end

--- image_dimensions(dir) --> heights, widths (Lua lists) of every image under dir, decoded in C
--- (the lecture's get_image_dimensions)
function M.image_dimensions(dir)
  local paths = walk_images(dir, {})
  local hs, ws = {}, {}
  local image = require "cvision.image"
  for i, p in ipairs(paths) do
    local t = image.imread(p)
    hs[i], ws[i] = t.shape[1], t.shape[2]
  end
  return hs, ws
end

--- makedirs(path) --> path: creates the folder and any missing parents (as Python's
--- os.makedirs(path, exist_ok=True)); an existing folder is fine; a failure is an error naming the
--- folder that could not be made and why
function M.makedirs(path)
  if type(path) ~= "string" or path == "" then
    error(("bad argument #1 to 'makedirs' (folder path expected, got %s)"):format(
      path == "" and "an empty string" or type(path)), 2)
  end
  if core.data_listdir(path) then return path end
  local pos = path:sub(1, 1) == "/" and 2 or 1
  while true do
    local slash = path:find("/", pos, true)
    local prefix = slash and path:sub(1, slash - 1) or path
    if prefix ~= "" and prefix ~= "." and prefix ~= ".." and not core.data_listdir(prefix) then
      local made, err = core.data_mkdir(prefix)
      if not made and not core.data_listdir(prefix) then
        error(("makedirs: cannot create %s: %s"):format(prefix, tostring(err)), 2)
      end
    end
    if not slash then return path end
    pos = slash + 1
  end
end

-- tables and their scalers live in their own files
local csv = require "cvision.data.csv"
M.read_csv, M.write_csv = csv.read_csv, csv.write_csv
local scalers = require "cvision.data.scalers"
M.StandardScaler, M.OneHotEncoder = scalers.StandardScaler, scalers.OneHotEncoder

return M
