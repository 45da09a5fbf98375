-- spec/packaging_spec.lua: PACKAGING (slow-ish, a few seconds after the first build):
-- `luarocks --lua-version 5.4 --tree TMP make` installs cvision into a fresh temporary tree
-- from this checkout (the rockspec builds into build/rock/, never touching the tree's own
-- lua/cvision/core.so or bin/cvision), then a plain lua5.4 started outside the checkout, with
-- only that tree's paths, can `require "cvision"`. No network: --deps-mode=none.

local function sh(cmd)
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("a")
  local ok, _, code = p:close()
  return ok, out, code
end

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

describe("luarocks packaging", function()
  local tree, root
  setup(function()
    root = io.popen("pwd"):read("l")
    tree = os.tmpname()
    os.remove(tree)
    assert(os.execute("mkdir -p " .. q(tree)))
  end)
  teardown(function()
    if tree then os.execute("rm -rf " .. q(tree)) end
  end)

  it("make install PREFIX=... puts cvision there and make uninstall takes exactly that away", function()
    local prefix = tree .. "/prefix"
    assert(os.execute("mkdir -p " .. q(prefix .. "/share/lua/5.4") .. " && echo x > " .. q(prefix .. "/share/lua/5.4/other.lua")))
    local ok, out = sh("cd " .. q(root) .. " && make -s install PREFIX=" .. q(prefix))
    assert.is_true(ok, out)
    local function exists(p) local f = io.open(p, "rb") if f then f:close() end return f ~= nil end
    assert.is_true(exists(prefix .. "/share/lua/5.4/cvision/init.lua"))
    assert.is_true(exists(prefix .. "/lib/lua/5.4/cvision/core.so"))
    assert.is_true(exists(prefix .. "/bin/cvision"))
    ok, out = sh("cd " .. q(root) .. " && make -s uninstall PREFIX=" .. q(prefix))
    assert.is_true(ok, out)
    assert.is_false(exists(prefix .. "/share/lua/5.4/cvision/init.lua"))
    assert.is_false(exists(prefix .. "/lib/lua/5.4/cvision/core.so"))
    assert.is_false(exists(prefix .. "/bin/cvision"))
    assert.is_true(exists(prefix .. "/share/lua/5.4/other.lua"))      -- nothing else goes
  end)

  it("declares lua-cjson, which model files and notebooks need", function()
    local f = assert(io.open(root .. "/cvision-scm-1.rockspec"))
    local text = f:read("a")
    f:close()
    local env = {}
    assert(load(text, "rockspec", "t", env))()
    local found = false
    for _, d in ipairs(env.dependencies) do if d:match("^lua%-cjson") then found = true end end
    assert.is_true(found)
  end)

  it("installs into a fresh tree, where lua5.4 can require cvision", function()
    local ok, out = sh("cd " .. q(root) .. " && luarocks --lua-version 5.4 --tree " .. q(tree)
      .. " make --deps-mode=none cvision-scm-1.rockspec")
    assert.is_true(ok, out)
    assert.matches("cvision scm%-1 is now installed", out)

    -- the tree's own search paths, and a directory outside the checkout
    local _, lp = sh("luarocks --lua-version 5.4 --tree " .. q(tree) .. " path --lr-path")
    local _, lcp = sh("luarocks --lua-version 5.4 --tree " .. q(tree) .. " path --lr-cpath")
    lp, lcp = lp:gsub("%s+$", ""), lcp:gsub("%s+$", "")
    local code = "package.path = " .. string.format("%q", lp) .. "; package.cpath = "
      .. string.format("%q", lcp) .. "; local cv = require 'cvision'; "
      .. "io.write(package.searchpath('cvision', package.path), ' ', "
      .. "package.searchpath('cvision.core', package.cpath), ' ', cv._VERSION, ' ', "
      .. "#cv.zeros{2, 3}:totable(), ' ', type(cv.versions{quiet = true}.openblas), ' ', "
      .. "#cv.datasets.hanzi.render('人', {seed = 1}).shape)"
    local ok2, out2 = sh("cd " .. q(tree) .. " && lua5.4 -e " .. q(code))
    assert.is_true(ok2, out2)
    local init, so, version, rows, blas, img = out2:match("^(%S+) (%S+) (%S+) (%d+) (%S+) (%d+)$")
    assert.truthy(init, out2)
    assert.equal(tree .. "/share/lua/5.4/cvision/init.lua", init)
    assert.equal(tree .. "/lib/lua/5.4/cvision/core.so", so)
    assert.equal(version, version:match("^%d+%.%d+%.%d+$"))
    assert.equal("2", rows)
    assert.equal("string", blas)
    assert.equal("3", img)   -- the installed stroke data renders a character (an HxWx1 image)

    -- the installed REPL finds its Lua files next to it without any environment
    local ok3, out3 = sh("cd / && env -u LUA_PATH -u LUA_PATH_5_4 " .. q(tree .. "/bin/cvision")
      .. " -e " .. q("io.write(package.searchpath('cvision', package.path))"))
    assert.is_true(ok3, out3)
    assert.equal(tree .. "/bin/../share/lua/5.4/cvision/init.lua", out3)
  end)
end)
