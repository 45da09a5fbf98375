local cv = require "cvision"

describe("cv.zeros", function()
  it("makes a float32 tensor of the given shape filled with zeros", function()
    local t = cv.zeros{2, 3}
    assert.same({2, 3}, t.shape)
    assert.equal("float32", t.dtype)
  end)
end)
