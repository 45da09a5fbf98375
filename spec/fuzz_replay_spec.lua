-- spec/fuzz_replay_spec.lua: the Lua loaders' fuzz inputs (fuzz/loaders.lua, the entry point of
-- fuzz/fuzz_loaders.c) replayed under the same budgets as the harness: every seed of
-- fuzz/corpus/loaders loads, every past finding in fuzz/regressions/loaders fails with a message
-- naming the problem. The first byte of each input chooses the loader; the rest is the file.
-- (The C harnesses' inputs are replayed by csrc/tests/test_fuzz_replay.c.)
local cv = require "cvision"
local tmp = require "spec.helpers.tmpdir"

local function inputs(dir)
  local names = {}
  local p = io.popen('ls "' .. dir .. '" 2>/dev/null')
  for name in p:lines() do names[#names + 1] = name end
  p:close()
  return names
end

describe("fuzz inputs of the Lua loaders", function()
  local run, dir, saved
  setup(function()
    run = dofile("fuzz/loaders.lua")
    dir = tmp.dir()
    saved = cv.get_limits()
    cv.set_limits{max_tensor_bytes = 1 << 26, max_file_bytes = 1 << 24, max_image_pixels = 1 << 22}
  end)
  teardown(function()
    cv.set_limits(saved)
    tmp.rmtree(dir)
  end)

  local function replay(path)
    local s = assert(io.open(path, "rb")):read("a")
    local file = dir .. "/input"
    assert(io.open(file, "wb")):write(s:sub(2)):close()
    return s:byte(1), run(s:byte(1), file)
  end

  it("has a seed for each of the seven loaders", function()
    local kinds = {}
    for _, name in ipairs(inputs("fuzz/corpus/loaders")) do
      kinds[replay("fuzz/corpus/loaders/" .. name) % 7] = true
    end
    for k = 0, 6 do assert.is_true(kinds[k] ~= nil, "no seed for loader " .. k) end
  end)

  for _, name in ipairs(inputs("fuzz/corpus/loaders")) do
    it("loads the seed " .. name, function()
      local _, err = replay("fuzz/corpus/loaders/" .. name)
      assert.is_nil(err)
    end)
  end

  local expected = {
    ["csv-unterminated.csv"] = "unterminated quoted field",
    ["deep-nesting.json"] = "too many nested",
    ["header-too-long.safetensors"] = "does not fit a file of 10 bytes",
    ["history-object.json"] = "history is not a list",
    ["history-string.json"] = "loss%[3%] is a string, expected a number",
    ["model-braces.cvm"] = "header length %d+ does not fit",
    ["shape-overflow-weights.safetensors"] = "load_weights: .*impossibly large",
    ["strokes-concat.lua"] = "not a data file %(\"%.\"%)",
    ["strokes-loop.lua"] = "not a data file %(the keyword '[a-z]+'%)",
    ["strokes-call.lua"] = "not a data file %(\"%(\"%)",
    ["shape-overflow.safetensors"] = "tensor 'a': shape %[4294967296, 4294967296, 4294967296%] is impossibly large",
  }
  local names = inputs("fuzz/regressions/loaders")
  it("knows what each past finding must say", function()
    for _, name in ipairs(names) do assert.is_string(expected[name], name) end
    local n = 0
    for _ in pairs(expected) do n = n + 1 end
    assert.equal(n, #names)
  end)
  for _, name in ipairs(names) do
    it("refuses the past finding " .. name .. " with a message", function()
      local _, err = replay("fuzz/regressions/loaders/" .. name)
      assert.is_string(err)
      assert.is_truthy(err:find(expected[name] or "\0"), err)
    end)
  end
end)
