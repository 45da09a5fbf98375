-- examples/data_sheets.lua: docs/img/hanzi_sheets.png, two sheets side by side: generated
-- handwriting (the training set's process, cv.datasets.hanzi; Train writers 1, 2, ...) and the
-- other-hands evaluation set (cv.datasets.hanzi_fonts, one font after another), the same
-- characters in the same rows, each image resized to the 80x60 the models read.
--   bin/cvision examples/data_sheets.lua [--out docs/img] [--per-row 6]
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath

local argparse = require "argparse"
local cv = require "cvision"
local hanzi = require "cvision.datasets.hanzi"
local hanzi_fonts = require "cvision.datasets.hanzi_fonts"

local parser = argparse("data_sheets.lua", "Sheets of generated and of other-hands characters.")
parser:option("--out", "Folder for hanzi_sheets.png.", "docs/img")
parser:option("--per-row", "Samples per character in each sheet.", "6"):convert(math.tointeger)
local args = parser:parse(arg or {})

local chars = {"东", "口", "白", "出", "主", "国", "森", "鸟", "闲", "羊", "马", "啖"}
local function tile(img) return cv.image.resize(img:astype("float32"), {80, 60}) end
local function sheet(render)
  local rows = {}
  for _, c in ipairs(chars) do
    local tiles = {}
    for i = 1, args.per_row do tiles[i] = tile(render(c, i)) end
    rows[#rows + 1] = cv.concat(tiles, 2)
  end
  return cv.concat(rows, 1)
end

cv.data.makedirs(args.out)
local generated = sheet(function(c, i) return hanzi.render(c, {index = i}) end)
local fonts = hanzi_fonts.fonts()
local other = sheet(function(c, i) return hanzi_fonts.render(c, {font = fonts[(i - 1) % #fonts + 1], index = i}) end)
local gap = cv.full({generated.shape[1], 16, 1}, 255)
local path = args.out .. "/hanzi_sheets.png"
cv.imwrite(path, cv.concat({generated, gap, other}, 2):clamp(0, 255):astype("uint8"))
print("wrote " .. path)
