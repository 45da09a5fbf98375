-- tools/csizes.lua: the C twin of tools/sizes.lua. Lists the tracked C files (csrc/**/*.c) over
-- 700 lines and the C functions over 120 lines, the sizes past which a file or a function is
-- usually two concerns. Prints "csizes: clean" and exits 0 when there is none outside the
-- allow-list below, else lists them and exits 1; unused allow-list entries are listed either way. Run from the repository root:
--   lua5.4 tools/csizes.lua [--max-file N] [--max-function N] [--all] [file ...]
-- A function is a definition that starts at column 0 (its signature ends in ")" and "{"); its
-- length counts from the line with that opening brace to its closing brace at column 0 (house
-- style: K&R braces, the body's closing brace alone at column 0), both included.
local argparse = require "argparse"

local M = {}

-- The allow-list: files and functions over the limits that are known and accepted for now. Only
-- vendored code belongs here for good; every other entry names the issue it waits on, and whoever
-- closes that issue removes the entry (entries that no longer match anything are listed after the
-- report, without failing it: the tree may be half-way through someone's split).
-- Keys: a path for a file's length, "path:function" for a function's.
M.ALLOW = {
  -- vendored: none today (stb and libpng are linked, not copied into csrc/)

  -- #12: being split. Nothing is waiting any more: csrc/data/hanzi.c (cv_hanzi_render, 266 lines)
  -- was split into csrc/data/hanzi_*.c (3e3ec00) and csrc/nn/conv/conv.c into conv_*.c (87b465d);
  -- csrc/simd/* was always within both limits. Add an entry here, with its issue, only for a
  -- split under way, e.g.
  --   ["csrc/data/hanzi.c:cv_hanzi_render"] = "#12: being split",
}

--- line_count(src) --> number of lines, as wc -l counts them plus an unterminated last line
function M.line_count(src)
  local n = select(2, src:gsub("\n", ""))
  if #src > 0 and src:sub(-1) ~= "\n" then n = n + 1 end
  return n
end

-- src without comments and string/char literals (each replaced by spaces, newlines kept), so
-- braces and parentheses inside them count for nothing
local function code_only(src)
  local out, i, n = {}, 1, #src
  local function blank(s) return (s:gsub("[^\n]", " ")) end
  while i <= n do
    local c, d = src:sub(i, i), src:sub(i + 1, i + 1)
    if c == "/" and d == "*" then
      local j = src:find("*/", i + 2, true) or n - 1
      out[#out + 1] = blank(src:sub(i, j + 1))
      i = j + 2
    elseif c == "/" and d == "/" then
      local j = (src:find("\n", i, true) or n + 1) - 1
      out[#out + 1] = blank(src:sub(i, j))
      i = j + 1
    elseif c == '"' or c == "'" then
      local j = i + 1
      while j <= n do
        local e = src:sub(j, j)
        if e == "\\" then j = j + 2
        elseif e == c or e == "\n" then break
        else j = j + 1 end
      end
      out[#out + 1] = blank(src:sub(i, j))
      i = j + 1
    else
      local j = (src:find("[/\"']", i) or n + 1) - 1
      if j < i then j = i end
      out[#out + 1] = src:sub(i, j)
      i = j + 1
    end
  end
  return table.concat(out)
end

-- the lines of src, with the continuation lines of preprocessor directives blanked (a macro's
-- braces are not a function's)
local function code_lines(src)
  local lines, in_pp = {}, false
  for l in (code_only(src) .. "\n"):gmatch("(.-)\n") do
    local pp = in_pp or l:match("^%s*#") ~= nil
    in_pp = pp and l:match("\\%s*$") ~= nil
    lines[#lines + 1] = pp and "" or l
  end
  return lines
end

--- functions(src) --> array of {name, first, last}: every function definition of the C source,
-- first the line of its opening brace, last the line of its closing brace at column 0
function M.functions(src)
  local lines, out = code_lines(src), {}
  local sig, sig_first, open = nil, nil, nil
  for i, l in ipairs(lines) do
    if open then
      if l:match("^}") then
        out[#out + 1] = { name = open.name, first = open.first, last = i }
        open = nil
      end
    elseif sig then
      sig = sig .. " " .. l
    elseif l:match("^[%a_]") then
      sig, sig_first = l, i
    end
    if sig then
      -- a signature ends at "{" (a definition), or at ";" or "=" (a declaration, an initializer)
      if sig:match("[;=]") and not sig:match("%)%s*{%s*$") then
        sig = nil
      elseif sig:match("{") then
        local name = sig:match("([%a_][%w_]*)%s*%(")
        if sig:match("%)[%s%w_()]*{%s*$") and name and not sig:match("^%s*typedef") then
          open = { name = name, first = i }
        end
        sig = nil
      elseif i - sig_first > 20 then
        sig = nil   -- not a signature after all
      end
    end
  end
  return out
end

--- tracked_files() --> the C files git tracks under csrc/
function M.tracked_files()
  local p = assert(io.popen("git ls-files -- csrc 2>/dev/null"))
  local files = {}
  for f in p:lines() do
    if f:match("%.c$") then files[#files + 1] = f end
  end
  p:close()
  return files
end

--- check(files, max_file, max_function [, allow]) --> long files {path, lines, allowed}, long
-- functions {path, name, first, lines, allowed}, unused allow-list keys (sorted); allowed is the
-- allow-list's reason, or nil
function M.check(files, max_file, max_function, allow)
  allow = allow or M.ALLOW
  local long_files, long_functions, used = {}, {}, {}
  local function allowed(key)
    if allow[key] then used[key] = true end
    return allow[key]
  end
  for _, path in ipairs(files) do
    local f = io.open(path, "rb")
    if f then
      local src = f:read("a")
      f:close()
      local n = M.line_count(src)
      if n > max_file then
        long_files[#long_files + 1] = { path = path, lines = n, allowed = allowed(path) }
      end
      for _, fn in ipairs(M.functions(src)) do
        local len = fn.last - fn.first + 1
        if len > max_function then
          long_functions[#long_functions + 1] = { path = path, name = fn.name, first = fn.first,
            lines = len, allowed = allowed(path .. ":" .. fn.name) or allowed(path) }
        end
      end
    end
  end
  local unused = {}
  for key in pairs(allow) do if not used[key] then unused[#unused + 1] = key end end
  table.sort(unused)
  return long_files, long_functions, unused
end

local function main(args)
  local parser = argparse("csizes.lua", "C files over 700 lines and C functions over 120 lines.")
  parser:argument("files", "C files to check (default: every tracked one under csrc/)"):args("*")
  parser:option("--max-file", "Longest file allowed, in lines.", "700"):convert(tonumber)
  parser:option("--max-function", "Longest function allowed, in lines.", "120"):convert(tonumber)
  parser:flag("--all", "Also list what the allow-list lets through.")
  local o = parser:parse(args)
  local files = #o.files > 0 and o.files or M.tracked_files()
  local long_files, long_functions, unused = M.check(files, o.max_file, o.max_function)
  local bad = 0
  local function show(list, header, fmt)
    local shown = {}
    for _, x in ipairs(list) do
      if not x.allowed then bad = bad + 1 end
      if o.all or not x.allowed then shown[#shown + 1] = x end
    end
    if #shown == 0 then return end
    print(header)
    for _, x in ipairs(shown) do
      print(fmt(x) .. (x.allowed and "  (allowed: " .. x.allowed .. ")" or ""))
    end
  end
  show(long_files, string.format("files over %d lines:", o.max_file),
       function(f) return string.format("  %-48s %5d", f.path, f.lines) end)
  show(long_functions, string.format("functions over %d lines:", o.max_function),
       function(f) return string.format("  %-48s %5d  %s", f.path .. ":" .. f.first, f.lines, f.name) end)
  local status = 1
  if bad == 0 then
    print("csizes: clean")
    status = 0
  end
  if #o.files == 0 and #unused > 0 then
    print("allow-list entries that match nothing now (remove them from tools/csizes.lua once "
          .. "that is committed):")
    for _, key in ipairs(unused) do print("  " .. key) end
  end
  return status
end

if ... == nil or select("#", ...) == 0 or arg and arg[0] and arg[0]:match("csizes%.lua$") then
  os.exit(main(arg or {}))
end

return M
