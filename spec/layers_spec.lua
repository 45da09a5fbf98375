-- cvision.layers: construction (Keras' argument conventions and default names), output shapes,
-- hand-computed values on tiny inputs, parameter counts, weights and configs, shape errors,
-- trainable flags, calls as functions and reused buffers. The training/inference behaviour of
-- Dropout, BatchNormalization and the augmentation layers is in spec/layers_training_spec.lua;
-- gradients are checked in spec/gradcheck_spec.lua.
local tanh = require("spec.helpers.mathx").tanh
local cv = require "cvision"
local L = cv.layers
local checks = require "spec.helpers.layer_checks"
local approx, assert_error_is = checks.approx, checks.assert_error_is

describe("cvision.layers", function()
  before_each(function()
    L.clear_session()
    cv.manual_seed(123)
  end)

  describe("construction", function()
    it("takes positional arguments then a table of keyword arguments", function()
      local c = L.Conv2D(16, 3, {padding = "same", activation = "relu", name = "conv1"})
      assert.equal(16, c.filters)
      assert.same({3, 3}, c.kernel_size)
      assert.equal("same", c.padding)
      assert.equal("relu", c.activation.name)
      assert.equal("conv1", c.name)
      assert.same({2, 3}, L.Conv2D(4, {2, 3}).kernel_size)
      assert.same({2, 2}, L.Conv2D(4, 3, 2).strides)
      assert.equal(0.5, L.Dropout(0.5).rate)
      assert.equal(64, L.Dense(64, {activation = "relu"}).units)
      -- Keras' positional order goes on past the first arguments
      assert.equal("softmax", L.Dense(10, "softmax").activation.name)
      assert.equal("relu", L.Conv2D(8, 3, 1, "same", "channels_last", 1, 1, "relu").activation.name)
    end)

    it("takes one table of named arguments, with positional ones in its array part", function()
      local c = L.Conv2D{filters = 8, kernel_size = {3, 5}, strides = 2, padding = "same"}
      assert.same({3, 5}, c.kernel_size)
      assert.same({2, 2}, c.strides)
      local d = L.Dense{10, activation = "softmax"}
      assert.equal(10, d.units)
      assert.equal("softmax", d.activation.name)
    end)

    it("reads a list of numbers as the first argument where that argument is a tuple", function()
      assert.same({4, 4}, L.MaxPooling2D{4, 4}.pool_size)
      assert.same({4, 4}, L.MaxPooling2D({4, 4}).strides)
      assert.same({4, 4}, L.MaxPooling2D{pool_size = {4, 4}, name = "pool3"}.pool_size)
      assert.same({2, 2}, L.MaxPooling2D(3, 2).strides)
      assert.same({1, 2, 3, 4}, L.ZeroPadding2D{{1, 2}, {3, 4}}.pad)
      assert.same({2, 2, 1, 1}, L.ZeroPadding2D{2, 1}.pad)
      assert.same({3, 3}, L.DepthwiseConv2D{3, 3}.kernel_size)
    end)

    it("rejects unknown and missing arguments like Keras, naming the constructor", function()
      assert_error_is("bad argument to 'Dense' (unknown keyword argument 'unit')", L.Dense, 3, {unit = 3})
      assert_error_is("bad argument to 'Dense' (missing required argument 'units')", L.Dense)
      assert_error_is("bad argument to 'Conv2D' (filters must be a positive integer, got 0)", L.Conv2D, 0, 3)
      assert_error_is("padding must be \"valid\" or \"same\"", L.Conv2D, 4, 3, {padding = "full"})
      assert_error_is("kernel_size must be positive integers", L.Conv2D, 4, {0, 3})
      assert_error_is("rate must be in [0, 1)", L.Dropout, 1)
      assert_error_is("takes at most 5 positional arguments", L.Dense, 3, "relu", true, "zeros", "zeros", 1)
      assert_error_is("unknown activation 'rleu'", L.Dense, 3, {activation = "rleu"})
    end)

    it("raises helper errors (activation, initializer) as the constructor's bad argument at the caller's line", function()
      local ok, e = pcall(function() local d = L.Dense(3, {activation = "rleu"}) return d end)
      assert.is_false(ok)
      assert.truthy(e:find("^spec/layers_spec.lua:%d+: bad argument to 'Dense' %(unknown activation 'rleu'"), e)
      ok, e = pcall(function() local c = L.Conv2D(3, 3, {kernel_initializer = "glorot"}) return c end)
      assert.is_false(ok)
      assert.truthy(e:find("^spec/layers_spec.lua:%d+: bad argument to 'Conv2D' %(unknown initializer 'glorot'"), e)
      ok, e = pcall(function() local a = L.Activation(3) return a end)
      assert.is_false(ok)
      assert.truthy(e:find("^spec/layers_spec.lua:%d+: bad argument to 'Activation' %(activation name or function expected, got number%)$"), e)
    end)

    it("rejects NaN, infinite and out-of-range numbers instead of building a broken layer", function()
      local nan, inf = 0 / 0, math.huge
      assert_error_is("bad argument to 'Dropout' (rate must be a number", L.Dropout, nan)
      assert_error_is("bad argument to 'BatchNormalization' (momentum", L.BatchNormalization, {momentum = nan})
      assert_error_is("bad argument to 'BatchNormalization' (epsilon", L.BatchNormalization, {epsilon = nan})
      assert_error_is("bad argument to 'Rescaling' (scale must be a number", L.Rescaling, nan)
      assert_error_is("bad argument to 'ReLU' (max_value must be a number", L.ReLU, nan)
      assert_error_is("bad argument to 'LeakyReLU' (negative_slope must be a number", L.LeakyReLU, nan)
      assert_error_is("units must be a positive integer, got inf", L.Dense, inf)
      assert_error_is("kernel_size must be positive integers, got (inf, inf)", L.Conv2D, 2, inf)
      assert_error_is("strides must be at most 2147483647", L.Conv2D, 2, 3, {strides = 2 ^ 40})
      assert_error_is("bad argument to 'ZeroPadding2D'", L.ZeroPadding2D, inf)
      assert_error_is("bad argument to 'ZeroPadding2D'", L.ZeroPadding2D, 2 ^ 40)
      assert_error_is("pool_size (16, 16) has 256 cells; at most 255", L.MaxPooling2D, 16)
      assert.same({16, 16}, L.AveragePooling2D(16).pool_size)   -- no argmax there
      assert_error_is("factor must not be NaN", L.RandomRotation, nan)
      assert_error_is("height_factor must not be NaN", L.RandomTranslation, {nan, 0.1}, 0.1)
      assert_error_is("factor must not be NaN", L.RandomContrast, nan)
      assert_error_is("value_range must be a list {low, high} with low < high", L.RandomContrast, 0.1, {nan, 1})
    end)
  end)

  describe("names", function()
    it("follow Keras' defaults with one counter per class", function()
      assert.equal("conv2d", L.Conv2D(1, 1).name)
      assert.equal("conv2d_1", L.Conv2D(1, 1).name)
      assert.equal("mine", L.Conv2D(1, 1, {name = "mine"}).name)
      assert.equal("conv2d_2", L.Conv2D(1, 1).name)
      assert.equal("dense", L.Dense(1).name)
      assert.equal("max_pooling2d", L.MaxPooling2D().name)
      assert.equal("average_pooling2d", L.AveragePooling2D().name)
      assert.equal("global_average_pooling2d", L.GlobalAveragePooling2D().name)
      assert.equal("batch_normalization", L.BatchNormalization().name)
      assert.equal("separable_conv2d", L.SeparableConv2D(2, 3).name)
      assert.equal("depthwise_conv2d", L.DepthwiseConv2D(3).name)
      assert.equal("zero_padding2d", L.ZeroPadding2D().name)
      assert.equal("re_lu", L.ReLU().name)
      assert.equal("leaky_re_lu", L.LeakyReLU().name)
      assert.equal("flatten", L.Flatten().name)
      assert.equal("rescaling", L.Rescaling(1 / 255).name)
      assert.equal("dropout", L.Dropout(0.1).name)
      assert.equal("activation", L.Activation("relu").name)
    end)

    it("restart after clear_session", function()
      L.Dense(1); L.Dense(1)
      L.clear_session()
      assert.equal("dense", L.Dense(1).name)
    end)
  end)

  describe("Input", function()
    it("gives a marker with the sample shape in every call form", function()
      for _, i in ipairs{L.Input{80, 60, 1}, L.Input{shape = {80, 60, 1}}, L.Input({80, 60, 1}), L.Input(80, 60, 1)} do
        assert.is_true(i.is_input)
        assert.equal("InputLayer", i.class_name)
        assert.same({80, 60, 1}, i.shape)
      end
      assert.equal("inp", L.Input{shape = {3}, name = "inp"}.name)
      assert.equal(L.Input, cv.Input)
    end)

    it("rejects a bad shape", function()
      assert_error_is("shape must hold positive integers", L.Input, {80, 0, 1})
      assert_error_is("shape expected", L.Input)
    end)
  end)

  describe("output shapes and parameter counts", function()
    it("match the lecture's CNN", function()
      local layers = {
        L.Rescaling(1 / 255),
        L.Conv2D(16, 3, {padding = "same", activation = "relu", name = "conv1"}),
        L.MaxPooling2D{name = "pool1"},
        L.Conv2D(32, 3, {padding = "same", activation = "relu", name = "conv2"}),
        L.MaxPooling2D{name = "pool2"},
        L.Conv2D(64, 3, {padding = "same", activation = "relu", name = "conv3"}),
        L.MaxPooling2D{name = "pool3", pool_size = {4, 4}},
        L.Flatten(), L.Dense(64, {activation = "relu"}), L.Dense(55),
      }
      local shapes = {{80, 60, 1}, {80, 60, 16}, {40, 30, 16}, {40, 30, 32}, {20, 15, 32}, {20, 15, 64},
        {5, 3, 64}, {960}, {64}, {55}}
      local counts = {0, 160, 0, 4640, 0, 18496, 0, 0, 61504, 3575}
      local s, total = {80, 60, 1}, 0
      for i, l in ipairs(layers) do
        l:build(s)
        s = l.output_shape
        assert.same(shapes[i], s)
        assert.equal(counts[i], l:count_params())
        total = total + l:count_params()
      end
      assert.equal(88375, total)
    end)

    it("match the lecture's logistic regression (Dense 4800 -> 55)", function()
      local d = L.Dense(55, {activation = "softmax"})
      d:build{4800}
      assert.equal(264055, d:count_params())
    end)

    it("of the other layers", function()
      local function out(layer, s) layer:build(s); return layer.output_shape end
      assert.same({4, 4, 6}, out(L.Conv2D(6, 3, {strides = 2, padding = "same"}), {7, 8, 3}))
      assert.same({3, 3, 6}, out(L.Conv2D(6, {3, 2}, {strides = 2}), {7, 7, 3}))
      assert.same({3, 4, 2}, out(L.MaxPooling2D{pool_size = 3, strides = 2}, {7, 9, 2}))
      assert.same({4, 5, 2}, out(L.AveragePooling2D{pool_size = 2, padding = "same"}, {7, 9, 2}))
      assert.same({2}, out(L.GlobalAveragePooling2D(), {7, 9, 2}))
      assert.same({1, 1, 2}, out(L.GlobalAveragePooling2D{keepdims = true}, {7, 9, 2}))
      assert.same({10, 12, 2}, out(L.ZeroPadding2D{{1, 2}, {0, 3}}, {7, 9, 2}))
      assert.same({7, 9, 4}, out(L.DepthwiseConv2D(3, {padding = "same", depth_multiplier = 2}), {7, 9, 2}))
      assert.same({5, 7, 8}, out(L.SeparableConv2D(8, 3), {7, 9, 2}))
      assert.same({126}, out(L.Flatten(), {7, 9, 2}))
      assert.same({7, 18}, out(L.Reshape{{7, -1}}, {7, 9, 2}))
      assert.same({7, 9, 5}, out(L.Dense(5), {7, 9, 2}))

      local dw = L.DepthwiseConv2D(3, {depth_multiplier = 2})
      dw:build{9, 9, 8}
      assert.equal(3 * 3 * 8 * 2 + 16, dw:count_params())
      local sep = L.SeparableConv2D(16, 3)
      sep:build{9, 9, 8}
      assert.equal(72 + 128 + 16, sep:count_params())
      local bn = L.BatchNormalization()
      bn:build{5, 5, 16}
      assert.equal(64, bn:count_params())
      assert.equal(32, bn:count_trainable_params())
    end)
  end)

  describe("forward values", function()
    it("Normalization: (x - mean) / sqrt(variance), adapted to data or given; 2c + 1 weights as Keras", function()
      local n = L.Normalization()
      n:adapt(cv.tensor{{{1, 10}}, {{3, 30}}, {{5, 20}}})    -- (3, 1, 2): 3 samples of 1 x 2
      assert.same({"mean", "variance", "count"}, n.weight_names)
      assert.equal(5, n:count_params())
      assert.equal(0, n:count_trainable_params())
      approx({3, 20}, n.weights[1])
      approx({8 / 3, 200 / 3}, n.weights[2], 1e-5)
      assert.equal(3, n.weights[3]:item())
      approx({{{0, 0}}}, n:forward(cv.tensor{{{3, 20}}}))
      local g = L.Normalization{mean = {1, 2}, variance = {4, 9}}
      approx({{0, 1}}, g:forward(cv.tensor{{1, 5}}))
      assert.equal(0, g:count_params())
      approx({{4, 2}}, L.Normalization{mean = 2, variance = 4, invert = true}:forward(cv.tensor{{1, 0}}))
      assert_error_is("mean and variance must be given together", L.Normalization, {mean = 1})
      local ok, err = pcall(function() return L.Normalization{mean = {1, 2}, variance = {1, 2}}(cv.Input{3}) end)
      assert.is_false(ok)
      assert.matches("mean and variance have 2 values for 3 channels", err)
    end)

    it("Dropout with noise_shape {false, 1, 1, 1} keeps or drops whole samples (inverted scaling)", function()
      cv.manual_seed(1)
      local d = L.Dropout(0.5, {noise_shape = {false, 1, 1, 1}})
      local y = d:forward(cv.ones{16, 2, 2, 3}, true):reshape{16, 12}
      local lo, hi = y:min(2), y:max(2)
      for i = 1, 16 do
        assert.equal(lo:at(i), hi:at(i))
        assert.is_true(lo:at(i) == 0 or lo:at(i) == 2)
      end
      assert_error_is("noise_shape must be a list", L.Dropout, 0.5, {noise_shape = {0, 1}})
    end)

    it("Dense: x*kernel + bias, then the activation", function()
      local d = L.Dense(3)
      d:build{2}
      d:set_weights{cv.tensor{{1, 2, 3}, {4, 5, 6}}, cv.tensor{0.5, 0, -1}}
      approx({{9.5, 12, 14}, {-8.5, -12, -16}}, d:forward(cv.tensor{{1, 2}, {-1, -2}}))
      local r = L.Dense(3, {activation = "relu"})
      r:build{2}
      r:set_weights(d:get_weights())
      approx({{9.5, 12, 14}, {0, 0, 0}}, r:forward(cv.tensor{{1, 2}, {-1, -2}}))
    end)

    it("Conv2D: valid and same padding, with bias", function()
      local x = cv.arange(1, 10):reshape{1, 3, 3, 1}
      local c = L.Conv2D(1, 2)
      c:build{3, 3, 1}
      c:set_weights{cv.ones{2, 2, 1, 1}, cv.tensor{1}}
      approx({{{{13}, {17}}, {{25}, {29}}}}, c:forward(x))
      local s = L.Conv2D(1, 3, {padding = "same", use_bias = false})
      s:build{3, 3, 1}
      s:set_weights{cv.ones{3, 3, 1, 1}}
      approx({{{{12}, {21}, {16}}, {{27}, {45}, {33}}, {{24}, {39}, {28}}}}, s:forward(x))
    end)

    it("Conv2D: a kernel of Keras' layout (kh, kw, in, out)", function()
      local x = cv.tensor{{{{1, 10}}}}       -- (1, 1, 1, 2)
      local c = L.Conv2D(3, 1, {use_bias = false})
      c:build{1, 1, 2}
      c:set_weights{cv.tensor{{{{1, 2, 3}, {0, 1, 0}}}}}
      approx({{{{1, 12, 3}}}}, c:forward(x))
    end)

    it("DepthwiseConv2D and SeparableConv2D", function()
      -- channel 1 holds 1..4, channel 2 holds 10..40
      local x = cv.tensor{{{{1, 10}, {2, 20}}, {{3, 30}, {4, 40}}}}
      local dw = L.DepthwiseConv2D(2, {depth_multiplier = 2, use_bias = false})
      dw:build{2, 2, 2}
      local k = cv.ones{2, 2, 2, 2}
      k:slice(1, 2):copy(cv.tensor{{{{1, 2}, {1, 2}}, {{1, 2}, {1, 2}}}, {{{1, 2}, {1, 2}}, {{1, 2}, {1, 2}}}})
      dw:set_weights{k}
      -- output channel c*M + m
      approx({{{{10, 20, 100, 200}}}}, dw:forward(x))
      local sep = L.SeparableConv2D(1, 2)
      sep:build{2, 2, 2}
      sep:set_weights{cv.ones{2, 2, 2, 1}, cv.tensor{{{{1}, {-1}}}}, cv.tensor{0.5}}
      approx({{{{10 - 100 + 0.5}}}}, sep:forward(x))
    end)

    it("MaxPooling2D and AveragePooling2D, valid and same", function()
      local x4 = cv.arange(1, 17):reshape{1, 4, 4, 1}
      approx({{{{6}, {8}}, {{14}, {16}}}}, L.MaxPooling2D():forward(x4))
      local x3 = cv.arange(1, 10):reshape{1, 3, 3, 1}
      approx({{{{5}, {6}}, {{8}, {9}}}}, L.MaxPooling2D{padding = "same"}:forward(x3))
      approx({{{{3}, {4.5}}, {{7.5}, {9}}}}, L.AveragePooling2D{padding = "same"}:forward(x3))
      approx({{{{3}, {4}}, {{6}, {7}}}}, L.AveragePooling2D{pool_size = 2, strides = 1}:forward(x3))
    end)

    it("GlobalMaxPooling2D: the channel maxima; ties share the gradient evenly", function()
      local g = L.GlobalMaxPooling2D()
      g:build({2, 2, 2})
      local x = cv.tensor{{{{1, 5}, {3, 5}}, {{2, 0}, {4, 1}}}}
      assert.same({{4, 5}}, g:forward(x):totable())
      assert.same({{{{0, 3}, {0, 3}}, {{0, 0}, {10, 0}}}}, g:backward(cv.tensor{{10, 6}}):totable())
      assert.equal("global_max_pooling2d", g.name:gsub("_%d+$", ""))
      assert.same({1, 1, 2}, L.GlobalMaxPooling2D{keepdims = true}:compute_output_shape({7, 9, 2}))
    end)

    it("GlobalAveragePooling2D, ZeroPadding2D, Flatten (NHWC order), Reshape", function()
      local x = cv.arange(1, 9):reshape{1, 2, 2, 2}
      approx({{4, 5}}, L.GlobalAveragePooling2D():forward(x))
      local p = L.ZeroPadding2D{{1, 0}, {0, 1}}:forward(cv.ones{1, 1, 1, 1})
      approx({{{{0}, {0}}, {{1}, {0}}}}, p)
      approx({{1, 2, 3, 4, 5, 6, 7, 8}}, L.Flatten():forward(x))
      assert.same({1, 4, 2}, L.Reshape{{4, 2}}:forward(x).shape)
    end)

    it("Rescaling: x*scale + offset, converting uint8 images", function()
      local x = cv.tensor({{0, 51, 255}}, "uint8")
      local y = L.Rescaling(1 / 255):forward(x)
      assert.equal("float32", y.dtype)
      approx({{0, 0.2, 1}}, y)
      approx({{-1, 0, 1}}, L.Rescaling(1 / 127.5, {offset = -1}):forward(cv.tensor{{0, 127.5, 255}}))
    end)

    it("casts uint8 input to float32 like Keras", function()
      local d = L.Dense(1, {use_bias = false})
      d:build{2}
      d:set_weights{cv.tensor{{1}, {1}}}
      approx({{300}}, d:forward(cv.tensor({{100, 200}}, "uint8")))
      local f = L.Flatten():forward(cv.tensor({{{1}, {2}}}, "uint8"))
      assert.equal("float32", f.dtype)
    end)

    it("the activation layers", function()
      local x = cv.tensor{{-2, -0.5, 0.5, 7}}
      approx({{0, 0, 0.5, 7}}, L.Activation("relu"):forward(x))
      approx({{0, 0, 0.5, 6}}, L.ReLU{max_value = 6}:forward(x))
      approx({{-0.2, -0.05, 0.5, 7}}, L.ReLU{negative_slope = 0.1}:forward(x))
      approx({{-0.6, -0.15, 0.5, 7}}, L.LeakyReLU():forward(x))
      approx({{0, 0, 0.5, 3}}, L.ReLU(3):forward(x))
      -- Keras' general ReLU: slope*(x - threshold) below the threshold, capped at max_value
      approx({{-0.3, -0.15, -0.05, 2}}, L.ReLU{max_value = 2, negative_slope = 0.1, threshold = 1}:forward(x))
      approx({{-0.2, -0.05, 0.5, 7}}, L.LeakyReLU(0.1):forward(x))
      approx({{tanh(-2), tanh(-0.5), tanh(0.5), tanh(7)}}, L.Activation("tanh"):forward(x))
      local sm = L.Softmax():forward(cv.tensor{{1, 2, 3}})
      local e = {math.exp(1), math.exp(2), math.exp(3)}
      local z = e[1] + e[2] + e[3]
      approx({{e[1] / z, e[2] / z, e[3] / z}}, sm)
      approx(x:totable(), L.Activation("linear"):forward(x))
    end)
  end)

  describe("shape errors name the layer, the expected shape and the actual one", function()
    it("Dense", function()
      local d = L.Dense(55)
      d:build{4800}
      assert_error_is("dense (Dense): expected input with last axis 4800, got (2, 4799)", d.forward, d, cv.zeros{2, 4799})
      assert_error_is("dense (Dense): expected input with last axis 4800, got (None, 4799)", d.build, d, {4799})
      assert_error_is("got (4800,): a single sample needs a batch axis, use x:reshape{1, 4800}",
        d.forward, d, cv.zeros{4800})
    end)

    it("Conv2D", function()
      local c = L.Conv2D(16, 3, {name = "conv1"})
      assert_error_is("conv1 (Conv2D): expected input of rank 3 (height, width, channels), got (None, 4800)",
        c.build, c, {4800})
      assert_error_is("conv2d (Conv2D): input (None, 2, 9, 1) is too small for kernel_size (3, 3) with padding \"valid\"",
        L.Conv2D(2, 3).build, L.Conv2D(2, 3, {name = "conv2d"}), {2, 9, 1})
      c:build{80, 60, 1}
      assert_error_is("conv1 (Conv2D): expected input of shape (None, 80, 60, 1), got (2, 80, 60, 3)",
        c.forward, c, cv.zeros{2, 80, 60, 3})
      assert_error_is("conv1 (Conv2D): expected input of shape (None, 80, 60, 1), got (80, 60, 1): "
        .. "a single sample needs a batch axis, use x:reshape{1, 80, 60, 1} or X:slice(i, i)",
        c.forward, c, cv.zeros{80, 60, 1})
    end)

    it("MaxPooling2D", function()
      local p = L.MaxPooling2D{name = "pool1"}
      assert_error_is("pool1 (MaxPooling2D): input (None, 1, 60, 16) is too small for pool_size (2, 2) with padding \"valid\"",
        p.build, p, {1, 60, 16})
      assert_error_is("pool1 (MaxPooling2D): expected input of rank 3 (height, width, channels), got (None, 60, 16)",
        p.build, p, {60, 16})
      p:build{4, 4, 2}
      assert_error_is("pool1 (MaxPooling2D): expected input of shape (None, 4, 4, 2), got (3, 4, 2)",
        p.forward, p, cv.zeros{3, 4, 2})
    end)

    it("Flatten", function()
      local f = L.Flatten()
      f:build{2, 3, 4}
      assert_error_is("flatten (Flatten): expected input of shape (None, 2, 3, 4), got (5, 2, 3, 5)",
        f.forward, f, cv.zeros{5, 2, 3, 5})
      assert_error_is("flatten (Flatten): was built for input (None, 2, 3, 4), got (None, 24)", f.build, f, {24})
    end)

    it("set_weights names the weight, the expected and the actual shape", function()
      local d = L.Dense(3)
      d:build{2}
      assert_error_is("dense (Dense): set_weights: kernel expected shape (2, 3), got (3, 2)",
        d.set_weights, d, {cv.zeros{3, 2}, cv.zeros{3}})
      assert_error_is("dense (Dense): set_weights expected 2 weights (kernel, bias), got 1",
        d.set_weights, d, {cv.zeros{2, 3}})
    end)

    it("backward checks the gradient's shape", function()
      local d = L.Dense(3)
      d:forward(cv.zeros{2, 2})
      assert_error_is("dense (Dense): backward expected a gradient of shape (2, 3), got (2, 4)",
        d.backward, d, cv.zeros{2, 4})
    end)
  end)

  describe("weights", function()
    it("are Glorot-uniform kernels within Keras' limit and zero biases", function()
      local c = L.Conv2D(8, 3)
      c:build{5, 5, 4}
      local limit = math.sqrt(6 / (3 * 3 * 4 + 3 * 3 * 8))
      assert.is_true(c.weights[1]:abs():max() <= limit)
      assert.is_true(c.weights[1]:abs():max() > 0.8 * limit)
      assert.equal(0, c.weights[2]:abs():max())
    end)

    it("are reproduced by the same seed", function()
      cv.manual_seed(7)
      local a = L.Dense(4); a:build{3}
      local b = L.Conv2D(2, 3); b:build{4, 4, 1}
      cv.manual_seed(7)
      local a2 = L.Dense(4); a2:build{3}
      local b2 = L.Conv2D(2, 3); b2:build{4, 4, 1}
      approx(a.weights[1]:totable(), a2.weights[1], 0)
      approx(b.weights[1]:totable(), b2.weights[1], 0)
    end)

    it("get_weights returns copies; set_weights copies in", function()
      local d = L.Dense(2)
      d:build{2}
      local w = d:get_weights()
      w[1]:fill(5)
      assert.is_true(d.weights[1]:max() < 5)
      d:set_weights(w)
      approx({{5, 5}, {5, 5}}, d.weights[1])
      assert.same({"kernel", "bias"}, d.weight_names)
    end)

    it("params() lists the trainable weights with their gradients; zero_grad clears them", function()
      local d = L.Dense(2, {name = "out"})
      d:forward(cv.ones{3, 2})
      d:backward(cv.ones{3, 2})
      local p = d:params()
      assert.equal(2, #p)
      assert.equal("kernel", p[1].name)
      assert.equal("out/kernel", p[1].path)
      approx({{3, 3}, {3, 3}}, p[1].grad)
      approx({3, 3}, p[2].grad)
      d:backward(cv.ones{3, 2})
      approx({6, 6}, p[2].grad)         -- gradients accumulate
      d:zero_grad()
      approx({0, 0}, p[2].grad)
      d.trainable = false
      assert.same({}, d:params())
    end)
  end)

  describe("frozen layers and the first layer of a model", function()
    it("compute no parameter gradients when trainable is false", function()
      for _, layer in ipairs{L.Dense(2), L.Conv2D(2, 1), L.DepthwiseConv2D(1), L.SeparableConv2D(2, 1),
          L.BatchNormalization()} do
        local x = cv.rand{2, 3, 3, 2}
        layer:forward(x, true)
        layer.trainable = false
        layer:forward(x, true)
        local dx = layer:backward(cv.ones(layer:forward(x, true).shape))
        assert.same(x.shape, dx.shape)
        for i = 1, layer.n_trainable do
          assert.equal(0, layer.grads[i]:abs():max(), layer:tag() .. " " .. layer.weight_names[i])
        end
      end
    end)

    it("skip the input gradient when skip_input_grad is set", function()
      for _, layer in ipairs{L.Dense(2), L.Conv2D(2, 1), L.DepthwiseConv2D(1), L.SeparableConv2D(2, 1)} do
        layer.skip_input_grad = true
        local y = layer:forward(cv.rand{2, 3, 3, 2})
        assert.is_nil(layer:backward(cv.ones(y.shape)))
        assert.is_true(layer.grads[1]:abs():max() > 0)
      end
    end)
  end)

  describe("called as functions", function()
    it("layer(x) and model(x) return their own tensors: a second call leaves the first result alone", function()
      local d = L.Dense(2, {kernel_initializer = "ones"})
      local a = d(cv.ones{1, 3})
      local b = d(cv.zeros{1, 3})
      assert.are.same({{3, 3}}, a:totable())
      assert.are.same({{0, 0}}, b:totable())
      local m = cv.Sequential{cv.Input{3}, L.Dense(2, {kernel_initializer = "ones"}), L.Activation("relu")}
      local y1 = m(cv.ones{1, 3})
      local y2 = m(cv.full({1, 3}, 2))
      assert.are.same({{3, 3}}, y1:totable())
      assert.are.same({{6, 6}}, y2:totable())
    end)
  end)

  describe("buffers", function()
    it("are reused while the batch size is unchanged", function()
      local c = L.Conv2D(2, 3, {activation = "relu"})
      local x = cv.rand{2, 5, 5, 1}
      local y1 = c:forward(x)
      local y2 = c:forward(x)
      assert.is_true(rawequal(y1, y2))
      local dx1 = c:backward(cv.ones(y1.shape))
      local dx2 = c:backward(cv.ones(y1.shape))
      assert.is_true(rawequal(dx1, dx2))
      local y3 = c:forward(cv.rand{3, 5, 5, 1})
      assert.same({3, 3, 3, 2}, y3.shape)
    end)
  end)

  describe("configs", function()
    local function roundtrip(layer, input_shape)
      local cfg = layer:get_config()
      local copy = L.from_config(layer.class_name, cfg)
      assert.same(cfg, copy:get_config())
      if input_shape then
        layer:build(input_shape)
        copy:build(input_shape)
        assert.same(layer.output_shape, copy.output_shape)
        assert.equal(layer:count_params(), copy:count_params())
      end
      return cfg
    end

    it("rebuild every layer through from_config", function()
      local cfg = roundtrip(L.Conv2D(16, 3, {padding = "same", activation = "relu", name = "conv1"}), {8, 8, 1})
      assert.equal("conv1", cfg.name)
      assert.equal(16, cfg.filters)
      assert.same({3, 3}, cfg.kernel_size)
      assert.equal("relu", cfg.activation)
      assert.equal("glorot_uniform", cfg.kernel_initializer)
      roundtrip(L.Dense(5, {activation = "softmax", use_bias = false}), {3})
      roundtrip(L.DepthwiseConv2D(3, {depth_multiplier = 2, strides = 2}), {8, 8, 2})
      roundtrip(L.SeparableConv2D(4, {3, 1}, {padding = "same"}), {8, 8, 2})
      roundtrip(L.MaxPooling2D{pool_size = {4, 4}}, {8, 8, 2})
      roundtrip(L.AveragePooling2D{strides = 1, padding = "same"}, {8, 8, 2})
      roundtrip(L.GlobalAveragePooling2D(), {8, 8, 2})
      roundtrip(L.ZeroPadding2D{{1, 2}, {3, 4}}, {8, 8, 2})
      roundtrip(L.BatchNormalization{momentum = 0.9}, {8, 8, 2})
      roundtrip(L.Dropout(0.3), {4})
      roundtrip(L.Dropout(0.3, {noise_shape = {false, 1, 1, 1}}), {4, 4, 2})
      roundtrip(L.Normalization(), {4, 4, 3})
      roundtrip(L.Normalization{mean = {1, 2}, variance = {3, 4}, invert = true}, {2})
      roundtrip(L.Rescaling(1 / 255, {offset = 0.5}), {4})
      roundtrip(L.Flatten(), {2, 2})
      roundtrip(L.Reshape{{4}}, {2, 2})
      roundtrip(L.Activation("tanh"), {4})
      roundtrip(L.ReLU{max_value = 6}, {4})
      roundtrip(L.LeakyReLU(0.1), {4})
      roundtrip(L.Dense(3, {kernel_initializer = cv.initializers.RandomNormal{stddev = 0.1}}), {2})
      roundtrip(L.RandomFlip("horizontal"), {4, 4, 1})
      roundtrip(L.RandomRotation(0.1, {fill_mode = "constant"}), {4, 4, 1})
      roundtrip(L.RandomZoom(0.1, {-0.2, 0.1}), {4, 4, 1})
      roundtrip(L.RandomTranslation(0.1, 0.2), {4, 4, 1})
      roundtrip(L.RandomContrast(0.2), {4, 4, 1})
    end)

    it("are JSON-friendly", function()
      local ok, cjson = pcall(require, "cjson")
      if not ok then return end
      local cfg = L.SeparableConv2D(4, 3, {padding = "same"}):get_config()
      assert.same(cfg, cjson.decode(cjson.encode(cfg)))
      local layer = L.from_config("SeparableConv2D", cjson.decode(cjson.encode(cfg)))
      assert.equal(cfg.name, layer.name)
    end)

    it("of Input round-trip as well", function()
      local i = L.Input{shape = {4, 4, 1}, name = "img"}
      local j = L.from_config("InputLayer", i:get_config())
      assert.same({4, 4, 1}, j.shape)
      assert.equal("img", j.name)
    end)
  end)
end)
