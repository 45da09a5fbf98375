-- examples/make_data.lua: writes the synthetic handwriting dataset (`make data`).
--   bin/cvision examples/make_data.lua [dir] [--seed N] [--per-class N]
-- Default dir data/hanzi: data/hanzi/Train/<char>/*.png (32,206 files) and Test (7,684).
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath

local hanzi = require "cvision.datasets.hanzi"
hanzi.main(arg or {})
