-- luacheck configuration: cvision's Lua defines no globals (spec/lint_spec.lua enforces it).
std = "lua54"
max_line_length = false
-- 581: `not (x > y)` is how cvision writes a comparison that must also be true for NaN
ignore = {"212/self", "212/_.*", "581"}
-- fuzz inputs: a loader's kind byte, then arbitrary bytes (not Lua)
exclude_files = {"fuzz/corpus/", "fuzz/regressions/"}
files["spec/"] = {std = "+busted"}
