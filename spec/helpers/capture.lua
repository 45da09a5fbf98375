-- spec/helpers/capture.lua: what a function writes with io.write.
--   local capture = require "spec.helpers.capture"
--   local text = capture(function() tuner:results_summary() end)
-- Errors inside fn are re-raised after io.write is restored.

--- capture(fn) --> the text fn wrote with io.write
-- luacheck: ignore 122 (io.write is replaced while fn runs, and put back)
return function(fn)
  local out, real = {}, io.write
  io.write = function(...)
    for i = 1, select("#", ...) do out[#out + 1] = tostring((select(i, ...))) end
    return io.stdout
  end
  local ok, err = pcall(fn)
  io.write = real
  if not ok then error(err, 0) end
  return table.concat(out)
end
