-- cvision.plot.terminal: the terminal image protocols that show a PNG inline: kitty's graphics
-- protocol (base64 in 4096-byte chunks), iTerm2's inline file, and the guess of which one the
-- terminal speaks (sixel images come from the C raster: canvas:sixel()). Promises: nothing is
-- guessed when CVISION_INLINE=0.
local M = {}

local b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

--- base64(s) --> s in base64
function M.base64(s)
  local out = {}
  for i = 1, #s, 3 do
    local a, b, c = s:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local c1 = (n >> 18) & 63
    local c2 = (n >> 12) & 63
    local c3 = (n >> 6) & 63
    local c4 = n & 63
    out[#out + 1] = b64chars:sub(c1 + 1, c1 + 1) .. b64chars:sub(c2 + 1, c2 + 1) ..
        (b and b64chars:sub(c3 + 1, c3 + 1) or "=") .. (c and b64chars:sub(c4 + 1, c4 + 1) or "=")
  end
  return table.concat(out)
end

--- inline_protocol() --> "kitty" | "iterm2" | "sixel" | nil, from TERM / TERM_PROGRAM
function M.inline_protocol()
  local term, prog = os.getenv("TERM") or "", os.getenv("TERM_PROGRAM") or ""
  if os.getenv("CVISION_INLINE") == "0" then return nil end
  if term == "xterm-kitty" or os.getenv("KITTY_WINDOW_ID") or prog == "WezTerm" or prog == "ghostty" then
    return "kitty"
  end
  if prog == "iTerm.app" or os.getenv("LC_TERMINAL") == "iTerm2" then return "iterm2" end
  if term:find("sixel") or term == "mlterm" or term == "yaft-256color" then return "sixel" end
  return nil
end

--- inline_escape(png_bytes, protocol) --> the escape sequence that shows the PNG inline
function M.inline_escape(png, proto)
  local data = M.base64(png)
  if proto == "kitty" then
    local parts = {}
    local n = #data
    local i = 1
    local first = true
    while i <= n do
      local chunk = data:sub(i, i + 4095)
      i = i + 4096
      local more = i <= n and 1 or 0
      if first then
        parts[#parts + 1] = "\27_Gf=100,a=T,m=" .. more .. ";" .. chunk .. "\27\\"
        first = false
      else
        parts[#parts + 1] = "\27_Gm=" .. more .. ";" .. chunk .. "\27\\"
      end
    end
    return table.concat(parts) .. "\n"
  elseif proto == "iterm2" then
    return "\27]1337;File=inline=1;size=" .. #png .. ";preserveAspectRatio=1:" .. data .. "\7\n"
  end
  return nil
end

return M
