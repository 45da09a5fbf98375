-- spec/limits_spec.lua: files that claim more than they hold (#18): each is refused before
-- anything large is allocated, naming the file, in a child process whose peak memory (VmHWM) is
-- measured; special files (a FIFO, /dev/zero, a directory) are refused at once; the budgets of
-- cv.set_limits / cv.get_limits.
local cv = require "cvision"
local tmp = require "spec.helpers.tmpdir"

local function le16(v) return string.pack("<I2", v) end
local function le32(v) return string.pack("<I4", v) end

-- crafted files (the ones that once cost gigabytes)
local function bomb_bmp()  -- 54 bytes claiming 16384x16384 at 32 bits
  return "BM" .. le32(54) .. le32(0) .. le32(54) .. le32(40) .. le32(16384) .. le32(16384) .. le16(1)
    .. le16(32) .. ("\0"):rep(24)
end
local function budget_bmp()  -- 9000x9000 at 24 bits: within the pixel budget, truncated
  return "BM" .. le32(54) .. le32(0) .. le32(54) .. le32(40) .. le32(9000) .. le32(9000) .. le16(1)
    .. le16(24) .. ("\0"):rep(24) .. ("\0"):rep(40)
end
local function bomb_gif()  -- 35 bytes: a 10000x10000 canvas and frame, 2 bytes of LZW data
  return "GIF89a" .. le16(10000) .. le16(10000) .. "\128\0\0" .. "\0\0\0\255\255\255" .. ","
    .. le16(0) .. le16(0) .. le16(10000) .. le16(10000) .. "\0" .. "\2\2\68\1\0;"
end
local function bomb_jpg()  -- SOF0 claiming 10000x10000, a scan of 4 bytes, EOI
  return "\255\216\255\192" .. string.pack(">I2BI2I2B", 11, 8, 10000, 10000, 1) .. "\1\17\0"
    .. "\255\218" .. string.pack(">I2", 8) .. "\1\1\0\0\63\0" .. "\0\0\0\0" .. "\255\217"
end
local function bomb_idx() return "\0\0\8\1" .. string.pack(">I4", 2 ^ 31 // 1) end

describe("files that claim more than they hold", function()
  local dir
  setup(function() dir = tmp.dir() end)
  teardown(function() tmp.rmtree(dir) end)

  local function write(name, s)
    local p = dir .. "/" .. name
    assert(io.open(p, "wb")):write(s):close()
    return p
  end

  -- runs loads in a child process: each prints its error; then the peak resident memory in KB
  local function child(calls)
    local script = write("child.lua", [[
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath
local cv = require "cvision"
for _, c in ipairs{]] .. calls .. [[} do
  local ok, err = pcall(c[1], c[2])
  print(ok and "LOADED" or tostring(err))
end
for l in io.lines("/proc/self/status") do
  local kb = l:match("^VmHWM:%s*(%d+)")
  if kb then print("peak " .. kb) end
end
]])
    local p = io.popen("CVISION_NUM_THREADS=1 lua5.4 " .. script .. " 2>&1")
    local out = p:read("a")
    p:close()
    return out, tonumber(out:match("peak (%d+)"))
  end

  it("refuses each before allocating: errors name the file, the child's peak memory stays under 100 MB", function()
    local files = {bmp = write("bomb.bmp", bomb_bmp()), bmp2 = write("t.bmp", budget_bmp()),
      gif = write("bomb.gif", bomb_gif()), jpg = write("bomb.jpg", bomb_jpg()), idx = write("bomb.idx", bomb_idx())}
    assert.equal(54, #bomb_bmp())
    assert.equal(35, #bomb_gif())
    assert.equal(8, #bomb_idx())
    local calls = {}
    for _, k in ipairs{"bmp", "bmp2", "gif", "jpg"} do calls[#calls + 1] = ("{cv.imread, %q}"):format(files[k]) end
    calls[#calls + 1] = ("{cv.core.idx_load, %q}"):format(files.idx)
    local out, peak = child(table.concat(calls, ", "))
    local function has(s) assert.is_truthy(out:find(s, 1, true), s .. " in:\n" .. out) end
    has(files.bmp .. ": image too large (16384x16384 = 268435456 pixels; the limit is 178956970")
    has(files.bmp2 .. ": truncated BMP data (the header claims 9000x9000 at 24 bits per pixel, 243000000 bytes")
    has(files.gif .. ": corrupt GIF data (10000x10000 pixels claimed, 2 bytes of image data hold at most 9558)")
    has(files.jpg .. ": corrupt JPEG data (10000x10000 pixels claimed, 4 bytes of image data hold at most 6144)")
    has(files.idx .. ": truncated idx data (the header claims 2147483648 bytes, the file holds 0)")
    assert.is_falsy(out:find("LOADED", 1, true), out)
    assert.is_not_nil(peak, out)
    assert.is_true(peak < 100 * 1024, ("peak memory %d KB"):format(peak))
  end)

  it("refuses a FIFO, /dev/zero behind a symlink and a directory at once", function()
    local fifo, link, sub = dir .. "/x.png", dir .. "/zero.png", dir .. "/d.png"
    assert(os.execute("mkfifo " .. fifo .. " && ln -s /dev/zero " .. link .. " && mkdir " .. sub))
    assert.has_error(function() cv.imread(fifo) end, "cv.imread: " .. fifo .. ": not a regular file (a FIFO)")
    assert.has_error(function() cv.imread(link) end, "cv.imread: " .. link .. ": not a regular file (a character device)")
    assert.has_error(function() cv.imread(sub) end, "cv.imread: " .. sub .. ": not a regular file (a directory)")
    local s, err = require("cvision.saving").read_file(fifo)
    assert.is_nil(s)
    assert.equal(fifo .. ": not a regular file (a FIFO)", err)
    local ok, lerr = pcall(cv.models.load_model, fifo)
    assert.is_false(ok)
    assert.matches("not a regular file %(a FIFO%)", lerr)
    ok, lerr = pcall(cv.core.idx_load, fifo)
    assert.is_false(ok)
    assert.matches("not a regular file %(a FIFO%)", lerr)
    -- a folder of images with a FIFO among them fails naming it, it does not hang
    local imgs = dir .. "/imgs/a"
    assert(os.execute("mkdir -p " .. imgs .. " && mkfifo " .. imgs .. "/f.png"))
    cv.imwrite(imgs .. "/g.png", cv.zeros({4, 4, 1}, "uint8"))
    ok, lerr = pcall(function()
      local ds = cv.data.image_dataset_from_directory(dir .. "/imgs", {image_size = {4, 4}, verbose = false})
      ds:to_tensors()
    end)
    assert.is_false(ok)
    assert.matches("f%.png: not a regular file %(a FIFO%)", lerr)
  end)

  it("refuses a model file whose config builds more weights than its tensors hold", function()
    local m = cv.Sequential{cv.Input{4}, cv.layers.Dense(3)}
    local saving = require "cvision.saving"
    m:save(dir .. "/small.cvm")
    local st = saving.read_safetensors(dir .. "/small.cvm")
    local meta, entries = {}, {}
    for k, v in pairs(st.metadata) do if k ~= "data_crc32" and k ~= "header_crc32" then meta[k] = v end end
    meta.config = st.metadata.config:gsub('"units": 3', '"units": 20000000')
    for _, n in ipairs(st.names) do entries[#entries + 1] = {n, st.tensors[n]} end
    saving.write_safetensors(dir .. "/big.cvm", entries, meta)
    local ok, err = pcall(cv.models.load_model, dir .. "/big.cvm")
    assert.is_false(ok)
    assert.matches("big%.cvm: cannot rebuild the model: .*dense.*weights of shape %(4, 20000000%) need 320000000 "
      .. "bytes, more than the 60 bytes of tensors the file holds", err)
    assert.equal(15, cv.models.load_model(dir .. "/small.cvm"):count_params())
  end)

  it("refuses a safetensors shape whose size overflows", function()
    local header = '{"x": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 0]}}'
    local p = write("over.safetensors", string.pack("<I8", #header) .. header)
    local st, err = require("cvision.saving").read_safetensors(p)
    assert.is_nil(st)
    assert.equal("tensor 'x': shape [4294967296, 4294967296] is impossibly large", err)
  end)
end)

describe("cv.set_limits / cv.get_limits", function()
  after_each(function() cv.set_limits{max_image_pixels = 178956970, max_tensor_bytes = 2 ^ 32 // 1,
    max_file_bytes = 2 ^ 31 // 1 - 1} end)

  it("reads and sets the budgets; a field left out keeps its value", function()
    assert.same({max_image_pixels = 178956970, max_tensor_bytes = 2 ^ 32 // 1, max_file_bytes = 2 ^ 31 // 1 - 1},
      cv.get_limits())
    local r = cv.set_limits{max_image_pixels = 255}
    assert.equal(255, r.max_image_pixels)
    assert.equal(2 ^ 32 // 1, r.max_tensor_bytes)
    assert.has_error(function() cv.imread("spec/fixtures/images/rgb16x16.png") end,
      "cv.imread: spec/fixtures/images/rgb16x16.png: image too large (16x16 = 256 pixels; the limit is 255: "
      .. "cv.set_limits{max_image_pixels = ...})")
    cv.set_limits{max_image_pixels = 256, max_file_bytes = 10}
    assert.has_error(function() cv.imread("spec/fixtures/images/rgb16x16.png") end)
    cv.set_limits{max_file_bytes = 1 << 20}
    assert.same({16, 16, 3}, cv.imread("spec/fixtures/images/rgb16x16.png").shape)
  end)

  it("refuses unknown keys, non-integers and values below 1", function()
    assert.has_error(function() cv.set_limits{max_pixels = 1} end,
      "bad argument to 'set_limits' (unknown option 'max_pixels')")
    assert.has_error(function() cv.set_limits{max_image_pixels = 0} end,
      "set_limits: max_image_pixels must be a positive integer, not 0")
    assert.has_error(function() cv.set_limits{max_tensor_bytes = 1.5} end,
      "set_limits: max_tensor_bytes must be a positive integer, not 1.5")
    assert.has_error(function() cv.set_limits(5) end, "bad argument #1 to 'set_limits' (table expected, got number)")
    assert.equal(178956970, cv.get_limits().max_image_pixels)
  end)
end)
