-- cvision.datasets.fashion_mnist: Zalando's Fashion-MNIST (MIT licence), read from the idx files
-- that Debian's dataset-fashion-mnist package installs, or from a folder holding the same files.
--
--   local (X_train, y_train), (X_test, y_test) = ...   -- in Lua:
--   local train, test = cv.datasets.fashion_mnist.load_data()
--   X_train, y_train = train[1], train[2]            -- or train.x, train.y
--
-- X: uint8 (N, 28, 28, 1) (Keras gives (N, 28, 28); the channel axis is added here so the
-- images go straight into Conv2D). y: float32 (N) of 1-BASED class numbers (Keras: 0-based uint8),
-- as every cvision loss and metric expects; class_names[y] names them.
local core = require "cvision.core"

local M = {}

M.default_dir = "/usr/share/datasets/fashion-mnist"

M.class_names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
  "Sneaker", "Bag", "Ankle boot"}

--- read_idx(path) --> tensor: any idx file (gzip or not); uint8 for unsigned-byte data, float32
--- otherwise. Errors name the file (missing, not idx, truncated).
function M.read_idx(path)
  if type(path) ~= "string" then error("bad argument #1 to 'read_idx' (path expected)", 2) end
  return core.idx_load(path)
end

local function find(dir, base)
  for _, name in ipairs({base .. ".gz", base}) do
    local p = dir .. "/" .. name
    local f = io.open(p, "rb")
    if f then f:close(); return p end
  end
  error(("fashion_mnist: %s/%s(.gz) not found (install Debian's dataset-fashion-mnist, or pass the folder holding the idx files)"):format(dir, base), 3)
end

local function pair(dir, images, labels, who)
  local x = M.read_idx(find(dir, images))
  local y = M.read_idx(find(dir, labels))
  local xs, ys = x.shape, y.shape
  if x.dtype ~= "uint8" or #xs ~= 3 or #ys ~= 1 or xs[1] ~= ys[1] then
    error(("fashion_mnist: %s images %s and labels %s do not match"):format(who,
      table.concat(xs, "x"), table.concat(ys, "x")), 3)
  end
  x = x:reshape{xs[1], xs[2], xs[3], 1}
  y = y:astype("float32") + 1
  return {x, y, x = x, y = y}
end

--- load_data([dir]) --> train, test: train = {X_train, y_train} (also .x, .y), test likewise.
--- Shapes {60000, 28, 28, 1} uint8 and {60000} float32 (1-based), {10000, ...} for test.
function M.load_data(dir)
  dir = dir or M.default_dir
  local train = pair(dir, "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "train")
  local test = pair(dir, "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte", "test")
  return train, test
end

return M
