-- cvision.saving.model_file: the model file (one safetensors file: the architecture as JSON in
-- the metadata, the weights "layers.<layer>.<weight>", the optimizer's state
-- "optimizer.<path>.<slot>" with its iteration count) and the weights-only file, with the Model
-- methods save, save_weights and load_weights, and load_model / from_config to rebuild a model.
-- Loading checks every name, shape and dtype against the model before copying anything into it.
local callbacks = require "cvision.callbacks"
local losses = require "cvision.losses"
local metrics_mod = require "cvision.metrics"
local optimizers = require "cvision.optimizers"
local saving = require "cvision.saving"
local model_mod = require "cvision.models.model"
local base = require("cvision.layers").base

local shape_str, shape_equal = base.shape_str, base.shape_equal
local clean, layer_error = model_mod.clean, model_mod.layer_error
local Model = model_mod.Model

local M = {}

local FORMAT_VERSION = "1"

local function weight_entries(self)
  local entries = {}
  for _, l in ipairs(self.layers) do
    for i, w in ipairs(l.weights) do
      entries[#entries + 1] = {("layers.%s.%s"):format(l.name, l.weight_names[i] or tostring(i)), w}
    end
  end
  return entries
end

M.weight_entries = weight_entries

--- optimizer_entries(model, entries) --> {iterations, learning_rate, slots}: appends the optimizer's
--- slot tensors to entries as "optimizer.<path>.<slot>" and returns the JSON-able rest of its state
function M.optimizer_entries(self, entries)
  local iterations, state = self.optimizer:get_state()
  local slots = {}
  for _, e in ipairs(state) do
    local name = ("optimizer.%s.%s"):format(e[1]:gsub("/", "."), e[2])
    entries[#entries + 1] = {name, e[3]}
    slots[#slots + 1] = {name, e[1], e[2]}
  end
  return {iterations = iterations, learning_rate = self.optimizer.learning_rate, slots = slots}
end

function Model:_compile_config()
  if not self.compiled then return nil end
  local ms = {}
  for i, m in ipairs(self.metrics) do ms[i] = metrics_mod.serialize(m) end
  return {optimizer = optimizers.serialize(self.optimizer),
          loss = self.loss and losses.serialize(self.loss) or nil, metrics = ms}
end

--- save(path): one safetensors file with the architecture, the weights and the optimizer state
-- (atomic: a temporary file renamed over path)
function Model:save(path)
  if type(path) ~= "string" then error("bad argument #1 to 'save' (file path expected)", 2) end
  self:_require_built("save")
  local entries = weight_entries(self)
  local meta = {format = "cvision", format_version = FORMAT_VERSION,
                config = saving.encode_json(self:get_config())}
  local cc = self:_compile_config()
  if cc then
    meta.compile = saving.encode_json(cc)
    meta.optimizer = saving.encode_json(M.optimizer_entries(self, entries))
  end
  local ok, err = pcall(saving.write_safetensors, path, entries, meta)
  if not ok then error("save: " .. clean(err), 2) end
end

--- save_weights(path): the weights alone (safetensors)
function Model:save_weights(path)
  self:_require_built("save_weights")
  local ok, err = pcall(saving.write_safetensors, path, weight_entries(self),
    {format = "cvision-weights", format_version = FORMAT_VERSION, model = self.name})
  if not ok then error("save_weights: " .. clean(err), 2) end
end

-- copies the file's layer tensors into the model's weights; fail(reason) raises
local function restore_weights(self, st, fail, used)
  for i, l in ipairs(self.layers) do
    local list = {}
    for j, w in ipairs(l.weights) do
      local name = ("layers.%s.%s"):format(l.name, l.weight_names[j] or tostring(j))
      local t = st.tensors[name]
      if not t then fail(("missing tensor %q (weight %d of layer %d, %s)"):format(name, j, i, l.name)) end
      if not shape_equal(t.shape, w.shape) then
        fail(("tensor %q has shape %s but layer %s expects %s"):format(name, shape_str(t.shape), l.name,
          shape_str(w.shape)))
      end
      if t.dtype ~= "float32" then fail(("tensor %q is %s, expected float32"):format(name, t.dtype)) end
      list[j] = t
      used[name] = true
    end
    local ok, err = pcall(l.set_weights, l, list)
    if not ok then fail(layer_error(i, l, err)) end
  end
end

local function check_all_used(st, used, fail)
  for _, name in ipairs(st.names) do
    if not used[name] then fail(("unexpected tensor %q (the file does not match the model)"):format(name)) end
  end
end

--- load_weights(path): weights saved by save_weights or save, matched to the layers by position
-- (as Keras 3 does, so a rebuilt model with other default names loads them), count and shapes checked
function Model:load_weights(path)
  self:_require_built("load_weights")
  local function fail(reason) error(("load_weights: %s: %s"):format(path, reason), 3) end
  local st, reason = saving.read_safetensors(path)
  if not st then fail(reason) end
  local fmt = st.metadata.format
  if (fmt == "cvision" or fmt == "cvision-weights") and not st.header_checked then
    fail("the header has no checksum (saved by an older cvision, or the file is corrupt); re-save the weights")
  end
  local stored = {}
  for _, name in ipairs(st.names) do      -- in file order, which is the saving model's weight order
    if name:sub(1, 7) == "layers." then stored[#stored + 1] = name end
  end
  local want = 0
  for _, l in ipairs(self.layers) do want = want + #l.weights end
  if #stored ~= want then
    fail(("the file holds %d layer weights, the model has %d"):format(#stored, want))
  end
  local k = 0
  for i, l in ipairs(self.layers) do
    local list = {}
    for j, w in ipairs(l.weights) do
      k = k + 1
      local t = st.tensors[stored[k]]
      if not shape_equal(t.shape, w.shape) then
        fail(("tensor %q has shape %s but weight %d of layer %d (%s) is %s"):format(stored[k],
          shape_str(t.shape), j, i, l.name, shape_str(w.shape)))
      end
      list[j] = t
    end
    local ok, err = pcall(l.set_weights, l, list)
    if not ok then fail(layer_error(i, l, err)) end
  end
end

--- from_config(cfg) --> a model from get_config()'s table
function M.from_config(cfg)
  if type(cfg) ~= "table" then error("from_config: config table expected", 2) end
  local cls = model_mod.classes[cfg.class_name]
  if not cls and cfg.class_name == "Functional" then cls = require("cvision.models.functional").Functional end
  if not cls then error(("from_config: unknown model class %s"):format(tostring(cfg.class_name)), 2) end
  if cfg.config ~= nil and type(cfg.config) ~= "table" then
    error(("from_config: the config of a %s is not an object"):format(cfg.class_name), 2)
  end
  return cls.from_config(cfg.config or {})
end

--- load_model(path) --> the saved model, compiled with its optimizer state when it was compiled.
-- Any problem with the file raises "load_model: <path>: <reason>".
function M.load_model(path)
  if type(path) ~= "string" then error("bad argument #1 to 'load_model' (file path expected)", 2) end
  local function fail(reason) error(("load_model: %s: %s"):format(path, reason), 0) end
  local st, reason = saving.read_safetensors(path)
  if not st then fail(reason) end
  local meta = st.metadata
  if meta.format ~= "cvision" then
    fail(meta.format == "cvision-weights" and "holds weights only (use model:load_weights)"
      or "not a cvision model file (no cvision metadata)")
  end
  -- the data CRC does not cover the architecture: without the header's own CRC a flipped bit could
  -- load as another valid model (a different Dropout rate, an epsilon), so it is required
  if not st.header_checked then
    fail("the header has no checksum (saved by an older cvision, or the file is corrupt); re-save the model")
  end
  local cfg, err = saving.decode_json(meta.config or "")
  if type(cfg) ~= "table" then fail("bad model config: " .. tostring(err or "not an object")) end
  -- building allocates no more than the file's tensors hold (a 4 KB file once asked for a
  -- Dense of 20 million units: 7.3 GB before any tensor was compared)
  local data_bytes = 0
  for _, t in pairs(st.tensors) do data_bytes = data_bytes + t:numel() * (t.dtype == "uint8" and 1 or 4) end
  local ok, model = pcall(require("cvision.initializers").with_budget, data_bytes, "the file", M.from_config, cfg)
  if not ok then fail("cannot rebuild the model: " .. clean(model)) end
  if not model.built then fail("the model config has no input shape") end
  local used = {}
  restore_weights(model, st, fail, used)
  if meta.compile then
    local cc, cerr = saving.decode_json(meta.compile)
    if type(cc) ~= "table" then fail("bad compile config: " .. tostring(cerr)) end
    local cok, cmsg = pcall(model.compile, model, {optimizer = cc.optimizer, loss = cc.loss, metrics = cc.metrics})
    if not cok then fail(clean(cmsg)) end
    local oc, oerr = saving.decode_json(meta.optimizer or "")
    if type(oc) ~= "table" then fail("bad optimizer state: " .. tostring(oerr)) end
    M.restore_optimizer(model, st, oc, fail, used)
  end
  check_all_used(st, used, fail)
  return model
end

--- restore_optimizer(model, st, oc, fail, used): the optimizer state oc (optimizer_entries' table)
--- with its tensors from the safetensors st, checked against the model's trainable weights and
--- set into model.optimizer; fail(reason) raises; the tensor names taken are marked in used
function M.restore_optimizer(model, st, oc, fail, used)
  local shapes = {}
  for _, p in ipairs(model:params()) do shapes[p.path] = p.value.shape end
  if type(oc.slots or {}) ~= "table" then fail("bad optimizer state: slots is not a list") end
  local state = {}
  for i, e in ipairs(oc.slots or {}) do
    if type(e) ~= "table" then fail(("bad optimizer state: slot entry %d is not a list"):format(i)) end
    local name, ppath, slot = e[1], e[2], e[3]
    local t = st.tensors[name]
    if not t then fail(("missing optimizer tensor %q"):format(tostring(name))) end
    if not shapes[ppath] then fail(("optimizer tensor %q belongs to no trainable weight"):format(name)) end
    if not shape_equal(shapes[ppath], t.shape) then
      fail(("optimizer tensor %q has shape %s, its weight %s"):format(name, shape_str(t.shape), shape_str(shapes[ppath])))
    end
    used[name] = true
    state[#state + 1] = {ppath, slot, t}
  end
  local sok, serr = pcall(model.optimizer.set_state, model.optimizer, oc.iterations or 0, state)
  if not sok then fail("bad optimizer state: " .. clean(serr):gsub("^set_state: ", "")) end
  if oc.learning_rate ~= nil then model.optimizer.learning_rate = oc.learning_rate end
  local problem = model.optimizer:check_hyperparameters()
  if problem then fail("bad optimizer state: " .. problem) end
end

M.restore_weights = restore_weights

--- save_history(history, path): writes history.history (or a plain table of lists) as JSON,
--- Keras' json.dump(history.history)
function M.save_history(h, path)
  saving.save_json(path, h.history or h)
end

--- load_history(path) --> a History whose .history is the file's table (callbacks.History.load)
function M.load_history(path)
  return callbacks.History.load(path)
end

return M
