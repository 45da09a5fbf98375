-- cvision.kernel.install: `bin/cvision --install-kernel [--user | --prefix P]` writes Jupyter's
-- kernelspec folder `cvision/` (kernel.json and the logos, drawn by cvision's own raster) into
--   --user       ~/.local/share/jupyter/kernels   ($JUPYTER_DATA_DIR/kernels when set)
--   --prefix P   P/share/jupyter/kernels
--   (neither)    /usr/local/share/jupyter/kernels
-- kernel.json runs this very binary (its absolute path) with --kernel {connection_file};
-- interrupt_mode "message": Jupyter interrupts a running cell with an interrupt_request on the
-- control channel (SIGINT works as well). `jupyter kernelspec list` then shows the kernel as
-- "cvision".
local native = require "cvision.kernel.native"
local saving = require "cvision.saving"

local M = {}

M.USAGE = "usage: cvision --install-kernel [--user | --prefix P]"

--- kernels_dir(args) --> the folder kernelspecs go into, or raises with the usage
function M.kernels_dir(args)
  local user, prefix, i = false, nil, 1
  while i <= #args do
    local a = args[i]
    if a == "--user" then user = true
    elseif a == "--prefix" then
      prefix = args[i + 1]
      if not prefix or prefix == "" then error("--prefix needs a folder\n" .. M.USAGE, 0) end
      i = i + 1
    elseif a:match("^%-%-prefix=") then prefix = a:sub(10)
    else error("unknown option '" .. a .. "'\n" .. M.USAGE, 0) end
    i = i + 1
  end
  if user and prefix then error("--user and --prefix exclude each other\n" .. M.USAGE, 0) end
  if prefix then return prefix .. "/share/jupyter/kernels" end
  if user then
    local data = os.getenv("JUPYTER_DATA_DIR")
    if data and data ~= "" then return data .. "/kernels" end
    local home = os.getenv("HOME")
    if not home or home == "" then error("--user: $HOME is not set", 0) end
    return home .. "/.local/share/jupyter/kernels"
  end
  return "/usr/local/share/jupyter/kernels"
end

--- spec(exe) --> the kernel.json table
function M.spec(exe)
  return {argv = {exe, "--kernel", "{connection_file}"}, display_name = "cvision (Lua 5.4)",
          language = "lua", interrupt_mode = "message", metadata = saving.object()}
end

-- the logo: "cv" in white on cvision's blue, size x size
local function logo(size)
  local core = require "cvision.core"
  local c = core.canvas(size, size, "#1f77b4ff")
  c:text("cv", size / 2, size / 2, size * 0.55, "#ffffffff", "center", "center")
  return c:png()
end

local function mkdir_p(dir)
  local ok = os.execute("mkdir -p '" .. dir:gsub("'", "'\\''") .. "'")
  if not ok then error("cannot create " .. dir, 0) end
end

--- install(dir, exe) --> the kernelspec folder written (dir/cvision)
function M.install(dir, exe)
  local kdir = dir .. "/cvision"
  mkdir_p(kdir)
  saving.write_atomic(kdir .. "/kernel.json", {saving.encode_json(M.spec(exe)), "\n"})
  for _, n in ipairs{32, 64} do
    local ok, png = pcall(logo, n)
    if ok then saving.write_atomic(("%s/logo-%dx%d.png"):format(kdir, n, n), {png}) end
  end
  return kdir
end

--- main(args) --> exit status
function M.main(args)
  local kdir = M.install(M.kernels_dir(args), native.exe_path())
  io.write("installed the cvision kernelspec in ", kdir, "\n")
  return 0
end

return M
