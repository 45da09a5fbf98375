-- cvision.data.shard: one part of every batch of an image_dataset_from_directory dataset, for
-- the ranks of a data-parallel fit (cv.distributed): ds:shard(num_shards, index). Promises: the
-- parts of a batch are the contiguous row ranges cv.distributed.shard gives, in the order the
-- whole dataset would visit its files on that pass (its seeded reshuffle included), and only
-- this part's files are read.
local M = {}

local Shard = {}
Shard.__index = Shard
M.ShardedDataset = Shard

--- new(ds, num_shards, index [, level]) --> the part `index` (0-based) of ds's batches
function M.new(ds, num_shards, index, level)
  level = (level or 1) + 1
  if math.type(num_shards) ~= "integer" or num_shards < 1 then
    error(("bad argument #1 to 'shard' (num_shards must be a positive integer, got %s)"):format(tostring(num_shards)),
      level)
  end
  if math.type(index) ~= "integer" or index < 0 or index >= num_shards then
    error(("bad argument #2 to 'shard' (index must be an integer in 0..%d, got %s)"):format(num_shards - 1,
      tostring(index)), level)
  end
  return setmetatable({ source = ds, num_shards = num_shards, index = index }, Shard)
end

--- #sharded --> number of batches (the source's)
function Shard.__len(ds) return #ds.source end
--- sharded:num_batches() --> number of batches (the source's)
function Shard:num_batches() return #self end
--- tostring(sharded) --> "ShardedDataset(part i of n of <the source>)"
function Shard:__tostring()
  return ("ShardedDataset(part %d of %d of %s)"):format(self.index, self.num_shards, tostring(self.source))
end

--- for x, y, rows in sharded:batches() do ... end: this part's rows of each of the source's
--- batches and the whole batch's row count; x is false for a batch with no row in this part
function Shard:batches()
  local src = self.source
  local next_idx = src:_index_batches()
  local shard = require("cvision.distributed").shard
  return function()
    local whole = next_idx()
    if whole == nil then return nil end
    local a, z = shard(#whole, self.index, self.num_shards)
    if z < a then return false, nil, #whole end
    local idx = table.move(whole, a, z, 1, {})
    return src:_images(idx), src:_labels(idx), #whole
  end
end

return M
