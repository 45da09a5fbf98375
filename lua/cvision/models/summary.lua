-- cvision.models.summary: model:summary() as Keras 3 prints it: the box-drawn table of layers,
-- output shapes and parameter counts, then the totals (with the optimizer's when it has state).
-- The table helper is shared by the functional model's summary (its "Connected to" column).
local model = require "cvision.models.model"
local base = require("cvision.layers").base

local shape_str = base.shape_str
local commas = model.commas
local Model = model.Model

local M = {}

--- readable_size(bytes) --> "345.21 KB" (Keras' readable_memory_size: 1024 steps, 2 decimals)
function M.readable_size(bytes)
  local units = {"B", "KB", "MB", "GB", "TB", "PB"}
  for i, u in ipairs(units) do
    if bytes / 1024 < 1 or i == #units then return ("%.2f %s"):format(bytes, u) end
    bytes = bytes / 1024
  end
end


local text_width = require "cvision.util.text"
local ulen = text_width.width   -- terminal cells: CJK characters take two

-- cut text into lines of at most w terminal cells, at spaces where possible, else inside a word as
-- Keras 3's rich tables fold it (never inside a character)
local function wrap(text, w)
  local lines = {}
  while ulen(text) > w do
    local head = text_width.prefix(text, w + 1)
    local cut = head:match("^.*() ")
    if cut and cut > 1 then
      lines[#lines + 1] = text:sub(1, cut - 1)
      text = text:sub(cut + 1)
    else
      local first, rest = text_width.prefix(text, w)
      if first == "" then first, rest = text:sub(1, utf8.offset(text, 2) - 1), text:sub(utf8.offset(text, 2)) end
      lines[#lines + 1] = first
      text = rest
    end
  end
  lines[#lines + 1] = text
  return lines
end

--- table_lines(widths, aligns, header, rows) --> the lines of Keras 3's box-drawn summary table:
--- widths are the columns' text widths (a space pads each side), aligns "left" | "right", rows
--- lists of cell strings (long cells wrap at spaces)
function M.table_lines(widths, aligns, header, rows)
  local function rule(l, fill, mid, r)
    local parts = {}
    for i, w in ipairs(widths) do parts[i] = fill:rep(w + 2) end
    return l .. table.concat(parts, mid) .. r
  end
  local out = {}
  local function row(fields, sep)
    local wrapped, h = {}, 1
    for i, f in ipairs(fields) do
      wrapped[i] = wrap(f, widths[i])
      if #wrapped[i] > h then h = #wrapped[i] end
    end
    for k = 1, h do
      local cells = {}
      for i = 1, #fields do
        local text = wrapped[i][k] or ""
        local pad = (" "):rep(math.max(0, widths[i] - ulen(text)))
        cells[i] = " " .. (aligns[i] == "right" and pad .. text or text .. pad) .. " "
      end
      out[#out + 1] = sep .. table.concat(cells, sep) .. sep
    end
  end
  out[#out + 1] = rule("┏", "━", "┳", "┓")
  row(header, "┃")
  out[#out + 1] = rule("┡", "━", "╇", "┩")
  for i, r in ipairs(rows) do
    row(r, "│")
    if i < #rows then out[#out + 1] = rule("├", "─", "┼", "┤") end
  end
  out[#out + 1] = rule("└", "─", "┴", "┘")
  return out
end

-- Keras 3's Sequential table: columns of 33, 24 and 15 characters including a space each side
M.SUMMARY_WIDTHS = {31, 22, 13}
M.SUMMARY_ALIGNS = {"left", "left", "right"}
M.SUMMARY_HEADER = {"Layer (type)", "Output Shape", "Param #"}

--- summary_lines() --> the lines of summary()
function Model:summary_lines()
  local rows = {}
  for _, l in ipairs(self.layers) do
    local name = ("%s (%s)"):format(l.name, l.class_name)
    if l.built then
      rows[#rows + 1] = {name, shape_str(l.output_shape, true), commas(l:count_params())}
    else
      rows[#rows + 1] = {name, "?", "0 (unbuilt)"}
    end
  end
  local lines = {("Model: %q"):format(self.name)}
  for _, s in ipairs(M.table_lines(M.SUMMARY_WIDTHS, M.SUMMARY_ALIGNS, M.SUMMARY_HEADER, rows)) do
    lines[#lines + 1] = s
  end
  for _, s in ipairs(self:summary_totals()) do lines[#lines + 1] = s end
  return lines
end

--- summary_totals() --> the lines under the table: total, trainable, non-trainable (and optimizer)
--- parameter counts with their sizes, as Keras 3 prints them
function Model:summary_totals()
  local lines = {}
  local trainable, non = self:_counts()
  local opt_count, opt_bytes = 0, 0
  local opt = self.optimizer
  if opt and opt.iterations and opt.iterations > 0 then
    -- Keras counts the iteration counter (int64) and the learning rate (float32) with the slots
    local _, list = opt:get_state()
    opt_count, opt_bytes = 2, 12
    for _, e in ipairs(list) do
      local n = e[3]:numel()
      opt_count, opt_bytes = opt_count + n, opt_bytes + 4 * n
    end
  end
  local total = trainable + non + opt_count
  lines[#lines + 1] = (" Total params: %s (%s)"):format(commas(total),
    M.readable_size(4 * (trainable + non) + opt_bytes))
  lines[#lines + 1] = (" Trainable params: %s (%s)"):format(commas(trainable), M.readable_size(4 * trainable))
  lines[#lines + 1] = (" Non-trainable params: %s (%s)"):format(commas(non), M.readable_size(4 * non))
  if opt_count > 0 then
    lines[#lines + 1] = (" Optimizer params: %s (%s)"):format(commas(opt_count), M.readable_size(opt_bytes))
  end
  return lines
end

--- summary([{print_fn = f}]): prints Keras' summary table (print_fn receives each line)
function Model:summary(opts)
  local pf = opts and opts.print_fn or print
  for _, s in ipairs(self:summary_lines()) do pf(s) end
end

---------------------------------------------------------------------------------------------------

return M
