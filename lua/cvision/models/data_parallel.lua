-- cvision.models.data_parallel: model:fit's training step over MPI ranks (cv.distributed). Each
-- rank holds the whole model; each global batch is split into contiguous shards, one per rank
-- (cv.distributed.shard); a rank's shard gradient, scaled by its share of the batch, goes into
-- one sum over ranks of the model's flat gradient block (cvision.models.params), and every rank
-- applies the same update.
--
-- Promises:
--  * Every rank starts from rank 0's weights and random state and stays identical to it: the same
--    reduced gradients, the same update, the same shuffles (the random state is rank 0's at each
--    epoch's start).
--  * The loss and the metrics are those of the global batch: each step adds the ranks' sums
--    (loss times rows, each metric's total and count) in one small reduction.
--  * BatchNormalization's moving statistics (the non-trainable weights) are averaged over the
--    ranks after each step, so they stay the same on every rank (each rank normalises its shard
--    with its shard's statistics, as Keras' MirroredStrategy does without SyncBatchNormalization).
local core = require "cvision.core"
local dist = require "cvision.distributed"
local params_mod = require "cvision.models.params"

local M = {}

local function is_model(l) return type(l.layers) == "table" and type(l.call) == "function" end

-- the non-trainable weights of every layer (nested models' included), in layer order; with
-- moving_only, those of trainable layers only (a frozen BatchNormalization runs in inference mode:
-- its statistics do not move, so there is nothing to average)
local function frozen_weights(ls, out, moving_only)
  for _, l in ipairs(ls) do
    local still = moving_only and l.trainable == false
    if is_model(l) then
      if not still then frozen_weights(l.layers, out, moving_only) end
    elseif not still then
      for i = (l.n_trainable or 0) + 1, #(l.weights or {}) do out[#out + 1] = l.weights[i] end
    end
  end
  return out
end

--- begin(model) prepares a data-parallel fit: checks the optimizer, copies rank 0's weights
-- (trainable block and non-trainable weights) to every rank
function M.begin(model)
  if not model.optimizer.apply_block then
    error(("fit: distributed training needs an optimizer that updates the flat weight block; %s does not")
      :format(tostring(model.optimizer.name or model.optimizer)), 0)
  end
  local b = params_mod.block(model, model:_overwritten())
  dist.broadcast(b.value)
  for _, w in ipairs(frozen_weights(model.layers, {})) do dist.broadcast(w) end
end

--- epoch_begin() gives every rank rank 0's random state (shuffles and layers' randomness agree)
function M.epoch_begin()
  core.rng_state(dist.broadcast_string(core.rng_state()))
end

--- step(model, xb, yb [, whole]) --> the global batch's mean loss: one data-parallel optimisation
-- step on the global batch xb, yb, or (whole given: a sharded dataset's batch) on this rank's part
-- xb, yb (false: no row) of a global batch of `whole` rows
function M.step(model, xb, yb, whole)
  local n, a, z = whole, 1, xb and xb.shape[1] or 0
  if not whole then
    n = xb.shape[1]
    a, z = dist.shard(n)
  end
  local rows = z - a + 1
  local before = {}
  for i, m in ipairs(model.metrics) do before[i] = m:get_state() end
  local lv, b = 0
  if rows > 0 then
    local xs, ys = xb, yb
    if not whole then xs, ys = xb:slice(a, z), yb:slice(a, z) end
    lv, b = model:_gradients(xs, ys)          -- the shard's mean loss and gradients
    if rows ~= n then b.grad:mul_(rows / n) end
  else
    b = params_mod.block(model, model:_overwritten())
    b.grad:fill(0)
  end
  dist.allreduce(b.grad)
  model.optimizer:apply_block(b)
  -- (found each step: a restore may replace the tensors; the walk is a few table lookups per layer)
  for _, w in ipairs(frozen_weights(model.layers, {}, true)) do dist.allreduce(w, { op = "mean" }) end
  -- the global loss and metric states, in one reduction
  local nums = { lv * rows }
  for i, m in ipairs(model.metrics) do
    local s = m:get_state()
    nums[#nums + 1] = s.total - before[i].total
    nums[#nums + 1] = s.count - before[i].count
  end
  local sums = dist.allreduce_numbers(nums)
  for i, m in ipairs(model.metrics) do
    m:set_state({ total = before[i].total + sums[2 * i], count = before[i].count + sums[2 * i + 1] })
  end
  return sums[1] / n
end

return M
