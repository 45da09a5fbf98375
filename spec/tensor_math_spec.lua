-- spec/tensor_math_spec.lua - computing with tensors (cvision.tensor over csrc/bind/l_tensor.c):
-- arithmetic and broadcasting, comparisons, element-wise functions, reductions, and joining
-- tensors (cv.concat, cv.split, cv.stack, flatten, item). The rest of the tensor API is in
-- spec/tensor_spec.lua.
local cv = require "cvision"
local checks = require "spec.helpers.tensor_checks"
local assert_error, close = checks.assert_error, checks.close

describe("arithmetic", function()
  local a = cv.tensor{{1, 2, 3}, {4, 5, 6}}
  it("works element-wise with numbers on either side", function()
    assert.same({{2, 3, 4}, {5, 6, 7}}, (a + 1):totable())
    assert.same({{0, -1, -2}, {-3, -4, -5}}, (1 - a):totable())
    assert.same({{2, 4, 6}, {8, 10, 12}}, (2 * a):totable())
    assert.same({{0.5, 1, 1.5}, {2, 2.5, 3}}, (a / 2):totable())
    assert.same({{1, 4, 9}, {16, 25, 36}}, (a ^ 2):totable())
    assert.same({{2, 1}}, (cv.tensor{{4, 2}} / cv.tensor{2}):totable())
    assert.same({{-1, -2, -3}, {-4, -5, -6}}, (-a):totable())
    assert.same({8}, (2 ^ cv.tensor{3}):totable())
    assert.same({1, 2, 0.5}, (cv.tensor{-5, 5, 6.5} % 3):totable())
    assert.same({-2, 1, 2}, (cv.tensor{-5, 5, 6.5} // 3):totable())
    assert.same({1, -1}, cv.tensor{7, 7}:mod(cv.tensor{3, -4}):totable())
    assert.same({2, -2}, cv.tensor{7, 7}:floordiv(cv.tensor{3, -4}):totable())
  end)

  it("broadcasts like numpy", function()
    assert.same({{11, 22, 33}, {14, 25, 36}}, (a + cv.tensor{10, 20, 30}):totable())
    assert.same({{1, 2, 3}, {8, 10, 12}}, (a * cv.tensor{{1}, {2}}):totable())
    local outer = cv.tensor{{1}, {2}} * cv.tensor{{1, 10}}
    assert.same({{1, 10}, {2, 20}}, outer:totable())
    assert.has_error(function() return a + cv.tensor{1, 2} end,
      "broadcast: shapes (2, 3) and (2,) cannot be broadcast together")
  end)

  it("keeps uint8 with wrap-around only when both operands are uint8", function()
    local u = cv.tensor({250, 3}, "uint8")
    local v = cv.tensor({10, 5}, "uint8")
    local s = u + v
    assert.equal("uint8", s.dtype)
    assert.same({4, 8}, s:totable())
    assert.same({240, 254}, (u - v):totable())
    assert.equal("float32", (u / v).dtype)
    -- % // ^ of two uint8 are float32 too (so a zero divisor gives inf/nan, not numpy's 0)
    assert.equal("float32", (u % v).dtype)
    assert.equal("float32", (u // v).dtype)
    assert.equal("float32", (u ^ v).dtype)
    assert.equal("uint8", u:maximum(v).dtype)
    assert.same({10, 3}, u:minimum(v):totable())
    assert.equal("float32", (u + 1).dtype)
    assert.same({251, 4}, (u + 1):totable())
    assert.equal("float32", (u + cv.tensor{1, 1}).dtype)
  end)

  it("reads overlapping views as they were before an in-place operation, as numpy", function()
    local x = cv.tensor{1, 2, 3, 4}
    x:slice(2, 4):add_(x:slice(1, 3))
    assert.same({1, 3, 5, 7}, x:totable())
    local v = cv.tensor{1, 2, 3, 4}
    v:slice(1, 3):mul_(v:slice(2, 4))
    assert.same({2, 6, 12, 4}, v:totable())
    local t = cv.tensor{{1, 2}, {3, 4}, {5, 6}}
    t:add_(t[1])                                   -- row 1 broadcast over every row, itself included
    assert.same({{2, 4}, {4, 6}, {6, 8}}, t:totable())
    local u = cv.tensor{{1, 2}, {3, 4}, {5, 6}}
    u:slice(2, 3):copy(u[1])
    assert.same({{1, 2}, {1, 2}, {1, 2}}, u:totable())
    local w = cv.tensor{1, 2, 3}
    w:sub_(w)                                      -- exactly aliased: element by element
    assert.same({0, 0, 0}, w:totable())
  end)

  it("has method forms and in-place forms that return the same tensor", function()
    assert.same({3, 5}, cv.tensor{1, 2}:add(cv.tensor{2, 3}):totable())
    assert.same({-1}, cv.tensor{1}:sub(2):totable())
    assert.same({6}, cv.tensor{2}:mul(3):totable())
    assert.same({0.5}, cv.tensor{1}:div(2):totable())
    assert.same({9}, cv.tensor{3}:pow(2):totable())
    assert.same({2, 5}, cv.tensor{1, 5}:maximum(2):totable())
    assert.same({1, 2}, cv.tensor{1, 5}:minimum(cv.tensor{3, 2}):totable())
    local t = cv.tensor{{1, 2}, {3, 4}}
    assert.equal(t, t:add_(1))
    assert.equal(t, t:mul_(cv.tensor{1, 10}))
    assert.equal(t, t:sub_(cv.tensor{{1}, {2}}))
    assert.equal(t, t:div_(2))
    assert.equal(t, t:pow_(2))
    assert.same({{0.25, 210.25}, {1, 576}}, t:totable())
    assert_error(function() cv.zeros{2, 1}:add_(cv.zeros{2, 3}) end, "(2, 3)")
  end)

  it("does not overload == (tensors compare by identity)", function()
    local t = cv.tensor{1}
    assert.is_true(t == t)
    assert.is_false(t == t:clone())
  end)
end)

describe("comparisons", function()
  local t = cv.tensor{1, 2, 3}
  it("give uint8 masks of 0 and 1", function()
    local m = t:eq(2)
    assert.equal("uint8", m.dtype)
    assert.same({0, 1, 0}, m:totable())
    assert.same({1, 0, 1}, t:ne(2):totable())
    assert.same({1, 0, 0}, t:lt(2):totable())
    assert.same({0, 0, 1}, t:gt(2):totable())
    assert.same({1, 1, 0}, t:le(2):totable())
    assert.same({0, 1, 1}, t:ge(2):totable())
    assert.same({1, 1, 0}, t:lt(cv.tensor{2, 3, 3}):totable())
    assert.same({1, 0, 0}, cv.tensor({1, 2, 3}, "uint8"):eq(1):totable())
  end)
end)

describe("element-wise functions", function()
  it("computes exp, log, sqrt, abs, sign, square and neg into float32", function()
    local e = cv.tensor{0, 1}:exp():totable()
    close(e[1], 1)
    close(e[2], math.exp(1), 1e-5)
    close(cv.tensor{math.exp(2)}:log()[1], 2, 1e-5)
    assert.same({3, 0}, cv.tensor{9, 0}:sqrt():totable())
    assert.same({2, 0, 1}, cv.tensor{-2, 0, 1}:abs():totable())
    assert.same({-1, 0, 1}, cv.tensor{-2, 0, 5}:sign():totable())
    assert.same({4, 9}, cv.tensor{-2, 3}:square():totable())
    assert.same({-1, 2}, cv.tensor{1, -2}:neg():totable())
    assert.equal("float32", cv.tensor({4}, "uint8"):sqrt().dtype)
  end)

  it("clamps into a new tensor or in place", function()
    local t = cv.tensor{-5, 0.5, 5}
    assert.same({0, 0.5, 1}, t:clamp(0, 1):totable())
    assert.same({-5, 0.5, 1}, t:clamp(nil, 1):totable())
    assert.equal(t, t:clamp_(-1, 1))
    assert.same({-1, 0.5, 1}, t:totable())
    assert.equal("uint8", cv.tensor({1, 200}, "uint8"):clamp(0, 100).dtype)
  end)
end)

describe("reductions", function()
  local t = cv.tensor{{1, 5, 3}, {4, 2, 6}}
  it("reduce everything to a number without an axis", function()
    assert.equal(21, t:sum())
    assert.equal(3.5, t:mean())
    assert.equal(6, t:max())
    assert.equal(1, t:min())
  end)

  it("reduce along a 1-based axis, optionally keeping it", function()
    assert.same({5, 7, 9}, t:sum(1):totable())
    assert.same({9, 12}, t:sum(2):totable())
    assert.same({{9}, {12}}, t:sum(2, true):totable())
    assert.same({3, 4}, t:mean(-1):totable())
    assert.same({4, 5, 6}, t:max(1):totable())
    assert.same({1, 2}, t:min(2):totable())
    assert.equal(6, cv.tensor{1, 2, 3}:sum(1))
    assert_error(function() t:sum(3) end, "axis 3 out of range")
  end)

  it("argmax gives 1-based positions: float32 along an axis, a number without", function()
    local a = t:argmax(2)
    assert.equal("float32", a.dtype)
    assert.same({2, 3}, a:totable())
    assert.same({2, 1, 2}, t:argmax(1):totable())
    assert.equal(3, cv.tensor{1, 0, 7, 7}:argmax())
    assert.equal(6, t:argmax())
    assert.same({1, 2}, t:argmin(2):totable())
    assert.equal(1, t:argmin())
  end)

  it("sums uint8 without overflow and floats in double precision", function()
    local u = cv.full({1000}, 255, "uint8")
    assert.equal(255000, u:sum())
    assert.same({255000}, u:reshape(1, 1000):sum(2):totable())
    close(cv.full({100000}, 0.1):sum(), 10000, 1e-3)
  end)
end)

describe("cv.concat", function()
  local a, b = cv.tensor{{1, 2}}, cv.tensor{{3, 4}, {5, 6}}
  it("joins along axis 1 by default and along any axis", function()
    assert.same({{1, 2}, {3, 4}, {5, 6}}, cv.concat{a, b}:totable())
    assert.same({{1, 2, 1, 2}}, cv.concat({a, a}, 2):totable())
    assert.same({{1, 2, 1, 2}}, cv.concat({a, a}, -1):totable())
  end)

  it("keeps a common dtype, converts mixed ones to float32, and checks shapes", function()
    local u = cv.tensor({1}, "uint8")
    assert.equal("uint8", cv.concat{u, u}.dtype)
    assert.equal("float32", cv.concat{u, cv.tensor{2}}.dtype)
    assert_error(function() cv.concat({a, b}, 2) end, "incompatible with")
  end)

  it("writes into a given tensor of the joined shape, allocating nothing", function()
    local out = cv.zeros{1, 4}
    local c0 = cv.core.alloc_stats()
    assert.equal(out, cv.concat({a, a}, 2, out))
    assert.equal(c0, (cv.core.alloc_stats()))
    assert.same({{1, 2, 1, 2}}, out:totable())
    assert_error(function() cv.concat({a, a}, 2, cv.zeros{1, 3}) end, "wrong shape")
    assert_error(function() cv.concat({a, a}, 2, "x") end, "tensor expected")
  end)
end)

describe("cv.split", function()
  it("copies the blocks of a tensor along an axis into the given tensors (concat's inverse)", function()
    local x = cv.tensor{{1, 2, 3}, {4, 5, 6}}
    local p, q = cv.zeros{2, 1}, cv.zeros{2, 2}
    local c0 = cv.core.alloc_stats()
    local outs = cv.split(x, 2, {p, q})
    assert.equal(c0, (cv.core.alloc_stats()))
    assert.equal(p, outs[1])
    assert.same({{1}, {4}}, p:totable())
    assert.same({{2, 3}, {5, 6}}, q:totable())
    local r1, r2 = cv.zeros{1, 3}, cv.zeros{1, 3}
    cv.split(x, -2, {r1, r2})  -- a negative axis counts from the end
    assert.same({{1, 2, 3}}, r1:totable())
    assert.same({{4, 5, 6}}, r2:totable())
  end)

  it("converts dtypes and refuses outputs that do not add up or disagree", function()
    local x = cv.tensor({{1, 2}, {3, 4}}, "uint8")
    local f = cv.zeros{1, 2}
    cv.split(x, 1, {f, cv.zeros({1, 2}, "uint8")})
    assert.same({{1, 2}}, f:totable())
    assert_error(function() cv.split(x, 1, {cv.zeros{1, 2}}) end, "add up to 1 along axis 1, the source has 2")
    assert_error(function() cv.split(x, 1, {cv.zeros{1, 3}, cv.zeros{1, 2}}) end,
      "output 1 has shape (1, 3), incompatible with (2, 2) along axis 1")
    assert_error(function() cv.split(x, 3, {f}) end, "axis")
    assert_error(function() cv.split(x, 1, {}) end, "non-empty list of tensors expected")
    assert_error(function() cv.split(x, 1, {f, 3}) end, "element 2 is not a tensor")
  end)
end)

describe("cv.stack, flatten and item", function()
  it("stack joins same-shaped tensors along a new axis", function()
    local a, b = cv.tensor{1, 2}, cv.tensor{3, 4}
    assert.same({{1, 2}, {3, 4}}, cv.stack{a, b}:totable())
    assert.same({{1, 3}, {2, 4}}, cv.stack({a, b}, 2):totable())
    assert.same({{1, 3}, {2, 4}}, cv.stack({a, b}, -1):totable())
    assert_error(function() cv.stack{a, cv.tensor{1}} end, "stack: tensor 2 has shape (1), expected (2)")
  end)

  it("flatten is a 1-D view and item gives the only element", function()
    local t = cv.zeros{2, 2}
    local f = t:flatten()
    assert.same({4}, f.shape)
    f[4] = 7
    assert.equal(7, t:at(2, 2))
    assert.equal(7, t:sum())
    assert.equal(3, cv.tensor{{3}}:item())
    assert.has_error(function() t:item() end, "item: tensor has 4 elements, expected 1")
  end)
end)

-- expected values from numpy 1.24 (/usr/bin/python3) at spec-writing time
describe("numpy's names: cv.concatenate, cv.unique, cv.matmul", function()
  it("concatenate joins along cvision's 1-based axis (numpy's axis=0 is axis 1)", function()
    local a, b = cv.tensor{{1, 2}}, cv.tensor{{3, 4}}
    assert.same({{1, 2}, {3, 4}}, cv.concatenate({a, b}):totable())
    assert.same({{1, 2, 3, 4}}, cv.concatenate({a, b}, 2):totable())
    assert.same({{1, 2, 3, 4}}, cv.concatenate({a, b}, -1):totable())
    assert_error(function() cv.concatenate({}) end, "bad argument #1 to 'concatenate'")
  end)

  it("unique gives sorted distinct values and, asked, their counts (np.unique)", function()
    -- np.unique([3, 1, 2, 3, 1, 1], return_counts=True) --> [1, 2, 3], [3, 1, 2]
    local t = cv.tensor{3, 1, 2, 3, 1, 1}
    assert.same({1, 2, 3}, cv.unique(t):totable())
    local u, c = cv.unique(t, {return_counts = true})
    assert.same({1, 2, 3}, u:totable())
    assert.same({3, 1, 2}, c:totable())
    assert.equal("float32", c.dtype)
    local b = cv.unique(cv.tensor({{5, 0}, {5, 2}}, "uint8"))
    assert.equal("uint8", b.dtype)
    assert.same({0, 2, 5}, b:totable())
    assert.same({0}, cv.unique(cv.zeros{0}).shape)
    assert_error(function() cv.unique(t, {counts = true}) end, "did you mean 'return_counts'")
  end)

  it("matmul multiplies 2-D and batched 3-D tensors as np.matmul, broadcasting a 2-D operand", function()
    local a, b = cv.arange(6):reshape{2, 3}, cv.arange(12):reshape{3, 4}
    local A, B = cv.arange(12):reshape{2, 2, 3}, cv.arange(24):reshape{2, 3, 4}
    -- np.arange(6.).reshape(2,3) @ np.arange(12.).reshape(3,4)
    assert.same({{20, 23, 26, 29}, {56, 68, 80, 92}}, cv.matmul(a, b):totable())
    assert.same({{{20, 23, 26, 29}, {56, 68, 80, 92}}, {{344, 365, 386, 407}, {488, 518, 548, 578}}},
      cv.matmul(A, B):totable())
    assert.same({{{20, 23, 26, 29}, {56, 68, 80, 92}}, {{92, 113, 134, 155}, {128, 158, 188, 218}}},
      cv.matmul(A, b):totable())
    assert.same({{{20, 23, 26, 29}, {56, 68, 80, 92}}, {{56, 59, 62, 65}, {200, 212, 224, 236}}},
      cv.matmul(a, B):totable())
    assert_error(function() cv.matmul(a, a) end, "do not align")
    assert_error(function() cv.matmul(cv.zeros{3}, b) end, "2-D or 3-D")
  end)
end)
