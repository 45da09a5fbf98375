-- cvision.kernel.html: the text/html of a cell's result, beside its text/plain (which stays
-- what the REPL prints), for the values a notebook shows as tables:
--   a tensor       a table of its values as pandas shows a frame: rows and columns numbered from
--                  1 (cvision's indices), a tensor of 3 or more axes as rows over its leading
--                  indices (shown once, as pandas' sparse MultiIndex) and columns over its last
--                  axis; past 20 rows or columns the middle is elided (10 + 10, with ellipses);
--                  dtype and shape under it
--   a model        Keras' summary as a table (Layer (type) / Output Shape / Param #, and
--                  Connected to for a functional graph), the model's name above, the totals below
--   a DataFrame    (cv.data.read_csv, cvision.analysis' reports) pandas' to_html: the index,
--                  the columns, past 60 rows the first and last 5, dimensions when elided
--   the tuner's    HyperParameters, a Trial, or a list of them (get_best_hyperparameters(n),
--   results        oracle:get_best_trials(n)): a row each, a column per hyperparameter (and a
--                  trial's id, score, status)
-- of(v) --> the html, or nil for any other value. Every text goes through escape (names may
-- hold < & " and CJK, which passes as UTF-8).
local M = {}

local MAX_ROWS, MAX_COLS, EDGE = 20, 20, 10   -- a tensor's budget: at most 21 x 21 cells
local DF_MAX_ROWS, DF_EDGE = 60, 5            -- pandas' display.max_rows and its head/tail

local ESC = {["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;", ["'"] = "&#39;"}

--- escape(s) --> s with & < > " ' as entities
function M.escape(s)
  return (tostring(s):gsub("[&<>\"']", ESC))
end
local escape = M.escape

-- the positions shown of 1..n: all, or the first and last `edge` with false between them
local function shown(n, max, edge)
  local list = {}
  if n > max then
    for i = 1, edge do list[#list + 1] = i end
    list[#list + 1] = false
    for i = n - edge + 1, n do list[#list + 1] = i end
  else
    for i = 1, n do list[i] = i end
  end
  return list
end

--- table_html{header = {...}, rows = {{...}, ...}, index_cols = k, class = c, align = {...},
---             header_shown = false}
--- --> a <table>: header cells as <th>, the first index_cols cells of each row as <th> (an
--- index), the others <td>; cells are plain text (escaped here); a row `false` is the elision
--- row (an ellipsis in every cell); align[j] = "left" | "right" styles column j's cells
function M.table_html(t)
  local out = {('<table border="1" class="%s">'):format(t.class or "dataframe")}
  local ncols = #t.header
  local function cell(tag, text, j)
    local a = t.align and t.align[j]
    local style = a and (' style="text-align: %s;"'):format(a) or ""
    return ("<%s%s>%s</%s>"):format(tag, style, escape(text), tag)
  end
  if t.header_shown ~= false then
    out[#out + 1] = '  <thead>\n    <tr style="text-align: right;">'
    for j, h in ipairs(t.header) do out[#out + 1] = "      " .. cell("th", h, j) end
    out[#out + 1] = "    </tr>\n  </thead>"
  end
  out[#out + 1] = "  <tbody>"
  local k = t.index_cols or 0
  for _, r in ipairs(t.rows) do
    out[#out + 1] = "    <tr>"
    for j = 1, ncols do
      local text = r and (r[j] or "") or "..."
      out[#out + 1] = "      " .. cell(j <= k and "th" or "td", text, j)
    end
    out[#out + 1] = "    </tr>"
  end
  out[#out + 1] = "  </tbody>\n</table>"
  return table.concat(out, "\n")
end

local function div(...)
  return "<div>\n" .. table.concat({...}, "\n") .. "\n</div>"
end

---------------------------------------------------------------------------------------------------
-- tensors
---------------------------------------------------------------------------------------------------

local function float_text(x)
  if x ~= x then return "nan" end
  if x == math.huge then return "inf" end
  if x == -math.huge then return "-inf" end
  -- the shortest digits that read back as the same float32 (numpy's, Python's repr style):
  -- positional from 1e-4 to 1e16, scientific outside
  local f32 = string.unpack("f", string.pack("f", x))
  local m, e
  for p = 0, 8 do
    local s = ("%." .. p .. "e"):format(f32)
    if string.unpack("f", string.pack("f", tonumber(s))) == f32 or p == 8 then
      m, e = s:match("^(-?[%d.]+)e([-+]%d+)$")
      break
    end
  end
  e = tonumber(e)
  local a = math.abs(f32)
  if a ~= 0 and (a < 1e-4 or a >= 1e16) then return ("%se%s%02d"):format(m, e < 0 and "-" or "+", math.abs(e)) end
  local sign = m:sub(1, 1) == "-" and "-" or ""
  local digits = m:gsub("[-.]", ""):gsub("(%d)0+$", "%1")
  if f32 == 0 then return sign .. "0.0" end
  if e >= 0 then
    local int = digits:sub(1, e + 1)
    int = int .. ("0"):rep(e + 1 - #int)
    local frac = digits:sub(e + 2)
    return sign .. int .. "." .. (frac == "" and "0" or frac)
  end
  return sign .. "0." .. ("0"):rep(-e - 1) .. digits
end

local function value_text(v, dtype)
  if dtype == "float32" and math.type(v) ~= "integer" then return float_text(v) end
  return tostring(math.tointeger(v) or v)
end

local function shape_text(shape)
  local parts = {}
  for i, d in ipairs(shape) do parts[i] = tostring(d) end
  return "(" .. table.concat(parts, ", ") .. (#parts == 1 and ",)" or ")")
end

-- a tensor of n >= 1 axes: rows over the leading indices (their product), columns over the last
local function tensor_table(t)
  local shape, dtype = t.shape, t.dtype
  local nd = #shape
  local ncols = shape[nd]
  local lead = {}
  local nrows = 1
  for i = 1, nd - 1 do lead[i] = shape[i]; nrows = nrows * shape[i] end
  local rows_shown = shown(nrows, MAX_ROWS, EDGE)
  local cols_shown = shown(ncols, MAX_COLS, EDGE)
  local k = math.max(nd - 1, 1)   -- index columns (a 1-D tensor: one, left empty)
  local header = {}
  for i = 1, k do header[i] = "" end
  for _, j in ipairs(cols_shown) do header[#header + 1] = j and tostring(j) or "..." end
  local rows, prev = {}, {}
  local idx = {}
  for _, r in ipairs(rows_shown) do
    if not r then
      rows[#rows + 1] = false
      prev = {}
    else
      -- the leading indices of flat row r (1-based, the last leading axis fastest)
      local rem = r - 1
      for i = nd - 1, 1, -1 do
        idx[i] = rem % lead[i] + 1
        rem = rem // lead[i]
      end
      local row = {}
      if nd == 1 then row[1] = "" end
      local same = true   -- pandas' sparse index: a label repeated from the row above is blank
      for i = 1, nd - 1 do
        same = same and prev[i] == idx[i]
        row[i] = same and "" or tostring(idx[i])
        prev[i] = idx[i]
      end
      for _, j in ipairs(cols_shown) do
        if j then
          idx[nd] = j
          row[#row + 1] = value_text(t:at(table.unpack(idx, 1, nd)), dtype)
        else
          row[#row + 1] = "..."
        end
      end
      rows[#rows + 1] = row
    end
  end
  return M.table_html{header = header, rows = rows, index_cols = k, class = "dataframe cvision-tensor"}
end

--- tensor(t) --> html of a tensor's values, its dtype and shape
function M.tensor(t)
  local shape = t.shape
  local body
  if #shape == 0 then
    body = M.table_html{header = {""}, rows = {{value_text(t:item(), t.dtype)}}, class = "dataframe cvision-tensor"}
  elseif t:numel() == 0 then
    body = "<p>(no elements)</p>"
  else
    body = tensor_table(t)
  end
  return div(body, ("<p>tensor, dtype=%s, shape=%s</p>"):format(escape(t.dtype), escape(shape_text(shape))))
end

---------------------------------------------------------------------------------------------------
-- model summaries
---------------------------------------------------------------------------------------------------

-- the header and rows model:summary_lines() draws its box table from: the table helper is taken
-- for the time of the call (both names a summary reaches it by), so the cells are exactly the
-- summary's, whatever model class drew them --> header, rows, the summary's lines, the number of
-- lines the table took; nil when no table was drawn
local function summary_cells(m)
  local summary = require "cvision.models.summary"
  local models = require "cvision.models"
  local saved_s, saved_m = summary.table_lines, models.table_lines
  local header, rows, ntable
  local function capture(widths, aligns, h, r)
    local lines = saved_s(widths, aligns, h, r)
    if not header then header, rows, ntable = h, r, #lines end
    return lines
  end
  summary.table_lines, models.table_lines = capture, capture
  local ok, lines = pcall(m.summary_lines, m)
  summary.table_lines, models.table_lines = saved_s, saved_m
  if not ok or type(lines) ~= "table" or not header then return nil end
  return header, rows, lines, ntable
end

--- model(m) --> html of m's summary (its name, the layer table, the totals), or nil
function M.model(m)
  if type(m.summary_lines) ~= "function" then return nil end
  local header, rows, lines, ntable = summary_cells(m)
  if not header then return nil end
  local align = {}
  for j, h in ipairs(header) do align[j] = h == "Param #" and "right" or "left" end
  local parts = {("<p>%s</p>"):format(escape(lines[1])),
                 M.table_html{header = header, rows = rows, align = align, class = "dataframe cvision-summary"}}
  local totals = {}
  for i = ntable + 2, #lines do
    local name, value = lines[i]:match("^%s*([^:]+):%s*(.-)%s*$")
    if name then totals[#totals + 1] = {name, value} end
  end
  if #totals > 0 then
    parts[#parts + 1] = M.table_html{header = {"", ""}, header_shown = false, rows = totals, index_cols = 1,
                                     align = {"left", "right"}, class = "dataframe cvision-summary-totals"}
  end
  return div(table.unpack(parts))
end

---------------------------------------------------------------------------------------------------
-- DataFrames
---------------------------------------------------------------------------------------------------

-- a cell as DataFrame's __tostring writes it (cvision.analysis' fmt_cell: NaN, integers,
-- float_format)
local function df_cell(df, v)
  if type(v) == "number" then
    if v ~= v then return df.nan_text or "NaN" end
    if math.type(v) == "integer" then return tostring(v) end
    return (df.float_format or "%.6f"):format(v)
  end
  return tostring(v)
end

--- dataframe(df) --> html of the frame as pandas' to_html
function M.dataframe(df)
  local cols = shown(#df.names, MAX_COLS, EDGE)
  local rows_shown = shown(df.n, DF_MAX_ROWS, DF_EDGE)
  local header = {}
  local k = df.show_index ~= false and 1 or 0
  if k == 1 then header[1] = "" end
  for _, j in ipairs(cols) do header[#header + 1] = j and df.names[j] or "..." end
  local rows = {}
  for _, i in ipairs(rows_shown) do
    if not i then
      rows[#rows + 1] = false
    else
      local row = {}
      if k == 1 then row[1] = tostring(df.index[i]) end
      for _, j in ipairs(cols) do
        row[#row + 1] = j and df_cell(df, df.columns[df.names[j]][i]) or "..."
      end
      rows[#rows + 1] = row
    end
  end
  local parts = {M.table_html{header = header, rows = rows, index_cols = k}}
  if df.n > DF_MAX_ROWS or #df.names > MAX_COLS then
    parts[#parts + 1] = ("<p>%d rows × %d columns</p>"):format(df.n, #df.names)
  end
  return div(table.unpack(parts))
end

---------------------------------------------------------------------------------------------------
-- the tuner's results: HyperParameters, Trials, and lists of either (get_best_hyperparameters,
-- oracle:get_best_trials), values as KerasTuner prints them (cvision.tuner.trial's repr)
---------------------------------------------------------------------------------------------------

-- a list of HyperParameters --> their hyperparameter names in order of first appearance
local function hp_names(list)
  local names, seen = {}, {}
  for _, hp in ipairs(list) do
    for _, nv in ipairs(hp:ordered_values()) do
      if not seen[nv[1]] then seen[nv[1]] = true; names[#names + 1] = nv[1] end
    end
  end
  return names
end

--- hyperparameters(list [, trials]) --> html: one row per HyperParameters (per trial: its id,
--- score and status too), one column per hyperparameter
function M.hyperparameters(list, trials)
  local repr = require("cvision.tuner.trial").repr
  local names = hp_names(list)
  local header = {""}
  if trials then header[1] = "Trial" end
  for _, n in ipairs(names) do header[#header + 1] = n end
  if trials then header[#header + 1] = "Score"; header[#header + 1] = "Status" end
  local rows = {}
  for i, hp in ipairs(list) do
    local row = {trials and tostring(trials[i].trial_id) or tostring(i)}
    for _, n in ipairs(names) do
      local v = hp.values[n]
      row[#row + 1] = v == nil and "" or repr(v)
    end
    if trials then
      row[#row + 1] = trials[i].score ~= nil and repr(trials[i].score) or ""
      row[#row + 1] = tostring(trials[i].status or "")
    end
    rows[i] = row
  end
  return div(M.table_html{header = header, rows = rows, index_cols = 1, class = "dataframe cvision-tuner"})
end

-- v's kind among the tuner's result classes: "hp", "trial" or nil (only when the tuner is loaded)
local function tuner_kind(v)
  local mt = getmetatable(v)
  if mt == nil then return nil end
  local hpmod, trial = package.loaded["cvision.tuner.hyperparameters"], package.loaded["cvision.tuner.trial"]
  if hpmod and mt == hpmod.HyperParameters then return "hp" end
  if trial and mt == trial.Trial then return "trial" end
  return nil
end

local function tuner_results(v)
  local kind = tuner_kind(v)
  if kind == "hp" then return M.hyperparameters({v}) end
  if kind == "trial" then return M.hyperparameters({v.hyperparameters}, {v}) end
  if getmetatable(v) ~= nil or #v == 0 then return nil end
  local first = tuner_kind(v[1])
  if not first then return nil end
  local hps = {}
  for i = 1, #v do
    if tuner_kind(v[i]) ~= first then return nil end
    hps[i] = first == "trial" and v[i].hyperparameters or v[i]
  end
  return M.hyperparameters(hps, first == "trial" and v or nil)
end

---------------------------------------------------------------------------------------------------

--- of(v) --> the text/html of a cell's result v, or nil when v has none
function M.of(v)
  if type(v) ~= "table" and type(v) ~= "userdata" then return nil end
  local tensor = package.loaded["cvision.tensor"]
  if tensor and tensor.is_tensor(v) then return M.tensor(v) end
  if type(v) ~= "table" then return nil end
  local analysis = package.loaded["cvision.analysis"]
  if analysis and getmetatable(v) == analysis.DataFrameClass then return M.dataframe(v) end
  local model = package.loaded["cvision.models.model"]
  if model and model.is_model(v) then return M.model(v) end
  return tuner_results(v)
end

return M
