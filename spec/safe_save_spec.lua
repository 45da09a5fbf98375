-- spec/safe_save_spec.lua: saves that cannot tear or be hijacked (#18): a unique temporary in the
-- target's folder, created exclusively without following symlinks, fsync'ed and renamed; two
-- processes saving to one path while a third loads it never produce an unloadable file.
local cv = require "cvision"
local tmp = require "spec.helpers.tmpdir"
local saving = require "cvision.saving"

local function listing(dir)
  local dirs, files = cv.core.data_listdir(dir)
  local all = {}
  for _, f in ipairs(files or {}) do all[#all + 1] = f end
  for _, d in ipairs(dirs or {}) do all[#all + 1] = d .. "/" end
  table.sort(all)
  return all
end

local function read(p)
  local f = assert(io.open(p, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

describe("saving.write_atomic", function()
  local dir
  before_each(function() dir = tmp.dir() end)
  after_each(function() tmp.rmtree(dir) end)

  it("never follows a symlink planted at a temporary name, and leaves no temporary behind", function()
    local victim = dir .. "/victim"
    assert(io.open(victim, "wb")):write("precious"):close()
    local path = dir .. "/m.cvm"
    -- the names older writers used, and likely guesses at this one's
    for _, t in ipairs{path .. ".tmp", dir .. "/.m.cvm.tmp", path .. ".1.0.tmp"} do
      assert(os.execute(("ln -s %s %s"):format(victim, t)))
    end
    local m = cv.Sequential{cv.Input{3}, cv.layers.Dense(2)}
    m:save(path)
    assert.equal("precious", read(victim))
    assert.equal(8, cv.models.load_model(path):count_params())
    -- the folder holds the model, the victim and the planted links: no temporary
    assert.same({".m.cvm.tmp", "m.cvm", "m.cvm.1.0.tmp", "m.cvm.tmp", "victim"}, listing(dir))
  end)

  it("replaces a symlink at the path itself rather than writing through it", function()
    local victim = dir .. "/victim"
    assert(io.open(victim, "wb")):write("precious"):close()
    assert(os.execute(("ln -s %s %s/out.json"):format(victim, dir)))
    saving.save_json(dir .. "/out.json", {a = 1})
    assert.equal("precious", read(victim))
    assert.same({a = 1}, saving.load_json(dir .. "/out.json"))
  end)

  it("names the path on failure and leaves nothing", function()
    assert.has_error(function() saving.write_atomic(dir .. "/no/such/x", {"a"}) end,
      dir .. "/no/such/x: No such file or directory")
    assert(os.execute("mkdir " .. dir .. "/sub"))
    assert.has_error(function() saving.write_atomic(dir .. "/sub", {"a"}) end, dir .. "/sub: Is a directory")
    assert.same({"sub/"}, listing(dir))
    assert.has_error(function() cv.core.write_file_atomic(dir .. "/y", {"a", 5}) end,
      "write_file_atomic: chunk 2 is a number, not a string")
    assert.same({"sub/"}, listing(dir))
    saving.write_atomic(dir .. "/z", {"ab", "", "cd"})
    assert.equal("abcd", read(dir .. "/z"))
  end)

  it("keeps the file loadable while two processes save to it and this one loads it", function()
    local path = dir .. "/shared.cvm"
    cv.Sequential{cv.Input{8}, cv.layers.Dense(64), cv.layers.Dense(4)}:save(path)
    local script = dir .. "/saver.lua"
    assert(io.open(script, "wb")):write([[
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath
local cv = require "cvision"
cv.manual_seed(tonumber(arg[2]))
local m = cv.Sequential{cv.Input{8}, cv.layers.Dense(64 + tonumber(arg[2])), cv.layers.Dense(4)}
for _ = 1, 40 do m:save(arg[1]) end
]]):close()
    local cmd = ("CVISION_NUM_THREADS=1 lua5.4 %s %s 1 & CVISION_NUM_THREADS=1 lua5.4 %s %s 2 & wait; echo done > %s/done")
      :format(script, path, script, path, dir)
    local bg = io.popen(cmd)
    local loads, failures, first = 0, 0, nil
    repeat
      local ok, err = pcall(cv.models.load_model, path)
      loads = loads + 1
      if not ok then failures = failures + 1 first = first or err end
      local f = io.open(dir .. "/done")
      if f then f:close() end
    until f
    bg:close()
    assert.equal(0, failures, first)
    assert.is_true(loads > 0)
    local m = cv.models.load_model(path)
    assert.is_true(m.layers[1].units == 65 or m.layers[1].units == 66)
    assert.same({"done", "saver.lua", "shared.cvm"}, listing(dir))
  end)
end)
