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
