-- spec for cvision.util.class: classes, registries, serialize/deserialize
local class = require "cvision.util.class"

local function make_family()
  local Base = class.base()
  function Base.__tostring(self) return "<" .. self.class_name .. ">" end
  function Base:get_config() return {k = self.k} end
  local A = class.define("Alpha", Base, {kind = "a"})
  function A.new(args)
    args = args or {}
    if type(args.k or 1) ~= "number" then error("bad k", 2) end
    return setmetatable({k = args.k or 1}, A)
  end
  local reg = class.registry("thing")
  reg:register(A, "alpha", "a")
  return Base, A, reg
end

describe("cvision.util.class", function()
  it("makes a class callable as its constructor that inherits its parent's methods and metamethods", function()
    local Base, A = make_family()
    local a = A{k = 3}
    assert.are.equal(A, getmetatable(a))
    assert.are.equal("<Alpha>", tostring(a))
    assert.are.same({k = 3}, a:get_config())
    assert.are.equal(Base, A.super)
    assert.are.equal("a", a.kind)
    assert.are.equal("Alpha", a.class_name)
  end)

  it("raises a constructor's error at the line that called the class", function()
    local _, A = make_family()
    local ok, err = pcall(function() local x = A{k = "no"} return x end)
    assert.is_false(ok)
    assert.truthy(err:find("util_class_spec.lua:%d+: bad k"), err)
  end)

  it("tells objects of a class from plain tables", function()
    local _, A = make_family()
    assert.is_true(class.is_object(A()))
    assert.is_false(class.is_object({class_name = "Alpha"}))
    local sub = setmetatable({}, {__index = A})   -- a user's subclass that inherits class_name
    assert.is_false(class.is_object(setmetatable({}, sub), true))
    assert.is_true(class.is_object(setmetatable({}, sub)))
  end)

  it("finds a class by alias, class name and lower-case alias, and lists the aliases", function()
    local _, A, reg = make_family()
    assert.are.equal(A, reg:lookup("alpha"))
    assert.are.equal(A, reg:lookup("Alpha"))
    assert.are.equal(A, reg:lookup("ALPHA"))
    assert.is_nil(reg:lookup("beta"))
    assert.are.same({"a", "alpha"}, reg:names())
    local strict = class.registry("thing", {fold_case = false})
    strict:register(A, "alpha")
    assert.is_nil(strict:lookup("ALPHA"))
  end)

  it("gets an object from an object, a name or a config, and names what it does not know", function()
    local _, A, reg = make_family()
    local a = A()
    assert.are.equal(a, reg:get(a))
    assert.are.equal(1, reg:get("alpha").k)
    assert.are.equal(7, reg:get({class_name = "Alpha", config = {k = 7}}).k)
    assert.has_error(function() return reg:get("beta") end, "unknown thing 'beta' (known: a, alpha)")
    assert.has_error(function() return reg:get({class_name = "Beta"}) end, "unknown thing class 'Beta'")
    assert.has_error(function() return reg:get({class_name = "Alpha", config = 5}) end,
      "the config of thing Alpha is not an object")
    assert.has_error(function() return reg:get(5, {bad = function(v) return "no " .. v end}) end, "no 5")
  end)

  it("says whether an object belongs to the registry", function()
    local _, A, reg = make_family()
    assert.is_true(reg:owns(A()))
    assert.is_false(reg:owns({}))
    local Other = class.define("Alpha", A)
    Other.new = function() return setmetatable({}, Other) end
    assert.is_false(reg:owns(Other()))
  end)

  it("serializes as Keras' {class_name, config} and reads it back", function()
    local _, A, reg = make_family()
    local spec = class.serialize(A{k = 4})
    assert.are.same({class_name = "Alpha", config = {k = 4}}, spec)
    local b = reg:deserialize(spec)
    assert.are.equal(A, getmetatable(b))
    assert.are.equal(4, b.k)
    assert.are.equal(9, reg:deserialize(spec, function(cls) return cls.new{k = 9} end).k)
  end)
end)
