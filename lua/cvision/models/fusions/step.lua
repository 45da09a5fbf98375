-- cvision.models.fusions.step: what every fused step shares: its class (kind "fusion", the name
-- the plan describes it by) and its own buffers, through the layers' reused-buffer helper.
local base = require "cvision.layers.base"

local M = {}

--- class(name) --> a step class; cls.new(layers) --> a step over those layers with buffers of its own
function M.class(name)
  local Step = {kind = "fusion", name = name, buf = base.Layer.buf}
  Step.__index = Step
  function Step.new(ls) return setmetatable({layers = ls, _bufs = {}}, Step) end
  return Step
end

return M
