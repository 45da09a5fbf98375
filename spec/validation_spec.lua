-- spec/validation_spec.lua: values from users and files are checked (#18): a NaN learning rate in
-- a model file or set after compile, labels outside the classes (named by the sample's index in
-- the data, not the row of a shuffled batch), a functional config of the wrong types, and loading
-- that stays linear in the number of layers.
local cv = require "cvision"
local tmp = require "spec.helpers.tmpdir"
local saving = require "cvision.saving"
local L = cv.layers

local function small()
  local m = cv.Sequential{cv.Input{2}, L.Dense(3, {activation = "softmax"})}
  m:compile{optimizer = cv.optimizers.Adam(1e-2), loss = "sparse_categorical_crossentropy"}
  return m
end

describe("validated values", function()
  local dir
  setup(function() dir = tmp.dir() end)
  teardown(function() tmp.rmtree(dir) end)

  it("stops the next step when the learning rate became NaN after compile; weights stay finite", function()
    cv.manual_seed(1)
    local m = small()
    local x, y = cv.rand({8, 2}), cv.tensor{1, 2, 3, 1, 2, 3, 1, 2}
    m:fit(x, y, {epochs = 1, verbose = 0})
    local before = m:get_weights()[1]:clone()
    m.optimizer.learning_rate = 0 / 0
    local ok, err = pcall(m.fit, m, x, y, {epochs = 1, verbose = 0})
    assert.is_false(ok)
    assert.matches("Adam: learning_rate must be a non%-negative number, got %-?nan", err)
    assert.equal(0, (m:get_weights()[1] - before):abs():max())
    m.optimizer.beta_1 = 1.5
    m.optimizer.learning_rate = 1e-3
    assert.has_error(function() m:train_on_batch(x, y) end)
  end)

  it("refuses a NaN learning rate in a model file's optimizer state", function()
    local m = small()
    m:fit(cv.rand({4, 2}), cv.tensor{1, 2, 3, 1}, {epochs = 1, verbose = 0})
    m:save(dir .. "/ok.cvm")
    local st = saving.read_safetensors(dir .. "/ok.cvm")
    local meta, entries = {}, {}
    for k, v in pairs(st.metadata) do if k ~= "data_crc32" and k ~= "header_crc32" then meta[k] = v end end
    local oc = saving.decode_json(meta.optimizer)
    oc.learning_rate = "NaN"
    meta.optimizer = saving.encode_json(oc)
    for _, n in ipairs(st.names) do entries[#entries + 1] = {n, st.tensors[n]} end
    saving.write_safetensors(dir .. "/nan.cvm", entries, meta)
    local ok, err = pcall(cv.models.load_model, dir .. "/nan.cvm")
    assert.is_false(ok)
    assert.equal(("load_model: %s/nan.cvm: bad optimizer state: learning_rate must be a non-negative number, got NaN")
      :format(dir), err)
    assert.equal(9, cv.models.load_model(dir .. "/ok.cvm"):count_params())
  end)

  it("names a bad label by its sample's index in the data, whatever the shuffle", function()
    local m = small()
    local x = cv.rand({40, 2})
    local y = cv.ones({40})
    y[37] = 4
    assert.has_error(function() m:fit(x, y, {epochs = 1, batch_size = 8, verbose = 0}) end,
      "fit: label 4 of sample 37 is not a class number in 1..3 (sparse labels are 1-based)")
    y[37] = 0.5
    assert.has_error(function() m:evaluate(x, y, {verbose = 0}) end,
      "evaluate: label 0.5 of sample 37 is not a class number in 1..3 (sparse labels are 1-based)")
    y[37] = 3
    m:fit(x, y, {epochs = 1, batch_size = 8, verbose = 0})
  end)

  it("names the field of a functional config of the wrong type", function()
    local inp = cv.Input{4}
    local cfg = saving.decode_json(saving.encode_json(cv.Model{inputs = inp, outputs = L.Dense(2)(inp)}:get_config()))
    local function try(mutate)
      local c = saving.decode_json(saving.encode_json(cfg))
      mutate(c.config)
      local ok, err = pcall(cv.models.from_config, c)
      assert.is_false(ok)
      return err
    end
    assert.matches("the config's layers%[2%] must be an object", try(function(c) c.layers[2] = 5 end))
    assert.matches("the config's nodes must be a list, got 5", try(function(c) c.nodes = 5 end))
    assert.matches("the config's nodes%[1%]%.inputs%[1%] must be a reference %[layer name, node index, 0%], got 5",
      try(function(c) c.nodes[1].inputs = {5} end))
    assert.matches("the config's input_layers must be a list, got 5", try(function(c) c.input_layers = 5 end))
    assert.matches("the config's name must be a string, got a table", try(function(c) c.name = {} end))
    assert.matches("the config's layers%[2%]%.class_name must be a string, got 5",
      try(function(c) c.layers[2].class_name = 5 end))
  end)

  it("adds and loads many layers in linear time (each add builds only the new layer)", function()
    -- counted, not timed: the number of layer builds for n layers is n, not n^2 / 2
    local builds = 0
    local Flatten = L.Flatten
    local ls = {cv.Input{4}}
    for _ = 1, 300 do
      local f = Flatten()
      local orig = f.build
      f.build = function(...) builds = builds + 1 return orig(...) end
      ls[#ls + 1] = f
    end
    local m = cv.Sequential(ls)
    assert.equal(300, builds)
    m:save(dir .. "/many.cvm")
    assert.equal(301, #cv.models.load_model(dir .. "/many.cvm").layers + 1)
    assert.has_error(function() m:add(m.layers[5]) end, "add: this layer is already in the model")
    assert.has_error(function() m:add(Flatten{name = m.layers[7].name}) end)
  end)
end)
