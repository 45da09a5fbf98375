-- cvision.sys: the system side of cvision: cv.versions() (the notebook "watermark"), the
-- REPL's pretty printer (repr/show) and its tab-completion candidates (complete).
-- Loaded on first use only (the REPL asks for it when it prints a value or completes a name).
local core = require "cvision.core"

local M = {}

local function fmt_features(f)
  local names = {}
  for _, k in ipairs{"sse4_2", "avx", "avx2", "fma", "avx512f"} do
    if f[k] then names[#names + 1] = (k:gsub("_", ".")) end
  end
  return #names > 0 and table.concat(names, " ") or "none detected"
end

--- versions([opts]): prints cvision, Lua, OpenBLAS (config, core type, threads), libpng,
-- compiler, CPU features, cvision's kernel path (the SIMD dispatch table in use: "avx2+fma" or
-- "portable"; CVISION_SIMD=0 forces the portable one) and threads, and the date, like a
-- notebook's watermark cell. versions{quiet = true} --> the same facts as a table, printing
-- nothing.
function M.versions(opts)
  local i = core.sys.info()
  local v = {
    cvision = i.cvision,
    lua = i.lua,
    openblas = i.openblas_config,
    openblas_core = i.openblas_core,
    openblas_threads = i.openblas_threads,
    libpng = i.libpng,
    compiler = i.compiler,
    cpu_features = i.cpu_features,
    -- the dispatch table the kernels run through, and cvision's thread pool
    kernels = i.simd or (core.cpu_path and core.cpu_path()) or nil,
    threads = core.get_num_threads and core.get_num_threads() or nil,
    date = os.date("%Y-%m-%d %H:%M:%S %Z"),
  }
  if not (opts and opts.quiet) then
    local lines = {
      {"cvision", v.cvision},
      {"Lua", v.lua},
      {"OpenBLAS", string.format("%s (core %s, %d thread%s)", v.openblas, v.openblas_core,
                                 v.openblas_threads, v.openblas_threads == 1 and "" or "s")},
      {"libpng", v.libpng},
      {"compiler", v.compiler},
      {"CPU", fmt_features(v.cpu_features)},
      {"kernels", v.kernels and string.format("%s, %s threads", v.kernels, tostring(v.threads))
                  or "?"},
      {"date", v.date},
    }
    for _, l in ipairs(lines) do io.write(string.format("%-9s: %s\n", l[1], l[2])) end
    return
  end
  return v
end

-- ---- pretty printing ----

local MAX_ITEMS = 20

local is_ident = function(s)
  return type(s) == "string" and s:match("^[%a_][%w_]*$") ~= nil
end

local function has_tostring(v)
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__tostring ~= nil
end

local repr

local function repr_table(t, depth)
  -- objects of cvision's classes (layers, models, ...) without __tostring: <Class name>
  if getmetatable(t) ~= nil then
    local ok, cls, name = pcall(function() return t.class_name, t.name end)
    if ok and type(cls) == "string" then
      return name and string.format("<%s %s>", cls, tostring(name)) or "<" .. cls .. ">"
    end
  end
  if depth <= 0 then return next(t) == nil and "{}" or "{...}" end
  local parts, n = {}, 0
  local len = #t
  for i = 1, len do
    n = n + 1
    if n > MAX_ITEMS then parts[#parts + 1] = "..."; return "{" .. table.concat(parts, ", ") .. "}" end
    parts[#parts + 1] = repr(rawget(t, i), depth - 1)
  end
  local keys = {}
  for k in pairs(t) do
    if not (math.type(k) == "integer" and k >= 1 and k <= len) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b)
    local ta, tb = type(a), type(b)
    if ta ~= tb then return ta < tb end
    if ta == "number" or ta == "string" then return a < b end
    return tostring(a) < tostring(b)
  end)
  for _, k in ipairs(keys) do
    n = n + 1
    if n > MAX_ITEMS then parts[#parts + 1] = "..."; break end
    local ks = is_ident(k) and k or "[" .. repr(k, 0) .. "]"
    parts[#parts + 1] = ks .. " = " .. repr(rawget(t, k), depth - 1)
  end
  return "{" .. table.concat(parts, ", ") .. "}"
end

--- repr(v [, depth]) --> string: a readable form of v. Strings are quoted; tensors and other
-- objects with __tostring use it; tables are shown to `depth` levels (default 2), at most
-- 20 entries each.
function repr(v, depth)
  depth = depth or 2
  local tv = type(v)
  if tv == "string" then
    return (string.format("%q", v):gsub("\\\n", "\\n"))
  elseif has_tostring(v) then
    local ok, s = pcall(tostring, v)
    return ok and s or ("<" .. tv .. ": __tostring failed: " .. tostring(s) .. ">")
  elseif tv == "table" then
    return repr_table(v, depth)
  end
  return tostring(v)
end
M.repr = repr

--- show(v) --> string: what the REPL prints for a result: like repr, but a string is printed
-- as it is (as lua5.4 does).
function M.show(v)
  if type(v) == "string" then return v end
  return repr(v)
end

-- ---- tab completion ----

local keywords = {
  "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
  "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
}

-- Adds the identifier keys of t (and what its metatable's __index offers) to set.
local function collect(v, set, seen)
  seen = seen or {}
  if v == nil or seen[v] then return end
  seen[v] = true
  if type(v) == "table" then
    for k in next, v do
      if is_ident(k) then set[k] = true end
    end
  end
  local mt = getmetatable(v)
  if type(mt) ~= "table" then return end
  local idx = rawget(mt, "__index")
  if type(idx) == "table" then
    collect(idx, set, seen)
  elseif type(idx) == "function" then
    -- lazy tables (cv's submodules and re-exports, the tensor methods) keep their names in
    -- upvalues of the __index function
    for i = 1, 255 do
      local name, up = debug.getupvalue(idx, i)
      if not name then break end
      if (name == "submodules" or name == "reexports" or name == "methods")
          and type(up) == "table" then
        for k in next, up do if is_ident(k) then set[k] = true end end
      end
    end
    -- a class whose __index is a function (models: a property, then the class) is its own
    -- metatable: its methods are the class table's keys and those of its parents
    if rawget(mt, "class_name") ~= nil then
      collect(mt, set, seen)
      local super = rawget(mt, "super")
      if type(super) == "table" then collect(super, set, seen) end
    end
  end
  if type(rawget(mt, "methods")) == "table" then collect(rawget(mt, "methods"), set, seen) end
  if rawget(mt, "__name") == "cvision.Tensor" then set.shape = true; set.dtype = true end
end

--- complete(text) --> sorted list of completions of text: a global name or keyword, or a dotted
-- path (`cv.ze` --> `cv.zeros`), or a method after a colon (`t:re` --> `t:reshape`).
function M.complete(text)
  local out = {}
  local path, sep, partial = text:match("^(.-)([.:])([%w_]*)$")
  local names = {}
  if path then
    if not path:match("^[%a_][%w_]*$") and not path:match("^[%a_][%w_.]*[%w_]$") then return out end
    local ok, v = pcall(function()
      local cur = _G
      for part in path:gmatch("[^.]+") do cur = cur[part] end
      return cur
    end)
    if not ok or v == nil then return out end
    collect(v, names)
    if sep == ":" then
      for k in pairs(names) do
        local okf, f = pcall(function() return v[k] end)
        if not (okf and type(f) == "function") then names[k] = nil end
      end
    end
    path = path .. sep
  else
    partial, path = text, ""
    if not partial:match("^[%w_]*$") then return out end
    collect(_G, names)
    for _, k in ipairs(keywords) do names[k] = true end
  end
  for k in pairs(names) do
    if k:sub(1, #partial) == partial and (k:sub(1, 1) ~= "_" or partial:sub(1, 1) == "_") then
      out[#out + 1] = path .. k
    end
  end
  table.sort(out)
  return out
end

return M
