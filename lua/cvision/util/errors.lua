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

--- check_options(fname, opts, allowed [, level = 3]) --> opts (an empty table for nil): raises
--- options_expected for a non-table and unknown_option for a key allowed lacks, at level (3: the
--- caller of the function that checks its options)
function M.check_options(fname, opts, allowed, level)
  if opts == nil then return {} end
  level = level or 3
  if type(opts) ~= "table" then error(M.options_expected(fname, opts), level) end
  for k in pairs(opts) do
    if not allowed[k] then error(M.unknown_option(fname, k), level) end
  end
  return opts
end

return M
