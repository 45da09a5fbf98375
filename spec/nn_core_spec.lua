-- nn_core_spec.lua - the core.nn bindings: argument errors, small cases computed by hand,
-- loss values and optimizer steps against their Keras formulas.
local tanh = require("spec.helpers.mathx").tanh
local cv = require "cvision"
local core = require "cvision.core"
local nn = core.nn

local function flat(t)
  local out = {}
  local function walk(v)
    if type(v) == "table" then for _, u in ipairs(v) do walk(u) end else out[#out + 1] = v end
  end
  walk(t:totable())
  return out
end

local function near(expected, t, tol)
  tol = tol or 1e-5
  local got = type(t) == "number" and {t} or flat(t)
  if type(expected) == "number" then expected = {expected} end
  assert.are.equal(#expected, #got, "element count")
  for i = 1, #expected do
    if math.abs(expected[i] - got[i]) > tol * (1 + math.abs(expected[i])) then
      error(("element %d: expected %.7g, got %.7g"):format(i, expected[i], got[i]), 2)
    end
  end
end

-- x (1,3,3,1) holding 1..9
local function x33() return cv.tensor{{{{1}, {2}, {3}}, {{4}, {5}, {6}}, {{7}, {8}, {9}}}} end

describe("core.nn", function()
  it("is a subtable of the core module holding every kernel", function()
    for _, name in ipairs{"conv2d_forward", "conv2d_backward", "depthwise_conv2d_forward",
        "depthwise_conv2d_backward", "conv_out_size", "maxpool2d_forward", "maxpool2d_backward",
        "avgpool2d_forward", "avgpool2d_backward", "global_avgpool_forward", "global_avgpool_backward",
        "dense_forward", "dense_backward", "activation_forward", "activation_backward", "loss",
        "batchnorm_forward", "batchnorm_backward", "dropout_forward", "dropout_backward",
        "zeropad2d_forward", "zeropad2d_backward", "adam_update", "sgd_update", "rmsprop_update",
        "topk_correct", "argmax_correct"} do
      assert.is_function(nn[name], name)
    end
  end)

  describe("conv_out_size", function()
    it("follows the Keras/TF same and valid rules", function()
      assert.are.same({3, 0}, {nn.conv_out_size(5, 2, 2, "same")})
      assert.are.same({4, 1}, {nn.conv_out_size(4, 3, 1, "same")})
      assert.are.same({6, 1}, {nn.conv_out_size(6, 4, 1, "same")})
      assert.are.same({2, 0}, {nn.conv_out_size(6, 3, 2, "valid")})
      assert.are.same({24, 0}, {nn.conv_out_size(28, 5, 1, "valid")})
    end)
    it("refuses a window larger than a valid input and unknown padding", function()
      assert.has_error(function() nn.conv_out_size(3, 5, 1, "valid") end,
        "conv_out_size: window 5 is larger than the input size 3 with 'valid' padding")
      assert.has_error(function() nn.conv_out_size(3, 1, 1, "full") end)
    end)
  end)

  describe("conv2d", function()
    it("computes a small valid convolution with bias by hand", function()
      local w = cv.tensor{{{{1, 0}}, {{0, 1}}}, {{{0, 0}}, {{-1, 2}}}}   -- (2,2,1,2)
      local b = cv.tensor{10, 20}
      local y = cv.zeros(1, 2, 2, 2)
      nn.conv2d_forward(y, x33(), w, b, 1, 1, 0, 0)
      -- filter 1: x[i,j] - x[i+1,j+1]; filter 2: x[i,j+1] + 2*x[i+1,j+1]
      near({10 + 1 - 5, 20 + 2 + 10, 10 + 2 - 6, 20 + 3 + 12, 10 + 4 - 8, 20 + 5 + 16, 10 + 5 - 9, 20 + 6 + 18}, y)
    end)

    it("pads with zeros for same padding with stride 2", function()
      local out, pad = nn.conv_out_size(3, 3, 2, "same")
      assert.are.same({2, 1}, {out, pad})
      local w = cv.ones(3, 3, 1, 1)
      local y = cv.zeros(1, 2, 2, 1)
      nn.conv2d_forward(y, x33(), w, nil, 2, 2, pad, pad)
      near({1 + 2 + 4 + 5, 2 + 3 + 5 + 6, 4 + 5 + 7 + 8, 5 + 6 + 8 + 9}, y)
    end)

    it("accumulates dw and db and overwrites dx", function()
      local w = cv.tensor{{{{1}}, {{2}}}, {{{3}}, {{4}}}}   -- (2,2,1,1)
      local dy = cv.ones(1, 2, 2, 1)
      local dx, dw, db = cv.full({1, 3, 3, 1}, 7), cv.ones(2, 2, 1, 1), cv.tensor{1}
      nn.conv2d_backward(dx, dw, db, dy, x33(), w, 1, 1, 0, 0)
      near({1 + 12, 1 + 16, 1 + 24, 1 + 28}, dw)
      near({1 + 4}, db)
      near({1, 3, 2, 4, 10, 6, 3, 7, 4}, dx)
    end)

    it("names the argument in type errors and the shapes in shape errors", function()
      local y = cv.zeros(1, 2, 2, 1)
      assert.has_error(function() nn.conv2d_forward(y, nil, cv.zeros(2, 2, 1, 1), nil, 1, 1, 0, 0) end,
        "bad argument #2 to 'conv2d_forward' (x: tensor expected, got nil)")
      assert.has_error(function() nn.conv2d_forward(y, x33(), cv.zeros(2, 2, 1, 1), nil, 0, 1, 0, 0) end,
        "bad argument #5 to 'conv2d_forward' (sh: 1 or more expected, got 0)")
      assert.has_error(function() nn.conv2d_forward(y, x33(), cv.zeros(3, 3, 2, 16), nil, 1, 1, 0, 0) end,
        "conv2d: x has 1 channels but w expects 2 (w shape (3, 3, 2, 16))")
      assert.has_error(function() nn.conv2d_forward(y, x33():astype("uint8"), cv.zeros(2, 2, 1, 1), nil, 1, 1, 0, 0) end,
        "bad argument #2 to 'conv2d_forward' (x: float32 tensor expected, got uint8)")
    end)
  end)

  describe("depthwise_conv2d", function()
    it("convolves each channel with its own filters, channel c*M+m", function()
      local x = cv.tensor{{{{1, 10}, {2, 20}}, {{3, 30}, {4, 40}}}}      -- (1,2,2,2)
      local w = cv.tensor{{{{1, -1}, {2, 0}}}}                          -- (1,1,2,2)
      local y = cv.zeros(1, 2, 2, 4)
      nn.depthwise_conv2d_forward(y, x, w, nil, 1, 1, 0, 0)
      near({1, -1, 20, 0, 2, -2, 40, 0, 3, -3, 60, 0, 4, -4, 80, 0}, y)
    end)
  end)

  describe("pooling", function()
    it("max-pools with the argmax inside the window and routes the gradient back", function()
      local x = cv.tensor{{{{1}, {5}, {2}}, {{3}, {4}, {9}}, {{0}, {8}, {6}}}}
      local y, a = cv.zeros(1, 2, 2, 1), cv.zeros({1, 2, 2, 1}, "uint8")
      nn.maxpool2d_forward(y, a, x, 2, 2, 1, 1, 0, 0)
      near({5, 9, 8, 9}, y)
      assert.are.same({1, 3, 3, 1}, flat(a))
      local dx = cv.full({1, 3, 3, 1}, 3)
      nn.maxpool2d_backward(dx, cv.tensor{{{{1}, {2}}, {{3}, {4}}}}, a, 2, 2, 1, 1, 0, 0)
      near({0, 1, 0, 0, 0, 6, 0, 3, 0}, dx)
    end)

    it("wants a uint8 argmax", function()
      assert.has_error(function() nn.maxpool2d_forward(cv.zeros(1, 1, 1, 1), cv.zeros(1, 1, 1, 1), x33(), 2, 2, 2, 2, 0, 0) end,
        "bad argument #2 to 'maxpool2d_forward' (argmax: uint8 tensor expected, got float32)")
    end)

    it("ignores padding cells in same max pooling", function()
      local x = cv.full({1, 3, 3, 1}, -5)
      local y = cv.zeros(1, 2, 2, 1)
      nn.maxpool2d_forward(y, nil, x, 2, 2, 2, 2, 0, 0)
      near({-5, -5, -5, -5}, y)
    end)

    it("averages over the cells inside the image only (Keras same padding)", function()
      local out, pad = nn.conv_out_size(3, 2, 2, "same")
      assert.are.same({2, 0}, {out, pad})
      local y = cv.zeros(1, 2, 2, 1)
      nn.avgpool2d_forward(y, x33(), 2, 2, 2, 2, 0, 0)
      near({3, 4.5, 7.5, 9}, y)
      local dx = cv.zeros(1, 3, 3, 1)
      nn.avgpool2d_backward(dx, cv.ones(1, 2, 2, 1), 2, 2, 2, 2, 0, 0)
      near({0.25, 0.25, 0.5, 0.25, 0.25, 0.5, 0.5, 0.5, 1}, dx)
    end)

    it("global-average-pools to (N, C)", function()
      local x = cv.tensor{{{{1, 2}, {3, 4}}, {{5, 6}, {7, 8}}}}
      local y = cv.zeros(1, 2)
      nn.global_avgpool_forward(y, x)
      near({4, 5}, y)
      local dx = cv.zeros(1, 2, 2, 2)
      nn.global_avgpool_backward(dx, cv.tensor{{4, 8}})
      near({1, 2, 1, 2, 1, 2, 1, 2}, dx)
    end)
  end)

  describe("dense", function()
    it("computes x @ w + b and its gradients", function()
      local x = cv.tensor{{1, 2}, {3, 4}}
      local w = cv.tensor{{1, 0, -1}, {2, 1, 0}}
      local y = cv.zeros(2, 3)
      nn.dense_forward(y, x, w, cv.tensor{1, 2, 3})
      near({6, 4, 2, 12, 6, 0}, y)
      local dx, dw, db = cv.zeros(2, 2), cv.ones(2, 3), cv.zeros(3)
      nn.dense_backward(dx, dw, db, cv.tensor{{1, 0, 0}, {0, 1, 1}}, x, w)
      near({1, 2, -1, 1}, dx)
      near({2, 4, 4, 3, 5, 5}, dw)
      near({1, 1, 1}, db)
    end)

    it("reports mismatched features with both shapes", function()
      assert.has_error(function() nn.dense_forward(cv.zeros(2, 3), cv.zeros(2, 4), cv.zeros(2, 3)) end,
        "dense: x has 4 features but w expects 2 (x shape (2, 4), w shape (2, 3))")
    end)
  end)

  describe("activations", function()
    local x = cv.tensor{{-2, -0.5, 0, 3, 7}}
    local function act(name, alpha)
      local y = cv.zeros(1, 5)
      nn.activation_forward(y, x, name, alpha)
      return y
    end
    it("computes Keras' definitions", function()
      near({0, 0, 0, 3, 7}, act("relu"))
      near({-0.6, -0.15, 0, 3, 7}, act("leaky_relu", 0.3))
      near({0, 0, 0, 3, 6}, act("relu6"))
      near({tanh(-2), tanh(-0.5), 0, tanh(3), tanh(7)}, act("tanh"))
      near({1 / (1 + math.exp(2)), 1 / (1 + math.exp(0.5)), 0.5, 1 / (1 + math.exp(-3)), 1 / (1 + math.exp(-7))}, act("sigmoid"))
      near({math.exp(-2), math.exp(-0.5), 1, math.exp(3), math.exp(7)}, act("exponential"))
      near({-2, -0.5, 0, 3, 7}, act("linear"))
      local e, s = {}, 0
      for i, v in ipairs{-2, -0.5, 0, 3, 7} do e[i] = math.exp(v); s = s + e[i] end
      for i = 1, 5 do e[i] = e[i] / s end
      near(e, act("softmax"))
    end)

    it("runs in place and back-propagates from the output", function()
      local t = x:clone()
      nn.activation_forward(t, t, "relu")
      local dx = cv.zeros(1, 5)
      nn.activation_backward(dx, cv.ones(1, 5), nil, t, "relu")
      near({0, 0, 0, 1, 1}, dx)
      local s = act("sigmoid")
      nn.activation_backward(dx, cv.ones(1, 5), x, s, "sigmoid")
      local sv = flat(s)
      near({sv[1] * (1 - sv[1]), sv[2] * (1 - sv[2]), 0.25, sv[4] * (1 - sv[4]), sv[5] * (1 - sv[5])}, dx)
    end)

    it("refuses unknown names", function()
      assert.has_error(function() act("swishy") end)
    end)
  end)

  describe("loss", function()
    local p = cv.tensor{{0.1, 0.7, 0.2}, {0.3, 0.3, 0.4}}
    it("computes sparse categorical crossentropy from 1-based labels", function()
      local d = cv.zeros(2, 3)
      local l = nn.loss("sparse_categorical_crossentropy", d, p, cv.tensor{2, 3}, false)
      near((-math.log(0.7) - math.log(0.4)) / 2, l)
      near({0.5, 0.5 - 0.5 / 0.7, 0.5, 0.5, 0.5, 0.5 - 0.5 / 0.4}, d)
      local z = cv.tensor{{1, 2, 3}}
      local lse = math.log(math.exp(1) + math.exp(2) + math.exp(3))
      near(lse - 1, nn.loss("sparse_categorical_crossentropy", nil, z, cv.tensor{1}, true))
    end)

    it("checks the label range", function()
      assert.has_error(function() nn.loss("sparse_categorical_crossentropy", nil, p, cv.tensor{0, 3}) end,
        "sparse_categorical_crossentropy: target 0 at row 1 is not a class number in 1..3 (targets are 1-based)")
      assert.has_error(function() nn.loss("sparse_categorical_crossentropy", nil, p, cv.tensor{2, 4}) end)
      assert.has_error(function() nn.loss("sparse_categorical_crossentropy", nil, p, cv.tensor{1.5, 2}) end)
      assert.has_error(function() nn.loss("hinge", nil, p, p) end)
    end)

    it("computes the other losses as Keras", function()
      local t = cv.tensor{{0, 1, 0}, {1, 0, 0}}
      near((-math.log(0.7) - math.log(0.3)) / 2, nn.loss("categorical_crossentropy", nil, p, t))
      local bce = 0
      for i, pv in ipairs{0.1, 0.7, 0.2, 0.3, 0.3, 0.4} do
        local tv = ({0, 1, 0, 1, 0, 0})[i]
        bce = bce - (tv * math.log(pv) + (1 - tv) * math.log(1 - pv))
      end
      near(bce / 6, nn.loss("binary_crossentropy", nil, p, t))
      near(0.5 * (math.log(1 + math.exp(-2)) + (2 + math.log(1 + math.exp(-2)))),
        nn.loss("binary_crossentropy", nil, cv.tensor{{2}, {2}}, cv.tensor{{1}, {0}}, true))
      local pois = 0
      for i, pv in ipairs{0.1, 0.7, 0.2, 0.3, 0.3, 0.4} do
        pois = pois + pv - ({0, 1, 0, 1, 0, 0})[i] * math.log(pv + 1e-7)
      end
      near(pois / 6, nn.loss("poisson", nil, p, t))
      near((0.01 + 0.09 + 0.04 + 0.49 + 0.09 + 0.16) / 6, nn.loss("mean_squared_error", nil, p, t))
      near((0.1 + 0.3 + 0.2 + 0.7 + 0.3 + 0.4) / 6, nn.loss("mae", nil, p, t))
    end)

    it("clips probabilities to [1e-7, 1 - 1e-7]", function()
      near(-math.log(1e-7), nn.loss("categorical_crossentropy", nil, cv.tensor{{1, 0}}, cv.tensor{{0, 1}}), 1e-4)
    end)
  end)

  describe("optimizers", function()
    it("takes an Adam step with Keras' formula", function()
      local p, g = cv.tensor{1, -2}, cv.tensor{0.5, -1}
      local m, v = cv.zeros(2), cv.zeros(2)
      nn.adam_update(p, g, m, v, 0.1, 0.9, 0.999, 1e-7, 1)
      -- t = 1: lr_t = 0.1*sqrt(0.001)/0.1; m = 0.1 g, v = 0.001 g^2 -> step lr_t*m/(sqrt(v)+eps)
      local lr_t = 0.1 * math.sqrt(1 - 0.999) / (1 - 0.9)
      near({1 - lr_t * 0.05 / (math.sqrt(0.001 * 0.25) + 1e-7), -2 + lr_t * 0.1 / (math.sqrt(0.001) + 1e-7)}, p)
      near({0.05, -0.1}, m)
      near({0.00025, 0.001}, v)
    end)

    it("takes SGD steps with momentum and nesterov", function()
      local p, vel = cv.tensor{1}, cv.tensor{0.5}
      nn.sgd_update(p, cv.tensor{2}, vel, 0.1, 0.9, false)
      near({0.25}, vel); near({1.25}, p)
      p, vel = cv.tensor{1}, cv.tensor{0.5}
      nn.sgd_update(p, cv.tensor{2}, vel, 0.1, 0.9, true)
      near({0.25}, vel); near({1 + 0.9 * 0.25 - 0.2}, p)
      p = cv.tensor{1}
      nn.sgd_update(p, cv.tensor{2}, nil, 0.1, 0)
      near({0.8}, p)
    end)

    it("takes an RMSprop step", function()
      local p, ms = cv.tensor{1}, cv.zeros(1)
      nn.rmsprop_update(p, cv.tensor{2}, ms, nil, 0.01, 0.9, 0, 1e-7)
      near({0.4}, ms)
      near({1 - 0.01 * 2 / math.sqrt(0.4 + 1e-7)}, p)
    end)
  end)

  describe("batchnorm", function()
    it("normalizes with batch statistics and updates the moving ones with the biased variance", function()
      local x = cv.tensor{{1, 10}, {3, 10}}
      local y = cv.zeros(2, 2)
      local mm, mv = cv.zeros(2), cv.ones(2)
      local sm, si = cv.zeros(2), cv.zeros(2)
      nn.batchnorm_forward(y, x, cv.tensor{2, 1}, cv.tensor{0, 5}, mm, mv, 0.99, 1e-3, true, sm, si)
      local inv = 1 / math.sqrt(1 + 1e-3)
      near({-2 * inv, 5, 2 * inv, 5}, y)
      near({0.02, 0.1}, mm)
      near({0.99 + 0.01 * 1, 0.99}, mv)
      near({2, 10}, sm)
      nn.batchnorm_forward(y, x, nil, nil, mm, mv, 0.99, 1e-3, false)
      local i1, i2 = 1 / math.sqrt(1 + 1e-3), 1 / math.sqrt(0.99 + 1e-3)
      near({(1 - 0.02) * i1, (10 - 0.1) * i2, (3 - 0.02) * i1, (10 - 0.1) * i2}, y, 1e-4)
    end)
  end)

  describe("batchnorm_backward", function()
    it("gives gamma*invstd*dy with frozen statistics and the batch-statistics gradient in training", function()
      local x, dy = cv.tensor{{1}, {3}}, cv.tensor{{1}, {0}}
      local sm, si = cv.tensor{2}, cv.tensor{0.5}
      local dx, dg, db = cv.zeros(2, 1), cv.zeros(1), cv.zeros(1)
      nn.batchnorm_backward(dx, dg, db, dy, x, cv.tensor{2}, sm, si, false)
      near({1, 0}, dx); near({-0.5}, dg); near({1}, db)
      -- training: xhat = (-0.5, 0.5), mean(dy) = 0.5, mean(dy*xhat) = -0.25, gamma*invstd = 1;
      -- dx = gamma*invstd*(dy - mean(dy) - xhat*mean(dy*xhat))
      nn.batchnorm_backward(dx, nil, nil, dy, x, cv.tensor{2}, sm, si)
      near({1 - 0.5 - 0.125, 0 - 0.5 + 0.125}, dx)
    end)
  end)

  describe("dropout, zeropad2d and topk_correct", function()
    it("drops with a seeded mask of 0 and 1/(1-rate)", function()
      cv.manual_seed(3)
      local x, y, mask = cv.ones(1000), cv.zeros(1000), cv.zeros(1000)
      nn.dropout_forward(y, mask, x, 0.25)
      local zeros = 0
      for _, v in ipairs(flat(mask)) do
        if v == 0 then zeros = zeros + 1 else assert(math.abs(v - 4 / 3) < 1e-6) end
      end
      assert.is_true(zeros > 180 and zeros < 320)
      local dx = cv.zeros(1000)
      nn.dropout_backward(dx, cv.full({1000}, 2), mask)
      near(flat(mask * 2), dx)
    end)

    it("pads and crops back", function()
      local x = cv.tensor{{{{1}, {2}}}}       -- (1,1,2,1)
      local y = cv.full({1, 3, 3, 1}, 9)
      nn.zeropad2d_forward(y, x, 1, 0)
      near({0, 0, 0, 1, 2, 0, 0, 0, 0}, y)
      local dx = cv.zeros(1, 1, 2, 1)
      nn.zeropad2d_backward(dx, cv.arange(9):reshape{1, 3, 3, 1}, 1, 1)
      near({4, 5}, dx)
    end)

    it("counts rows whose label is in the top k", function()
      local pred = cv.tensor{{0.1, 0.5, 0.4}, {0.6, 0.3, 0.1}, {0.2, 0.2, 0.6}}
      assert.are.equal(1, nn.topk_correct(pred, cv.tensor{2, 2, 1}, 1))
      assert.are.equal(3, nn.topk_correct(pred, cv.tensor{2, 2, 1}, 2))
      assert.has_error(function() nn.topk_correct(pred, cv.tensor{4, 1, 1}, 1) end)
    end)

    it("counts rows whose argmax is the label: first of ties, a NaN wins, as t:argmax", function()
      local nan = 0 / 0
      local pred = cv.tensor{{0.1, 0.5, 0.4}, {0.3, 0.3, 0.1}, {0.2, nan, 0.6}, {nan, nan, 1}}
      assert.are.equal(4, nn.argmax_correct(pred, cv.tensor{2, 1, 2, 1}))
      assert.are.same({2, 1, 2, 1}, pred:argmax(2):totable())
      assert.are.equal(0, nn.argmax_correct(pred, cv.tensor{3, 2, 3, 3}))
      local c0 = core.alloc_stats()
      nn.argmax_correct(pred, cv.tensor{3, 2, 3, 3})
      assert.are.equal(c0 + 1, (core.alloc_stats()))   -- only the labels tensor of the call
      assert.has_error(function() nn.argmax_correct(pred, cv.tensor{4, 1, 1, 1}) end,
        "argmax_correct: label 4 of row 1 is not a class number in 1..3")
      assert.has_error(function() nn.argmax_correct(pred, cv.tensor{1.5, 1, 1, 1}) end,
        "argmax_correct: label 1.5 of row 1 is not a class number in 1..3")
      assert.has_error(function() nn.argmax_correct(pred, cv.tensor{1, 1}) end,
        "argmax_correct: pred must be (N, K) and labels (N), got (4, 3) and (2,)")
    end)
  end)
end)
