-- spec/fashion_mnist_spec.lua: the idx reader and cvision.datasets.fashion_mnist
local cv = require "cvision"
local fm = require "cvision.datasets.fashion_mnist"

local function write(path, bytes)
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
end

local function tmp() local p = os.tmpname(); os.remove(p); return p end

describe("read_idx", function()
  it("reads unsigned-byte images and labels", function()
    local p = tmp()
    write(p, "\0\0\8\3" .. string.pack(">I4I4I4", 2, 2, 3) .. "\1\2\3\4\5\6\7\8\9\10\11\12")
    local t = fm.read_idx(p)
    os.remove(p)
    assert.equal("uint8", t.dtype)
    assert.same({2, 2, 3}, t.shape)
    assert.equal(6, t:at(1, 2, 3))
    assert.equal(12, t:at(2, 2, 3))
  end)

  it("reads other element types as float32", function()
    local p = tmp()
    write(p, "\0\0\11\1" .. string.pack(">I4", 3) .. string.pack(">i2i2i2", -2, 300, 7))
    local t = fm.read_idx(p)
    assert.equal("float32", t.dtype)
    assert.same({-2, 300, 7}, t:totable())
    write(p, "\0\0\13\1" .. string.pack(">I4", 2) .. string.pack(">ff", 1.5, -0.25))
    assert.same({1.5, -0.25}, fm.read_idx(p):totable())
    os.remove(p)
  end)

  it("names the file when the header is corrupt or the data short", function()
    local p = tmp()
    write(p, "\7\7\8\1" .. string.pack(">I4", 3) .. "\1\2\3")
    local ok, err = pcall(fm.read_idx, p)
    assert.is_false(ok)
    assert.truthy(err:find(p, 1, true))
    assert.truthy(err:find("not an idx file", 1, true))
    write(p, "\0\0\8\1" .. string.pack(">I4", 10) .. "\1\2\3")
    ok, err = pcall(fm.read_idx, p)
    assert.is_false(ok)
    assert.truthy(err:find("truncated", 1, true))
    write(p, "\0\0\8\2" .. string.pack(">I4", 4))
    ok, err = pcall(fm.read_idx, p)
    assert.is_false(ok)
    assert.truthy(err:find("truncated idx header", 1, true))
    write(p, "\0\0\8\2" .. string.pack(">I4I4", 0xffffffff, 0xffffffff))
    ok = pcall(fm.read_idx, p)
    assert.is_false(ok)
    os.remove(p)
    ok, err = pcall(fm.read_idx, p)
    assert.is_false(ok)
    assert.truthy(err:find("No such file", 1, true))
  end)
end)

describe("fashion_mnist.load_data", function()
  local have = io.open(fm.default_dir .. "/t10k-labels-idx1-ubyte.gz", "rb")
  if have then have:close() end

  it("reports a missing folder clearly", function()
    local ok, err = pcall(fm.load_data, "/nonexistent-folder")
    assert.is_false(ok)
    assert.truthy(err:find("train-images-idx3-ubyte", 1, true))
  end)

  it("reads a folder of idx files, adding the channel axis and 1-based labels", function()
    local d = tmp()
    assert(cv.core.data_mkdir(d))
    local img = "\0\0\8\3" .. string.pack(">I4I4I4", 2, 28, 28) .. string.rep("\200", 2 * 784)
    local lab = "\0\0\8\1" .. string.pack(">I4", 2) .. "\0\9"
    for _, s in ipairs({"train", "t10k"}) do
      write(d .. "/" .. s .. "-images-idx3-ubyte", img)
      write(d .. "/" .. s .. "-labels-idx1-ubyte", lab)
    end
    local train, test = fm.load_data(d)
    for _, s in ipairs({"train", "t10k"}) do
      os.remove(d .. "/" .. s .. "-images-idx3-ubyte")
      os.remove(d .. "/" .. s .. "-labels-idx1-ubyte")
    end
    os.remove(d)
    assert.same({2, 28, 28, 1}, train[1].shape)
    assert.same({1, 10}, test.y:totable())
    assert.equal("Ankle boot", fm.class_names[test.y:at(2)])
  end)

  if have then
    it("loads Debian's Fashion-MNIST: {60000, 28, 28, 1} and {10000, 28, 28, 1}", function()
      local train, test = fm.load_data()
      assert.same({60000, 28, 28, 1}, train[1].shape)
      assert.same({60000}, train[2].shape)
      assert.same({10000, 28, 28, 1}, test[1].shape)
      assert.equal("uint8", train[1].dtype)
      assert.equal(1, train[2]:min())
      assert.equal(10, train[2]:max())
      assert.equal(10, test[2]:at(1))   -- the first test image is an ankle boot
    end)
  end
end)
