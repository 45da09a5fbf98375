-- cvision.util.class: the one class helper. A class is a table with __index = itself, a
-- class_name, a super (its parent) and the parent's metamethods (__tostring, __call, ...); the
-- class is callable, cls(...) == cls.new(...). A registry holds the classes of one family (losses,
-- optimizers, layers, ...) by class name and by alias, and turns what a user passes (an object, a
-- name, a config {class_name=, config=}) into an object. serialize gives Keras'
-- serialize_keras_object form {class_name=, config=}; deserialize reads it back.
-- Errors from a registry are raised at the level of whoever called it as a tail call
-- (`return reg:get(id)` from the family's get), that is, at the user's line.
local errors = require "cvision.util.errors"

local M = {}

-- metamethods a class takes from its parent (Lua looks them up raw in the metatable)
local INHERITED = {"__tostring", "__call", "__eq", "__lt", "__le", "__len", "__concat", "__close",
  "__add", "__sub", "__mul", "__div", "__unm"}

--- define(class_name [, parent [, fields]]) --> cls: a class whose instances are setmetatable(t, cls)
--- and which is callable as its constructor cls.new (a class defines new itself)
function M.define(class_name, parent, fields)
  local cls = {}
  for k, v in pairs(fields or {}) do cls[k] = v end
  cls.__index = cls
  cls.class_name = class_name
  cls.super = parent
  if parent then
    for _, mm in ipairs(INHERITED) do
      if rawget(cls, mm) == nil then cls[mm] = parent[mm] end
    end
  end
  -- a tail call, so that an error raised by new at level 2 points at the caller of cls(...)
  return setmetatable(cls, {__index = parent, __call = function(c, ...) return c.new(...) end})
end

--- base() --> a root class table {__index = itself} for a family's shared methods (no class_name)
function M.base()
  local b = {}
  b.__index = b
  return b
end

--- is_object(v [, raw]) --> true when v's metatable names a class (raw: class_name set on the
--- metatable itself, not inherited)
function M.is_object(v, raw)
  if type(v) ~= "table" then return false end
  local mt = getmetatable(v)
  if type(mt) ~= "table" then return false end
  if raw then return rawget(mt, "class_name") ~= nil end
  return mt.class_name ~= nil
end

--- serialize(obj) --> {class_name = obj.class_name, config = obj:get_config()}
function M.serialize(obj)
  return {class_name = obj.class_name, config = obj:get_config()}
end

---------------------------------------------------------------------------------------------------
-- registries
---------------------------------------------------------------------------------------------------

local Registry = {}
Registry.__index = Registry
M.Registry = Registry

--- registry(what [, opts]) --> an empty registry for the family `what` ("loss", "optimizer", ...);
--- opts.fold_case (default true): a name not found as given is looked up again in lower case
function M.registry(what, opts)
  opts = opts or {}
  return setmetatable({what = what, classes = {}, aliases = {}, fold_case = opts.fold_case ~= false},
    Registry)
end

--- reg:register(cls [, alias, ...]) --> cls: adds cls under its class_name (the last one wins) and
--- under each alias
function Registry:register(cls, ...)
  self.classes[cls.class_name] = cls
  for i = 1, select("#", ...) do self.aliases[select(i, ...)] = cls end
  return cls
end

--- reg:alias(name, cls): one more string name for cls
function Registry:alias(name, cls) self.aliases[name] = cls end

--- reg:class(class_name) --> the class registered under that exact class name, or nil
function Registry:class(class_name) return self.classes[class_name] end

--- reg:lookup(name) --> the class for an alias or class name (then the alias in lower case), or nil
function Registry:lookup(name)
  local cls = self.aliases[name] or self.classes[name]
  if not cls and self.fold_case and type(name) == "string" then cls = self.aliases[name:lower()] end
  return cls
end

--- reg:names() --> the sorted list of aliases (what "known:" lists)
function Registry:names()
  local names = {}
  for k in pairs(self.aliases) do names[#names + 1] = k end
  table.sort(names)
  return names
end

--- reg:owns(v) --> true when v is an instance of a class of this registry (registered as such)
function Registry:owns(v)
  local mt = type(v) == "table" and getmetatable(v)
  return type(mt) == "table" and type(rawget(mt, "class_name")) == "string"
    and self.classes[mt.class_name] == mt
end

--- reg:unknown(name [, extra]) --> "unknown <what> 'name' (known: ...)", extra names listed too
function Registry:unknown(name, extra)
  local known = self:names()
  for _, k in ipairs(extra or {}) do known[#known + 1] = k end
  return errors.unknown(self.what, name, known)
end

--- reg:deserialize(spec [, make]) --> an object from {class_name=, config=}: an unknown class or a
--- config that is not a table is an error ("unknown loss class 'X'", "the config of loss X is not
--- an object"); make(cls, config) builds it (default cls.new(config or {}))
function Registry:deserialize(spec, make)
  local cls = self.classes[spec.class_name]
  if not cls then error(("unknown %s class '%s'"):format(self.what, tostring(spec.class_name)), 2) end
  if spec.config ~= nil and type(spec.config) ~= "table" then
    error(("the config of %s %s is not an object"):format(self.what, spec.class_name), 2)
  end
  if make then return make(cls, spec.config) end
  return cls.new(spec.config or {})
end

--- reg:get(id, how) --> an object from an object (returned as is), a name (how.from_name(cls, id),
--- default cls.new()) or a config table (reg:deserialize(id, how.from_config)); anything else
--- raises how.bad(id) (a message). how.instance(v) decides what is already an object (default:
--- class.is_object(v)). Call it as a tail call so that errors point at the user's line.
function Registry:get(id, how)
  how = how or {}
  local instance = how.instance or M.is_object
  if instance(id) then return id end
  if type(id) == "string" then
    local cls = self:lookup(id)
    if not cls then error(self:unknown(id), 2) end
    if how.from_name then return how.from_name(cls, id) end
    return cls.new()
  end
  if type(id) == "table" and id.class_name then return self:deserialize(id, how.from_config) end
  error(how.bad and how.bad(id) or ("bad %s %s"):format(self.what, tostring(id)), 2)
end

return M
