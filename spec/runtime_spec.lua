local cv = require "cvision"
local core = require "cvision.core"

describe("cv.set_num_threads", function()
  local before
  before_each(function() before = cv.get_num_threads() end)
  after_each(function() cv.set_num_threads(before) end)

  it("sets the thread count that get_num_threads reports", function()
    cv.set_num_threads(1)
    assert.equal(1, cv.get_num_threads())
    cv.set_num_threads(3)
    assert.equal(3, cv.get_num_threads())
  end)

  it("refuses counts outside 1..64 with an argument error", function()
    assert.has_error(function() cv.set_num_threads(0) end,
      "bad argument #1 to 'set_num_threads' (thread count must be between 1 and 64)")
    assert.has_error(function() cv.set_num_threads("x") end)
  end)
end)

describe("core.monotonic", function()
  it("never goes backwards", function()
    local a = core.monotonic()
    local b = core.monotonic()
    assert.is_true(b >= a)
    assert.equal("number", type(a))
  end)
end)

describe("core.cpu_path", function()
  it("names the kernel path and can be forced to the portable one", function()
    local p = core.cpu_path()
    assert.is_true(p == "avx2+fma" or p == "portable")
    core.force_portable(true)
    assert.equal("portable", core.cpu_path())
    core.force_portable(false)
    assert.equal(p, core.cpu_path())
  end)
end)

describe("core.set_winograd", function()
  local L = cv.layers
  after_each(function() core.set_winograd(true) end)

  -- a 3x3 'same' Conv2D with 16 -> 32 channels takes the Winograd path on AVX2 CPUs
  local function conv_pass(on)
    core.set_winograd(on)
    cv.manual_seed(5)
    local m = cv.Sequential{L.Input{9, 7, 16}, L.Conv2D(32, 3, {padding = "same", activation = "relu"})}
    local x = cv.rand{3, 9, 7, 16} - 0.5
    local l = m.layers[1]
    local y = l:forward(x, true):clone()
    local dx = l:backward(cv.rand(y.shape)):clone()
    return y, dx
  end

  it("switches between Winograd and the direct convolution, which agree to rounding", function()
    local y1, dx1 = conv_pass(true)
    local y0, dx0 = conv_pass(false)
    assert.same(y0.shape, y1.shape)
    assert.is_true((y1 - y0):abs():max() < 1e-4)
    assert.is_true((dx1 - dx0):abs():max() < 1e-4)
    assert.is_true(y0:abs():max() > 0.5)  -- a real comparison, not two zero tensors
    if core.cpu_path() == "avx2+fma" then
      -- two different algorithms: some of the 2016 outputs differ in their last bits
      assert.is_true((y1 - y0):abs():max() > 0)
    end
  end)

  it("takes any value (truthiness) but needs one", function()
    assert.has_no.errors(function() core.set_winograd(1) end)
    assert.has_error(function() core.set_winograd() end)
  end)
end)

-- A few Adam steps of a small CNN whose layers take every SIMD kernel on an AVX2 CPU (Winograd
-- and implicit-GEMM convolutions, AVX2 max pooling, the GEMM micro-kernel, AVX2 Adam); returns
-- the losses and the weights' sums, each as a hex float (%a: every bit shows).
local TRAIN = [[
local cv = require "cvision"
local L = cv.layers
cv.manual_seed(3)
local m = cv.Sequential{L.Input{10, 10, 8},
  L.Conv2D(16, 3, {padding = "same", activation = "relu"}), L.MaxPooling2D(2),
  L.Conv2D(16, 3, {activation = "relu"}), L.Conv2D(8, 3, {strides = 2, padding = "same"}),
  L.Flatten(), L.Dense(4)}
m:compile{optimizer = cv.optimizers.Adam{learning_rate = 0.01},
  loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true}}
local x = cv.rand{16, 10, 10, 8} - 0.5
local labels = {}
for i = 1, 16 do labels[i] = (i * 3) % 4 + 1 end
local y = cv.tensor(labels)
local out = {}
for _ = 1, 4 do out[#out + 1] = ("%a"):format(m:train_on_batch(x, y)[1]) end
for _, w in ipairs(m:get_weights()) do out[#out + 1] = ("%a"):format(w:sum()) end
return table.concat(out, " ")
]]

local function numbers(s)
  local t = {}
  for v in s:gmatch("%S+") do t[#t + 1] = tonumber(v) end
  return t
end

-- runs lua code in a fresh lua5.4 with CVISION_SIMD=0, cvision from this tree; --> its output lines
local function portable_process(code)
  local pre = 'package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path; ' ..
              'package.cpath = "./lua/?.so;" .. package.cpath'
  local p = assert(io.popen("CVISION_SIMD=0 lua5.4 -e '" .. pre .. "' -e '" .. code .. "' 2>&1"))
  local lines = {}
  for l in p:lines() do lines[#lines + 1] = l end
  p:close()
  return lines
end

describe("cv.versions", function()
  it("reports the dispatch table the kernels run through", function()
    local v = cv.versions{quiet = true}
    assert.is_true(v.kernels == "avx2+fma" or v.kernels == "portable")
    assert.equal(core.cpu_path(), v.kernels)
    assert.equal(core.sys.info().simd, v.kernels)
    core.force_portable(true)
    assert.equal("portable", cv.versions{quiet = true}.kernels)
    assert.equal(v.kernels, core.sys.info().simd_detected)  -- the detected table stays
    core.force_portable(false)
    assert.equal(v.kernels, cv.versions{quiet = true}.kernels)
  end)

  describe("with CVISION_SIMD=0 in the environment", function()
    local tmp = os.tmpname()
    local out
    setup(function()
      local f = assert(io.open(tmp, "w"))
      f:write(TRAIN)
      f:close()
      out = portable_process('print(require("cvision").versions{quiet = true}.kernels); ' ..
                             'print(require("cvision.core").sys.info().simd_detected); ' ..
                             'print(dofile("' .. tmp .. '"))')
    end)
    teardown(function() os.remove(tmp) end)

    it("reports the portable table, as detected at start-up", function()
      assert.equal("portable", out[1], table.concat(out, "\n"))
      assert.equal("portable", out[2])
    end)

    it("trains to the same bits as the portable table forced in this process", function()
      core.force_portable(true)
      local ok, here = pcall(load(TRAIN))
      core.force_portable(false)
      assert(ok, here)
      assert.equal(here, out[3])
    end)

    it("trains like the detected table, within rounding", function()
      local fast, port = numbers(load(TRAIN)()), numbers(out[3])
      assert.equal(#fast, #port)
      assert.equal(4 + 8, #fast)  -- 4 losses, 3 kernels + 3 biases + Dense w and b
      for i = 1, #fast do
        assert.is_true(math.abs(fast[i] - port[i]) <= 1e-3 * (1 + math.abs(port[i])),
          ("value %d: %.9g on %s, %.9g portable"):format(i, fast[i], core.cpu_path(), port[i]))
      end
      assert.is_true(port[4] < port[1])  -- it does learn
    end)
  end)
end)
