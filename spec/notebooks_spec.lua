-- Runs every notebook in notebooks/ as a script and checks what the first one prints and draws.
local cv = require "cvision"

local BIN = os.getenv("CVISION_BIN") or "bin/cvision"

local function run(cmd)
  local p = io.popen(cmd .. " 2>&1; echo \"rc=$?\"")
  local out = p:read("a")
  p:close()
  local rc = tonumber(out:match("rc=(%d+)%s*$"))
  return rc, out:gsub("rc=%d+%s*$", "")
end

describe("notebooks", function()
  local dir
  before_each(function()
    dir = os.tmpname()
    os.remove(dir)
    os.execute("mkdir -p " .. dir)
  end)
  after_each(function() os.execute("rm -rf " .. dir) end)

  it("01-images prints the lecture's values and draws its figures", function()
    local rc, out = run("CVISION_NOTEBOOK_OUT=" .. dir .. " " .. BIN .. " notebooks/01-images.lua")
    assert.equal(0, rc, out)
    assert.matches("Shapes are: %(16, 16, 3%), %(16, 16, 3%), %(16, 16, 3%)%.", out)
    assert.matches("array%(%[  0,   1, 255,   0%], dtype=uint8%)", out, 1, false)
    -- the convolved feature of the lecture's 5x5 image and 3x3 kernel
    assert.matches("array%(%[%[4%., 3%., 4%.%],\n       %[2%., 4%., 3%.%],\n       %[2%., 3%., 4%.%]%]", out)
    local fig = cv.imread(dir .. "/01-detecting-yellow.png")
    assert.equal(3, #fig.shape)
    -- the input's left half is yellow: some pixel there is (255, 255, 0)
    local found = false
    for x = 1, fig.shape[2] // 2 do
      local y = fig.shape[1] // 2
      if fig:at(y, x, 1) == 255 and fig:at(y, x, 2) == 255 and fig:at(y, x, 3) == 0 then found = true end
    end
    assert.is_true(found)
    assert.is_true(cv.imread(dir .. "/01-how-we-see-them.png").shape[1] > 0)
  end)

  it("every notebook runs to the end", function()
    local p = io.popen("ls notebooks/*.lua")
    for path in p:lines() do
      local rc, out = run("CVISION_NOTEBOOK_OUT=" .. dir .. " " .. BIN .. " " .. path)
      assert.equal(0, rc, path .. ": " .. out)
    end
    p:close()
  end)
end)
