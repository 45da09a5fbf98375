-- cvision.models.fusions.conv_pool: [Conv2D with ReLU, MaxPooling2D] as one step. Each sample's
-- convolution output is pooled right after it is computed, while it is still in cache (a 2x2 pool
-- reading a 32x80x60x16 output back from memory cost as much as a fifth of the convolution);
-- in inference the convolution's output is not written at all. Backward takes the pool's
-- gradient and its winners straight into the convolution's backward, so the convolution-sized
-- gradient is never written. Bit-identical to running the two layers one after the other
-- (csrc: cv_conv2d_forward_pool_ex, cv_conv2d_backward_pool).
local core = require "cvision.core"
local base = require "cvision.layers.base"
local layers = require "cvision.layers"

local M = {name = "conv_pool"}

local Step = require("cvision.models.fusions.step").class("Conv2D+MaxPooling2D")

--- match(a, b) --> true for a Conv2D whose ReLU runs in its kernels followed by a MaxPooling2D
function M.match(a, b)
  return getmetatable(a) == layers.Conv2D and getmetatable(b) == layers.MaxPooling2D
    and a:relu_in_kernel()
end

--- new(conv, pool) --> the step
function M.new(conv, pool)
  return Step.new({conv, pool})
end

--- step:forward(x, training) --> the pooled output (a buffer of the step); in training the
--- convolution's output is kept for backward, in inference it is not written
function Step:forward(x, training)
  local conv, pool = self.layers[1], self.layers[2]
  local s = conv:check_input(x, 2)
  if x.dtype ~= "float32" then x = x:astype("float32") end
  local o, po = conv.output_shape, pool.output_shape
  local y = self:buf("y", {s[1], o[1], o[2], o[3]})
  local ps = {s[1], po[1], po[2], po[3]}
  local py, arg = self:buf("pooled", ps), self:buf("argmax", ps, "uint8")
  local w, b, sh, sw, pt, pl = conv:kernel_args()
  local ph, pw, psh, psw, ppt, ppl = pool:kernel_args()
  -- keep_y: training needs y (ReLU's mask) in backward; inference leaves it unwritten
  core.nn.conv2d_forward_pool(y, x, w, b, sh, sw, pt, pl, "relu", py, arg, ph, pw, psh, psw, ppt, ppl,
    training, base.scratch())
  self._x, self._y, self._py, self._argmax, self._kept = x, y, py, arg, training
  return py
end

--- step:backward(dy, need_dx) --> dx (nil unless need_dx): the pool's gradient and winners straight
--- into the convolution's backward (ReLU mask included); accumulates its kernel and bias gradients
function Step:backward(dy, need_dx)
  local conv, pool = self.layers[1], self.layers[2]
  if not self._x then conv:fail("backward called before forward") end
  if not self._kept then conv:fail("backward after a predict/evaluate call (its output was not kept)") end
  if not base.shape_equal(dy.shape, self._py.shape) then
    pool:fail(("backward expected a gradient of shape %s, got %s"):format(base.shape_str(self._py.shape),
      base.shape_str(dy.shape)))
  end
  local dx = need_dx and self:buf("dx", self._x.shape) or nil
  local dw, db = conv:_grad(1), conv.use_bias and conv:_grad(2) or nil
  local w, _, sh, sw, pt, pl = conv:kernel_args()
  local ph, pw, psh, psw, ppt, ppl = pool:kernel_args()
  -- the convolution's dy is only a shape here (y's): the pool's gradient dy comes with its winners
  core.nn.conv2d_backward(dx, dw, db, self._y, self._x, w, sh, sw, pt, pl, self._y, "relu",
    dy, self._argmax, ph, pw, psh, psw, ppt, ppl, base.scratch())
  return dx
end

--- step:overwritable() --> {}: the convolution's gradients are always accumulated
function Step:overwritable() return {} end

return M
