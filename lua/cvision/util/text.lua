-- cvision.util.text: the width of text in terminal cells, for the tables cvision prints
-- (model summaries, class counts, reports), where CJK and other wide characters take two cells.
local M = {}

--- width(s) --> terminal cells s takes: 2 for each wide character (CJK, Hangul, fullwidth forms),
--- 1 for any other; bytes when s is not UTF-8
function M.width(s)
  if not utf8.len(s) then return #s end
  local w = 0
  for _, c in utf8.codes(s) do
    local wide = (c >= 0x1100 and c <= 0x115f) or (c >= 0x2e80 and c <= 0xa4cf)
      or (c >= 0xac00 and c <= 0xd7a3) or (c >= 0xf900 and c <= 0xfaff) or (c >= 0xfe30 and c <= 0xfe4f)
      or (c >= 0xff00 and c <= 0xff60) or (c >= 0xffe0 and c <= 0xffe6) or (c >= 0x20000 and c <= 0x3fffd)
    w = w + (wide and 2 or 1)
  end
  return w
end

--- prefix(s, cells) --> the longest start of s (whole characters) that fits in cells, and the rest
function M.prefix(s, cells)
  if not utf8.len(s) then return s:sub(1, cells), s:sub(cells + 1) end
  local w, stop = 0, 0
  for p, c in utf8.codes(s) do
    local cw = M.width(utf8.char(c))
    if w + cw > cells then break end
    w, stop = w + cw, p + #utf8.char(c) - 1
  end
  return s:sub(1, stop), s:sub(stop + 1)
end

return M
