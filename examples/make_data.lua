-- examples/make_data.lua: writes the synthetic handwriting dataset (`make data`).
--   bin/cvision examples/make_data.lua [dir] [--seed N] [--per-class N] [--characters NAME]
-- Default dir data/hanzi: data/hanzi/Train/<char>/*.png (32,206 files) and Test (7,684).
-- --characters common3500 writes the 3,500 most common characters instead of the lecture's 55.
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath

local argparse = require "argparse"
local hanzi = require "cvision.datasets.hanzi"

local parser = argparse("make_data.lua", "Writes the synthetic handwriting dataset (cvision.datasets.hanzi).")
parser:argument("dir", "Folder to write Train/ and Test/ into."):args("?"):default("data/hanzi")
parser:option("--seed", "Seed of the writers and samples.", tostring(hanzi.default_seed)):convert(math.tointeger)
parser:option("--per-class", "Train images per class (default: the lecture's counts)."):convert(math.tointeger)
parser:option("--characters", "Character list: lecture or common3500.", "lecture")
local args = parser:parse(arg or {})
hanzi.generate(args.dir, {seed = args.seed, per_class = args.per_class, characters = args.characters})
