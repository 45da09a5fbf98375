-- spec/keras_weights_spec.lua: cv.models.load_keras_weights and load_keras_model on HDF5 files
-- written at test time by spec/fixtures/make_keras_h5.py (h5py + numpy, no Keras) in Keras 3's and
-- Keras 2's layouts, checked against the script's own numpy forward pass; and the errors (an unknown
-- layer class, a shape mismatch, a missing, truncated or garbage file) with the reader underneath
-- (core.hdf5_open).
local cv = require "cvision"
local tmp = require "spec.helpers.tmpdir"
local core = cv.core
local L = cv.layers

local PY = "/usr/bin/python3"
local have_h5py = os.execute(PY .. " -c 'import h5py, numpy' 2>/dev/null") == true

local files = require "spec.helpers.files"
local read, write = files.read, files.write

local function max_diff(a, b)
  assert.same(b.shape, a.shape)
  local d = (a - b):abs():max()
  return type(d) == "number" and d or d:item()
end

-- the fixture script's small CNN, built in cvision (names optional: Keras' defaults otherwise)
local function cnn(names)
  cv.clear_session()
  names = names or {}
  return cv.Sequential{cv.Input{shape = {8, 8, 3}},
    L.Conv2D(4, 3, {padding = "same", activation = "relu", name = names[1]}),
    L.BatchNormalization{name = names[2]},
    L.DepthwiseConv2D(3, {strides = 2, depth_multiplier = 2, name = names[3]}),
    L.ReLU(6),
    L.SeparableConv2D(6, 3, {padding = "same", name = names[4]}),
    L.BatchNormalization{scale = false, name = names[5]},
    L.Flatten(), L.Dropout(0.25), L.Dense(5, {name = names[6]})}
end

if not have_h5py then
  describe("cv.models.load_keras_weights", function()
    pending("needs python3-h5py and python3-numpy to write its fixtures (make deps installs them)")
  end)
  return
end

describe("Keras HDF5 files", function()
  local dir, expected, x

  setup(function()
    dir = tmp.dir()
    local ok = os.execute(("%s spec/fixtures/make_keras_h5.py %s >/dev/null"):format(PY, dir))
    assert(ok, "spec/fixtures/make_keras_h5.py failed")
    local f <close> = core.hdf5_open(dir .. "/expected.h5")
    expected = {cnn = f:dataset("cnn"), functional = f:dataset("functional"), tm = f:dataset("tm")}
    x = f:dataset("x")
  end)

  teardown(function() tmp.rmtree(dir) end)

  local function p(name) return dir .. "/" .. name end

  describe("core.hdf5_open", function()
    it("lists groups, reads string attributes and datasets as float32 tensors", function()
      local f <close> = core.hdf5_open(p("cnn_keras2.h5"))
      assert.equal("group", f:kind("/conv2d"))
      assert.equal("dataset", f:kind("conv2d/conv2d/kernel:0"))
      assert.is_nil(f:kind("/nothing/here"))
      assert.same({"conv2d", "batch_normalization", "depthwise_conv2d", "re_lu", "separable_conv2d",
        "batch_normalization_1", "flatten", "dropout", "dense"}, f:attribute("/", "layer_names"))
      assert.equal("2.13.1", f:attribute("/", "keras_version"))
      assert.same({}, f:attribute("/flatten", "weight_names"))
      assert.is_nil(f:attribute("/", "no_such_attribute"))
      local k = f:dataset("conv2d/conv2d/kernel:0")
      assert.same({3, 3, 3, 4}, k.shape)
      assert.equal("float32", k.dtype)
      assert.same({"conv2d"}, f:children("/conv2d"))
    end)

    it("names the file and the object in its errors, and refuses a closed file", function()
      local f = core.hdf5_open(p("cnn_keras2.h5"))
      local ok, err = pcall(f.dataset, f, "/conv2d/nope")
      assert.is_false(ok)
      assert.matches(p("cnn_keras2.h5") .. ": /conv2d/nope: no such object", err, 1, true)
      ok, err = pcall(f.children, f, "/conv2d/conv2d/kernel:0")
      assert.is_false(ok)
      assert.matches("not a group", err, 1, true)
      f:close()
      ok, err = pcall(f.children, f)
      assert.is_false(ok)
      assert.matches("closed", err, 1, true)
      assert.equal("HDF5 file (closed)", tostring(f))
    end)
  end)

  describe("cv.models.load_keras_weights", function()
    it("loads Keras 3 .weights.h5 (layers/<class>/vars) into the same CNN: outputs match numpy", function()
      local m = cnn()
      assert.equal(m, cv.models.load_keras_weights(m, p("cnn.weights.h5")))
      assert.is_true(max_diff(m:predict(x, {verbose = 0}), expected.cnn) < 1e-5)
    end)

    it("matches Keras 3 layers by class path whatever the cvision names are", function()
      local m = cnn{"a", "b", "c", "d", "e", "f"}
      cv.models.load_keras_weights(m, p("cnn.weights.h5"))
      assert.is_true(max_diff(m:predict(x, {verbose = 0}), expected.cnn) < 1e-5)
    end)

    it("falls back to the layer name stored with a Keras 3 vars group", function()
      local m = cnn()
      cv.models.load_keras_weights(m, p("cnn_named.weights.h5"))
      assert.is_true(max_diff(m:predict(x, {verbose = 0}), expected.cnn) < 1e-5)
    end)

    it("loads Keras 2 save_weights files by layer name, and by position when names differ", function()
      local m = cnn()
      cv.models.load_keras_weights(m, p("cnn_keras2.h5"))
      assert.is_true(max_diff(m:predict(x, {verbose = 0}), expected.cnn) < 1e-5)
      local r = cnn{"a", "b", "c", "d", "e", "f"}
      cv.models.load_keras_weights(r, p("cnn_keras2.h5"))
      assert.is_true(max_diff(r:predict(x, {verbose = 0}), expected.cnn) < 1e-5)
    end)

    it("takes the model_weights of a whole Keras 2 model file", function()
      local m = cnn()
      cv.models.load_keras_weights(m, p("cnn_model.h5"))
      assert.is_true(max_diff(m:predict(x, {verbose = 0}), expected.cnn) < 1e-5)
    end)

    it("names the layer and both shapes on a shape mismatch, and copies nothing", function()
      cv.clear_session()
      local m = cv.Sequential{cv.Input{shape = {8, 8, 3}},
        L.Conv2D(4, 3, {padding = "same", activation = "relu"}), L.BatchNormalization(),
        L.DepthwiseConv2D(3, {strides = 2, depth_multiplier = 2}), L.ReLU(6),
        L.SeparableConv2D(6, 3, {padding = "same"}), L.BatchNormalization{scale = false},
        L.Flatten(), L.Dense(7)}
      local before = m.layers[1].weights[1]:clone()
      for _, file in ipairs{"cnn.weights.h5", "cnn_keras2.h5"} do
        local ok, err = pcall(cv.models.load_keras_weights, m, p(file))
        assert.is_false(ok)
        assert.matches("load_keras_weights: " .. p(file) .. ": shape mismatch for layer dense (Dense), weight kernel: "
          .. "the model has (54, 7)", err, 1, true)
        assert.matches("is (54, 5)", err, 1, true)
        assert.equal(0, max_diff(m.layers[1].weights[1], before))
      end
    end)

    it("says which layers do not line up when the counts differ", function()
      cv.clear_session()
      local m = cv.Sequential{cv.Input{shape = {8, 8, 3}}, L.Conv2D(4, 3, {name = "only"}), L.Flatten(), L.Dense(5)}
      local ok, err = pcall(cv.models.load_keras_weights, m, p("cnn_model.h5"))
      assert.is_false(ok)
      assert.matches("the file has 6 layers with weights (Conv2D 'conv2d', BatchNormalization 'batch_normalization'", err, 1, true)
      assert.matches("the model 2 (only (Conv2D), dense (Dense))", err, 1, true)
      -- matched by name, a file layer nothing took is named with its class
      cv.clear_session()
      local sub = cv.Sequential{cv.Input{shape = {8, 8, 3}}, L.Conv2D(4, 3), L.Flatten(), L.Dense(5)}
      ok, err = pcall(cv.models.load_keras_weights, sub, p("cnn_model.h5"))
      assert.is_false(ok)
      assert.matches("the model has no layer for the file's BatchNormalization 'batch_normalization', "
        .. "DepthwiseConv2D 'depthwise_conv2d', SeparableConv2D 'separable_conv2d', BatchNormalization "
        .. "'batch_normalization_1'", err, 1, true)
      -- Keras 3: a file layer nothing took names its class path
      cv.clear_session()
      local short = cv.Sequential{cv.Input{shape = {8, 8, 3}},
        L.Conv2D(4, 3, {padding = "same", activation = "relu"}), L.BatchNormalization(),
        L.DepthwiseConv2D(3, {strides = 2, depth_multiplier = 2}), L.ReLU(6),
        L.SeparableConv2D(6, 3, {padding = "same"}), L.Flatten(), L.Dense(5)}
      ok, err = pcall(cv.models.load_keras_weights, short, p("cnn.weights.h5"))
      assert.is_false(ok)
      assert.matches("the model has no layer for the file's /layers/batch_normalization_1 (layer 'batch_normalization_1')", err, 1, true)
    end)

    it("raises clear errors for a missing, garbage or truncated file and a bad argument", function()
      local m = cnn()
      local ok, err = pcall(cv.models.load_keras_weights, m, p("missing.h5"))
      assert.is_false(ok)
      assert.equal("load_keras_weights: " .. p("missing.h5") .. ": No such file or directory", err)
      write(p("garbage.h5"), ("not hdf5 at all "):rep(300))
      ok, err = pcall(cv.models.load_keras_weights, m, p("garbage.h5"))
      assert.is_false(ok)
      assert.equal("load_keras_weights: " .. p("garbage.h5") .. ": not an HDF5 file (no signature)", err)
      local s = read(p("cnn.weights.h5"))
      write(p("truncated.h5"), s:sub(1, #s // 2))
      ok, err = pcall(cv.models.load_keras_weights, m, p("truncated.h5"))
      assert.is_false(ok)
      assert.matches("^load_keras_weights: " .. p("truncated.h5"):gsub("%p", "%%%0") .. ": cannot read the HDF5 file %(truncated", err)
      ok, err = pcall(cv.models.load_keras_weights, m, p("expected.h5"))
      assert.is_false(ok)
      assert.matches("not a Keras weights file", err, 1, true)
      ok, err = pcall(cv.models.load_keras_weights, {}, p("cnn.weights.h5"))
      assert.is_false(ok)
      assert.matches("bad argument #1 to 'load_keras_weights' (model expected", err, 1, true)
    end)
  end)

  describe("cv.models.load_keras_model", function()
    it("rebuilds a Keras 2 Sequential from model_config and loads model_weights", function()
      local m = cv.models.load_keras_model(p("cnn_model.h5"))
      assert.equal("sequential", m.name)
      local classes = {}
      for i, l in ipairs(m.layers) do classes[i] = l.class_name end
      assert.same({"Conv2D", "BatchNormalization", "DepthwiseConv2D", "ReLU", "SeparableConv2D",
        "BatchNormalization", "Flatten", "Dropout", "Dense"}, classes)
      assert.is_false(m.layers[6].scale)
      assert.is_true(max_diff(m:predict(x, {verbose = 0}), expected.cnn) < 1e-5)
    end)

    it("rebuilds a Keras 2 Functional graph (inbound_nodes, Add) with its weights", function()
      local m = cv.models.load_keras_model(p("functional_model.h5"))
      assert.equal("Functional", m.class_name)
      assert.is_true(max_diff(m:predict(x, {verbose = 0}), expected.functional) < 1e-5)
    end)

    it("reads Keras 3's form of the config too (dtype policies, {args, kwargs} nodes, batch_shape)", function()
      local m = cv.models.load_keras_model(p("functional_keras3_config.h5"))
      assert.equal("functional", m.name)
      assert.is_true(max_diff(m:predict(x, {verbose = 0}), expected.functional) < 1e-5)
    end)

    it("reads a Teachable-Machine-shaped file: nested Sequentials whose weights are grouped per model", function()
      local m = cv.models.load_keras_model(p("tm_model.h5"))
      assert.equal("sequential_4", m.name)
      assert.equal("Sequential", m.layers[1].class_name)
      assert.is_false(m.layers[1].layers[1].trainable)
      assert.is_true(max_diff(m:predict(x, {verbose = 0}), expected.tm) < 1e-5)
    end)

    it("lists every layer class cvision lacks, with the layer names", function()
      local ok, err = pcall(cv.models.load_keras_model, p("unknown_layers.h5"))
      assert.is_false(ok)
      assert.equal("load_keras_model: " .. p("unknown_layers.h5")
        .. ": cvision has no layer class for: Conv3D 'conv3d', LSTM 'lstm'", err)
    end)

    it("names the layer and the option when a Keras option has no cvision equivalent", function()
      local kc = require "cvision.models.keras_config"
      local function seq(lc)
        return {class_name = "Sequential", config = {name = "s", layers = {
          {class_name = "InputLayer", config = {batch_input_shape = {nil, 8, 8, 3}, name = "in"}}, lc}}}
      end
      local ok, err = pcall(kc.model, seq{class_name = "DepthwiseConv2D", config = {name = "dw", kernel_size = 3, groups = 2}})
      assert.is_false(ok)
      assert.equal("DepthwiseConv2D 'dw': option groups = 2 is not supported by cvision", err)
      ok, err = pcall(kc.model, seq{class_name = "Dense", config = {name = "d", units = 2, fancy_feature = "on"}})
      assert.is_false(ok)
      assert.equal([[Dense 'd': option fancy_feature = "on" is not supported by cvision]], err)
      ok, err = pcall(kc.model, {class_name = "Sequential", config = {name = "s", layers = {
        {class_name = "InputLayer", config = {batch_input_shape = {nil, nil, nil, 3}, name = "in"}}}}})
      assert.is_false(ok)
      assert.matches("InputLayer 'in': batch shape has an unknown or bad size at axis 1", err, 1, true)
      -- what does not change the computation is dropped: initializers, regularizers, dtype policies
      local c = kc.model(seq{class_name = "Dense", config = {name = "d", units = 2, kernel_regularizer = {class_name = "L2"},
        kernel_initializer = {class_name = "VarianceScaling", config = {scale = 2}},
        dtype = {class_name = "DTypePolicy", config = {name = "mixed_float16"}}}})
      assert.same({name = "d", units = 2}, c.config.layers[2].config)
      -- Keras <= 2.2 wrote a Sequential's config as the bare list of its layers
      c = kc.model{class_name = "Sequential", config = {{class_name = "Dense", config = {name = "d", units = 2,
        batch_input_shape = {nil, 3}}}}}
      local m = cv.models.from_config(c)
      assert.same({2}, m.output_shape)
    end)

    it("refuses a weights-only file, a missing file and a garbage file by name", function()
      local ok, err = pcall(cv.models.load_keras_model, p("cnn.weights.h5"))
      assert.is_false(ok)
      assert.matches("no model_config attribute", err, 1, true)
      ok, err = pcall(cv.models.load_keras_model, p("nope.h5"))
      assert.is_false(ok)
      assert.equal("load_keras_model: " .. p("nope.h5") .. ": No such file or directory", err)
      write(p("garbage2.h5"), "\137HDF\r\n\26\n" .. ("x"):rep(100))
      ok, err = pcall(cv.models.load_keras_model, p("garbage2.h5"))
      assert.is_false(ok)
      assert.matches("load_keras_model: " .. p("garbage2.h5") .. ": cannot read the HDF5 file", err, 1, true)
    end)
  end)
end)
