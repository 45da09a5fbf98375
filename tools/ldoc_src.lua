-- tools/ldoc_src.lua: rewrites cvision's doc comments into what LDoc reads, for `make docs`.
-- The house style (`--- name(args, {opt = default}) --> result` lines, then `--` prose, see
-- STYLE.md) is not LuaDoc's: LDoc would take the first `---` block for the module's, the banners
-- (`-----`) for doc comments, and guess names from code it cannot parse. So each source file
-- becomes a file of comments only, one explicit item per documented public definition, read
-- through cvision.help.entries (the comments help() prints, the same way):
--   --- <code>signature</code>           the summary (dots escaped: LDoc ends it at ". ")
--   -- prose                             the description (HTML-escaped, `x` as <code>)
--   -- @function Model:fit / @field n    the name the definition gives it
--   -- @param x default 1 / @return ...  from the definition's arguments and the signature
--   -- @usage ...                        the lines under a `-- Example:` line of the comment
-- docs/config.ld reads them as format "plain" (the HTML is made here, nothing is re-marked-up).
--   lua5.4 tools/ldoc_src.lua SRC_DIR OUT_DIR      (SRC_DIR: lua/cvision)
package.path = "lua/?.lua;lua/?/init.lua;" .. package.path
local argparse = require "argparse"
local help = require "cvision.help"

local parser = argparse("ldoc_src", "cvision's sources as LDoc comments (see the file's header)")
parser:argument("src", "the folder of cvision's Lua sources (lua/cvision)")
parser:argument("out", "the folder to write (created; the files are overwritten)")
local args = parser:parse()

local function q(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

local function html(s, keep_dots)
  -- "@" would start a tag; "--" inside a comment line makes LDoc drop the item
  s = s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;"):gsub("@", "&#64;"):gsub("%-", "&#45;")
  if keep_dots then return s end
  -- LDoc's summary is the text up to the first "." or "?" before a space (or up to a blank line)
  s = s:gsub("([.?])(%s)", function(c, sp) return (c == "." and "&#46;" or "&#63;") .. sp end)
  return (s:gsub("([.?])$", function(c) return c == "." and "&#46;" or "&#63;" end))
end

local function prose(s, keep_dots) return (html(s, keep_dots):gsub("`([^`]+)`", "<code>%1</code>")) end

-- comment lines as HTML lines: runs of indented lines (a table, code) kept as they are in a <pre>,
-- blank lines as paragraph breaks, the rest as prose
local function paragraphs(lines, keep_dots)
  local out, pre = {}, false
  for _, l in ipairs(lines) do
    local indented = l:match("^%s%s") ~= nil
    if indented and not pre then out[#out + 1] = "<pre>"; pre = true end
    if not indented and pre then out[#out] = out[#out] .. "</pre>"; pre = false end
    if indented then out[#out + 1] = html(l, true)
    elseif l:match("^%s*$") then out[#out + 1] = "<p>"
    else out[#out + 1] = prose(l, keep_dots) end
  end
  if pre then out[#out] = out[#out] .. "</pre>" end
  return out
end

-- the arguments of a signature's first call ("f(a [, b = 2], {c = 3})" or "f{...}"): a list of
-- {text, name, optional}
local function sig_args(sig)
  local open = sig:match("^[%w_.:]+%s*()[({]")
  if not open then return {} end
  local body = sig:match("^%b()", open) or sig:match("^%b{}", open)
  if not body then return {} end
  if body:sub(1, 1) == "{" then return {{text = body}} end
  body = body:sub(2, -2)
  local list, depth, square, start, opt = {}, 0, 0, 1, false
  local function push(stop)
    local t = body:sub(start, stop):gsub("[%[%]]", ""):match("^[%s,]*(.-)[%s,]*$")
    if t ~= "" then list[#list + 1] = {text = t, name = t:match("^([%a_][%w_]*)"), optional = opt} end
  end
  for i = 1, #body do
    local c = body:sub(i, i)
    if c == "(" or c == "{" then depth = depth + 1
    elseif c == ")" or c == "}" then depth = depth - 1
    elseif c == "[" and depth == 0 then square = square + 1
    elseif c == "]" and depth == 0 then square = square - 1
    elseif c == "," and depth == 0 then
      push(i - 1)
      start, opt = i + 1, square > 0
    end
  end
  push(#body)
  return list
end

-- @param lines: each formal argument of the definition with what the signature says of it
local function params(def, sig)
  local formal = def:match("function%s*[%w_.:]*%s*(%b())")
  local list = sig_args(sig)
  local names = {}
  if formal then
    for p in formal:sub(2, -2):gmatch("[%w_.]+") do names[#names + 1] = p end
  else
    for _, a in ipairs(list) do
      names[#names + 1] = a.name or (a.text:sub(1, 1) == "{" and "opts") or (a.text == "..." and "...") or "arg"
    end
  end
  local used, out = {}, {}
  -- one table of arguments (a layer's init(a)) for a signature of several: all of them
  if #names == 1 and #list > 1 and names[1] ~= list[1].name then
    local all = {}
    for _, a in ipairs(list) do all[#all + 1] = a.text .. ((a.optional and not a.text:find("=")) and " (optional)" or "") end
    return {"-- @param " .. names[1] .. " <code>" .. html(table.concat(all, ", ")) .. "</code>"}
  end
  for i, p in ipairs(names) do
    local desc
    for j, a in ipairs(list) do
      if not used[j] and a.name == p then
        used[j] = true
        local default = a.text:match("^[%w_]+%s*=%s*(.+)$")
        desc = default and ("default <code>" .. html(default) .. "</code>")
          or (a.optional and "optional" or (a.text ~= p and "<code>" .. html(a.text) .. "</code>") or nil)
        break
      end
    end
    if not desc then
      -- a table of options, or an argument the signature names otherwise, at the same place
      local a = list[i]
      if a and not used[i] and (a.text:sub(1, 1) == "{" or a.name ~= nil) then
        used[i] = true
        desc = "<code>" .. html(a.text) .. "</code>" .. (a.optional and " (optional)" or "")
      end
    end
    if p ~= "..." or desc then out[#out + 1] = "-- @param " .. p .. (desc and (" " .. desc) or "") end
  end
  return out
end

local function is_signature(s) return s:match("^[%w_.:]+%s*[({]") ~= nil end

local function item(e)
  local sig_lines, body = help.split_doc(e.doc)
  local sig = table.concat(sig_lines, " "):gsub("%s+", " "):match("^%s*(.-)%s*$")
  local fn_def = e.def:match("^%s*function") or e.def:match("=%s*function")
  local is_fn = fn_def or is_signature(sig)
  local name = e.qname:gsub("^M%.", "")
  if e.def:match("^%s*local%s") then name = sig:match("^([%w_.:]+)") or name end
  local out = {}
  if is_signature(sig) then
    -- the call in code ("fit(x, y, {epochs=1})", "Sequential{...}"), what follows it as text
    local stop = sig:match("^[%w_.:]+%s*%b()()") or sig:match("^[%w_.:]+%s*%b{}()") or #sig + 1
    local rest = sig:sub(stop)
    out[1] = "--- <code>" .. html(sig:sub(1, stop - 1)) .. "</code>" .. (rest ~= "" and prose(rest) or "")
  else
    out[1] = "--- " .. prose(sig)
  end
  -- the prose, with blank lines between paragraphs; `-- Example:` starts the usage
  local text, usage = {}, nil
  for _, l in ipairs(body) do
    if usage then usage[#usage + 1] = l
    elseif l:match("^Examples?:%s*$") then usage = {}
    else text[#text + 1] = l end
  end
  if #text > 0 then
    out[#out + 1] = "--"
    for _, l in ipairs(paragraphs(text)) do out[#out + 1] = "-- " .. l end
  end
  if is_fn then
    out[#out + 1] = "-- @function " .. name
    for _, p in ipairs(params(e.def, sig)) do out[#out + 1] = p end
    local ret = sig:match("%-%->%s*(.+)$")
    if ret then out[#out + 1] = "-- @return " .. prose(ret) end
  else
    out[#out + 1] = "-- @field " .. name
  end
  if usage then
    out[#out + 1] = "-- @usage"
    for _, l in ipairs(usage) do out[#out + 1] = "-- " .. l end
  end
  return table.concat(out, "\n")
end

-- the file's opening comment (what the module is and promises)
local function header(path)
  local lines = {}
  for l in io.lines(path) do
    if not l:match("^%-%-") then break end
    lines[#lines + 1] = l:match("^%-%-%-?%s?(.*)$")
  end
  local out = {}
  for _, l in ipairs(paragraphs(lines, true)) do out[#out + 1] = "-- " .. l end
  return out
end

assert(os.execute("mkdir -p " .. q(args.out)))
local p = assert(io.popen("cd " .. q(args.src) .. " && find . -name '*.lua' | sort"))
local count = 0
for rel in p:lines() do
  rel = rel:gsub("^%./", "")
  local path = args.src .. "/" .. rel
  local mod = ("cvision/" .. rel):gsub("%.lua$", ""):gsub("/init$", ""):gsub("/", ".")
  local items = {}
  local seen = {}
  for _, e in ipairs(help.entries(path)) do
    -- public, documented in the house style, once per name (a later redefinition is not a second)
    if e.doc[1]:match("^%s*%-%-%-") and not e.name:match("^_") and not seen[e.qname] then
      seen[e.qname] = true
      items[#items + 1] = item(e)
    end
  end
  local h = header(path)
  h[1] = h[1] and ("-" .. h[1]) or ("--- " .. mod)
  local f = assert(io.open(args.out .. "/" .. rel:gsub("/", "."), "w"))
  f:write(table.concat(h, "\n"), "\n-- @module ", mod, "\n\n")
  for _, it in ipairs(items) do f:write(it, "\n\n") end
  f:close()
  count = count + #items
end
p:close()
io.stderr:write(("ldoc_src: %d documented definitions\n"):format(count))
