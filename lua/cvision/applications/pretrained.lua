-- cvision.applications.pretrained: loading pretrained weights into a model by layer name, so a
-- base built without its top (include_top = false) takes the weights of the full network, as
-- Keras' "_notop" files do. cvision's own base (MobileNetV2, alpha 0.35, grayscale 64x64, 1,000
-- characters; `make pretrained`) ships in lua/cvision/applications/hanzi/.
local saving = require "cvision.saving"
local errors = require "cvision.util.errors"

local M = {}

--- M.load_by_name(model, path [, {skip_missing = false}]): every weight of every layer of model
--- is set from the file's tensor "layers.<layer name>.<weight name>" (shapes checked); tensors of
--- layers the model lacks (the top) are left unused. A layer whose weights the file lacks is an
--- error naming it unless skip_missing
function M.load_by_name(model, path, o)
  o = o or {}
  local st, reason = saving.read_safetensors(path)
  if not st then error(("load_by_name: %s: %s"):format(path, reason), 2) end
  if not st.header_checked then error(("load_by_name: %s: the header has no checksum"):format(path), 2) end
  local n = 0
  local function visit(m)
    for _, l in ipairs(m.layers) do
      if require("cvision.models.model").is_model(l) then
        visit(l)
      elseif l.weights and #l.weights > 0 then
        local list, missing = {}, nil
        for j, w in ipairs(l.weights) do
          local name = ("layers.%s.%s"):format(l.name, l.weight_names[j] or tostring(j))
          local t = st.tensors[name]
          if not t then missing = name break end
          for d = 1, math.max(#w.shape, #t.shape) do
            if t.shape[d] ~= w.shape[d] then
              error(("load_by_name: %s: %s has shape (%s), layer %s expects (%s)"):format(path, name,
                table.concat(t.shape, ", "), l.name, table.concat(w.shape, ", ")), 3)
            end
          end
          list[j] = t
        end
        if missing then
          if not o.skip_missing then
            error(("load_by_name: %s: no weights for layer %s (missing %s)"):format(path, l.name, missing), 3)
          end
        else
          local ok, err = pcall(l.set_weights, l, list)
          if not ok then error(("load_by_name: %s: layer %s: %s"):format(path, l.name, errors.clean(err)), 3) end
          n = n + 1
        end
      end
    end
  end
  visit(model)
  return n
end

--- M.verify(path, sha256) --> true, or error naming path when the file's SHA-256 (hex) is not
--- sha256 (a shipped weight file that was damaged or replaced)
function M.verify(path, sha256)
  local f, why = io.open(path, "rb")
  if not f then error(("verify: %s"):format(why), 2) end
  local got = require("cvision.core").sha256(f:read("a"))
  f:close()
  if got ~= sha256 then
    error(("verify: %s: SHA-256 %s, expected %s (the file is damaged or not the one shipped)"):format(path,
      got, tostring(sha256)), 2)
  end
  return true
end

--- M.hanzi_path() --> the shipped hanzi base's weights (lua/cvision/applications/hanzi/...)
function M.hanzi_path() return require("cvision.applications.decode").hanzi_base_path() .. ".safetensors" end

return M
