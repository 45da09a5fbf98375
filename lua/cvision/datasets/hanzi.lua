-- cvision.datasets.hanzi: a synthetic stand-in for the lecture's CASIA subset: 55 handwritten
-- Chinese characters, written by simulated writers from the stroke centre lines of hanzi-writer-data
-- 2.0.1 (Arphic Public License; third_party/hanzi-writer-data/). The drawing is done in C
-- (csrc/hanzi.c), in threads.
--
--   cv.datasets.hanzi.generate("data/hanzi")   writes data/hanzi/Train/<char>/*.png and Test/...
--   bin/cvision examples/make_data.lua [dir]    the same from the command line (`make data`)
--   bin/cvision -l hanzi=cvision.datasets.hanzi -e 'hanzi.generate("data/hanzi", {seed = 7})'
--
-- Layout and sizes are the lecture's: Train has the lecture's per-class counts (32,206 files,
-- about 600 a class, 240 for 囡 and 啖), Test too (7,684 files, about 140 a class, 59 / 60).
-- Images are grayscale tight crops of varying size (about 60..110 high, 40..100 wide, dark ink
-- on a light page), which image_dataset_from_directory resizes to 80x60 as the lecture does.
-- Writer k of Train writes sample k of every class; Test has its own writers, none of them in
-- Train, so the test set measures generalisation to new hands as CASIA's does.
-- Same seed, same bytes: every sample is seeded from (seed, split, class, index).
local core = require "cvision.core"
local data = require "cvision.data"
local errors = require "cvision.util.errors"

local load = load   -- not a user's global `load` (a notebook may define one)

local M = {}

--- the 55 characters, sorted as image_dataset_from_directory sorts the folders
M.classes = {"东", "主", "人", "从", "众", "出", "口", "吗", "吠", "哭", "啖", "因", "囡", "国",
  "大", "天", "太", "夫", "女", "妈", "山", "川", "工", "日", "明", "月", "朋", "木", "本", "林",
  "森", "水", "火", "炎", "牛", "犬", "玉", "王", "白", "竹", "羊", "美", "羔", "肉", "肤", "舟",
  "虎", "虫", "门", "闪", "问", "闲", "马", "鱼", "鸟"}

--- the lecture's per-class file counts (its count_images output; its "内" is 门)
M.train_counts = {["太"] = 596, ["朋"] = 595, ["羊"] = 600, ["哭"] = 584, ["囡"] = 240, ["明"] = 596,
  ["川"] = 593, ["马"] = 597, ["羔"] = 597, ["天"] = 598, ["吠"] = 601, ["肉"] = 598, ["夫"] = 599,
  ["水"] = 597, ["火"] = 599, ["玉"] = 602, ["妈"] = 595, ["鸟"] = 598, ["工"] = 600, ["从"] = 598,
  ["竹"] = 600, ["王"] = 601, ["人"] = 597, ["美"] = 591, ["众"] = 600, ["因"] = 603, ["东"] = 601,
  ["大"] = 603, ["吗"] = 596, ["虫"] = 602, ["日"] = 597, ["门"] = 597, ["啖"] = 240, ["林"] = 598,
  ["牛"] = 599, ["舟"] = 601, ["本"] = 604, ["鱼"] = 602, ["闪"] = 597, ["山"] = 598, ["口"] = 597,
  ["主"] = 599, ["炎"] = 602, ["国"] = 600, ["闲"] = 598, ["问"] = 601, ["犬"] = 598, ["白"] = 604,
  ["虎"] = 597, ["出"] = 602, ["森"] = 598, ["肤"] = 601, ["女"] = 597, ["月"] = 604, ["木"] = 598}
M.test_counts = {["太"] = 143, ["朋"] = 144, ["羊"] = 144, ["哭"] = 138, ["囡"] = 59, ["明"] = 144,
  ["川"] = 142, ["马"] = 144, ["羔"] = 141, ["天"] = 143, ["吠"] = 141, ["肉"] = 143, ["夫"] = 141,
  ["水"] = 143, ["火"] = 142, ["玉"] = 142, ["妈"] = 142, ["鸟"] = 143, ["工"] = 141, ["从"] = 142,
  ["竹"] = 142, ["王"] = 145, ["人"] = 144, ["美"] = 144, ["众"] = 143, ["因"] = 144, ["东"] = 142,
  ["大"] = 144, ["吗"] = 143, ["虫"] = 144, ["日"] = 143, ["门"] = 144, ["啖"] = 60, ["林"] = 143,
  ["牛"] = 144, ["舟"] = 143, ["本"] = 143, ["鱼"] = 143, ["闪"] = 143, ["山"] = 144, ["口"] = 143,
  ["主"] = 141, ["炎"] = 143, ["国"] = 142, ["闲"] = 142, ["问"] = 143, ["犬"] = 141, ["白"] = 141,
  ["虎"] = 143, ["出"] = 142, ["森"] = 144, ["肤"] = 140, ["女"] = 144, ["月"] = 144, ["木"] = 144}

M.default_seed = 2024
-- Test writers are numbered from here: never the same as a Train writer
M.test_writer_base = 1000000

local function here()
  local src = debug.getinfo(1, "S").source
  return src:sub(1, 1) == "@" and src:sub(2):match("^(.*)/[^/]*$") or "."
end

--- data_file() --> path of the vendored stroke data (CVISION_HANZI_DATA overrides)
function M.data_file()
  local env = os.getenv("CVISION_HANZI_DATA")
  if env and env ~= "" then return env end
  local dir = here()
  local candidates = {
    dir .. "/../../../third_party/hanzi-writer-data/medians.lua",  -- source tree: lua/cvision/datasets
    dir .. "/hanzi_medians.lua",                                   -- installed beside this module
    "third_party/hanzi-writer-data/medians.lua",
  }
  for _, p in ipairs(candidates) do
    local f = io.open(p, "r")
    if f then f:close(); return p end
  end
  error("hanzi: stroke data not found (third_party/hanzi-writer-data/medians.lua); set CVISION_HANZI_DATA", 3)
end

-- Lua keywords a data file must not contain (return, true, false and nil are data)
local code_words = {["and"] = 1, ["break"] = 1, ["do"] = 1, ["else"] = 1, ["elseif"] = 1, ["end"] = 1,
  ["for"] = 1, ["function"] = 1, ["goto"] = 1, ["if"] = 1, ["in"] = 1, ["local"] = 1, ["not"] = 1,
  ["or"] = 1, ["repeat"] = 1, ["then"] = 1, ["until"] = 1, ["while"] = 1}

-- text without its strings and comments (each string becomes ""), or nil, reason
local function bare_code(text)
  local out, pos = {}, 1
  local marks, next_at = {"--", '"', "'", "["}, {0, 0, 0, 0}  -- where each may start (plain finds)
  while true do
    local i
    for k = 1, 4 do
      local at = next_at[k]
      if at and at < pos then at = text:find(marks[k], pos, true) next_at[k] = at end
      if at and (not i or at < i) then i = at end
    end
    out[#out + 1] = text:sub(pos, (i or 0) - 1)
    if not i then return table.concat(out) end
    local c = text:sub(i, i)
    local j, _
    if c == "-" and text:sub(i + 1, i + 1) == "-" then            -- comment: long or to the end of line
      local eq = text:match("^%[(=*)%[", i + 2)
      if eq then
        _, j = text:find("]" .. eq .. "]", i + 2, true)
      else
        j = text:find("\n", i + 2, true) or #text
      end
      if not j then return nil, "an unfinished comment" end
    elseif c == "\"" or c == "'" then                              -- short string, no escapes
      j = text:find("[" .. c .. "\\\n]", i + 1)
      if not j or text:sub(j, j) ~= c then return nil, "a string with an escape or a line break" end
      out[#out + 1] = '""'
    elseif c == "[" and text:match("^%[=*%[", i) then               -- long string
      local eq = text:match("^%[(=*)%[", i)
      _, j = text:find("]" .. eq .. "]", i + 1, true)
      if not j then return nil, "an unfinished long string" end
      out[#out + 1] = '""'
    else
      out[#out + 1], j = c, i
    end
    pos = j + 1
  end
end

--- read_stroke_data(path) --> the table of a stroke data file, or an error naming the file.
--- The file is a Lua table constructor (`return {...}`, as tools/vendor_hanzi.sh writes it), read
--- within the max_file_bytes budget, regular files only; it is refused unless it is data alone:
--- outside strings and comments, no keyword but return/true/false/nil and no character that could
--- call, concatenate or index, so loading it takes time and memory in proportion to its size.
function M.read_stroke_data(path)
  local text, err = core.read_file(path)
  if not text then error("hanzi: stroke data: " .. err, 2) end
  local bare, why = bare_code(text)
  local bad = why
  if bare then
    local at = bare:find("[^%s%w_{}%[%]=,;%-\"]")
    if at then bad = ("%q"):format(bare:sub(at, at)) end
    local first, first_word                        -- the first keyword in the file, if any
    for word in pairs(code_words) do                -- plain finds: a gmatch over every name is slower
      local k = bare:find(word, 1, true)
      while k and not (first and k > first) do
        if bare:find("^%f[%w_]" .. word .. "%f[^%w_]", k) then first, first_word = k, word break end
        k = bare:find(word, k + 1, true)
      end
    end
    if first and not bad then bad = "the keyword '" .. first_word .. "'" end
  end
  if bad then
    error(("hanzi: stroke data: %s: not a data file (%s)"):format(path, bad), 2)
  end
  local chunk, lerr = load(text, "@" .. path, "t", {})
  if not chunk then error("hanzi: stroke data: " .. lerr, 2) end
  local ok, t = pcall(chunk)
  if not ok or type(t) ~= "table" or type(t.chars) ~= "table" then
    error(("hanzi: stroke data: %s: not a table with chars = {[char] = {medians = ...}}%s"):format(
      path, ok and "" or " (" .. errors.clean(t) .. ")"), 2)
  end
  for c, g in pairs(t.chars) do
    if type(c) ~= "string" or type(g) ~= "table" or type(g.medians) ~= "table" then
      error(("hanzi: stroke data: %s: entry %s is not {medians = {...}}"):format(path, tostring(c)), 2)
    end
  end
  return t
end

local strokes_cache
--- strokes() --> {version=, chars={[char] = {medians = {{x, y, ...}, ...}, rad = {...}}}} (cached)
function M.strokes()
  if not strokes_cache then strokes_cache = M.read_stroke_data(M.data_file()) end
  return strokes_cache
end

local function glyph(char)
  local g = M.strokes().chars[char]
  if not g then error(("hanzi: no stroke data for %q"):format(char), 3) end
  return g
end

local split_ids = {Train = 1, Test = 2}

--- sample_seed(seed, split, class_index, i) --> the integer seeding sample i of a class
function M.sample_seed(seed, split, class_index, i)
  local h = core.hanzi_seed
  return h(h(h(seed, split_ids[split] or split), class_index), i)
end

--- render(char, {seed, writer=1, index=1, split="Train"}) --> uint8 tensor (H, W, 1): one sample,
--- exactly the file generate() would write for that writer and index
function M.render(char, opts)
  opts = opts or {}
  local seed = opts.seed or M.default_seed
  local split = opts.split or "Train"
  local index = opts.index or 1
  local writer = opts.writer or (split == "Test" and M.test_writer_base or 0) + index - 1
  local ci
  for k, c in ipairs(M.classes) do if c == char then ci = k end end
  return core.hanzi_render(glyph(char), core.hanzi_seed(seed, writer),
    M.sample_seed(seed, split, ci or utf8.codepoint(char), index))
end

local function mkdir_p(path)
  local ok, err = pcall(data.makedirs, path)
  if not ok then error("hanzi: " .. errors.clean(err), 4) end
end

--- characters([name]) --> list of characters: "lecture" (default: the 55 classes, sorted) or
--- "common3500" (the 3,500 most common simplified characters, in the order of the 1988 list of
--- frequently used characters: 2,500 common then 1,000 less common), all with stroke data here
function M.characters(name)
  name = name or "lecture"
  if name == "lecture" then return table.move(M.classes, 1, #M.classes, 1, {}) end
  local lists = M.strokes().lists or {}
  if type(name) ~= "string" or not lists[name] then
    local known = {"lecture"}
    for k in pairs(lists) do known[#known + 1] = k end
    error("bad argument #1 to 'characters' (" .. errors.unknown("list", tostring(name), known) .. ")", 2)
  end
  local out = {}
  for _, c in utf8.codes(lists[name]) do out[#out + 1] = utf8.char(c) end
  return out
end

local generate_opts = {seed = true, per_class = true, test_per_class = true, classes = true,
  characters = true, splits = true, verbose = true}

local function count_opt(v, name)
  if v ~= nil and (math.type(v) ~= "integer" or v < 1) then
    error(("bad argument #2 to 'generate' (%s must be a positive integer, got %s)"):format(name, tostring(v)), 4)
  end
  return v
end

-- the characters option: a list name or a list of characters with stroke data, without repeats
local function character_list(v)
  if type(v) == "string" then
    local ok, list = pcall(M.characters, v)
    if not ok then error("bad argument #2 to 'generate' (characters: " .. errors.clean(list):gsub("^bad argument #1 to 'characters' %((.*)%)$", "%1") .. ")", 4) end
    return list
  end
  if type(v) ~= "table" or #v == 0 then
    error("bad argument #2 to 'generate' (characters must be a list name or a non-empty list of characters)", 4)
  end
  local seen, chars = {}, M.strokes().chars
  for i, c in ipairs(v) do
    if type(c) ~= "string" or utf8.len(c) ~= 1 then
      error(("bad argument #2 to 'generate' (characters[%d] is not one character: %s)"):format(i, tostring(c)), 4)
    end
    if not chars[c] then error(("bad argument #2 to 'generate' (characters[%d]: no stroke data for %q)"):format(i, c), 4) end
    if seen[c] then error(("bad argument #2 to 'generate' (characters[%d]: %q is listed twice)"):format(i, c), 4) end
    seen[c] = true
  end
  return v
end

--- generate(dir, {seed=2024, characters="lecture", per_class, test_per_class, splits={"Train",
---   "Test"}, verbose=true}) --> {Train = n, Test = m} files written
-- characters: a list of characters or a list name (M.characters: "lecture", "common3500"); classes
-- is its older name. per_class / test_per_class replace the lecture's counts by the same number for
-- every class (characters outside the lecture's 55 get 600 / 140 without them). Existing files of
-- the same names are overwritten; folders are created with their parents.
function M.generate(dir, opts)
  if type(dir) ~= "string" then error("bad argument #1 to 'generate' (directory expected)", 2) end
  opts = opts or {}
  if type(opts) ~= "table" then error(errors.options_expected("generate", opts):gsub("#1", "#2"), 2) end
  for k in pairs(opts) do
    if not generate_opts[k] then error(errors.unknown_option("generate", tostring(k)), 2) end
  end
  local seed = opts.seed or M.default_seed
  if math.type(seed) ~= "integer" then error("bad argument #2 to 'generate' (seed must be an integer)", 2) end
  if opts.classes and opts.characters then
    error("bad argument #2 to 'generate' (characters and classes are the same option: give one)", 2)
  end
  local classes = character_list(opts.characters or opts.classes or "lecture")
  local splits = opts.splits or {"Train", "Test"}
  local per_class, test_per_class = count_opt(opts.per_class, "per_class"), count_opt(opts.test_per_class, "test_per_class")
  if per_class and not test_per_class then test_per_class = math.max(1, per_class * 140 // 600) end
  local glyphs, gindex = {}, {}
  for _, c in ipairs(classes) do
    glyphs[#glyphs + 1] = glyph(c)
    gindex[c] = #glyphs
  end
  local ci = {}
  for k, c in ipairs(M.classes) do ci[c] = k end
  local written = {}
  local t0 = os.clock()
  for _, split in ipairs(splits) do
    if not split_ids[split] then error("bad argument #2 to 'generate' (splits are \"Train\" and \"Test\")", 2) end
    local jobs = {glyph = {}, writer = {}, seed = {}, path = {}}
    local wbase = split == "Test" and M.test_writer_base or 0
    for _, c in ipairs(classes) do
      local n
      if split == "Train" then n = per_class or M.train_counts[c] or 600
      else n = test_per_class or M.test_counts[c] or 140 end
      local cdir = dir .. "/" .. split .. "/" .. c
      mkdir_p(cdir)
      for i = 1, n do
        local k = #jobs.path + 1
        jobs.glyph[k] = gindex[c]
        jobs.writer[k] = wbase + i - 1
        jobs.seed[k] = M.sample_seed(seed, split, ci[c] or utf8.codepoint(c), i)
        jobs.path[k] = ("%s/%05d.png"):format(cdir, i)
      end
    end
    core.hanzi_generate(glyphs, jobs, seed)
    written[split] = #jobs.path
  end
  if opts.verbose ~= false then
    local parts = {}
    for _, s in ipairs(splits) do parts[#parts + 1] = ("%d %s"):format(written[s], s) end
    print(("hanzi: wrote %s images of %d characters to %s (seed %d, %.1fs CPU)"):format(
      table.concat(parts, " + "), #classes, dir, seed, os.clock() - t0))
  end
  return written
end

--- exists(dir) --> true when dir/Train and dir/Test look complete (every class folder present)
function M.exists(dir)
  for _, split in ipairs({"Train", "Test"}) do
    local dirs = core.data_listdir(dir .. "/" .. split)
    if not dirs or #dirs < #M.classes then return false end
  end
  return true
end

return M
