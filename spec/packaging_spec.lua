-- spec/packaging_spec.lua: PACKAGING (slow-ish, a few seconds after the first build):
-- `luarocks --lua-version 5.4 --tree TMP make` installs cvision into a fresh temporary tree
-- from this checkout (the rockspec builds into build/rock/, never touching the tree's own
-- lua/cvision/core.so or bin/cvision), then a plain lua5.4 started outside the checkout, with
-- only that tree's paths, can `require "cvision"`. No network: --deps-mode=none.
-- The release path too: `luarocks lint` passes, every library the Makefile links is an external
-- dependency of the rockspec handed to make, `make dist` writes the tarball and a rockspec luarocks
-- can fetch from anywhere, `luarocks pack` of it makes the .src.rock, and `luarocks install` of it
-- started outside the checkout builds and installs into another fresh tree.

local function sh(cmd)
  local p = io.popen(cmd .. " 2>&1")
  local out = p:read("a")
  local ok, _, code = p:close()
  return ok, out, code
end

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

-- a plain lua5.4 started in tree (outside the checkout), with only that tree's paths, requires
-- cvision from the tree; the tree's REPL finds its Lua files next to it without any environment
local function check_tree(tree)
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
end

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

  it("passes luarocks lint, with homepage, license and maintainer filled", function()
    local ok, out = sh("cd " .. q(root) .. " && luarocks --lua-version 5.4 lint cvision-scm-1.rockspec")
    assert.is_true(ok, out)
    local env = {}
    assert(loadfile(root .. "/cvision-scm-1.rockspec", "t", env))()
    for _, k in ipairs{"homepage", "license", "maintainer"} do
      assert.matches("%S", env.description[k] or "", k)
    end
  end)

  it("names every library the Makefile links as an external dependency and hands it to make", function()
    local f = assert(io.open(root .. "/Makefile"))
    local mk = f:read("a")
    f:close()
    local env = {}
    assert(loadfile(root .. "/cvision-scm-1.rockspec", "t", env))()
    local by_lib = {}
    for key, d in pairs(env.external_dependencies) do if d.library then by_lib[d.library] = key end end
    local vars = table.concat((function()
      local t = {}
      for k, v in pairs(env.build.build_variables) do t[#t + 1] = k .. "=" .. v end
      return t
    end)(), "\n")
    -- the -l flags of the link lines and library variables (HDF5's and libzmq's fallbacks too)
    local libs, n = {}, 0
    for line in mk:gmatch("[^\n]+") do
      if line:match("^%s*[%w_]*LIBS%s*[:?]?=") or line:match("%$%(CC%).*%-o ") then
        for l in line:gmatch("[%s,]%-l([%w_.]+)") do
          if l ~= "m" and l ~= "dl" and not l:match("^lua") then libs[l] = true end
        end
      end
    end
    for l in pairs(libs) do
      n = n + 1
      local key = by_lib[l]
      assert.truthy(key, "-l" .. l .. " is not an external dependency of the rockspec")
      assert.truthy(vars:find("$(" .. key .. "_LIBDIR)", 1, true) or vars:find("$(" .. key .. "_INCDIR)", 1, true),
        key .. " is not passed to make")
    end
    assert.is_true(n >= 7)   -- openblas png z stb hdf5_serial edit zmq
  end)

  it("make dist's rockspec packs into a .src.rock and installs from outside the checkout", function()
    local ok, out = sh("cd " .. q(root) .. " && make -s dist")
    assert.is_true(ok, out)
    local spec = root .. "/dist/cvision-scm-1.rockspec"
    ok, out = sh("luarocks --lua-version 5.4 lint " .. q(spec))
    assert.is_true(ok, out)
    local packdir = tree .. "/pack"
    assert(os.execute("mkdir -p " .. q(packdir)))
    ok, out = sh("cd " .. q(packdir) .. " && luarocks --lua-version 5.4 pack " .. q(spec))
    assert.is_true(ok, out)
    local rock = packdir .. "/cvision-scm-1.src.rock"
    local _, listing = sh("unzip -l " .. q(rock))
    assert.matches("cvision%-scm%-1%.rockspec", listing)
    assert.matches("cvision%-scm%-1%.tar%.gz", listing)
    -- the tarball holds the sources, under the folder the rockspec names
    local _, files = sh("tar tzf " .. q(root .. "/dist/cvision-scm-1.tar.gz"))
    assert.matches("cvision%-scm%-1/Makefile\n", files)
    assert.matches("cvision%-scm%-1/csrc/", files)
    assert.matches("cvision%-scm%-1/lua/cvision/init%.lua\n", files)
    assert.is_nil(files:find("core.so", 1, true))

    -- the rock unpacks to the rockspec and the sources luarocks would build
    ok, out = sh("cd " .. q(packdir) .. " && luarocks --lua-version 5.4 unpack " .. q(rock))
    assert.is_true(ok, out)
    local function exists(p) local fh = io.open(p, "rb") if fh then fh:close() end return fh ~= nil end
    assert.is_true(exists(packdir .. "/cvision-scm-1/cvision-scm-1.rockspec"))
    assert.is_true(exists(packdir .. "/cvision-scm-1/cvision-scm-1/Makefile"))

    -- installing the rockspec, from a folder outside the checkout, into a second fresh tree
    local tree2 = tree .. "/t2"
    ok, out = sh("cd " .. q(packdir) .. " && MAKEFLAGS=-j2 luarocks --lua-version 5.4 --tree " .. q(tree2)
      .. " install --deps-mode=none " .. q(spec))
    assert.is_true(ok, out)
    assert.matches("cvision scm%-1 is now installed", out)
    check_tree(tree2)
  end)

  it("installs into a fresh tree, where lua5.4 can require cvision", function()
    local ok, out = sh("cd " .. q(root) .. " && luarocks --lua-version 5.4 --tree " .. q(tree)
      .. " make --deps-mode=none cvision-scm-1.rockspec")
    assert.is_true(ok, out)
    assert.matches("cvision scm%-1 is now installed", out)

    check_tree(tree)
  end)
end)
