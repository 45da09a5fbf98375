-- cvision.util.errors: the one error-message helper. Lua prefixes a message raised with a level
-- by "file:line: "; a function that catches an error to re-raise it with its own context (the
-- layer, the argument, the file) drops that prefix first with clean(). The formatters give the
-- wording every module uses, so that messages read like Lua's own:
--   bad argument #2 to 'Conv2D' (kernel_size must be positive)
--   unknown loss 'hinge' (known: mae, mse, ...)
local M = {}

--- clean(err) --> string: err (any value) without Lua's leading "file:line: " position
function M.clean(err)
  return (tostring(err):gsub("^[^\n]-:%d+: ", ""))
end

--- bad_argument(fname, msg [, argn]) --> "bad argument [#argn ]to 'fname' (msg)"
function M.bad_argument(fname, msg, argn)
  if argn then return ("bad argument #%d to '%s' (%s)"):format(argn, fname, msg) end
  return ("bad argument to '%s' (%s)"):format(fname, msg)
end

--- unknown(what, name, known) --> "unknown <what> 'name' (known: a, b, c)"; known is a list (sorted here)
function M.unknown(what, name, known)
  local names = {}
  for i, k in ipairs(known) do names[i] = k end
  table.sort(names)
  return ("unknown %s '%s' (known: %s)"):format(what, tostring(name), table.concat(names, ", "))
end

--- unknown_option(fname, key [, word]) --> "bad argument to 'fname' (unknown option 'key')"
--- (word replaces "option", e.g. "keyword argument" as Keras' layers and initializers say)
function M.unknown_option(fname, key, word)
  return M.bad_argument(fname, ("unknown %s '%s'"):format(word or "option", tostring(key)))
end

--- options_expected(fname, got [, what]) --> "bad argument #1 to 'fname' (table of options expected, got <type>)"
function M.options_expected(fname, got, what)
  return M.bad_argument(fname, ("%s expected, got %s"):format(what or "table of options", type(got)), 1)
end

-- Edit distance between a and b, a swap of neighbours counting one (so "linewidht" is 1 from
-- "linewidth").
local function distance(a, b)
  local la, lb = #a, #b
  local d = {}
  for i = 0, la do d[i] = { [0] = i } end
  for j = 0, lb do d[0][j] = j end
  for i = 1, la do
    for j = 1, lb do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      local v = math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if i > 1 and j > 1 and a:byte(i) == b:byte(j - 1) and a:byte(i - 1) == b:byte(j) then
        v = math.min(v, d[i - 2][j - 2] + 1)
      end
      d[i][j] = v
    end
  end
  return d[la][lb]
end

-- The names of a list or a set (name = true), sorted.
local function names_of(known)
  local list = {}
  if known[1] ~= nil then
    for _, k in ipairs(known) do list[#list + 1] = tostring(k) end
  else
    for k in pairs(known) do list[#list + 1] = tostring(k) end
  end
  table.sort(list)
  return list
end

--- suggest(name, known) --> the known name closest to name, or nil when none is close (at most a
--- third of its letters wrong, and never all of them); known is a list or a set (name = true)
function M.suggest(name, known)
  name = tostring(name)
  local best, bd = nil, math.huge
  local lname = name:lower()
  for _, k in ipairs(names_of(known)) do
    local d = lname == k:lower() and 0.5 or distance(lname, k:lower())
    if d < bd then best, bd = k, d end
  end
  if best and bd < #name and bd <= math.max(1, #name // 3) then return best end
  return nil
end

--- unknown_keyword(fname, key, known [, word]) --> "fname: unknown option 'key' (did you mean 'k'?)",
--- or "... (known: a, b, c)" when no known name is close (the wording of cvision.plot)
function M.unknown_keyword(fname, key, known, word)
  local s = M.suggest(key, known)
  local msg = ("%s: unknown %s '%s'"):format(fname, word or "option", tostring(key))
  if s then return ("%s (did you mean '%s'?)"):format(msg, s) end
  return ("%s (known: %s)"):format(msg, table.concat(names_of(known), ", "))
end

--- check_choice(fname, what, value, known [, level = 3]) --> value when known (a list) holds it,
--- else raises unknown_keyword's "fname: unknown <what> 'value' (did you mean 'k'?)" at level
function M.check_choice(fname, what, value, known, level)
  for _, k in ipairs(known) do if k == value then return value end end
  error(M.unknown_keyword(fname, value, known, what), level or 3)
end

--- check_options(fname, opts, allowed [, level = 3 [, style]]) --> opts (an empty table for nil): raises
--- options_expected for a non-table and unknown_option for a key allowed lacks, at level (3: the
--- caller of the function that checks its options). With style "keyword" the messages are
--- unknown_keyword's ("plot: unknown option 'lw2' (did you mean 'lw'?)") and
--- "fname: table of options expected, got number". An entry of allowed whose value is a string
--- makes the key an alias of that option (lw = "linewidth"): giving both is an error.
function M.check_options(fname, opts, allowed, level, style)
  if opts == nil then return {} end
  level = level or 3
  if type(opts) ~= "table" then
    if style == "keyword" then
      error(("%s: table of options expected, got %s"):format(fname, type(opts)), level)
    end
    error(M.options_expected(fname, opts), level)
  end
  for k in pairs(opts) do
    local canon = allowed[k]
    if not canon then
      if style == "keyword" then error(M.unknown_keyword(fname, k, allowed), level) end
      error(M.unknown_option(fname, k), level)
    end
    if type(canon) == "string" and opts[canon] ~= nil then
      error(("%s: got both '%s' and '%s', which are aliases of one another"):format(fname, canon, k), level)
    end
  end
  return opts
end

return M
