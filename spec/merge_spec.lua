-- spec/merge_spec.lua: the merge layers Add, Multiply, Average, Concatenate: values by hand,
-- finite-difference gradients for every input, shapes, configs and errors that name the layer.
local cv = require "cvision"
local gc = require "spec.helpers.gradcheck"
local L = cv.layers

local function close(a, b, tol)
  assert.are.same(a.shape, b.shape)
  assert.is_true((a - b):abs():max() <= (tol or 1e-6), "tensors differ")
end

-- gradient check of a merge layer over every input
local function check_merge(layer, xs, opts)
  local o = {}
  for k, v in pairs(opts or {}) do o[k] = v end
  o.forward = function() return layer:forward(xs, false) end
  o.backward = function(dy)
    local dxs = layer:backward(dy)
    local t = {}
    for i, x in ipairs(xs) do t[i] = {value = x, grad = dxs[i], name = "input" .. i} end
    return t
  end
  return gc.check(o)
end

describe("merge layers", function()
  before_each(function() cv.clear_session() end)

  it("are layer classes of cv.layers with Keras' default names", function()
    assert.are.equal("add", L.Add().name)
    assert.are.equal("multiply", L.Multiply().name)
    assert.are.equal("average", L.Average().name)
    assert.are.equal("concatenate", L.Concatenate().name)
    assert.is_true(L.is_layer(L.Add()))
    assert.is_true(L.Concatenate.multi_input)
  end)

  describe("Add", function()
    it("sums its inputs and passes the gradient to each", function()
      local a, b = cv.tensor{{1, 2}, {3, 4}}, cv.tensor{{10, 20}, {30, 40}}
      local l = L.Add()
      close(l:forward({a, b}), cv.tensor{{11, 22}, {33, 44}})
      assert.are.same({2}, l.output_shape)
      local dy = cv.tensor{{1, -1}, {2, 0.5}}
      local dx = l:backward(dy)
      close(dx[1], dy)
      close(dx[2], dy)
    end)

    it("passes a gradient check over three inputs", function()
      cv.manual_seed(3)
      local xs = {cv.randn{2, 3, 3, 2}, cv.randn{2, 3, 3, 2}, cv.randn{2, 3, 3, 2}}
      local ok, report = check_merge(L.Add(), xs)
      assert.is_true(ok, report)
    end)

    it("refuses inputs of different shapes, naming the layer", function()
      local l = L.Add{name = "sum"}
      local err = select(2, pcall(l.forward, l, {cv.zeros{2, 3}, cv.zeros{2, 4}}))
      assert.matches("sum %(Add%): inputs must have the same shape", err)
      err = select(2, pcall(l.forward, L.Add(), cv.zeros{2, 3}))
      assert.matches("list of tensors", err)
    end)
  end)

  describe("Multiply", function()
    it("multiplies elementwise; each input's gradient is dy times the others", function()
      local a, b, c = cv.tensor{{1, 2}}, cv.tensor{{3, 4}}, cv.tensor{{-1, 0.5}}
      local l = L.Multiply()
      close(l:forward({a, b, c}), cv.tensor{{-3, 4}})
      local dx = l:backward(cv.tensor{{1, 2}})
      close(dx[1], cv.tensor{{-3, 4}})
      close(dx[2], cv.tensor{{-1, 2}})
      close(dx[3], cv.tensor{{3, 16}})
    end)

    it("passes a gradient check", function()
      cv.manual_seed(4)
      local ok, report = check_merge(L.Multiply(), {cv.randn{3, 4}, cv.randn{3, 4}})
      assert.is_true(ok, report)
    end)

    it("broadcasts axes of size 1 as Keras does (squeeze-and-excitation: (h, w, c) times (1, 1, c))", function()
      local l = L.Multiply()
      local a, b = cv.randn{2, 3, 3, 4}, cv.randn{2, 1, 1, 4}
      close(l:forward({a, b}), a * b)
      assert.are.same({3, 3, 4}, l.output_shape)
      local dx = l:backward(cv.ones{2, 3, 3, 4})
      close(dx[1], b * cv.ones{2, 3, 3, 4})
      close(dx[2], a:sum(2, true):sum(3, true), 1e-5)
      assert.are.same({1, 1, 4}, L.Multiply()({cv.Input{1, 1, 4}, cv.Input{1, 1, 4}}).shape)
      assert.are.same({3, 3, 4}, L.Multiply()({cv.Input{1, 1, 4}, cv.Input{3, 3, 4}}).shape)
      local err = select(2, pcall(function() return L.Multiply{name = "se"}({cv.Input{2, 1, 4}, cv.Input{3, 3, 4}}) end))
      assert.matches("se %(Multiply%): inputs must have the same shape or 1 on each axis", err)
    end)

    it("passes a gradient check when it broadcasts", function()
      cv.manual_seed(5)
      local ok, report = check_merge(L.Multiply(), {cv.randn{2, 3, 2, 4}, cv.randn{2, 1, 1, 4}})
      assert.is_true(ok, report)
      ok, report = check_merge(L.Multiply(), {cv.randn{2, 1, 2, 1}, cv.randn{2, 3, 2, 4}, cv.randn{2, 3, 1, 4}})
      assert.is_true(ok, report)
    end)
  end)

  describe("Average", function()
    it("averages its inputs; each gets dy / n", function()
      local l = L.Average()
      close(l:forward({cv.tensor{{1, 2}}, cv.tensor{{3, 6}}, cv.tensor{{2, 1}}}), cv.tensor{{2, 3}})
      local dx = l:backward(cv.tensor{{3, 6}})
      for i = 1, 3 do close(dx[i], cv.tensor{{1, 2}}) end
    end)

    it("passes a gradient check", function()
      cv.manual_seed(5)
      local ok, report = check_merge(L.Average(), {cv.randn{2, 2, 2, 3}, cv.randn{2, 2, 2, 3}})
      assert.is_true(ok, report)
    end)
  end)

  describe("Concatenate", function()
    it("joins along the channels by default and splits the gradient back", function()
      local a = cv.arange(12):reshape{2, 2, 3}
      local b = cv.arange(100, 104):reshape{2, 2, 1}
      local l = L.Concatenate()
      local y = l:forward({a, b})
      assert.are.same({2, 2, 4}, y.shape)
      assert.are.same({{0, 1, 2, 100}, {3, 4, 5, 101}}, y[1]:totable())
      assert.are.same({2, 4}, l.output_shape)
      local dx = l:backward(y)
      close(dx[1], a)
      close(dx[2], b)
    end)

    it("joins along another axis (Keras' numbering, batch axis 0)", function()
      local a, b = cv.randn{2, 3, 4, 2}, cv.randn{2, 1, 4, 2}
      local l = L.Concatenate(1)
      local y = l:forward({a, b})
      assert.are.same({2, 4, 4, 2}, y.shape)
      close(y[1]:slice(1, 3), a[1])
      local dx = l:backward(y)
      close(dx[1], a)
      close(dx[2], b)
    end)

    it("passes a gradient check, the split gradients included", function()
      cv.manual_seed(6)
      local ok, report = check_merge(L.Concatenate{axis = -1}, {cv.randn{2, 3, 3, 2}, cv.randn{2, 3, 3, 3}})
      assert.is_true(ok, report)
      ok, report = check_merge(L.Concatenate(2), {cv.randn{2, 3, 2, 2}, cv.randn{2, 3, 1, 2}})
      assert.is_true(ok, report)
    end)

    it("refuses mismatched axes and the batch axis", function()
      local err = select(2, pcall(function() L.Concatenate():forward({cv.zeros{1, 2, 2, 1}, cv.zeros{1, 3, 2, 1}}) end))
      assert.matches("must match on every axis but the concatenation axis", err)
      err = select(2, pcall(function() L.Concatenate(0):forward({cv.zeros{1, 2}, cv.zeros{1, 2}}) end))
      assert.matches("batch axis", err)
    end)

    it("round-trips through its config", function()
      local l = L.Concatenate{axis = 2, name = "cat"}
      local c = L.from_config("Concatenate", l:get_config())
      assert.are.equal(2, c.axis)
      assert.are.equal("cat", c.name)
    end)
  end)
end)
