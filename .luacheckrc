-- luacheck configuration: cvision's Lua defines no globals (spec/lint_spec.lua enforces it).
std = "lua54"
max_line_length = false
ignore = {"212/self", "212/_.*"}
files["spec/"] = {std = "+busted"}
