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
