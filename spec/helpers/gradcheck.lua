-- spec/helpers/gradcheck.lua: finite-difference gradient checks for layers, activations, losses
-- and whole models. The network runs in float32; the check perturbs one float32 element at a time
-- by +-eps (central differences, dividing by the perturbation actually stored after rounding),
-- and accumulates the scalar loss in Lua's float64. For a tensor output y the scalar is the random
-- projection L = sum(y * r), whose gradient with respect to y is r, so one backward pass with
-- dy = r gives every analytic gradient at once.
--
--   local gc = require "spec.helpers.gradcheck"
--   local ok, report = gc.check_layer(layer, x, {training = true, seed = 7})
--   assert(ok, report)
--
-- Generic form (a model, a loss): gc.check_scalar(f, targets, opts) with f() --> number (the
-- loss, recomputed from the current values) and targets = {{value = t, grad = g, name = "x"}, ...}
-- holding analytic gradients computed beforehand.
local cv = require "cvision"
local core = cv.core

local M = {}

-- a small deterministic generator of our own, so the check never disturbs the global stream
local function lcg(seed)
  local s = seed or 12345
  return function()
    s = (s * 6364136223846793005 + 1442695040888963407) & 0x7fffffffffffffff
    return (s >> 10) / 9007199254740992
  end
end
M.lcg = lcg

--- values(t) --> flat Lua list of t's elements (float64)
function M.values(t)
  return t:reshape{core.numel(t)}:totable()
end

--- projection(shape [, seed]) --> r: a float32 tensor of values in [-1, 1), deterministic
function M.projection(shape, seed)
  local n = 1
  for i = 1, #shape do n = n * shape[i] end
  local rnd = lcg(seed or 777)
  local v = {}
  for i = 1, n do v[i] = rnd() * 2 - 1 end
  return cv.tensor(v):reshape(shape)
end

--- dot(y, r) --> sum(y*r) in float64 (r a flat list or a tensor)
function M.dot(y, r)
  local yv = M.values(y)
  local rv = type(r) == "table" and r or M.values(r)
  local s = 0.0
  for i = 1, #yv do s = s + yv[i] * rv[i] end
  return s
end

-- the positions to check: all, or max_checks of them spread deterministically
local function positions(n, max_checks, rnd)
  local out = {}
  if n <= max_checks then
    for i = 1, n do out[i] = i end
    return out
  end
  local seen = {}
  while #out < max_checks do
    local i = math.floor(rnd() * n) + 1
    if not seen[i] then seen[i] = true; out[#out + 1] = i end
  end
  table.sort(out)
  return out
end

--- check_scalar(f, targets, opts) --> ok, report, worst
--- f() --> number; targets: {{value = tensor, grad = tensor | flat list, name = string}, ...}
--- opts: eps (1e-2), rtol (1e-2), atol (1e-3), max_checks (40 per target)
function M.check_scalar(f, targets, opts)
  opts = opts or {}
  local eps = opts.eps or 1e-2
  local rtol, atol = opts.rtol or 1e-2, opts.atol or 1e-3
  local max_checks = opts.max_checks or 40
  local rnd = lcg(opts.position_seed or 4242)
  local lines, ok, worst = {}, true, 0
  for _, tg in ipairs(targets) do
    local v = tg.value
    local n = core.numel(v)
    local flat = v:reshape{n}
    local grad = tg.grad
    if type(grad) ~= "table" or cv.is_tensor(grad) then grad = M.values(grad) end
    if #grad ~= n then
      return false, ("%s: analytic gradient has %d values, the tensor %d"):format(tg.name or "?", #grad, n), math.huge
    end
    for _, i in ipairs(positions(n, max_checks, rnd)) do
      local orig = flat:at(i)
      flat:set(i, orig + eps)
      local xp = flat:at(i)
      local lp = f()
      flat:set(i, orig - eps)
      local xm = flat:at(i)
      local lm = f()
      flat:set(i, orig)
      local num = (lp - lm) / (xp - xm)
      local ana = grad[i]
      local err = math.abs(num - ana)
      local tol = atol + rtol * math.max(math.abs(num), math.abs(ana))
      local rel = err / tol
      if rel > worst then worst = rel end
      if not (err <= tol) then
        ok = false
        if #lines < 12 then
          lines[#lines + 1] = ("%s[%d]: analytic %.6g, numeric %.6g (|diff| %.3g > tol %.3g)"):format(
            tg.name or "?", i, ana, num, err, tol)
        end
      end
    end
  end
  local report = ok and ("gradients match (worst diff/tol %.3f)"):format(worst)
    or table.concat(lines, "\n")
  return ok, report, worst
end

--- check(opts) --> ok, report: opts.forward() --> y tensor; opts.backward(dy) runs the backward
--- pass (after opts.zero_grad()); opts.targets() --> list of {value =, grad =, name =} read AFTER
--- the backward pass (so a returned input gradient can be included).
function M.check(opts)
  if opts.zero_grad then opts.zero_grad() end
  local y = opts.forward()
  local r = M.projection(y.shape, opts.projection_seed)
  local rv = M.values(r)
  local targets = opts.backward(r)
  -- copy the analytic gradients before any perturbed forward pass reuses buffers
  local copied = {}
  for i, tg in ipairs(targets) do
    copied[i] = {value = tg.value, name = tg.name, grad = M.values(tg.grad)}
  end
  local f = function() return M.dot(opts.forward(), rv) end
  return M.check_scalar(f, copied, opts)
end

--- check_layer(layer, x, opts) --> ok, report: the input gradient and every parameter gradient.
--- opts: training (false), seed (reseeds the global stream before each forward, for dropout and
--- augmentation), input (true: check dx), params (true), plus check_scalar's options.
function M.check_layer(layer, x, opts)
  opts = opts or {}
  local training = opts.training and true or false
  local o = {}
  for k, v in pairs(opts) do o[k] = v end
  o.zero_grad = function() layer:zero_grad() end
  o.forward = function()
    if opts.seed then cv.manual_seed(opts.seed) end
    return layer:forward(x, training)
  end
  o.backward = function(dy)
    local dx = layer:backward(dy)
    local t = {}
    if opts.input ~= false then t[#t + 1] = {value = x, grad = dx, name = "input"} end
    if opts.params ~= false then
      for _, p in ipairs(layer:params()) do t[#t + 1] = {value = p.value, grad = p.grad, name = p.name} end
    end
    return t
  end
  return M.check(o)
end

--- check_model(model, x, opts) --> ok, report: every parameter gradient of a model with
--- call(x, training), backprop(dy), params() and zero_grad() (cvision.models), through the
--- projection of its output. opts as check_layer (training, seed, ...).
function M.check_model(model, x, opts)
  opts = opts or {}
  local training = opts.training and true or false
  local o = {}
  for k, v in pairs(opts) do o[k] = v end
  o.zero_grad = function() model:zero_grad() end
  o.forward = function()
    if opts.seed then cv.manual_seed(opts.seed) end
    return model:call(x, training)
  end
  o.backward = function(dy)
    model:backprop(dy)
    local t = {}
    for _, p in ipairs(model:params()) do
      t[#t + 1] = {value = p.value, grad = p.grad, name = p.path or p.name}
    end
    return t
  end
  return M.check(o)
end

--- check_fn(fwd, bwd, x, opts): a function pair y = fwd(x), dx = bwd(dy, x, y) (activations)
function M.check_fn(fwd, bwd, x, opts)
  opts = opts or {}
  local o = {}
  for k, v in pairs(opts) do o[k] = v end
  local y
  o.forward = function() y = fwd(x); return y end
  o.backward = function(dy) return {{value = x, grad = bwd(dy, x, y), name = "input"}} end
  return M.check(o)
end

return M
