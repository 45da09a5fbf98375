-- tools/sizes.lua: lists the tracked Lua files (lua/, spec/, examples/, bench/, notebooks/,
-- tools/) over 700 lines and the Lua functions over 120 lines, the sizes past which a file or a
-- function is usually two concerns. Prints "sizes: clean" and exits 0 when there is none, else
-- lists them and exits 1. Run from the repository root:
--   lua5.4 tools/sizes.lua [--max-file N] [--max-function N] [file ...]
-- Functions are found by a scanner that skips comments and strings and matches each `function`
-- with its `end` by counting block openers (function, if, do, repeat) and closers (end, until).
-- The bodies of busted's describe/context blocks group tests and are not counted unless
-- --containers is given; each `it` body is a function like any other.
local argparse = require "argparse"

local M = {}

local DIRS = { "lua/", "spec/", "examples/", "bench/", "notebooks/", "tools/" }

--- line_count(src) --> number of lines, as wc -l counts them plus an unterminated last line
function M.line_count(src)
  local n = select(2, src:gsub("\n", ""))
  if #src > 0 and src:sub(-1) ~= "\n" then n = n + 1 end
  return n
end

-- The end of the long bracket opening at i ("[[", "[==["), or nil when none opens there.
local function long_bracket_end(src, i)
  local eq = src:match("^%[(=*)%[", i)
  if not eq then return nil end
  local close = "]" .. eq .. "]"
  local j = src:find(close, i + #eq + 2, true)
  return (j or #src) + #close - 1
end

-- The end of the quoted string opening at i (backslash escapes honoured).
local function quoted_end(src, i)
  local q = src:sub(i, i)
  local j = i + 1
  while j <= #src do
    local c = src:sub(j, j)
    if c == "\\" then j = j + 2
    elseif c == q or c == "\n" then return j
    else j = j + 1 end
  end
  return #src
end

--- words(src) --> array of {word, line}: the identifiers and keywords of Lua source, outside
-- comments and strings
function M.words(src)
  local out, i, line, n = {}, 1, 1, #src
  local function skip_to(j)
    line = line + select(2, src:sub(i, j):gsub("\n", ""))
    i = j + 1
  end
  while i <= n do
    local c = src:sub(i, i)
    if c == "-" and src:sub(i + 1, i + 1) == "-" then
      local j = long_bracket_end(src, i + 2)
      skip_to(j or (src:find("\n", i, true) or n + 1) - 1)
    elseif c == "[" and long_bracket_end(src, i) then
      skip_to(long_bracket_end(src, i))
    elseif c == '"' or c == "'" then
      skip_to(quoted_end(src, i))
    elseif c:match("[%a_]") then
      local w = src:match("^[%w_]+", i)
      out[#out + 1] = { w, line }
      i = i + #w
    elseif c:match("%d") then
      i = i + #src:match("^[%w_.]+", i)
    else
      if c == "\n" then line = line + 1 end
      i = i + 1
    end
  end
  return out
end

local OPENERS = { ["function"] = true, ["if"] = true, ["do"] = true, ["repeat"] = true }
local CLOSERS = { ["end"] = true, ["until"] = true }

-- busted's blocks that group tests: their functions are containers, not code to split
local CONTAINERS = { describe = true, context = true, insulate = true, expose = true }

-- A function's name: the words after `function` up to "(", the name it is assigned to, or
-- "describe: <title>" for the body of a busted container; and whether it is such a container.
local function function_name(line_text)
  local name = line_text:match("function%s+([%w_.:]+)%s*%(")
  if name then return name, false end
  local assigned = line_text:match("([%w_.%[%]\"']+)%s*=%s*function")
  if assigned then return assigned, false end
  local call, title = line_text:match("^%s*([%a_]+)%s*%(%s*([\"'].-[\"'])%s*,%s*function%s*%(")
  if call then return call .. " " .. title, CONTAINERS[call] or false end
  return "(anonymous)", false
end

--- functions(src) --> array of {name, first, last, container} for every function of the source
-- (container: the body of a busted describe/context/insulate/expose)
function M.functions(src)
  local words = M.words(src)
  local src_lines = {}
  for l in (src .. "\n"):gmatch("(.-)\n") do src_lines[#src_lines + 1] = l end
  local stack, out = {}, {}
  for _, w in ipairs(words) do
    if OPENERS[w[1]] then
      local fn = false
      if w[1] == "function" then
        local name, container = function_name(src_lines[w[2]] or "")
        fn = { name = name, first = w[2], container = container }
      end
      stack[#stack + 1] = fn
    elseif CLOSERS[w[1]] then
      local fn = table.remove(stack)
      if fn then
        fn.last = w[2]
        out[#out + 1] = fn
      end
    end
  end
  table.sort(out, function(a, b) return a.first < b.first end)
  return out
end

--- tracked_files() --> the Lua files git tracks under the project's Lua folders
function M.tracked_files()
  local p = assert(io.popen("git ls-files -- " .. table.concat(DIRS, " ") .. " 2>/dev/null"))
  local files = {}
  for f in p:lines() do
    if f:match("%.lua$") then files[#files + 1] = f end
  end
  p:close()
  return files
end

--- check(files, max_file, max_function [, containers]) --> long files {path, lines}, long
-- functions {path, name, first, lines}; busted's container blocks count only with containers
function M.check(files, max_file, max_function, containers)
  local long_files, long_functions = {}, {}
  for _, path in ipairs(files) do
    local f = io.open(path, "rb")
    if f then
      local src = f:read("a")
      f:close()
      local n = M.line_count(src)
      if n > max_file then long_files[#long_files + 1] = { path = path, lines = n } end
      for _, fn in ipairs(M.functions(src)) do
        local len = fn.last - fn.first + 1
        if len > max_function and (containers or not fn.container) then
          long_functions[#long_functions + 1] = { path = path, name = fn.name, first = fn.first, lines = len }
        end
      end
    end
  end
  return long_files, long_functions
end

local function main(args)
  local parser = argparse("sizes.lua", "Lua files over 700 lines and functions over 120 lines.")
  parser:argument("files", "Lua files to check (default: every tracked one)"):args("*")
  parser:option("--max-file", "Longest file allowed, in lines.", "700"):convert(tonumber)
  parser:option("--max-function", "Longest function allowed, in lines.", "120"):convert(tonumber)
  parser:flag("--containers", "Count busted's describe/context blocks as functions too.")
  local o = parser:parse(args)
  local files = #o.files > 0 and o.files or M.tracked_files()
  local long_files, long_functions = M.check(files, o.max_file, o.max_function, o.containers)
  if #long_files + #long_functions == 0 then
    print("sizes: clean")
    return 0
  end
  if #long_files > 0 then
    print(string.format("files over %d lines:", o.max_file))
    for _, f in ipairs(long_files) do print(string.format("  %-48s %5d", f.path, f.lines)) end
  end
  if #long_functions > 0 then
    print(string.format("functions over %d lines:", o.max_function))
    for _, f in ipairs(long_functions) do
      print(string.format("  %-48s %5d  %s", f.path .. ":" .. f.first, f.lines, f.name))
    end
  end
  return 1
end

if ... == nil or select("#", ...) == 0 or arg and arg[0] and arg[0]:match("sizes%.lua$") then
  os.exit(main(arg or {}))
end

return M
