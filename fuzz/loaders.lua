-- fuzz/loaders.lua: the Lua-side loaders a fuzz input reaches (fuzz/fuzz_loaders.c and
-- spec/fuzz_replay_spec.lua run it): returns run(kind, path), which feeds the file at path to one
-- loader (kind 0..6) and returns its error message or nil. A loader may fail on garbage, and must
-- fail with a message (a string), never crash, hang or allocate beyond the budgets.
local cv = require "cvision"
local saving = require "cvision.saving"

local small
local function model()
  if not small then
    small = cv.Sequential{cv.Input{4}, cv.layers.Dense(3), cv.layers.BatchNormalization(), cv.layers.Dense(2)}
  end
  return small
end

local loaders = {
  [0] = function(p) local st, why = saving.read_safetensors(p) if not st then error(why, 0) end end,
  [1] = function(p) cv.models.load_model(p) end,
  [2] = function(p) model():load_weights(p) end,
  [3] = function(p) cv.data.read_csv(p) end,
  [4] = function(p) saving.load_json(p) end,
  [5] = function(p) cv.models.load_history(p) end,
  [6] = function(p) require("cvision.datasets.hanzi").read_stroke_data(p) end,
}

return function(kind, path)
  local ok, err = pcall(loaders[kind % 7], path)
  if ok then return nil end
  if type(err) ~= "string" then error("a loader raised a " .. type(err) .. ", not a message") end
  return err
end
