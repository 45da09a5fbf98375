-- cvision.kernel.introspect: complete_request and inspect_request.
-- Completion is the REPL's (cvision.sys.complete: globals, keywords, dotted paths, methods
-- after a colon) applied to the name before the cursor. Inspection finds the value the name at
-- the cursor refers to (only indexing, nothing is called) and shows the doc comment above a Lua
-- function's definition (the `--- f(args) --> result` lines cvision's sources carry), else the
-- value as the REPL shows it. Cursor positions are in Unicode code points, as protocol 5.2+ says.
local M = {}

-- the byte offset just after the first `cp` code points of s
local function byte_pos(s, cp)
  if cp <= 0 then return 0 end
  local ok, b = pcall(utf8.offset, s, cp + 1)
  if ok and b then return b - 1 end
  return #s
end

local NAME = "[%w_%.:]"

--- complete(code, cursor_pos) --> matches, cursor_start, cursor_end (code points)
function M.complete(code, cursor)
  cursor = math.tointeger(cursor) or utf8.len(code) or #code
  local before = code:sub(1, byte_pos(code, cursor))
  local word = before:match(NAME .. "*$") or ""
  local ok, sys = pcall(require, "cvision.sys")
  local matches = ok and sys.complete(word) or {}
  return matches, cursor - #word, cursor
end

-- the dotted name around the cursor: "cv.layers.Dense" from "x = cv.layers.De|nse{...}"
local function name_at(code, cursor)
  local b = byte_pos(code, cursor)
  local left = code:sub(1, b):match(NAME .. "*$") or ""
  local right = code:sub(b + 1):match("^[%w_]*") or ""
  local name = (left .. right):gsub("^[.:]+", ""):gsub("[.:]+$", "")
  if name == "" then  -- the cursor after "f(": the function being called
    name = code:sub(1, b):match("(" .. NAME .. "+)%s*[%({\"']%s*[^%(%){}]*$") or ""
  end
  return name
end

local function lookup(name)
  local cur = _G
  for part in name:gmatch("[^.:]+") do
    if type(cur) ~= "table" and type(cur) ~= "userdata" then return nil end
    local ok, v = pcall(function() return cur[part] end)
    if not ok or v == nil then return nil end
    cur = v
  end
  return cur
end

-- the comment block right above the line that defines f, from its source file
local function doc_comment(f)
  local info = debug.getinfo(f, "S")
  if not info or info.what ~= "Lua" or not info.source:match("^@") then return nil end
  local fh = io.open(info.source:sub(2), "r")
  if not fh then return nil end
  local lines, n = {}, 0
  for l in fh:lines() do
    n = n + 1
    lines[n] = l
    if n >= info.linedefined then break end
  end
  fh:close()
  local doc = {}
  for i = info.linedefined - 1, 1, -1 do
    local text = lines[i] and lines[i]:match("^%s*%-%-%-?%s?(.*)$")
    if not text or lines[i]:match("^%s*%-%-%[") then break end
    table.insert(doc, 1, text)
  end
  local where = ("%s:%d"):format(info.short_src, info.linedefined)
  if #doc == 0 then return nil, where end
  return table.concat(doc, "\n"), where
end

--- inspect(code, cursor_pos) --> text or nil (nothing found)
function M.inspect(code, cursor)
  cursor = math.tointeger(cursor) or utf8.len(code) or #code
  local name = name_at(code, cursor)
  if name == "" or not name:match("^[%a_]") then return nil end
  local v = lookup(name)
  if v == nil then return nil end
  -- cvision.help knows classes, modules and layer signatures too; this file's own lookup is the
  -- fallback for what it has no text for
  local hok, help = pcall(require, "cvision.help")
  if hok and (type(v) == "function" or type(v) == "table") then
    local tok, text = pcall(help.text, v, name)
    if tok and text then return text end
  end
  local ok, sys = pcall(require, "cvision.sys")
  local shown = ok and sys.show(v) or tostring(v)
  if type(v) == "function" then
    local doc, where = doc_comment(v)
    if doc then return ("%s\n\n%s\n(%s)"):format(name, doc, where) end
    return ("%s: %s%s"):format(name, shown, where and ("\n(" .. where .. ")") or "")
  end
  return ("%s: %s"):format(name, shown)
end

return M
