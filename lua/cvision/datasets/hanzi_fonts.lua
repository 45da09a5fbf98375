-- cvision.datasets.hanzi_fonts: the "other hands" evaluation set: the lecture's characters drawn
-- from the glyph OUTLINES of several Debian CJK fonts (Song/Ming, Kai and Hei faces), each sample
-- degraded as a scanned printed page would be (elastic warp, bolder or lighter strokes, rotation,
-- scale and aspect, a tight crop with a random margin, blur, noise, uneven ink). It is written by
-- a different process from the training set (cv.datasets.hanzi draws strokes from centre lines),
-- so accuracy on it measures how a model reads other hands. Fonts are for evaluation only: no
-- font glyph ever enters the training data.
--
--   cv.datasets.hanzi_fonts.fonts()                    the fonts found on this machine
--   cv.datasets.hanzi_fonts.generate("data/hanzi_fonts") writes <dir>/<char>/<font>_<i>.png
--   cv.datasets.hanzi_fonts.render("国", {font = "ukai", seed = 3, index = 2})  one sample
--   cv.datasets.hanzi_fonts.exists("data/hanzi_fonts")  true when a set is there
--
-- Samples of a class go to the fonts round-robin (continuing from class to class, so every font
-- gets its share); a font without a glyph for a character is skipped for that character. Same
-- seed, same bytes: sample i of a character in a font is seeded from (seed, font name, code point,
-- i), whatever the thread count or the other fonts and characters. The drawing is in C
-- (csrc/data/fontset.c), in threads.
local core = require "cvision.core"
local errors = require "cvision.util.errors"

local M = {}

--- the fonts looked for, in order: name (used in file names), Debian path, style, package
M.candidates = {
  {name = "wqy-zenhei", path = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", style = "hei",
    package = "fonts-wqy-zenhei"},
  {name = "wqy-microhei", path = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", style = "hei",
    package = "fonts-wqy-microhei"},
  {name = "uming", path = "/usr/share/fonts/truetype/arphic/uming.ttc", style = "ming",
    package = "fonts-arphic-uming"},
  {name = "ukai", path = "/usr/share/fonts/truetype/arphic/ukai.ttc", style = "kai",
    package = "fonts-arphic-ukai"},
  {name = "gbsn00lp", path = "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", style = "song",
    package = "fonts-arphic-gbsn00lp"},
  {name = "gkai00mp", path = "/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf", style = "kai",
    package = "fonts-arphic-gkai00mp"},
  {name = "hanamin", path = "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf", style = "ming",
    package = "fonts-hanazono"},
  {name = "babelstone-han", path = "/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf", style = "song",
    package = "fonts-babelstone-han"},
}

M.default_seed = 1
M.default_per_class = 7

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() end
  return f ~= nil
end

local function packages()
  local p = {}
  for i, c in ipairs(M.candidates) do p[i] = c.package end
  return table.concat(p, " ")
end

--- fonts() --> list of {name=, path=, style=, package=}: the candidate fonts present on this
--- machine; an error naming the Debian packages to install when there are none
function M.fonts()
  local found = {}
  for _, c in ipairs(M.candidates) do
    if exists(c.path) then
      found[#found + 1] = {name = c.name, path = c.path, style = c.style, package = c.package}
    end
  end
  if #found == 0 then
    error("hanzi_fonts: no CJK font found; install the Debian packages " .. packages()
      .. " (make deps does)", 2)
  end
  return found
end

local opened = {}   -- path --> glyph font (userdata), kept for the session
local function open(font)
  local f = opened[font.path]
  if not f then
    f = core.fontset_open(font.path)
    opened[font.path] = f
  end
  return f
end

-- The font tables selected by `fonts` (nil: all found; a list of names or {name=, path=} tables).
local function select_fonts(fonts, fname)
  if fonts == nil then return M.fonts() end
  if type(fonts) == "string" then fonts = {fonts} end
  if type(fonts) ~= "table" or #fonts == 0 then
    error(errors.bad_argument(fname, "fonts must be a non-empty list of font names", 2), 3)
  end
  local found = {}
  for _, c in ipairs(M.candidates) do if exists(c.path) then found[c.name] = c end end
  local out = {}
  for i, f in ipairs(fonts) do
    if type(f) == "table" then
      if type(f.name) ~= "string" or not f.name:match("^[%w_.-]+$") or type(f.path) ~= "string" then
        error(errors.bad_argument(fname, "a font table needs a name (letters, digits, _ . -) and a path", 2), 3)
      end
      out[i] = f
    elseif found[f] then
      out[i] = found[f]
    else
      local known = {}
      for name in pairs(found) do known[#known + 1] = name end
      error(errors.bad_argument(fname, errors.unknown("font", f, known), 2), 3)
    end
  end
  return out
end

-- Levenshtein distance, for "did you mean".
local function distance(a, b)
  local prev = {}
  for j = 0, #b do prev[j] = j end
  for i = 1, #a do
    local cur = {[0] = i}
    for j = 1, #b do
      local cost = a:byte(i) == b:byte(j) and 0 or 1
      cur[j] = math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
    end
    prev = cur
  end
  return prev[#b]
end

local function check_options(opts, allowed, fname)
  if opts == nil then return {} end
  if type(opts) ~= "table" then error((errors.options_expected(fname, opts):gsub("#1", "#2")), 3) end
  for k in pairs(opts) do
    if not allowed[k] then
      local best, bd = nil, math.huge
      for name in pairs(allowed) do
        local d = distance(tostring(k), name)
        if d < bd or (d == bd and name < best) then best, bd = name, d end
      end
      local hint = bd <= 3 and (" (did you mean '%s'?)"):format(best) or ""
      error(errors.unknown_option(fname, k) .. hint, 3)
    end
  end
  return opts
end

local function check_seed(seed, fname)
  if math.type(seed) ~= "integer" then
    error(errors.bad_argument(fname, "seed must be an integer", 2), 3)
  end
end

-- The code point of char, one UTF-8 character that can name a folder (argument argn of fname).
local function codepoint(char, fname, argn)
  if type(char) ~= "string" or utf8.len(char) ~= 1 or char == "/" or char == "." or char:byte() < 32 then
    error(errors.bad_argument(fname, ("a character must be one UTF-8 character that can name a folder, got %q")
      :format(tostring(char)), argn), 3)
  end
  return utf8.codepoint(char)
end

local render_opts = {font = true, seed = true, index = true}

--- render(char, {font = first found, seed = 1, index = 1}) --> uint8 tensor (H, W, 1): sample
--- `index` of char in that font (a name from fonts() or a font table), the very bytes generate()
--- writes to <char>/<font>_<index>.png with that seed
function M.render(char, opts)
  local cp = codepoint(char, "render", 1)
  opts = check_options(opts, render_opts, "render")
  local seed = opts.seed or M.default_seed
  check_seed(seed, "render")
  local index = opts.index or 1
  if math.type(index) ~= "integer" or index < 1 then
    error(errors.bad_argument("render", "index must be a positive integer", 2), 2)
  end
  local font = select_fonts(opts.font and {opts.font} or nil, "render")[1]
  local f = open(font)
  if not f:has(cp) then
    error(("hanzi_fonts: font '%s' (%s) has no glyph for '%s' (U+%04X)"):format(font.name, font.path, char, cp), 2)
  end
  return core.fontset_render(f, cp, core.fontset_seed(seed, font.name, cp, index))
end

local function mkdir_p(path)
  if core.data_listdir(path) then return end
  local pos = path:sub(1, 1) == "/" and 2 or 1
  while true do
    local slash = path:find("/", pos, true)
    local prefix = slash and path:sub(1, slash - 1) or path
    if prefix ~= "" and not core.data_listdir(prefix) then
      local made, err = core.data_mkdir(prefix)
      if not made then error("hanzi_fonts: cannot create " .. prefix .. ": " .. tostring(err), 4) end
    end
    if not slash then return end
    pos = slash + 1
  end
end

local generate_opts = {characters = true, per_class = true, seed = true, fonts = true}

--- generate(dir, {characters = cv.datasets.hanzi.classes, per_class = 7, seed = 1, fonts = all
--- found}) --> number of files written: dir/<char>/<font>_<i>.png, i = 1..per_class, sample i
--- of a character in the font the round-robin gives it (parents created; files of the same
--- names overwritten). The folders are what image_dataset_from_directory reads.
function M.generate(dir, opts)
  if type(dir) ~= "string" or dir == "" then
    error(errors.bad_argument("generate", "directory expected, got " .. type(dir), 1), 2)
  end
  opts = check_options(opts, generate_opts, "generate")
  local seed = opts.seed or M.default_seed
  check_seed(seed, "generate")
  local per_class = opts.per_class or M.default_per_class
  if math.type(per_class) ~= "integer" or per_class < 1 then
    error(errors.bad_argument("generate", "per_class must be a positive integer", 2), 2)
  end
  local characters = opts.characters or require("cvision.datasets.hanzi").classes
  if type(characters) ~= "table" or #characters == 0 then
    error(errors.bad_argument("generate", "characters must be a non-empty list", 2), 2)
  end
  local fonts = select_fonts(opts.fonts, "generate")
  local handles = {}
  for i, font in ipairs(fonts) do handles[i] = open(font) end
  local cps, having = {}, {}   -- every character checked before anything is created
  for k, char in ipairs(characters) do
    local cp = codepoint(char, "generate", 2)
    local h = {}
    for i, f in ipairs(handles) do if f:has(cp) then h[#h + 1] = i end end
    if #h == 0 then
      error(("hanzi_fonts: no selected font has a glyph for '%s' (U+%04X)"):format(char, cp), 2)
    end
    cps[k], having[k] = cp, h
  end
  local jobs = {font = {}, cp = {}, seed = {}, path = {}}
  local turn = 0   -- the round-robin runs on across characters
  for k, char in ipairs(characters) do
    local cp, h = cps[k], having[k]
    local cdir = dir .. "/" .. char
    mkdir_p(cdir)
    for i = 1, per_class do
      local fi = h[turn % #h + 1]
      turn = turn + 1
      local j = #jobs.path + 1
      jobs.font[j] = fi
      jobs.cp[j] = cp
      jobs.seed[j] = core.fontset_seed(seed, fonts[fi].name, cp, i)
      jobs.path[j] = ("%s/%s_%d.png"):format(cdir, fonts[fi].name, i)
    end
  end
  core.fontset_generate(handles, jobs)
  return #jobs.path
end

--- exists(dir [, characters]) --> true when dir has a folder with at least one PNG for every
--- character (default cv.datasets.hanzi.classes): a set generate() wrote can be reused
function M.exists(dir, characters)
  if type(dir) ~= "string" then error(errors.bad_argument("exists", "directory expected, got " .. type(dir), 1), 2) end
  for _, c in ipairs(characters or require("cvision.datasets.hanzi").classes) do
    local _, files = core.data_listdir(dir .. "/" .. c)
    local png = false
    for _, f in ipairs(files or {}) do if f:match("%.png$") then png = true; break end end
    if not png then return false end
  end
  return true
end

return M
