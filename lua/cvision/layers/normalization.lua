-- cvision.layers.normalization: BatchNormalization over the last axis (Keras' default axis=-1).
-- Training uses the batch statistics and updates the moving ones
-- (moving = moving*momentum + batch*(1 - momentum)); inference, and any call on a layer with
-- trainable = false (Keras' rule for frozen BN), uses the moving statistics.
local core = require "cvision.core"
local base = require "cvision.layers.base"
local initializers = require "cvision.initializers"

local M = {}
local class, shape_str = base.class, base.shape_str

local function nn() return core.nn end

local BatchNormalization = class("BatchNormalization", nil, {
  positional = {"axis", "momentum", "epsilon", "center", "scale"},
  defaults = {axis = -1, momentum = 0.99, epsilon = 1e-3, center = true, scale = true,
    beta_initializer = "zeros", gamma_initializer = "ones", moving_mean_initializer = "zeros",
    moving_variance_initializer = "ones"},
  extra = {"synchronized"},
})
M.BatchNormalization = BatchNormalization

function BatchNormalization:init(a)
  local cls = "BatchNormalization"
  if math.type(a.axis) ~= "integer" then base.argerror(cls, "axis must be an integer", 3) end
  self.axis = a.axis
  if type(a.momentum) ~= "number" or not (a.momentum >= 0 and a.momentum <= 1) then
    base.argerror(cls, "momentum must be a number in [0, 1]", 3)
  end
  if type(a.epsilon) ~= "number" or not (a.epsilon > 0 and a.epsilon < math.huge) then base.argerror(cls, "epsilon must be positive", 3) end
  self.momentum, self.epsilon = a.momentum, a.epsilon
  self.center, self.scale = a.center and true or false, a.scale and true or false
  self.beta_initializer = initializers.get(a.beta_initializer)
  self.gamma_initializer = initializers.get(a.gamma_initializer)
  self.moving_mean_initializer = initializers.get(a.moving_mean_initializer)
  self.moving_variance_initializer = initializers.get(a.moving_variance_initializer)
end

function BatchNormalization:compute_output_shape(s)
  if #s < 1 then self:fail("expected input of rank >= 1, got " .. shape_str(s, true), 3) end
  -- axis counts the batch axis, as in Keras: -1 and #s both mean the last one
  if self.axis ~= -1 and self.axis ~= #s then
    self:fail(("only the last axis (-1 or %d) is supported for input %s, got axis=%d"):format(#s,
      shape_str(s, true), self.axis), 3)
  end
  return base.copy_shape(s)
end

function BatchNormalization:_build(s)
  local c = s[#s]
  -- gamma/beta are weights only when scale/center are on (Keras); the kernels take nil for 1 and 0
  if self.scale then self:add_weight("gamma", self.gamma_initializer({c})) end
  if self.center then self:add_weight("beta", self.beta_initializer({c})) end
  self:add_weight("moving_mean", self.moving_mean_initializer({c}), false)
  self:add_weight("moving_variance", self.moving_variance_initializer({c}), false)
end

-- gamma, beta, moving_mean, moving_variance, dgamma, dbeta (nil where absent)
function BatchNormalization:_parts()
  local i = 1
  local gamma, beta, dgamma, dbeta
  if self.scale then gamma, dgamma = self.weights[i], self.grads[i]; i = i + 1 end
  if self.center then beta, dbeta = self.weights[i], self.grads[i]; i = i + 1 end
  return gamma, beta, self.weights[i], self.weights[i + 1], dgamma, dbeta
end

function BatchNormalization:_forward(x, training)
  local use_batch = training and self.trainable
  local gamma, beta, mm, mv = self:_parts()
  local c = self.input_shape[#self.input_shape]
  local y = self:buf("y", x.shape)
  local save_mean, save_invstd = self:buf("save_mean", {c}), self:buf("save_invstd", {c})
  nn().batchnorm_forward(y, x, gamma, beta, mm, mv, self.momentum, self.epsilon, use_batch,
    save_mean, save_invstd)
  self._x, self._batch_mode = x, use_batch
  return y
end

-- in inference mode the statistics are constants: dx = dy*gamma*invstd
function BatchNormalization:_backward(dy)
  local gamma, _, _, _, dgamma, dbeta = self:_parts()
  if not self.trainable then dgamma, dbeta = nil, nil end
  local dx = self:buf("dx", self._x.shape)
  nn().batchnorm_backward(dx, dgamma, dbeta, dy, self._x, gamma, self._bufs.save_mean,
    self._bufs.save_invstd, self._batch_mode)
  return dx
end

function BatchNormalization:_config()
  return {axis = self.axis, momentum = self.momentum, epsilon = self.epsilon, center = self.center,
    scale = self.scale,
    beta_initializer = initializers.serialize(self.beta_initializer),
    gamma_initializer = initializers.serialize(self.gamma_initializer),
    moving_mean_initializer = initializers.serialize(self.moving_mean_initializer),
    moving_variance_initializer = initializers.serialize(self.moving_variance_initializer)}
end

return M
