-- spec/saving_spec.lua: JSON, safetensors, and model save/load: bit-identical round trips,
-- resumed training, and errors for truncated or corrupt files.
local cv = require "cvision"
local saving = require "cvision.saving"
local L = cv.layers
local core = cv.core

local tmp = os.tmpname()
local function path(suffix) return tmp .. suffix end

local files = require "spec.helpers.files"
local read, write = files.read, files.write

local function bytes_of(list)
  local out = {}
  for i, t in ipairs(list) do out[i] = core.tobytes(t) end
  return out
end

-- a small CNN, compiled, trained one epoch so the optimizer has state
local function trained_cnn(seed)
  cv.manual_seed(seed or 11)
  local m = cv.Sequential{
    cv.Input{6, 6, 1}, L.Rescaling(1 / 255),
    L.Conv2D(4, 3, {padding = "same", activation = "relu", name = "conv1"}),
    L.MaxPooling2D{name = "pool1"}, L.Flatten(), L.Dense(3),
  }
  m:compile{optimizer = "adam", loss = cv.losses.SparseCategoricalCrossentropy{from_logits = true},
            metrics = {"accuracy", cv.metrics.SparseTopKCategoricalAccuracy{k = 2}}}
  local x = cv.rand{16, 6, 6, 1} * 255
  local y = cv.tensor{1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3, 1}
  m:fit(x, y, {epochs = 1, batch_size = 4, verbose = 0})
  return m, x, y
end

describe("cvision.saving", function()
  teardown(function()
    for _, s in ipairs{"", ".cvm", ".cvm.tmp", ".bad", ".w", ".json", ".st"} do os.remove(path(s)) end
  end)

  describe("JSON", function()
    it("writes sorted keys and numbers that read back exactly", function()
      local v = {b = {1, 2.5, 0.1, 1 / 3}, a = "x\"y", c = 1.0, d = 7}
      local s = saving.encode_json(v)
      assert.are.equal('{"a": "x\\"y", "b": [1, 2.5, 0.1, 0.3333333333333333], "c": 1.0, "d": 7}', s)
      local back = saving.decode_json(s)
      assert.are.equal(1 / 3, back.b[4])
      assert.are.equal(7, back.d)
      assert.are.equal("integer", math.type(back.d))
    end)

    it("writes NaN and infinities as Python's json does and reads them back", function()
      local s = saving.encode_json({0 / 0, math.huge, -math.huge})
      assert.are.equal("[NaN, Infinity, -Infinity]", s)
      local back = saving.decode_json(s)
      assert.is_true(back[1] ~= back[1])
      assert.are.equal(math.huge, back[2])
    end)

    it("writes empty tables as [] unless marked with object(), and save_json/load_json round-trip atomically", function()
      assert.are.equal("[]", saving.encode_json({}))
      assert.are.equal("{}", saving.encode_json(saving.object()))
      assert.are.equal('{"a": {}}', saving.encode_json({a = saving.object({})}))
      saving.save_json(path(".json"), {b = {1, 2}, a = "x"})
      assert.are.equal('{"a": "x", "b": [1, 2]}\n', read(path(".json")))
      assert.is_nil(io.open(path(".json") .. ".tmp"))
      assert.are.same({a = "x", b = {1, 2}}, saving.load_json(path(".json")))
      write(path(".bad"), "{oops")
      local ok, err = pcall(saving.load_json, path(".bad"))
      assert.is_false(ok)
      assert.truthy(err:find(path(".bad") .. ": invalid JSON", 1, true), err)
      ok, err = pcall(saving.save_json, "/nonexistent-dir/x.json", {})
      assert.is_false(ok)
      assert.truthy(err:find("/nonexistent-dir/x.json: ", 1, true), err)
      assert.truthy(select(2, pcall(saving.encode_json, {f = print})):find("cannot encode a function", 1, true))
      local loop = {}
      loop.self = loop
      assert.truthy(select(2, pcall(saving.encode_json, loop)):find("a table contains itself", 1, true))
    end)

    it("reports invalid JSON instead of raising", function()
      local v, err = saving.decode_json("{oops")
      assert.is_nil(v)
      assert.is_string(err)
    end)
  end)

  describe("safetensors", function()
    it("writes the 8-byte header length, a JSON header padded to 8 bytes and raw little-endian data", function()
      local t = cv.tensor{{1, 2, 3}, {4, 5, 6}}
      local u = cv.tensor({7, 8}):astype("uint8")
      saving.write_safetensors(path(".st"), {{"a.w", t}, {"b", u}}, {format = "test"})
      local s = read(path(".st"))
      local n = string.unpack("<I8", s)
      assert.are.equal(0, n % 8)
      local h = saving.decode_json(s:sub(9, 8 + n))
      assert.are.same({dtype = "F32", shape = {2, 3}, data_offsets = {0, 24}}, h["a.w"])
      assert.are.same({dtype = "U8", shape = {2}, data_offsets = {24, 26}}, h.b)
      assert.are.equal("test", h.__metadata__.format)
      assert.are.equal(string.pack("<ffffff", 1, 2, 3, 4, 5, 6), s:sub(9 + n, 8 + n + 24))
      local r = assert(saving.read_safetensors(path(".st")))
      assert.are.same({"a.w", "b"}, r.names)
      assert.are.equal(core.tobytes(t), core.tobytes(r.tensors["a.w"]))
      assert.are.equal("uint8", r.tensors.b.dtype)
    end)

    it("leaves no temporary file behind", function()
      saving.write_safetensors(path(".st"), {{"x", cv.ones{2}}}, {})
      assert.is_nil(io.open(path(".st") .. ".tmp"))
    end)

    it("rejects short, truncated, corrupt and foreign files with a reason", function()
      saving.write_safetensors(path(".st"), {{"x", cv.ones{4}}}, {})
      local good = read(path(".st"))
      local cases = {
        {"abc", "too short"},
        {good:sub(1, #good - 3), "truncated"},
        {good:sub(1, #good - 1) .. "\1", "checksum"},
        {string.pack("<I8", 4) .. "[1]     ", "not a JSON object"},
        {string.pack("<I8", 8) .. "{oops!!}", "not valid JSON"},
        {string.pack("<I8", 1e12) .. "{}", "does not fit"},
      }
      for _, c in ipairs(cases) do
        write(path(".bad"), c[1])
        local r, err = saving.read_safetensors(path(".bad"))
        assert.is_nil(r)
        assert.truthy(err:find(c[2], 1, true), err)
      end
      local r, err = saving.read_safetensors(path(".does-not-exist"))
      assert.is_nil(r)
      assert.truthy(err:find("cannot open", 1, true))
    end)
  end)

  describe("models", function()
    it("round-trips a trained model: bit-identical predictions, weights, compile settings", function()
      local m, x = trained_cnn()
      m:save(path(".cvm"))
      assert.is_nil(io.open(path(".cvm.tmp")))
      local back = cv.models.load_model(path(".cvm"))
      assert.are.equal(m.name, back.name)
      assert.are.same(bytes_of(m:get_weights()), bytes_of(back:get_weights()))
      assert.are.equal(core.tobytes(m:predict(x)), core.tobytes(back:predict(x)))
      assert.are.equal("Adam", back.optimizer.class_name)
      assert.are.equal(m.optimizer.iterations, back.optimizer.iterations)
      assert.are.equal("sparse_categorical_crossentropy", back.loss.name)
      assert.is_true(back.loss.from_logits)
      assert.are.equal("accuracy", back.metrics[1].name)
      assert.are.equal(2, back.metrics[2].k)
      local names = {}
      for i, l in ipairs(back.layers) do names[i] = l.name end
      assert.are.equal("conv1", names[2])
    end)

    it("continues training after loading exactly as without saving", function()
      local m, x, y = trained_cnn(12)
      m:save(path(".cvm"))
      local back = cv.models.load_model(path(".cvm"))
      cv.manual_seed(99)
      local h1 = m:fit(x, y, {epochs = 1, batch_size = 4, verbose = 0})
      cv.manual_seed(99)
      local h2 = back:fit(x, y, {epochs = 1, batch_size = 4, verbose = 0})
      assert.are.same(h1.history, h2.history)
      assert.are.same(bytes_of(m:get_weights()), bytes_of(back:get_weights()))
    end)

    it("raises load_model: <path>: <reason> for truncated or corrupt files", function()
      local m = trained_cnn(13)
      m:save(path(".cvm"))
      local good = read(path(".cvm"))
      local n = string.unpack("<I8", good)
      local variants = {
        good:sub(1, #good - 100),                               -- truncated data
        good:sub(1, 200),                                       -- truncated header
        good:sub(1, #good - 5) .. "xxxxx",                      -- corrupt data
        good:sub(1, 20) .. "!" .. good:sub(22),                 -- corrupt header
        "",                                                     -- empty
      }
      for i, s in ipairs(variants) do
        write(path(".bad"), s)
        local ok, err = pcall(cv.models.load_model, path(".bad"))
        assert.is_false(ok, "variant " .. i)
        assert.truthy(tostring(err):find("load_model: " .. path(".bad") .. ": ", 1, true), err)
      end
      -- a valid safetensors file that is not a model
      saving.write_safetensors(path(".bad"), {{"x", cv.ones{2}}}, {})
      local ok, err = pcall(cv.models.load_model, path(".bad"))
      assert.is_false(ok)
      assert.truthy(err:find("not a cvision model", 1, true))
      -- a weight of the wrong shape
      local st = assert(saving.read_safetensors(path(".cvm")))
      local entries = {}
      for _, name in ipairs(st.names) do
        local t = st.tensors[name]
        if name == "layers.conv1.bias" then t = cv.zeros{5} end
        entries[#entries + 1] = {name, t}
      end
      st.metadata.data_crc32 = nil
      saving.write_safetensors(path(".bad"), entries, st.metadata)
      ok, err = pcall(cv.models.load_model, path(".bad"))
      assert.is_false(ok)
      assert.truthy(err:find("layers.conv1.bias", 1, true), err)
      assert.truthy(n > 0)
    end)

    it("checks the header's own CRC: a changed digit in the config is not a valid model", function()
      local m = cv.Sequential{cv.Input{4}, L.Dropout(0.25), L.Dense(2)}
      m:save(path(".cvm"))
      local good = read(path(".cvm"))
      assert.truthy(good:find('"header_crc32": "%d%d%d%d%d%d%d%d%d%d"'))
      -- rate 0.25 --> 0.35 is still valid JSON and a valid Dropout; the data CRC does not see it
      local bad = good:gsub('\\"rate\\": 0%.25', '\\"rate\\": 0.35')
      assert.are_not.equal(good, bad)
      write(path(".bad"), bad)
      local ok, err = pcall(cv.models.load_model, path(".bad"))
      assert.is_false(ok)
      assert.truthy(err:find("load_model: " .. path(".bad") .. ": header checksum mismatch", 1, true), err)
      -- without the field (an older file, or a flipped bit in its name) a model does not load
      write(path(".bad"), (good:gsub('"header_crc32"', '"header_crc33"')))
      ok, err = pcall(cv.models.load_model, path(".bad"))
      assert.is_false(ok)
      assert.truthy(err:find("the header has no checksum", 1, true), err)
      assert.are.equal(0.25, cv.models.load_model(path(".cvm")).layers[1].rate)
    end)

    it("raises a clean load_model error for every one of 300 random corruptions of a model file", function()
      local m = trained_cnn(17)
      m:save(path(".cvm"))
      local good = read(path(".cvm"))
      local hlen = 8 + string.unpack("<I8", good)
      math.randomseed(20261128)
      local failures = 0
      for i = 1, 300 do
        local s = good
        local kind = i % 4
        if kind == 0 then
          s = s:sub(1, math.random(0, #s - 1))                           -- truncated
        elseif kind == 1 or kind == 2 then                              -- 1-3 flipped bits, mostly in the header
          for _ = 1, math.random(3) do
            local pos = math.random() < 0.8 and math.random(hlen) or math.random(#s)
            s = s:sub(1, pos - 1) .. string.char(s:byte(pos) ~ (1 << math.random(0, 7))) .. s:sub(pos + 1)
          end
        else                                                            -- a digit of the header changed
          local pos
          repeat pos = math.random(9, hlen) until s:sub(pos, pos):match("%d")
          local d = tostring((tonumber(s:sub(pos, pos)) + math.random(9)) % 10)
          s = s:sub(1, pos - 1) .. d .. s:sub(pos + 1)
        end
        if s ~= good then
          write(path(".bad"), s)
          local ok, err = pcall(cv.models.load_model, path(".bad"))
          if ok or not tostring(err):find("load_model: " .. path(".bad") .. ": ", 1, true) then
            failures = failures + 1
            print(("corruption %d: %s"):format(i, ok and "loaded" or tostring(err)))
          end
        end
      end
      assert.are.equal(0, failures)
    end)

    it("explains crafted files whose header is well formed but whose config is not (no 'attempt to index')", function()
      local m = trained_cnn(18)
      m:save(path(".cvm"))
      local st = assert(saving.read_safetensors(path(".cvm")))
      local entries = {}
      for _, n in ipairs(st.names) do entries[#entries + 1] = {n, st.tensors[n]} end
      local cases = {
        {"config", function(c) c.config = 5 end, "is not an object"},
        {"config", function(c) c.config.layers = 5 end, "not a list"},
        {"config", function(c) c.config.layers[3] = "conv" end, "layer 3: its config is not an object"},
        {"config", function(c) c.config.layers[3].config = 7 end, "is not an object"},
        {"config", function(c) c.config.layers[3].config.filters = -2 end, "filters must be a positive integer"},
        {"config", function(c) c.config.layers[3].config.kernel_size = {2 ^ 40, 3} end, "kernel_size must be at most"},
        {"compile", function(c) c.optimizer.config = 3 end, "config of optimizer Adam is not an object"},
        {"compile", function(c) c.loss = {class_name = "MeanSquaredError", config = "x"} end, "is not an object"},
        {"compile", function(c) c.metrics = "accuracy" end, "metrics must be a list"},
        {"optimizer", function(c) c.slots = 5 end, "slots is not a list"},
        {"optimizer", function(c) c.iterations = "many" end, "iterations must be an integer"},
        {"optimizer", function(c) c.slots[1][3] = "w" end, "has no slot \"w\""},
      }
      for i, case in ipairs(cases) do
        local meta = {}
        for k, v in pairs(st.metadata) do meta[k] = v end
        local obj = saving.decode_json(meta[case[1]])
        case[2](obj)
        meta[case[1]] = saving.encode_json(obj)
        saving.write_safetensors(path(".bad"), entries, meta)
        local ok, err = pcall(cv.models.load_model, path(".bad"))
        assert.is_false(ok, "case " .. i)
        assert.truthy(err:find("^load_model: " .. path(".bad"):gsub("%p", "%%%0") .. ": "), err)
        assert.truthy(err:find(case[3], 1, true), ("case %d: %s"):format(i, err))
        assert.falsy(err:find("attempt to", 1, true), err)
      end
    end)

    it("saves and loads weights alone, checking them against the model", function()
      local m, x = trained_cnn(14)
      m:save_weights(path(".w"))
      local other = trained_cnn(15)
      assert.are_not.equal(core.tobytes(m:predict(x)), core.tobytes(other:predict(x)))
      other:load_weights(path(".w"))
      assert.are.equal(core.tobytes(m:predict(x)), core.tobytes(other:predict(x)))
      local small = cv.Sequential{cv.Input{6, 6, 1}, L.Flatten(), L.Dense(2)}
      local lok, lerr = pcall(small.load_weights, small, path(".w"))
      assert.is_false(lok)
      assert.truthy(lerr:find("the file holds 4 layer weights, the model has 2", 1, true), lerr)
      -- a cvision weights file must carry its header checksum, and it must match
      local good = read(path(".w"))
      write(path(".bad"), (good:gsub('"header_crc32"', '"header_crc31"')))
      local ok, err = pcall(other.load_weights, other, path(".bad"))
      assert.is_false(ok)
      assert.truthy(err:find("the header has no checksum", 1, true), err)
      write(path(".bad"), (good:gsub('"cvision%-weights"', '"cvision-weighTs"')))
      ok, err = pcall(other.load_weights, other, path(".bad"))
      assert.is_false(ok)
      assert.truthy(err:find("header checksum mismatch", 1, true), err)
    end)

    it("saves a history as JSON that loads back", function()
      local m, x, y = trained_cnn(16)
      local h = m:fit(x, y, {epochs = 2, batch_size = 8, verbose = 0, validation_data = {x, y}})
      cv.models.save_history(h, path(".json"))
      local back = cv.models.load_history(path(".json"))
      assert.are.same(h.history, back.history)
    end)

    it("refuses to save a model that is not built", function()
      local m = cv.Sequential{L.Dense(2)}
      local ok, err = pcall(m.save, m, path(".cvm"))
      assert.is_false(ok)
      assert.truthy(err:find("save: the model \"" .. m.name .. "\" is not built yet", 1, true), err)
    end)
  end)
end)
