-- cvision.kernel.source: what the kernel does to a cell's text before running it.
--  * persist(src): a notebook user expects `local x = 1` in one cell to be there in the next,
--    but each cell is its own chunk, whose locals end with it. So the cell's TOP-LEVEL local
--    declarations become assignments to the kernel's globals (its one Lua state's _G):
--        local x, y = 1, 2      -->  x, y = 1, 2
--        local z                -->  z = nil
--        local n <const> = 3    -->  n = 3
--        local function f() end -->  function f() end
--    Locals inside blocks and functions stay locals; `local h <close> = ...` stays a local (it
--    must be closed when the cell ends). Only tokens on the same line change, so error
--    messages keep the cell's line numbers. Consequence: a top-level `local print = ...` changes
--    print for later cells too, as a global assignment would.
--  * split_last(src): the chunk to run and whether it returns the value of the cell's last
--    expression (shown as the execute_result): the last lines are tried as `return <lines>`.
--  * is_complete(src) --> "complete" | "incomplete" | "invalid" (is_complete_request).
-- the kernel's own load: a cell that sets a global `load` must not break the next cells
local load = load

local M = {}

local long_open = "^%[(=*)%["

-- tokens of Lua source: {kind, text, first, last}; kinds "name", "string", "number", "op"
-- (comments and spaces are skipped). An unterminated string or comment ends the list and sets
-- the second result (the source does not compile anyway).
local function tokens(src)
  local out, i, n = {}, 1, #src
  local function add(kind, j) out[#out + 1] = {kind, src:sub(i, j), i, j}; i = j + 1 end
  local function long_close(j, eq)
    local _, e = src:find("]" .. eq .. "]", j, true)
    return e
  end
  while i <= n do
    local c = src:sub(i, i)
    if c:match("%s") then
      i = src:find("[^%s]", i) or n + 1
    elseif src:sub(i, i + 1) == "--" then
      local eq = src:match(long_open, i + 2)
      if eq then
        local e = long_close(i + 4 + #eq, eq)
        if not e then return out, true end
        i = e + 1
      else
        i = (src:find("\n", i, true) or n) + 1
      end
    elseif c:match("[%a_]") then
      add("name", src:find("[^%w_]", i) and src:find("[^%w_]", i) - 1 or n)
    elseif c:match("%d") or (c == "." and src:sub(i + 1, i + 1):match("%d")) then
      local j = i
      repeat
        local _, e = src:find("^[%w%.]*", j)
        j = e + 1
        local sign = src:sub(e, e):match("[eEpP]") and src:sub(j, j):match("[%+%-]")
        if sign then j = j + 1 end
      until not sign
      add("number", j - 1)
    elseif c == '"' or c == "'" then
      local j = i + 1
      while true do
        local k = src:find("[\\\n" .. c .. "]", j)
        if not k or src:sub(k, k) == "\n" then return out, true end
        if src:sub(k, k) == "\\" then j = k + 2 else j = k break end
      end
      add("string", j)
    elseif src:match(long_open, i) then
      local eq = src:match(long_open, i)
      local e = long_close(i + 2 + #eq, eq)
      if not e then return out, true end
      add("string", e)
    else
      local three, two = src:sub(i, i + 2), src:sub(i, i + 1)
      if three == "..." then add("op", i + 2)
      elseif ({["=="] = 1, ["~="] = 1, ["<="] = 1, [">="] = 1, ["//"] = 1, ["::"] = 1,
               ["<<"] = 1, [">>"] = 1, [".."] = 1})[two] then add("op", i + 1)
      else add("op", i) end
    end
  end
  return out, false
end
M.tokens = tokens

local opens = {["function"] = true, ["do"] = true, ["if"] = true, ["repeat"] = true}
local closes = {["end"] = true, ["until"] = true}

-- one top-level `local` statement at tokens[i]: the edits ({first, last, replacement}) that make
-- it an assignment, or nil to leave it alone (an attribute other than const)
local function local_edits(toks, i)
  local kw = toks[i]
  local nxt = toks[i + 1]
  if not nxt then return nil end
  if nxt[1] == "name" and nxt[2] == "function" then return {{kw[3], kw[4], ""}} end
  local edits = {{kw[3], kw[4], ""}}
  local j, last = i + 1, nil
  while toks[j] and toks[j][1] == "name" do
    last = toks[j][4]
    j = j + 1
    if toks[j] and toks[j][2] == "<" then   -- an attribute: <const> goes, <close> stays local
      local attr, gt = toks[j + 1], toks[j + 2]
      if not (attr and gt and gt[2] == ">") then return nil end
      if attr[2] ~= "const" then return nil end
      edits[#edits + 1] = {toks[j][3], gt[4], ""}
      last = gt[4]   -- edits stay in source order: " = nil" goes after the attribute
      j = j + 3
    end
    if toks[j] and toks[j][2] == "," then j = j + 1 else break end
  end
  if not last then return nil end
  if not (toks[j] and toks[j][2] == "=") then edits[#edits + 1] = {last + 1, last, " = nil"} end
  return edits
end

--- persist(src) --> src with its top-level locals made assignments (see the file's comment)
function M.persist(src)
  local toks, broken = tokens(src)
  if broken then return src end
  local depth, edits = 0, {}
  for i, t in ipairs(toks) do
    if t[1] == "name" then
      if opens[t[2]] then depth = depth + 1
      elseif closes[t[2]] then depth = depth - 1
      elseif t[2] == "local" and depth == 0 then
        for _, e in ipairs(local_edits(toks, i) or {}) do edits[#edits + 1] = e end
      end
    end
  end
  for k = #edits, 1, -1 do   -- from the end, so earlier positions stay valid
    local e = edits[k]
    src = src:sub(1, e[1] - 1) .. e[3] .. src:sub(e[2] + 1)
  end
  return src
end

local function compiles(s)
  return load(s, "=check", "t", {}) ~= nil
end

-- a tail that could continue the line before it (a call's argument `(x)`, `{...}`, `"s"`, an
-- index, a binary `-` or `~`) is never split off: Lua reads the two lines as one expression
local function safe_tail_start(line)
  local c = line:match("^%s*(.)")
  if c == nil or c:match("[%(%[{\"'%.:~]") then return false end
  return not (c == "-" and not line:match("^%s*%-%-"))   -- `a` then `-b` is a - b
end

--- split_last(src) --> chunk source, returns_value: the last lines of src returned (as
-- `return <lines>`, through an identity function) when they are an expression and what comes
-- before them compiles on its own; else src as is. Line numbers do not move (the return goes in
-- front of the tail's first line, its closing parenthesis on a line after the last).
function M.split_last(src)
  local lines = {}
  for l in (src .. "\n"):gmatch("(.-)\r?\n") do lines[#lines + 1] = l end
  local n = #lines
  while n > 0 and (lines[n]:match("^%s*$") or (lines[n]:match("^%s*%-%-") and not lines[n]:match("^%s*%-%-%["))) do
    n = n - 1
  end
  -- a tail starting with ( { [ or a quote would continue the line before it (a call) when the
  -- cell compiles as it is; when it does not, the tail is the user's own expression: `{1, 2}`
  local whole_ok = compiles(src)
  for k = n, 1, -1 do
    local starts = safe_tail_start(lines[k]) or (not whole_ok and lines[k]:match("^%s*[%({%[\"']") ~= nil)
    if lines[k]:match("%S") and starts then
      local tail = table.concat(lines, "\n", k, n)
      if compiles("return " .. tail) then
        local head = table.concat(lines, "\n", 1, k - 1)
        -- through an identity function, so the tail is no tail call: an error in it keeps the
        -- cell's own frame ("cell[N]:L: in main chunk") in the traceback
        local chunk = (k > 1 and head .. "\n" or "") .. "return (function(...) return ... end)(" .. tail .. "\n)"
        if compiles(head) and compiles(chunk) then return chunk, true end
      end
    end
  end
  return src, false
end

--- is_complete(src) --> "complete" | "incomplete" | "invalid"
function M.is_complete(src)
  local f, err = load(src, "=cell", "t", {})
  if f then return "complete" end
  if tostring(err):match("<eof>$") then return "incomplete" end
  return "invalid"
end

return M
