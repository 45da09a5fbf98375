-- cvision.data.csv: tables of rows as pandas reads and writes them (cv.data.read_csv,
-- cv.data.write_csv). A CSV file has a header row and RFC 4180 fields (quotes around fields with
-- commas, quotes or line breaks; a quote inside doubled; CRLF or LF line ends). A column whose
-- every cell reads as a number is numeric (a list of numbers), any other is text (a list of
-- strings). read_csv returns a cvision.analysis DataFrame (prints like pandas, sorts, :column),
-- with :to_tensor(names) for its numeric columns. The size of the file is checked against a
-- budget before it is read; every error names the file and, for its content, the line.
local analysis = require "cvision.analysis"
local saving = require "cvision.saving"
local errors = require "cvision.util.errors"

local M = {}

M.max_bytes = 1 << 30   -- 1 GiB: read_csv's default budget

-- splits text into rows of fields; fail(line, msg) raises
local function parse(text, sep, fail)
  local rows, row, field = {}, {}, {}
  local i, n, line, row_line = 1, #text, 1, 1
  local quoted_field = false
  local stops = "[\r\n\"" .. sep:gsub("%W", "%%%0") .. "]"   -- sep may be a pattern character
  local function end_field()
    row[#row + 1] = {text = table.concat(field), quoted = quoted_field}
    field, quoted_field = {}, false
  end
  local function end_row()
    end_field()
    if not (#row == 1 and row[1].text == "" and not row[1].quoted) then
      row.line = row_line
      rows[#rows + 1] = row
    end
    row = {}
    row_line = line
  end
  while i <= n do
    local c = text:sub(i, i)
    if c == '"' and #field == 0 and not quoted_field then
      -- a quoted field: up to the closing quote, "" is one quote
      local start_line = line
      local j = i + 1
      while true do
        local q = text:find('"', j, true)
        if not q then fail(start_line, "unterminated quoted field") end
        local chunk = text:sub(j, q - 1)
        for _ in chunk:gmatch("\n") do line = line + 1 end
        field[#field + 1] = chunk
        if text:sub(q + 1, q + 1) == '"' then
          field[#field + 1] = '"'
          j = q + 2
        else
          i = q + 1
          break
        end
      end
      quoted_field = true
      local nx = text:sub(i, i)
      if nx ~= sep and nx ~= "\n" and nx ~= "\r" and nx ~= "" then
        fail(line, "text after a closing quote")
      end
    elseif c == sep then
      end_field()
      i = i + 1
    elseif c == "\r" or c == "\n" then
      if c == "\r" and text:sub(i + 1, i + 1) == "\n" then i = i + 1 end
      line = line + 1
      end_row()
      i = i + 1
    else
      local j = text:find(stops, i)
      local stop = j and j - 1 or n
      local chunk = text:sub(i, stop)
      if quoted_field then fail(line, "text after a closing quote") end
      field[#field + 1] = chunk
      i = stop + 1
      if j and text:sub(j, j) == '"' then fail(line, "a quote inside an unquoted field") end
    end
  end
  if #field > 0 or #row > 0 or quoted_field then end_row() end
  return rows
end

--- M.parse_number(s) --> the number s reads as (leading and trailing spaces allowed), or nil
function M.parse_number(s)
  local t = s:match("^%s*(.-)%s*$")
  if t == "" then return nil end
  local v = tonumber(t)
  if v == nil then
    local lower = t:lower()
    if lower == "nan" then return 0 / 0 end
    if lower == "inf" or lower == "+inf" or lower == "infinity" then return math.huge end
    if lower == "-inf" or lower == "-infinity" then return -math.huge end
    return nil
  end
  if t:find("^0[xX]") then return nil end    -- hexadecimal is not CSV
  return v
end

--- read_csv(path [, {sep = ",", max_bytes = 1 GiB, dtype = {name = "str"|"number"}}]) --> DataFrame
--- (numeric columns as numbers, others as strings; an empty cell in a numeric column is an error,
--- as there are no missing values; errors name the file and line)
function M.read_csv(path, opts)
  opts = errors.check_options("read_csv", opts, {sep = true, max_bytes = true, dtype = true})
  if type(path) ~= "string" then error(errors.bad_argument("read_csv", "path must be a string", 1), 2) end
  local sep = opts.sep or ","
  if type(sep) ~= "string" or #sep ~= 1 or sep == '"' or sep == "\n" or sep == "\r" then
    error(errors.bad_argument("read_csv", "sep must be one character (not a quote or a line break)"), 2)
  end
  local budget = opts.max_bytes or M.max_bytes
  -- a regular file only (a FIFO is refused, not waited on), its size checked before it is read
  local text, err = require("cvision.core").read_file(path, budget)
  if not text then
    if err:find("file too large", 1, true) then
      error(("read_csv: %s: %s bytes is over the budget of %d (max_bytes)"):format(path,
        err:match("%((%d+) bytes") or "?", budget), 2)
    end
    error("read_csv: " .. err, 2)
  end
  if text:sub(1, 3) == "\239\187\191" then text = text:sub(4) end   -- a UTF-8 byte order mark
  local function fail(line, msg) error(("read_csv: %s:%d: %s"):format(path, line, msg), 0) end
  local ok, rows = pcall(parse, text, sep, fail)
  if not ok then error(rows, 2) end
  if #rows == 0 then error(("read_csv: %s: the file is empty (a header row expected)"):format(path), 2) end
  local header = rows[1]
  local names, seen = {}, {}
  for j, cell in ipairs(header) do
    local name = cell.text
    if name == "" then name = "Unnamed: " .. (j - 1) end
    if seen[name] then error(("read_csv: %s:%d: column name '%s' appears twice"):format(path, header.line, name), 2) end
    seen[name] = true
    names[j] = name
  end
  local k = #names
  local cols = {}
  for j = 1, k do cols[j] = {} end
  for r = 2, #rows do
    local row = rows[r]
    if #row ~= k then
      error(("read_csv: %s:%d: expected %d fields, got %d"):format(path, row.line, k, #row), 2)
    end
    for j = 1, k do cols[j][r - 1] = row[j] end
  end
  local dtype = opts.dtype or {}
  local columns = {}
  for j, name in ipairs(names) do
    local want = dtype[name]
    if want ~= nil and want ~= "str" and want ~= "number" then
      error(errors.bad_argument("read_csv", ("dtype of '%s' must be \"str\" or \"number\""):format(name)), 2)
    end
    local cells = cols[j]
    local nums = {}
    local numeric = want ~= "str" and #cells > 0
    local empty_row, any_number = nil, false   -- the first empty cell; whether a cell is a number
    if numeric then
      for r, cell in ipairs(cells) do
        local v = M.parse_number(cell.text)
        if v == nil and not cell.quoted and cell.text:match("^%s*$") then
          empty_row = empty_row or r
        elseif v == nil then
          if want == "number" then
            error(("read_csv: %s:%d: column '%s': '%s' is not a number"):format(path, rows[r + 1].line, name, cell.text), 2)
          end
          numeric = false
          break
        else
          nums[r], any_number = v, true
        end
      end
      -- a numeric column with a gap has no number to put there (no missing values here)
      if numeric and empty_row and (any_number or want == "number") then
        error(("read_csv: %s:%d: column '%s': empty cell in a numeric column (dtype = {%s = \"str\"} "
          .. "reads it as text)"):format(path, rows[empty_row + 1].line, name, name), 2)
      end
      if empty_row then numeric = false end   -- a column of empty cells only is text
    end
    if numeric then
      -- one type per column, as pandas: a float anywhere makes every value a float
      local any_float = false
      for _, v in ipairs(nums) do if math.type(v) == "float" then any_float = true break end end
      if any_float then for r, v in ipairs(nums) do nums[r] = v + 0.0 end end
      columns[name] = nums
    else
      local strs = {}
      for r, cell in ipairs(cells) do strs[r] = cell.text end
      columns[name] = strs
    end
  end
  local df = analysis.DataFrame(columns, names)
  df.path = path
  return df
end

local function field_text(v)
  if type(v) == "number" then
    if math.type(v) == "integer" then return tostring(v) end
    if v ~= v then return "nan" end
    if v == math.huge then return "inf" end
    if v == -math.huge then return "-inf" end
    local t
    for _, f in ipairs{"%.15g", "%.16g", "%.17g"} do   -- the shortest text that reads back exactly
      t = f:format(v)
      if tonumber(t) == v then break end
    end
    return (t:gsub("^(-?%d+)$", "%1.0"))
  end
  local s = tostring(v)
  if s:find('[,"\r\n]') or s:match("^%s") or s:match("%s$") then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

--- write_csv(path, names, columns): writes a header and the rows (columns maps each name to a
--- list; all of one length), atomically; a DataFrame may stand for names and columns:
--- write_csv(path, df)
function M.write_csv(path, names, columns)
  if type(path) ~= "string" then error(errors.bad_argument("write_csv", "path must be a string", 1), 2) end
  if getmetatable(names) == analysis.DataFrameClass then names, columns = names.names, names.columns end
  if type(names) ~= "table" or #names == 0 or type(columns) ~= "table" then
    error(errors.bad_argument("write_csv", "a list of column names and a table of columns expected"), 2)
  end
  local n
  for _, name in ipairs(names) do
    local col = columns[name]
    if type(col) ~= "table" then error(("write_csv: column '%s' is missing"):format(tostring(name)), 2) end
    if n and #col ~= n then error(("write_csv: column '%s' has %d rows, expected %d"):format(name, #col, n), 2) end
    n = #col
  end
  local out = {}
  local head = {}
  for j, name in ipairs(names) do head[j] = field_text(name) end
  out[1] = table.concat(head, ",") .. "\n"
  for i = 1, n do
    local r = {}
    for j, name in ipairs(names) do r[j] = field_text(columns[name][i]) end
    out[#out + 1] = table.concat(r, ",") .. "\n"
  end
  local ok, err = pcall(saving.write_atomic, path, out)
  if not ok then error("write_csv: " .. errors.clean(err), 2) end
end

return M
