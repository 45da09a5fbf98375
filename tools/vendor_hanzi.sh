#!/bin/sh
# tools/vendor_hanzi.sh - how third_party/hanzi-writer-data/ was made (kept for the record; the
# result is committed, so building cvision never needs the network).
# Fetches hanzi-writer-data 2.0.1 from npm, keeps the 55 characters of the lecture's CASIA subset
# and the 3,500 of common3500.txt (the 1988 list of frequently used characters; committed beside
# the data), and converts their stroke medians (and radical stroke indices) into one Lua file.
set -eu
VERSION=2.0.1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST="$ROOT/third_party/hanzi-writer-data"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
npm pack --silent "hanzi-writer-data@$VERSION" >/dev/null 2>&1
tar xzf "hanzi-writer-data-$VERSION.tgz"
mkdir -p "$DEST"
cp package/ARPHICPL.TXT "$DEST/ARPHICPL.TXT"
lua5.4 - "$TMP/package" "$DEST/medians.lua" "$VERSION" "$DEST/common3500.txt" <<'LUA'
local cjson = require "cjson"
local src, out, version = arg[1], arg[2], arg[3]
local lecture = { "东", "主", "人", "从", "众", "出", "口", "吗", "吠", "哭", "啖", "因", "囡",
  "国", "大", "天", "太", "夫", "女", "妈", "山", "川", "工", "日", "明", "月", "朋", "木", "本",
  "林", "森", "水", "火", "炎", "牛", "犬", "玉", "王", "白", "竹", "羊", "美", "羔", "肉", "肤",
  "舟", "虎", "虫", "门", "闪", "问", "闲", "马", "鱼", "鸟" }
local chars, seen = {}, {}
local function add(ch) if not seen[ch] then seen[ch] = true; chars[#chars + 1] = ch end end
for _, ch in ipairs(lecture) do add(ch) end
local common = {}
for line in io.lines(arg[4]) do
  if line:sub(1, 1) ~= "#" then
    common[#common + 1] = line
    for _, c in utf8.codes(line) do add(utf8.char(c)) end
  end
end
local f = assert(io.open(out, "w"))
f:write("-- Stroke medians of ", #chars, " characters (the lecture's 55 and the 3,500 of common3500.txt)\n",
  "-- from hanzi-writer-data ", version, " (npm), subsetted and\n-- converted to Lua by tools/vendor_hanzi.sh. Arphic Public License: see ARPHICPL.TXT.\n",
  "-- Each stroke is a flat list x1, y1, x2, y2, ... in a 1024-unit box with y pointing up;\n",
  "-- rad lists the 1-based indices of the radical's strokes (when the source has them).\n",
  "-- lists.common3500: the 3,500 in the list's order (2,500 common, then 1,000 less common).\n",
  "return {\n  version = \"", version, "\",\n  lists = {common3500 = \"", table.concat(common), "\"},\n  chars = {\n")
for _, ch in ipairs(chars) do
  local fh = assert(io.open(src .. "/" .. ch .. ".json", "rb"))
  local d = cjson.decode(fh:read("a")); fh:close()
  f:write("    [\"", ch, "\"] = {\n      medians = {\n")
  for _, stroke in ipairs(d.medians) do
    local nums = {}
    for _, p in ipairs(stroke) do nums[#nums + 1] = string.format("%d,%d", math.floor(p[1] + 0.5), math.floor(p[2] + 0.5)) end
    f:write("        {", table.concat(nums, ","), "},\n")
  end
  f:write("      },\n")
  if d.radStrokes and d.radStrokes ~= cjson.null then
    local r = {}
    for _, i in ipairs(d.radStrokes) do r[#r + 1] = string.format("%d", i + 1) end
    f:write("      rad = {", table.concat(r, ","), "},\n")
  end
  f:write("    },\n")
end
f:write("  },\n}\n")
f:close()
LUA
echo "wrote $DEST/medians.lua"
