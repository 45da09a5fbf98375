-- spec/tensor_spec.lua - the Lua tensor API (cvision.tensor over csrc/bind/l_tensor.c): making
-- tensors, their shape, views, assignment, gathering, conversions and copies, printing, memory
-- and all_finite. Arithmetic, comparisons, element-wise functions, reductions and joining
-- (concat, split, stack) are in spec/tensor_math_spec.lua.
local cv = require "cvision"
local checks = require "spec.helpers.tensor_checks"
local assert_error, close = checks.assert_error, checks.close

describe("cv.tensor", function()
  it("infers the shape of a nested table and defaults to float32", function()
    local t = cv.tensor{{1, 2, 3}, {4, 5, 6}}
    assert.same({2, 3}, t.shape)
    assert.equal("float32", t.dtype)
    assert.same({{1, 2, 3}, {4, 5, 6}}, t:totable())
  end)

  it("takes a dtype and wraps around into uint8 like numpy", function()
    local t = cv.tensor({0, 1, 255, 256, -1, 300}, "uint8")
    assert.equal("uint8", t.dtype)
    assert.same({0, 1, 255, 0, 255, 44}, t:totable())
  end)

  it("reports ragged input with its depth and the sizes", function()
    assert.has_error(function() cv.tensor{{1, 2, 3}, {4, 5}} end,
      "cv.tensor: ragged nested table at depth 2 (expected 3 elements, got 2)")
    assert_error(function() cv.tensor{{1, 2}, 3} end, "ragged nested table at depth 2 (expected a table of 2 elements, got number)")
    assert_error(function() cv.tensor{1, {2}} end, "ragged nested table at depth 2 (expected a number, got table)")
    assert_error(function() cv.tensor{1, "x"} end, "expected a number, got string")
  end)

  it("makes a 0-d tensor from a number and copies a tensor", function()
    local s = cv.tensor(5)
    assert.same({}, s.shape)
    assert.equal(5, s:totable())
    local a = cv.tensor{1, 2}
    local b = cv.tensor(a)
    b[1] = 9
    assert.equal(1, a[1])
    assert.equal("uint8", cv.tensor(a, "uint8").dtype)
  end)

  it("reads booleans as 0 and 1 and an empty table as shape (0)", function()
    assert.same({1, 0}, cv.tensor{true, false}:totable())
    assert.same({0}, cv.tensor{}.shape)
  end)
end)

describe("constructors", function()
  it("zeros takes a shape table or numbers, and a dtype", function()
    assert.same({2, 3}, cv.zeros{2, 3}.shape)
    assert.same({2, 3}, cv.zeros(2, 3).shape)
    local u = cv.zeros({4}, "uint8")
    assert.equal("uint8", u.dtype)
    assert.same({0, 0, 0, 0}, u:totable())
    assert.equal("uint8", cv.zeros(2, "uint8").dtype)
  end)

  it("ones, full, zeros_like and ones_like fill their value", function()
    assert.same({1, 1, 1}, cv.ones{3}:totable())
    assert.same({{7, 7}}, cv.full({1, 2}, 7):totable())
    assert.equal("uint8", cv.full({2}, 3, "uint8").dtype)
    local t = cv.tensor({{1, 2}}, "uint8")
    local z = cv.zeros_like(t)
    assert.same({1, 2}, z.shape)
    assert.equal("uint8", z.dtype)
    assert.same({{1, 1}}, cv.ones_like(t):totable())
  end)

  it("arange follows numpy", function()
    assert.same({0, 1, 2, 3}, cv.arange(4):totable())
    assert.same({2, 3, 4}, cv.arange(2, 5):totable())
    assert.same({1, 1.5, 2, 2.5}, cv.arange(1, 3, 0.5):totable())
    assert.same({5, 3, 1}, cv.arange(5, 0, -2):totable())
    assert.same({0}, cv.arange(3, 1).shape)
    assert.equal("float32", cv.arange(3).dtype)
    assert_error(function() cv.arange(0, 3, 0) end, "step must not be zero")
  end)

  it("rand and randn draw from the seeded stream", function()
    cv.manual_seed(7)
    local a, n1 = cv.rand{100}, cv.randn(50, 2)
    cv.manual_seed(7)
    local b, n2 = cv.rand(100), cv.randn{50, 2}
    assert.same(a:totable(), b:totable())
    assert.same(n1:totable(), n2:totable())
    assert.same({50, 2}, n1.shape)
    assert.is_true(a:min() >= 0 and a:max() < 1)
    local r = cv.rand({1000}, 5, 6)
    assert.is_true(r:min() >= 5 and r:max() < 6)
    local n = cv.randn({20000}, 3, 2)
    close(n:mean(), 3, 0.1)
    close(((n - 3) ^ 2):mean(), 4, 0.2)
  end)

  it("is_tensor tells tensors from other values", function()
    assert.is_true(cv.is_tensor(cv.zeros{1}))
    assert.is_false(cv.is_tensor({}))
    assert.is_false(cv.is_tensor(3))
  end)
end)

describe("shape queries", function()
  local t = cv.zeros{4, 3, 2}
  it("gives shape, dtype, #t, size, numel and dim", function()
    assert.same({4, 3, 2}, t.shape)
    assert.equal("float32", t.dtype)
    assert.equal(4, #t)
    assert.equal(3, t:size(2))
    assert.equal(2, t:size(-1))
    assert.same({4, 3, 2}, t:size())
    assert.equal(24, t:numel())
    assert.equal(3, t:dim())
    assert_error(function() t:size(4) end, "axis 4 out of range for a tensor of rank 3")
  end)

  it("has no other fields and refuses to set one", function()
    assert.is_nil(t.foo)
    assert.has_error(function() t.foo = 1 end, "cannot set field 'foo' of a tensor")
  end)
end)

describe("views", function()
  it("t[i] is a view of sample i, 1-based, negative from the end", function()
    local t = cv.arange(6):reshape(3, 2)
    local r = t[2]
    assert.same({2}, r.shape)
    assert.same({2, 3}, r:totable())
    r[1] = 20
    assert.equal(20, t:at(2, 1))
    assert.same({4, 5}, t[-1]:totable())
  end)

  it("t[i] of a 1-D tensor is a number", function()
    local t = cv.tensor{10, 20, 30}
    assert.equal(20, t[2])
    assert.equal("number", type(t[3]))
  end)

  it("raises on an index out of range", function()
    local t = cv.zeros{10}
    assert.has_error(function() return t[11] end, "index 11 out of range for axis 1 of size 10")
    assert.has_error(function() return t[0] end, "index 0 out of range for axis 1 of size 10")
    assert.has_error(function() t[11] = 1 end, "index 11 out of range for axis 1 of size 10")
  end)

  it("reshape shares storage and infers one -1", function()
    local t = cv.arange(6)
    local r = t:reshape{2, -1}
    assert.same({2, 3}, r.shape)
    assert.same({3, 2}, t:reshape(3, 2).shape)
    r[1] = 9
    assert.same({9, 9, 9, 3, 4, 5}, t:totable())
    assert.has_error(function() t:reshape{4, 2} end,
      "reshape: cannot reshape a tensor of 6 elements into shape (4, 2)")
    assert_error(function() t:reshape{-1, -1} end, "only one dimension can be -1")
  end)

  it("slice takes inclusive rows like string.sub and shares storage", function()
    local t = cv.arange(10):reshape(5, 2)
    assert.same({{2, 3}, {4, 5}}, t:slice(2, 3):totable())
    assert.same({{6, 7}, {8, 9}}, t:slice(-2):totable())
    assert.same({{0, 1}}, t:slice(-10, 1):totable())
    assert.same({0, 2}, t:slice(4, 3).shape)
    t:slice(1, 2):fill(-1)
    assert.equal(-1, t:at(2, 2))
  end)

  it("at and set address one element with all indices", function()
    local t = cv.zeros{2, 3}
    assert.equal(t, t:set(2, 3, 5))
    assert.equal(5, t:at(2, 3))
    assert.equal(5, t:at(-1, -1))
    assert_error(function() t:at(1) end, "expected 2 indices for a tensor of rank 2, got 1")
    assert.has_error(function() t:at(1, 4) end, "index 4 out of range for axis 2 of size 3")
  end)
end)

describe("assignment", function()
  it("t[i] = number fills a sample", function()
    local t = cv.zeros{2, 2}
    t[2] = 3
    assert.same({{0, 0}, {3, 3}}, t:totable())
  end)

  it("t[i] = tensor or table copies into the sample, broadcasting", function()
    local t = cv.zeros{2, 2, 2}
    t[1] = cv.tensor{{1, 2}, {3, 4}}
    t[2] = {5, 6}
    assert.same({{{1, 2}, {3, 4}}, {{5, 6}, {5, 6}}}, t:totable())
    assert_error(function() t[1] = cv.zeros{3} end, "could not broadcast a tensor of shape (3,) into shape (2, 2)")
  end)

  it("t[idx] = v sets the rows named by a float32 index tensor or a table, as t[idx] reads them", function()
    local t = cv.zeros{3, 2}
    t[cv.tensor{3, 1}] = 5
    assert.same({{5, 5}, {0, 0}, {5, 5}}, t:totable())
    local u = cv.zeros{3}
    u[{1, -1}] = 7
    assert.same({7, 0, 7}, u:totable())
    -- a float32 tensor is never a mask: {2, 0} names row 2 and row 0, which does not exist
    assert_error(function() t[cv.tensor{2, 0}] = 1 end, "assignment: index 0 out of range for axis 1 of size 3")
    assert.same({{5, 5}, {0, 0}, {5, 5}}, t:totable())   -- nothing was written
    assert_error(function() u[{1.5}] = 1 end, "indices must be integers")
  end)

  it("t[mask] = v sets the selected rows or elements", function()
    local t = cv.arange(6):reshape(3, 2)
    t[cv.tensor{1, 0, 1}:eq(1)] = 0
    assert.same({{0, 0}, {2, 3}, {0, 0}}, t:totable())
    local u = cv.arange(4)
    u[u:gt(1)] = -1
    assert.same({0, 1, -1, -1}, u:totable())
  end)
end)

describe("gathering", function()
  local X = cv.arange(8):reshape(4, 2)
  it("index gathers rows by a 1-based table or tensor, as a copy", function()
    assert.same({{6, 7}, {0, 1}, {6, 7}}, X:index{4, 1, 4}:totable())
    local g = X:index(cv.tensor{2, 3})
    assert.same({{2, 3}, {4, 5}}, g:totable())
    g[1] = 100
    assert.equal(2, X:at(2, 1))
    assert.same({{6, 7}}, X:index{-1}:totable())
    assert.has_error(function() X:index{5} end, "index: index 5 out of range for axis 1 of size 4")
    assert.same({{0, 1}}, X[{1}]:totable())
    assert.same({{2, 3}}, X[cv.tensor{2}]:totable())
  end)

  it("select_mask and X[mask] take the rows where a 1-D mask is set", function()
    local y = cv.tensor{1, 0, 1, 1}
    assert.same({{0, 1}, {4, 5}, {6, 7}}, X:select_mask(y:eq(1)):totable())
    assert.same({{2, 3}}, X[y:eq(0)]:totable())
    assert.same({0, 2}, X[y:eq(5)].shape)
  end)

  it("a mask shaped like the tensor selects elements into a 1-D tensor", function()
    assert.same({5, 6, 7}, X[X:gt(4)]:totable())
    assert_error(function() X:select_mask(cv.tensor({1, 0}, "uint8")) end, "a mask of shape (2,) does not match")
  end)
end)

describe("conversion and copies", function()
  it("astype wraps around into uint8 and float() / byte() are shortcuts", function()
    assert.same({0, 1, 255, 0}, cv.tensor{0, 1, 255, 256}:astype("uint8"):totable())
    assert.equal("uint8", cv.tensor{1}:byte().dtype)
    local u = cv.tensor({1, 2}, "uint8")
    assert.equal("float32", u:float().dtype)
    assert.equal("float32", u:astype("float32").dtype)
    local c = u:astype("uint8")
    c[1] = 9
    assert.equal(1, u[1])
    assert_error(function() u:astype("int64") end, "dtype must be 'float32', 'uint8' or 'int8', got 'int64'")
  end)

  -- expected values from numpy 1.24 (/usr/bin/python3) at spec-writing time, e.g.
  -- np.array([-128, 1, 127, 128, 255, 256, -129, 300.7, -1.5]).astype(np.int8)
  it("casts to int8 with numpy's wrap-around and prints dtype=int8", function()
    local t = cv.tensor({-128, 1, 127, 128}):astype("int8")
    assert.equal("int8", t.dtype)
    assert.same({-128, 1, 127, -128}, t:totable())
    assert.equal("array([-128,    1,  127, -128], dtype=int8)", tostring(t))
    assert.same({-128, 1, 127, -128, -1, 0, 127, 44, -1},
      cv.tensor{-128, 1, 127, 128, 255, 256, -129, 300.7, -1.5}:astype("int8"):totable())
    -- np.array([-1, 256, 300, -129]).astype(np.uint8); uint8 <-> int8 reinterpret the byte
    assert.same({255, 0, 44, 127}, cv.tensor{-1, 256, 300, -129}:astype("uint8"):totable())
    assert.same({-56, 2}, cv.tensor({200, 2}, "uint8"):astype("int8"):totable())
    assert.same({255, 128}, cv.tensor({-1, -128}, "int8"):astype("uint8"):totable())
    assert.equal("array([-1,  2, -3], dtype=int8)", tostring(cv.tensor({-1, 2, -3}, "int8")))
  end)

  it("reads, reduces, joins and computes with int8 (arithmetic gives float32, as for uint8)", function()
    local t = cv.tensor({-128, 1, 127, -128}, "int8")
    assert.equal(-128, t[1])
    assert.is_true(math.type(t[1]) == "integer")
    assert.equal(-128, t:sum())
    assert.equal(127, t:max())
    assert.equal(-128, t:min())
    assert.equal(1, t:argmin())
    assert.equal(-32, t:mean())
    local m = cv.tensor({{1, -2}, {3, 4}}, "int8")
    assert.equal("int8", m:max(2).dtype)
    assert.same({1, 4}, m:max(2):totable())
    assert.same({4, 2}, m:sum(1):totable())
    assert.same({-127, 2, 128, -127}, (t + 1):totable())
    assert.equal("float32", (t + 1).dtype)
    assert.same({{1, 2}, {3, 4}}, m:abs():totable())
    local z = cv.zeros({3}, "int8")
    z:fill(200)
    assert.same({-56, -56, -56}, z:totable())
    z:add_(100)   -- in place stays int8 and wraps: -56 + 100 = 44
    assert.same({44, 44, 44}, z:totable())
    assert.same({0, 7}, cv.concat({cv.zeros({1}, "int8"), cv.tensor({7}, "int8")}):totable())
    assert.same({3, 1}, cv.tensor{1, 2, 3}[cv.tensor({3, 1}, "int8")]:totable())
    assert.same({-128, 1, 127}, cv.unique(t):totable())
  end)

  it("fill, zero and copy write into the tensor and return it", function()
    local t = cv.zeros{2, 2}
    assert.equal(t, t:fill(3))
    assert.same({{3, 3}, {3, 3}}, t:totable())
    assert.equal(t, t:copy(cv.tensor({1, 2, 3, 4}, "uint8")))
    assert.same({{1, 2}, {3, 4}}, t:totable())
    t:copy(cv.tensor{9, 8})
    assert.same({{9, 8}, {9, 8}}, t:totable())
    assert.equal(t, t:zero())
    assert.equal(0, t:sum())
    assert_error(function() t:copy(cv.zeros{3}) end, "could not broadcast a tensor of shape (3,)")
  end)

  it("clone makes an independent copy", function()
    local t = cv.tensor{1, 2}
    local c = t:clone()
    c[1] = 5
    assert.equal(1, t[1])
    assert.equal(t.dtype, c.dtype)
  end)

  it("totable gives nested tables", function()
    assert.same({{{1}, {2}}}, cv.tensor{{{1}, {2}}}:totable())
    assert.same({}, cv.zeros{0}:totable())
  end)
end)

describe("tostring", function()
  it("prints like numpy's repr", function()
    assert.equal("array([  0,   1, 255,   0], dtype=uint8)",
      tostring(cv.tensor{0, 1, 255, 256}:astype("uint8")))
    assert.equal("array([[1., 2.],\n       [3., 4.]], dtype=float32)",
      tostring(cv.tensor{{1, 2}, {3, 4}}))
    assert.equal("array([ 1. ,  2.5, -3. ], dtype=float32)", tostring(cv.tensor{1, 2.5, -3}))
    assert.equal("array([  0.1       ,   0.33333334, 100.        ], dtype=float32)",
      tostring(cv.tensor{0.1, 1 / 3, 100}))
    assert.equal("array([[0, 0, 0],\n       [0, 0, 0]], dtype=uint8)",
      tostring(cv.zeros({2, 3}, "uint8")))
    assert.equal("array([[[0., 0.],\n        [0., 0.]],\n\n       [[0., 0.],\n        [0., 0.]]], dtype=float32)",
      tostring(cv.zeros{2, 2, 2}))
  end)

  it("switches to scientific notation for wide ranges and prints nan and inf", function()
    assert.equal("array([1.0e-05, 1.0e+00, 1.5e+00], dtype=float32)",
      tostring(cv.tensor{1e-5, 1, 1.5}))
    assert.equal("array([ nan,  inf, -inf,   1.], dtype=float32)",
      tostring(cv.tensor{0 / 0, 1 / 0, -1 / 0, 1}))
  end)

  it("wraps long rows at 75 columns", function()
    assert.equal("array([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12.,\n" ..
                 "       13., 14., 15., 16., 17., 18., 19.], dtype=float32)",
      tostring(cv.arange(20)))
  end)

  it("elides the middle of tensors over 1000 elements", function()
    assert.equal("array([0.000e+00, 1.000e+00, 2.000e+00, ..., 1.997e+03, 1.998e+03,\n" ..
                 "       1.999e+03], shape=(2000,), dtype=float32)", tostring(cv.arange(2000)))
    local s = tostring((cv.arange(2000) % 7):byte():reshape(40, 50))
    assert.equal("array([[0, 1, 2, ..., 5, 6, 0],\n       [1, 2, 3, ..., 6, 0, 1],\n" ..
                 "       [2, 3, 4, ..., 0, 1, 2],\n       ...,\n       [2, 3, 4, ..., 0, 1, 2],\n" ..
                 "       [3, 4, 5, ..., 1, 2, 3],\n       [4, 5, 6, ..., 2, 3, 4]], shape=(40, 50), dtype=uint8)", s)
  end)

  it("prints empty and 0-d tensors", function()
    assert.equal("array([], dtype=float32)", tostring(cv.zeros{0}))
    assert.equal("array([], shape=(0, 3), dtype=uint8)", tostring(cv.zeros({0, 3}, "uint8")))
    assert.equal("array(5., dtype=float32)", tostring(cv.tensor(5)))
  end)

  it("is what bin/cvision prints", function()
    local p = io.popen([[bin/cvision -e 'print(cv.tensor{0,1,255,256}:astype("uint8"))']])
    local out = p:read("a")
    p:close()
    assert.equal("array([  0,   1, 255,   0], dtype=uint8)\n", out)
  end)
end)

describe("memory", function()
  local core = require "cvision.core"

  it("refuses shapes whose byte count would wrap around instead of allocating a sliver", function()
    -- 2^31 x 2^31 float32 is 2^64 bytes, which wraps to 0 in size_t
    local ok, err = pcall(cv.zeros, {2 ^ 31, 2 ^ 31})
    assert.is_false(ok)
    assert.truthy(err:find("shape (2147483648, 2147483648) is too large", 1, true), err)
    ok, err = pcall(cv.full, {2 ^ 62}, 1, "float32")
    assert.is_false(ok)
    assert.truthy(err:find("too large", 1, true), err)
  end)

  it("constructors raise argument errors at the caller's line under their own names", function()
    local function err(f) local ok, e = pcall(f) assert.is_false(ok) return e end
    local at = "^spec/tensor_spec.lua:%d+: "
    assert.truthy(err(function() local t = cv.zeros{-1, 2} return t end)
      :find(at .. "bad argument #1 to 'zeros' %(shape must hold non%-negative integers%)"))
    assert.truthy(err(function() local t = cv.ones({2}, "int16") return t end):find(at .. "bad argument #2 to 'ones'"))
    assert.truthy(err(function() local t = cv.rand{1.5} return t end):find(at .. "bad argument #1 to 'rand'"))
    assert.truthy(err(function() local t = cv.full({2}, "x") return t end):find(at .. "bad argument #2 to 'full'"))
    assert.truthy(err(function() local t = cv.zeros_like(5) return t end):find(at .. "bad argument #1 to 'zeros_like'"))
    assert.truthy(err(function() local t = cv.stack{cv.ones{2}, 3} return t end)
      :find(at .. "bad argument #1 to 'stack' %(element 2 is not a tensor%)"))
    assert.truthy(err(function() cv.manual_seed(1.5) end):find(at .. "bad argument #1 to 'manual_seed'"))
  end)

  it("arange refuses infinite and overflowing lengths", function()
    for _, args in ipairs{{0, math.huge}, {0, 1e30}, {0, 1, 1e-300}} do
      local ok, err = pcall(cv.arange, table.unpack(args))
      assert.is_false(ok)
      assert.truthy(err:find("arange: ", 1, true), err)
    end
    assert.equal(0, #cv.arange(0, 0 / 0))
  end)

  it("reshape and index refuse sizes and indices whose arithmetic would overflow", function()
    local t = cv.zeros{6}
    local ok, err = pcall(t.reshape, t, {2 ^ 32 | 0, 2 ^ 32 | 0, -1})
    assert.is_false(ok)
    assert.truthy(err:find("cannot reshape a tensor of 6 elements", 1, true), err)
    ok = pcall(t.reshape, t, {2 ^ 62 | 0, 2 ^ 62 | 0, 0})
    assert.is_false(ok)
    ok, err = pcall(t.index, t, {math.mininteger})
    assert.is_false(ok)
    assert.truthy(err:find("out of range for axis 1 of size 6", 1, true), err)
  end)

  it("live_bytes counts the storage of live tensors and views share it", function()
    collectgarbage()
    local before = core.live_bytes()
    local t = cv.zeros{1000}
    assert.equal(before + 4000, core.live_bytes())
    local v = t:reshape{10, 100}[3]  -- luacheck: ignore (a view that keeps t's storage alive)
    assert.equal(before + 4000, core.live_bytes())
    t = nil  -- luacheck: ignore
    collectgarbage()
    assert.equal(before + 4000, core.live_bytes())   -- the view keeps its base alive
    v = nil  -- luacheck: ignore
    collectgarbage()
    assert.equal(before, core.live_bytes())
  end)

  it("keeps garbage tensors bounded in a loop that allocates one per step", function()
    -- the collector sees only the small userdata; the bindings make it keep pace with the storage
    collectgarbage()
    local base = core.live_bytes()
    local x = cv.zeros{256, 1024}                 -- 1 MB
    local peak = 0
    for _ = 1, 300 do                             -- 600 MB of temporaries in all
      local y = x * 2 + 1                         -- luacheck: ignore
      peak = math.max(peak, core.live_bytes() - base)
    end
    assert.is_true(peak < 80 * 2 ^ 20, ("peak %.1f MB of live tensors"):format(peak / 2 ^ 20))
  end)

  it("leaves a stopped collector stopped", function()
    collectgarbage()
    local base = core.live_bytes()
    collectgarbage("stop")
    local x = cv.zeros{256, 1024}
    for _ = 1, 60 do local y = x * 2 end       -- luacheck: ignore
    local piled = core.live_bytes() - base
    collectgarbage("restart")
    collectgarbage()
    assert.is_true(piled >= 60 * 2 ^ 20, ("only %.1f MB piled up"):format(piled / 2 ^ 20))
  end)
end)

describe("t:all_finite", function()
  it("is true for finite data and names the first NaN or infinity", function()
    local t = cv.zeros{3, 4}
    assert.is_true(t:all_finite())
    t:set(3, 1, math.huge)
    t:set(2, 3, 0 / 0)
    local ok, at = t:all_finite()
    assert.is_false(ok)
    assert.equal(7, at)
    assert.is_true(cv.zeros({2}, "uint8"):all_finite())
  end)
  it("finds a bad value past the first block of 4096", function()
    local t = cv.zeros{10000}
    t[9999] = -math.huge
    local ok, at = t:all_finite()
    assert.is_false(ok)
    assert.equal(9999, at)
  end)
end)
