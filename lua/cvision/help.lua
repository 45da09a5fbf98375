-- cvision.help: help(obj) for the REPL (a global there, and `?obj` at the prompt) and the kernel
-- (cv.help(obj)). It prints the doc comment above the definition of obj in cvision's own sources
-- (the `--- f(args) --> result` signature lines, then the `--` text), the same comments the API
-- reference is read from. Promises: nothing is read until the first call; the index of the sources
-- (every documented definition, by name) is built once, then kept; nothing in obj is called.
local load = load   -- not a user's global `load` (a notebook may define one)

local M = {}

-- the folder holding cvision's sources (the one this file is in)
local function root()
  local src = debug.getinfo(1, "S").source
  return (src:sub(2):match("^(.*)/[^/]*$")) or "."
end

-- the path of a source file under cvision/, the key of the index ("layers/core.lua")
-- a source file's path inside cvision's Lua folder, or nil for a file outside it
local function inside(path)
  return path:match(".*/cvision/(.*)$") or path:match("^cvision/(.*)$")
end

local function rel(path)
  path = path:gsub("^@", "")
  return inside(path) or path
end

-- where a source file is, for the reader: lua/cvision/<file> for cvision's own, else its path
local function shown(path)
  path = path:gsub("^@", "")
  local r = inside(path)
  return r and "lua/cvision/" .. r or path
end

local files_cache = {}
local function lines_of(path)
  local t = files_cache[path]
  if t then return t end
  t = {}
  local fh = io.open(path, "r")
  if fh then
    for l in fh:lines() do t[#t + 1] = l end
    fh:close()
  end
  files_cache[path] = t
  return t
end

local function is_banner(l) return l:match("^%s*%-%-%-%-%-+%s*$") ~= nil end

-- the comment block right above line n (no blank line between), banners left out
local function block_above(lines, n)
  local doc = {}
  for i = n - 1, 1, -1 do
    local l = lines[i]
    if not l or not l:match("^%s*%-%-") or l:match("^%s*%-%-%[") then break end
    if is_banner(l) then break end
    table.insert(doc, 1, l)
  end
  return doc
end

-- the name a definition line defines: "function A:b(" / "function A.b(" / "A.b = " / "local b = "
-- / "local function b("
local function defined(l)
  local owner, sep, name = l:match("^%s*function%s+([%w_%.]-)([.:])([%w_]+)%s*%(")
  if name then return name, owner .. sep .. name end
  name = l:match("^function%s+([%w_]+)%s*%(") or l:match("^local%s+function%s+([%w_]+)%s*%(")
  if name then return name, name end
  owner, name = l:match("^([%w_%.]+)%.([%w_]+)%s*=[^=]")
  if name then return name, owner .. "." .. name end
  name = l:match("^local%s+([%w_]+)%s*=[^=]")
  if name then return name, name end
  return nil
end

local index  -- name --> list of {name, qname, file, line, doc}

--- entries(path) --> the documented definitions of one source file, in file order: a list of
--- {name, qname, file, line, doc, def}
-- doc is the comment block above the definition (a list of lines, `---` signature lines first),
-- def the definition's line. A definition counts when its block opens with `---`, or when it is a
-- function definition with any comment above. tools/ldoc_src.lua reads the API reference's
-- comments through this function, so help() and the reference never disagree.
function M.entries(path)
  local lines, out = lines_of(path), {}
  for n, l in ipairs(lines) do
    local name, qname = defined(l)
    if name then
      local doc = block_above(lines, n)
      if #doc > 0 and (doc[1]:match("^%s*%-%-%-") or l:match("^%s*function")) then
        out[#out + 1] = {name = name, qname = qname, file = path, line = n, doc = doc, def = l}
      end
    end
  end
  return out
end

--- build_index() --> the index of documented definitions (built on first use)
function M.build_index()
  if index then return index end
  index = {}
  local dir = root()
  local p = io.popen("find '" .. dir:gsub("'", "'\\''") .. "' -name '*.lua' 2>/dev/null | sort")
  local paths = {}
  if p then
    for path in p:lines() do paths[#paths + 1] = path end
    p:close()
  end
  for _, path in ipairs(paths) do
    for _, e in ipairs(M.entries(path)) do
      local list = index[e.name] or {}
      list[#list + 1] = e
      index[e.name] = list
    end
  end
  return index
end

--- split_doc(doc) --> signature, body: a doc block's `---` lines and its other lines (lists of
--- strings, comment marks removed)
function M.split_doc(doc)
  local sig, body = {}, {}
  for _, l in ipairs(doc) do
    local s = l:match("^%s*%-%-%-%s?(.*)$")
    if s and #body == 0 then sig[#sig + 1] = s
    else body[#body + 1] = (l:match("^%s*%-%-%s?(.*)$")) end
  end
  return sig, body
end

-- the text of a doc block: signature lines (`---`), a blank line, then the other lines
local function doc_text(doc)
  local sig, body = M.split_doc(doc)
  local out = table.concat(sig, "\n")
  if #body > 0 then out = out .. (out ~= "" and "\n\n" or "") .. table.concat(body, "\n") end
  return out
end

local function where(e) return ("(%s:%d)"):format(shown(e.file), e.line) end

local function entry_text(e)
  return doc_text(e.doc) .. "\n" .. where(e)
end

-- each (module name, key) under which v is found among the loaded cvision modules
local function names_of(v)
  local found = {}
  for modname, mod in pairs(package.loaded) do
    if type(modname) == "string" and modname:match("^cvision") and type(mod) == "table" then
      for k, x in next, mod do
        if x == v and type(k) == "string" then found[#found + 1] = {mod = modname, key = k} end
      end
    end
  end
  table.sort(found, function(a, b) return #a.mod > #b.mod or (#a.mod == #b.mod and a.mod < b.mod) end)
  return found
end

local function module_file(modname)
  local path = package.searchpath(modname, package.path)
  return path
end

-- the entry documenting `key` best: one in a given file first, else the first one found
local function best(key, files)
  local list = M.build_index()[key]
  if not list then return nil end
  for _, f in ipairs(files or {}) do
    for _, e in ipairs(list) do if rel(e.file) == rel(f) then return e end end
  end
  return list[1]
end

-- the header comment of a module's file
local function header(path)
  local lines, out = lines_of(path), {}
  for _, l in ipairs(lines) do
    if not l:match("^%-%-") then break end
    out[#out + 1] = (l:match("^%-%-%-?%s?(.*)$"))
  end
  return table.concat(out, "\n")
end

-- the public function names of a table (and its class chain), sorted
local function public_functions(t)
  local set, seen = {}, {}
  local cur = t
  while type(cur) == "table" and not seen[cur] do
    seen[cur] = true
    for k, v in next, cur do
      if type(k) == "string" and k:match("^[%a][%w_]*$") and type(v) == "function" then set[k] = true end
    end
    local mt = getmetatable(cur)
    local nxt = type(mt) == "table" and rawget(mt, "__index") or nil
    if type(nxt) ~= "table" then nxt = type(mt) == "table" and rawget(mt, "class_name") and mt or nil end
    cur = nxt
  end
  local out = {}
  for k in pairs(set) do out[#out + 1] = k end
  table.sort(out)
  return out
end

-- a layer class' constructor signature from its positional arguments and defaults
local function layer_signature(cls)
  local spec = rawget(cls, "args")
  if type(spec) ~= "table" or type(spec.positional) ~= "table" or not rawget(cls, "class_name") then
    return nil
  end
  local defaults, required = spec.defaults or {}, {}
  for _, a in ipairs(spec.required or {}) do required[a] = true end
  local args = {}
  for _, a in ipairs(spec.positional) do
    local d = defaults[a]
    if d == nil and required[a] then args[#args + 1] = a
    else args[#args + 1] = ("%s = %s"):format(a, type(d) == "string" and ("%q"):format(d) or tostring(d)) end
  end
  return ("%s(%s [, {keyword arguments}])"):format(cls.class_name, table.concat(args, ", "))
end

local function function_text(f, name)
  local info = debug.getinfo(f, "S")
  local files = {}
  if info.what == "Lua" and info.source:match("^@") then
    local lines = lines_of(info.source:sub(2))
    local doc = block_above(lines, info.linedefined)
    if #doc > 0 and doc[1]:match("^%s*%-%-%-") then
      return entry_text({doc = doc, file = info.source, line = info.linedefined})
    end
    files[1] = info.source:sub(2)
  end
  -- a closure made elsewhere (pyplot's functions on the current axes) or a C function: the
  -- definitions of the names it is known by
  local keys = names_of(f)
  if name then keys[#keys + 1] = {key = name:match("([%w_]+)$")} end
  for _, k in ipairs(keys) do
    if k.mod then files[#files + 1] = module_file(k.mod) end
  end
  for _, k in ipairs(keys) do
    local e = k.key and best(k.key, files)
    if e then return entry_text(e) end
  end
  -- undocumented: its definition line says at least its arguments
  if info.what == "Lua" and info.source:match("^@") then
    local l = lines_of(info.source:sub(2))[info.linedefined] or ""
    local sig = l:match("function%s+([%w_.:]+%b())") or l:match("^%s*(.-)%s*$")
    return ("%s\n(%s:%d, no doc comment)"):format(sig, shown(info.source), info.linedefined)
  end
  return nil
end

local function table_text(t, name)
  local mt = getmetatable(t)
  -- an object: its class
  if type(mt) == "table" and rawget(t, "class_name") == nil and mt.class_name ~= nil and not names_of(t)[1] then
    return table_text(mt, mt.class_name)
  end
  local parts = {}
  -- a module
  for modname, mod in pairs(package.loaded) do
    if mod == t and type(modname) == "string" then
      local path = module_file(modname)
      if path then parts[#parts + 1] = header(path) end
    end
  end
  if #parts == 0 then
    local sig = layer_signature(t)
    local keys = names_of(t)
    if name then keys[#keys + 1] = {key = name:match("([%w_]+)$")} end
    if rawget(t, "class_name") then keys[#keys + 1] = {key = rawget(t, "class_name")} end
    local files = {}
    for _, k in ipairs(keys) do if k.mod then files[#files + 1] = module_file(k.mod) end end
    local e
    for _, k in ipairs(keys) do
      e = best(k.key, files)
      if e then break end
    end
    if sig then parts[#parts + 1] = sig end
    if e then parts[#parts + 1] = entry_text(e) end
    if not e and type(rawget(t, "new")) == "function" then
      local c = function_text(rawget(t, "new"))
      if c then parts[#parts + 1] = c end
    end
    if not e and files[1] then
      local h = header(files[1])
      if h ~= "" then parts[#parts + 1] = h end
    end
  end
  if #parts == 0 then return nil end
  local fns = public_functions(t)
  if #fns > 0 and #fns <= 80 then
    parts[#parts + 1] = ((rawget(t, "class_name") or mt and mt.class_name) and "Methods: " or "Functions: ")
      .. table.concat(fns, ", ")
  end
  return table.concat(parts, "\n\n")
end

--- text(obj [, name]) --> the documentation of obj as a string, or nil and a message. A string
--- obj is a path ("cv.layers.Dense") or the name of a function or method ("fit": every one so named)
function M.text(obj, name)
  if type(obj) == "string" then
    local v
    if obj:match("^[%a_][%w_%.]*$") then
      local ok, r = pcall(function()
        local cur = _G
        for part in obj:gmatch("[^.]+") do
          if cur == _G and part == "cv" and _G.cv == nil then cur = require "cvision"
          else cur = cur[part] end
        end
        return cur
      end)
      if ok then v = r end
    end
    if v ~= nil and obj:find(".", 1, true) then return M.text(v, obj) end
    local key = obj:match("([%w_]+)$")
    local list = key and M.build_index()[key]
    if list then
      local out = {}
      for _, e in ipairs(list) do out[#out + 1] = e.qname .. "\n" .. entry_text(e) end
      return table.concat(out, "\n\n")
    end
    if v ~= nil then return M.text(v, obj) end
    return nil, ("no documentation for %q"):format(obj)
  end
  local s
  if type(obj) == "function" then s = function_text(obj, name)
  elseif type(obj) == "table" then s = table_text(obj, name) end
  if s then return (name and (name .. "\n") or "") .. s end
  return nil, ("no documentation for %s"):format(name or tostring(obj))
end

--- help(obj): prints obj's documentation (see text)
function M.help(obj, name)
  local s, err = M.text(obj, name)
  io.write(s or err, "\n")
  io.flush()
end

--- query(text): `?text` at the REPL prompt: help on the value of the expression text (`m:fit`
--- too), else on the name
function M.query(text)
  text = text:match("^%s*(.-)%s*$")
  local left, meth = text:match("^(.-):([%w_]+)$")
  local expr = left or text
  local f = load("return " .. expr, "=?", "t")
  local ok, v = false, nil
  if f then ok, v = pcall(f) end
  if ok and v ~= nil and meth then
    ok, v = pcall(function() return v[meth] end)
  end
  if ok and v ~= nil then return M.help(v, text) end
  return M.help(meth or text)
end

return setmetatable(M, {__call = function(_, obj, name) return M.help(obj, name) end})
