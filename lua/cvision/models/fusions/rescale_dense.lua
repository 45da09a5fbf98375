-- cvision.models.fusions.rescale_dense: [Rescaling(scale, offset 0), Dense] as one step: the scale
-- goes into the Dense product as GEMM's alpha (y = scale * (x @ w) + b), so the scaled copy of x
-- is never written; backward returns the gradient with respect to the Rescaling's input. Equal
-- to the two layers run one after the other up to float rounding (scale * (x @ w) instead of
-- (scale * x) @ w).
local layers = require "cvision.layers"

local M = {name = "rescale_dense"}

local Step = require("cvision.models.fusions.step").class("Rescaling+Dense")

--- match(a, b) --> true for a Rescaling without offset followed by a Dense
function M.match(a, b)
  return getmetatable(a) == layers.Rescaling and getmetatable(b) == layers.Dense and a.offset == 0
end

--- new(rescaling, dense) --> the step
function M.new(r, d)
  return Step.new({r, d})
end

--- step:forward(x, training) --> the Dense output for Rescaling(scale)(x), the scale folded into
--- the product (the two layers one after the other when the offset is not 0)
function Step:forward(x, training)
  local r, d = self.layers[1], self.layers[2]
  if r.offset ~= 0 then   -- changed since the plan was made: the two layers' own path
    return d:forward(r:forward(x, training), training)
  end
  r:check_input(x, 2)
  if x.dtype ~= "float32" then   -- as the Rescaling converts uint8 images
    local xf = self:buf("x", x.shape)
    xf:copy(x)
    x = xf
  end
  return d:forward(x, training, r.scale)
end

--- step:backward(dy, need_dx, over) --> dx with respect to the unscaled input (nil unless
--- need_dx); the Dense gradients are overwritten when the Dense layer is in the set over
function Step:backward(dy, need_dx, over)
  local r, d = self.layers[1], self.layers[2]
  local skip = (not need_dx) or nil
  if rawget(d, "skip_input_grad") ~= skip then d.skip_input_grad = skip end
  local dx = d:backward(dy, over ~= nil and over[d] or nil)
  if dx ~= nil and d._x_scale == nil then dx = r:backward(dx) end   -- the unfused path ran
  return dx
end

--- step:overwritable() --> {the Dense layer}: its gradients can be overwritten instead of added
function Step:overwritable() return {self.layers[2]} end

return M
