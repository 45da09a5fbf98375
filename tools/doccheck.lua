-- tools/doccheck.lua: lists cvision's public Lua functions (`function M.name(`, `function
-- Class:method(`, names not starting with _) that have no doc comment on the line above, the
-- comments help() and the API reference are read from. Exit status 1 when there is any.
--   lua5.4 tools/doccheck.lua [--all]     (the first 30 unless --all)
local missing, total = {}, 0
for path in io.popen("find lua/cvision -name '*.lua' | sort"):lines() do
  local prev = ""
  local n = 0
  for line in io.lines(path) do
    n = n + 1
    local name = line:match("^function ([%w_]+[.:][%w_]+)%s*%(")
    if name and not name:match("[.:]_") then
      total = total + 1
      if not prev:match("^%s*%-%-") then missing[#missing + 1] = path .. ":" .. n .. ": " .. name end
    end
    prev = line
  end
end
print(#missing .. " of " .. total .. " public functions without a doc comment")
local shown = arg[1] == "--all" and #missing or math.min(#missing, 30)
for i = 1, shown do print(missing[i]) end
os.exit(#missing == 0 and 0 or 1)
