-- spec/applications_spec.lua: cv.applications: Keras' parameter totals for every builder at its
-- default size with the top, the lecture's LeNet-5 and AlexNet tables layer by layer, a ResNet50
-- forward pass on one 224x224x3 image, the options (include_top, pooling, classes, input_shape)
-- and the error for pretrained weights; DenseNet121, EfficientNetB0 and GoogLeNet each in a block
-- of their own (counts at 224 without a forward pass, names, forward at 32x32, options). The big
-- models allocate ~1 GB each: each test drops its model before the next one.
local cv = require "cvision"
local apps = cv.applications

local function build(name, opts)
  cv.clear_session()
  local m = apps[name](opts)
  return m
end

local function release()
  collectgarbage()
  collectgarbage()
end

local function shapes_by_name(m)
  local out = {}
  for _, l in ipairs(m.layers) do out[l.name] = l.output_shape end
  return out
end

describe("cv.applications", function()
  after_each(release)

  describe("parameter totals with the top at the default size (Keras')", function()
    local totals = {
      {"Xception", 22910480, {299, 299, 3}},
      {"VGG16", 138357544, {224, 224, 3}},
      {"VGG19", 143667240, {224, 224, 3}},
      {"ResNet50", 25636712, {224, 224, 3}},
      {"InceptionV3", 23851784, {299, 299, 3}},
      {"MobileNet", 4253864, {224, 224, 3}},
      {"MobileNetV2", 3538984, {224, 224, 3}},
    }
    for _, t in ipairs(totals) do
      it(("%s has %d parameters"):format(t[1], t[2]), function()
        local m = build(t[1])
        assert.are.equal(t[2], m:count_params())
        assert.are.same(t[3], m.input_shape)
        assert.are.same({1000}, m.output_shape)
      end)
    end
  end)

  it("builds Keras' layer names and counts", function()
    local m = build("ResNet50")
    assert.are.equal("resnet50", m.name)
    assert.are.equal(176, #m.layers)          -- Keras: 177 with the InputLayer
    assert.are.same({7, 7, 2048}, m:get_layer("conv5_block3_out").output_shape)
    assert.are.equal("Add", m:get_layer("conv2_block1_add").class_name)
    assert.are.equal(1.001e-5, m:get_layer("conv1_bn").epsilon)
    m = build("InceptionV3")
    assert.are.equal(312, #m.layers)          -- Keras: 313
    assert.are.same({8, 8, 2048}, m:get_layer("mixed10").output_shape)
    -- conv2d_bn: no bias, BatchNormalization without gamma (scale = false)
    local bn = m:get_layer("batch_normalization")
    assert.is_false(bn.scale)
    assert.are.same({"beta", "moving_mean", "moving_variance"}, bn.weight_names)
    assert.is_false(m:get_layer("conv2d").use_bias)
    m = build("MobileNetV2")
    assert.are.equal("mobilenetv2_1.00_224", m.name)
    assert.are.same({7, 7, 1280}, m:get_layer("out_relu").output_shape)
    assert.are.equal(0.999, m:get_layer("bn_Conv1").momentum)
    m = build("MobileNet")
    assert.are.equal("mobilenet_1.00_224", m.name)
    assert.are.same({1, 1, 1000}, m:get_layer("conv_preds").output_shape)
    m = build("Xception")
    assert.are.same({10, 10, 2048}, m:get_layer("block14_sepconv2_act").output_shape)
  end)

  it("builds the lecture's LeNet-5 table", function()
    local m = build("LeNet5")
    local s = shapes_by_name(m)
    assert.are.same({32, 32, 1}, m.input_shape)
    assert.are.same({28, 28, 6}, s.C1)
    assert.are.same({14, 14, 6}, s.S2)
    assert.are.same({10, 10, 16}, s.C3)
    assert.are.same({5, 5, 16}, s.S4)
    assert.are.same({1, 1, 120}, s.C5)
    assert.are.same({84}, s.F6)
    assert.are.same({10}, s.Out)
    assert.are.equal("tanh", m:get_layer("C1").activation.name)
    assert.are.equal(156 + 2416 + 48120 + 10164 + 850, m:count_params())
    local y = m:predict(cv.rand{2, 32, 32, 1})
    assert.are.same({2, 10}, y.shape)
  end)

  it("builds the lecture's AlexNet table", function()
    local m = build("AlexNet")
    local s = shapes_by_name(m)
    assert.are.same({227, 227, 3}, m.input_shape)
    assert.are.same({55, 55, 96}, s.C1)
    assert.are.same({27, 27, 96}, s.S2)
    assert.are.same({27, 27, 256}, s.C3)
    assert.are.same({13, 13, 256}, s.S4)
    assert.are.same({13, 13, 384}, s.C5)
    assert.are.same({13, 13, 384}, s.C6)
    assert.are.same({13, 13, 256}, s.C7)
    assert.are.same({6, 6, 256}, s.S8)
    assert.are.same({4096}, s.F9)
    assert.are.same({4096}, s.F10)
    assert.are.same({1000}, s.Out)
    assert.are.equal(62378344, m:count_params())
  end)

  it("runs ResNet50 on one 224x224x3 image: a (1, 1000) probability row", function()
    cv.manual_seed(1)
    local m = build("ResNet50")
    local y = m:predict(cv.rand{1, 224, 224, 3} * 255)
    assert.are.same({1, 1000}, y.shape)
    assert.is_true(math.abs(y:sum() - 1) < 1e-4)
    assert.is_true(y:min() >= 0)
  end)

  it("runs every other builder forward on a small input", function()
    cv.manual_seed(2)
    for _, name in ipairs{"VGG16", "InceptionV3", "MobileNet", "MobileNetV2", "Xception"} do
      local size = (name == "InceptionV3" and 75) or (name == "Xception" and 71) or 32
      do
        local m = build(name, {input_shape = {size, size, 3}, include_top = false, pooling = "avg"})
        local y = m:predict(cv.rand{1, size, size, 3})
        assert.are.equal(1, y.shape[1])
        assert.are.equal(2, #y.shape, name)
      end
      release()
    end
  end)

  it("takes Keras' options: include_top, pooling, classes, input_shape, input_tensor, name", function()
    local m = build("ResNet50", {include_top = false, input_shape = {64, 64, 3}})
    assert.are.same({2, 2, 2048}, m.output_shape)
    m = build("ResNet50", {include_top = false, input_shape = {64, 64, 3}, pooling = "max"})
    assert.are.same({2048}, m.output_shape)
    m = build("MobileNetV2", {input_shape = {96, 96, 3}, classes = 5, name = "mine"})
    assert.are.same({5}, m.output_shape)
    assert.are.equal("mine", m.name)
    local inputs = cv.Input{48, 48, 3}
    m = build("MobileNet", {input_tensor = inputs, include_top = false, pooling = "avg"})
    assert.are.same({48, 48, 3}, m.input_shape)
    assert.are.same({1024}, m.output_shape)
  end)

  it("works as a frozen base for transfer learning, as in the lecture", function()
    cv.manual_seed(3)
    local base_model = build("Xception", {input_shape = {71, 71, 3}, include_top = false})
    base_model.trainable = false
    local inputs = cv.Input{71, 71, 3}
    local x = base_model(inputs, {training = false})
    x = cv.layers.GlobalAveragePooling2D()(x)
    local outputs = cv.layers.Dense(1)(x)
    local model = cv.Model(inputs, outputs)
    assert.are.equal(2, #model:params())
    local lines = {}
    model:summary{print_fn = function(s) lines[#lines + 1] = s end}
    local text = table.concat(lines, "\n")
    assert.matches("Trainable params: 2,049 ", text)
    assert.matches("xception %(Functional%)", text)
  end)

  it("refuses pretrained weights with a message saying what to do", function()
    local ok, err = pcall(apps.ResNet50, {weights = "imagenet"})
    assert.is_false(ok)
    assert.matches("can't be downloaded", err)
    assert.matches("load_weights", err)
    assert.matches("set_weights", err)
    assert.matches("pooling must be", select(2, pcall(apps.VGG16, {pooling = "min"})))
    assert.matches("at least 75x75", select(2, pcall(apps.InceptionV3, {input_shape = {32, 32, 3}})))
  end)

  describe("DenseNet121 (keras/src/applications/densenet.py)", function()
    it("has Keras' 8,062,504 parameters and 428 layers with the top at 224x224x3", function()
      local m = build("DenseNet121")
      assert.are.equal(8062504, m:count_params())
      assert.are.equal(428, #m.layers)        -- Keras: 429 with the InputLayer
      assert.are.equal("densenet121", m.name)
      assert.are.same({224, 224, 3}, m.input_shape)
      assert.are.same({1000}, m.output_shape)
    end)

    it("names its layers as Keras 3 does", function()
      local m = build("DenseNet121", {input_shape = {32, 32, 3}, include_top = false})
      assert.are.equal("zero_padding2d", m.layers[1].name)
      assert.are.equal("conv1_conv", m.layers[2].name)
      assert.is_false(m:get_layer("conv1_conv").use_bias)
      assert.are.equal(1.001e-5, m:get_layer("conv1_bn").epsilon)
      assert.are.equal("MaxPooling2D", m:get_layer("pool1").class_name)
      assert.are.equal("BatchNormalization", m:get_layer("conv2_block1_0_bn").class_name)
      assert.are.same({8, 8, 32}, m:get_layer("conv2_block1_2_conv").output_shape)
      assert.are.same({8, 8, 256}, m:get_layer("conv2_block6_concat").output_shape)
      assert.are.same({4, 4, 128}, m:get_layer("pool2_pool").output_shape)
      assert.are.same({2, 2, 512}, m:get_layer("pool4_conv").output_shape)
      assert.are.same({1, 1, 512}, m:get_layer("pool4_pool").output_shape)
      assert.are.same({1, 1, 1024}, m:get_layer("relu").output_shape)
      assert.are.same({1, 1, 1024}, m.output_shape)
      assert.are.equal(1.001e-5, m:get_layer("bn").epsilon)
    end)

    it("runs forward on one 32x32x3 image without the top, pooled", function()
      cv.manual_seed(4)
      local m = build("DenseNet121", {input_shape = {32, 32, 3}, include_top = false, pooling = "avg"})
      assert.are.equal("avg_pool", m.layers[#m.layers].name)
      local y = m:predict(cv.rand{1, 32, 32, 3})
      assert.are.same({1, 1024}, y.shape)
      m = build("DenseNet121", {input_shape = {32, 32, 3}, include_top = false, pooling = "max"})
      assert.are.equal("max_pool", m.layers[#m.layers].name)
      assert.are.same({1024}, m.output_shape)
      m = build("DenseNet121", {input_shape = {32, 32, 3}, classes = 7})
      y = m:predict(cv.rand{1, 32, 32, 3})
      assert.are.same({1, 7}, y.shape)
      assert.is_true(math.abs(y:sum() - 1) < 1e-4)
    end)

    it("checks its options", function()
      assert.matches("at least 32x32", select(2, pcall(apps.DenseNet121, {input_shape = {31, 31, 3}})))
      assert.matches("can't be downloaded", select(2, pcall(apps.DenseNet121, {weights = "imagenet"})))
      assert.matches("unknown option 'alpha'", select(2, pcall(apps.DenseNet121, {alpha = 0.5})))
      assert.matches("pooling must be", select(2, pcall(apps.DenseNet121, {include_top = false, pooling = "sum"})))
    end)
  end)

  describe("EfficientNetB0 (keras/src/applications/efficientnet.py)", function()
    it("has Keras' 5,330,571 parameters: 5,288,548 trainable, 42,016 BN statistics, 7 of Normalization", function()
      local m = build("EfficientNetB0")
      assert.are.equal(5330571, m:count_params())
      assert.are.equal(239, #m.layers)        -- Keras: 240 with the InputLayer
      assert.are.equal("efficientnetb0", m.name)
      assert.are.same({224, 224, 3}, m.input_shape)
      assert.are.same({1000}, m.output_shape)
      local lines = {}
      m:summary{print_fn = function(line) lines[#lines + 1] = line end}
      local text = table.concat(lines, "\n")
      assert.matches("Trainable params: 5,288,548 ", text)
      assert.matches("Non%-trainable params: 42,023 ", text)
      local norm = m:get_layer("normalization")
      assert.are.same({"mean", "variance", "count"}, norm.weight_names)
      assert.are.equal(7, norm:count_params())
    end)

    -- each build draws 4 million truncated-normal kernel values: two builds at 32x32 for the rest
    it("names its layers as Keras 3 does and runs forward on one 32x32x3 image", function()
      cv.manual_seed(5)
      local m = build("EfficientNetB0", {input_shape = {32, 32, 3}, classes = 10})
      local names = {}
      for i = 1, 6 do names[i] = m.layers[i].name end
      assert.are.same({"rescaling", "normalization", "stem_conv_pad", "stem_conv", "stem_bn", "stem_activation"}, names)
      assert.are.equal("swish", m:get_layer("stem_activation").act.name)
      assert.are.equal(1e-3, m:get_layer("stem_bn").epsilon)
      assert.are.equal(0.99, m:get_layer("stem_bn").momentum)
      assert.is_false(pcall(m.get_layer, m, "block1a_expand_conv"))   -- expansion 1: no expand_conv
      assert.are.same({16, 16, 32}, m:get_layer("block1a_se_excite").output_shape)
      assert.are.same({1, 1, 32}, m:get_layer("block1a_se_reshape").output_shape)
      assert.are.same({1, 1, 8}, m:get_layer("block1a_se_reduce").output_shape)
      assert.are.equal("Multiply", m:get_layer("block2a_se_excite").class_name)
      assert.are.equal("GlobalAveragePooling2D", m:get_layer("block2a_se_squeeze").class_name)
      assert.are.same({1, 1, 4}, m:get_layer("block2a_se_reduce").output_shape)
      assert.are.same({false, 1, 1, 1}, m:get_layer("block2b_drop").noise_shape)
      assert.are.equal(0.2 * 2 / 16, m:get_layer("block2b_drop").rate)
      assert.are.equal("Add", m:get_layer("block6d_add").class_name)
      assert.are.same({1, 1, 320}, m:get_layer("block7a_project_bn").output_shape)
      assert.are.equal(0.2, m:get_layer("top_dropout").rate)
      assert.are.same({1, 1, 1280}, m:get_layer("top_activation").output_shape)
      assert.are.equal("VarianceScaling", m:get_layer("stem_conv").kernel_initializer.class_name)
      local y = m:predict(cv.rand{1, 32, 32, 3} * 255)
      assert.are.same({1, 10}, y.shape)
      assert.is_true(math.abs(y:sum() - 1) < 1e-4)
    end)

    it("runs forward without the top, pooled", function()
      cv.manual_seed(5)
      local m = build("EfficientNetB0", {input_shape = {32, 32, 3}, include_top = false, pooling = "max"})
      assert.are.equal("max_pool", m.layers[#m.layers].name)
      assert.are.same({1, 1280}, m:predict(cv.rand{1, 32, 32, 3} * 255).shape)
    end)

    it("checks its options", function()
      assert.matches("at least 32x32", select(2, pcall(apps.EfficientNetB0, {input_shape = {16, 16, 3}})))
      assert.matches("can't be downloaded", select(2, pcall(apps.EfficientNetB0, {weights = "imagenet"})))
      assert.matches("unknown option 'dropout'", select(2, pcall(apps.EfficientNetB0, {dropout = 0.3})))
      assert.matches("classes must be", select(2, pcall(apps.EfficientNetB0, {classes = 0})))
    end)
  end)

  describe("GoogLeNet (Szegedy et al. 2014, Table 1)", function()
    -- the paper's table: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj
    local table1 = {
      {"3a", 64, 96, 128, 16, 32, 32}, {"3b", 128, 128, 192, 32, 96, 64}, {"4a", 192, 96, 208, 16, 48, 64},
      {"4b", 160, 112, 224, 24, 64, 64}, {"4c", 128, 128, 256, 24, 64, 64}, {"4d", 112, 144, 288, 32, 64, 64},
      {"4e", 256, 160, 320, 32, 128, 128}, {"5a", 256, 160, 320, 32, 128, 128}, {"5b", 384, 192, 384, 48, 128, 128},
    }
    -- a k x k convolution from c_in to c_out channels, with its bias
    local function conv(k, c_in, c_out) return k * k * c_in * c_out + c_out end

    it("has 6,998,552 parameters with the top at 224x224x3, as counted from the table", function()
      local n = conv(7, 3, 64) + conv(1, 64, 64) + conv(3, 64, 192)
      assert.are.equal(9472 + 4160 + 110784, n)
      local c = 192
      for _, t in ipairs(table1) do
        n = n + conv(1, c, t[2]) + conv(1, c, t[3]) + conv(3, t[3], t[4]) + conv(1, c, t[5]) + conv(5, t[5], t[6])
          + conv(1, c, t[7])
        c = t[2] + t[4] + t[6] + t[7]
      end
      assert.are.equal(1024, c)
      n = n + c * 1000 + 1000
      assert.are.equal(6998552, n)
      local m = build("GoogLeNet")
      assert.are.equal(n, m:count_params())
      assert.are.equal("googlenet", m.name)
      assert.are.same({224, 224, 3}, m.input_shape)
      assert.are.same({1000}, m.output_shape)
      -- the table's output sizes
      local want = {pool1_3x3_s2 = {56, 56, 64}, conv2_3x3 = {56, 56, 192}, pool2_3x3_s2 = {28, 28, 192},
        inception_3a_output = {28, 28, 256}, inception_3b_output = {28, 28, 480}, pool3_3x3_s2 = {14, 14, 480},
        inception_4a_output = {14, 14, 512}, inception_4d_output = {14, 14, 528}, inception_4e_output = {14, 14, 832},
        pool4_3x3_s2 = {7, 7, 832}, inception_5a_output = {7, 7, 832}, inception_5b_output = {7, 7, 1024},
        avg_pool = {1024}}
      for name, shape in pairs(want) do assert.are.same(shape, m:get_layer(name).output_shape, name) end
      assert.are.equal(0.4, m:get_layer("dropout").rate)
      assert.are.equal("relu", m:get_layer("inception_4c_pool_proj").activation.name)
      assert.are.same({5, 5}, m:get_layer("inception_5b_5x5").kernel_size)
    end)

    it("runs forward on one 32x32x3 image, with the top and without it", function()
      cv.manual_seed(6)
      local m = build("GoogLeNet", {input_shape = {32, 32, 3}, classes = 5, dropout = 0.2})
      assert.are.equal(0.2, m:get_layer("dropout").rate)
      local y = m:predict(cv.rand{1, 32, 32, 3})
      assert.are.same({1, 5}, y.shape)
      assert.is_true(math.abs(y:sum() - 1) < 1e-4)
      m = build("GoogLeNet", {input_shape = {32, 32, 3}, include_top = false, pooling = "max"})
      assert.are.equal("max_pool", m.layers[#m.layers].name)
      assert.are.same({1, 1024}, m:predict(cv.rand{1, 32, 32, 3}).shape)
      m = build("GoogLeNet", {input_shape = {64, 64, 3}, include_top = false})
      assert.are.same({2, 2, 1024}, m.output_shape)
    end)

    it("checks its options", function()
      assert.matches("at least 32x32", select(2, pcall(apps.GoogLeNet, {input_shape = {16, 16, 3}})))
      assert.matches("can't be downloaded", select(2, pcall(apps.GoogLeNet, {weights = "imagenet"})))
      assert.matches("dropout must be", select(2, pcall(apps.GoogLeNet, {dropout = 1})))
      assert.matches("unknown option 'alpha'", select(2, pcall(apps.GoogLeNet, {alpha = 1})))
    end)
  end)
end)
