-- spec for cvision.util.errors: the one error-message helper
local errors = require "cvision.util.errors"

describe("cvision.util.errors", function()
  it("drops Lua's file:line prefix from a caught error", function()
    local ok, err = pcall(error, "boom", 1)
    assert.is_false(ok)
    assert.are.equal("boom", errors.clean(err))
    assert.are.equal("boom", errors.clean("spec/x_spec.lua:12: boom"))
    assert.are.equal("[C] said: no", errors.clean("[C] said: no"))
  end)

  it("keeps a message without a position and turns a non-string into text", function()
    assert.are.equal("unknown loss 'x'", errors.clean("unknown loss 'x'"))
    assert.are.equal("42", errors.clean(42))
  end)

  it("removes only the first line's prefix", function()
    assert.are.equal("a\nb.lua:3: c", errors.clean("f.lua:1: a\nb.lua:3: c"))
  end)

  it("words bad arguments as Lua's own with and without an argument number", function()
    assert.are.equal("bad argument #2 to 'Conv2D' (kernel_size must be positive)",
      errors.bad_argument("Conv2D", "kernel_size must be positive", 2))
    assert.are.equal("bad argument to 'Adam' (unknown option 'lr2')", errors.unknown_option("Adam", "lr2"))
    assert.are.equal("bad argument to 'Zeros' (unknown keyword argument 'x')",
      errors.unknown_option("Zeros", "x", "keyword argument"))
    assert.are.equal("bad argument #1 to 'SGD' (table of options expected, got number)",
      errors.options_expected("SGD", 3))
  end)

  it("lists the known names sorted after an unknown one", function()
    assert.are.equal("unknown loss 'hinge' (known: mae, mse)", errors.unknown("loss", "hinge", {"mse", "mae"}))
  end)
end)

describe("errors.check_options", function()
  local function f(opts) local o = errors.check_options("f", opts, {a = true}); return o end
  it("returns the options (nil as an empty table) and names a non-table or an unknown key", function()
    local o = {a = 1}
    assert.equal(o, f(o))
    assert.same({}, f(nil))
    assert.has_error(function() f(3) end, "bad argument #1 to 'f' (table of options expected, got number)")
    assert.has_error(function() f({b = 2}) end, "bad argument to 'f' (unknown option 'b')")
  end)
  it("raises at the caller of the checking function", function()
    local ok, err = pcall(function() f({b = 2}) end)
    assert.is_false(ok)
    assert.truthy(tostring(err):find("util_errors_spec.lua:%d+: bad argument"))
  end)
end)

describe("errors.suggest and the keyword style of check_options", function()
  it("suggests the closest known name, swaps and case counting little, and nothing far off", function()
    assert.equal("linewidth", errors.suggest("linewidht", {"linewidth", "linestyle", "label"}))
    assert.equal("color", errors.suggest("colour", {color = true, alpha = true}))
    assert.equal("sharex", errors.suggest("shrex", {"sharex", "sharey", "figsize"}))
    assert.equal("Blues", errors.suggest("blues", {"Blues", "Reds"}))
    assert.is_nil(errors.suggest("b", {"a"}))
    assert.is_nil(errors.suggest("zorder", {"color", "label"}))
  end)
  it("words unknown keywords as pyplot's functions do, with the known names when none is close", function()
    local allowed = {linewidth = true, lw = "linewidth", color = true}
    assert.has_error(function() errors.check_options("plot", {linewidht = 3}, allowed, 2, "keyword") end,
      "plot: unknown option 'linewidht' (did you mean 'linewidth'?)")
    assert.has_error(function() errors.check_options("plot", {zorder = 3}, allowed, 2, "keyword") end,
      "plot: unknown option 'zorder' (known: color, linewidth, lw)")
    assert.has_error(function() errors.check_options("plot", 3, allowed, 2, "keyword") end,
      "plot: table of options expected, got number")
  end)
  it("takes an alias alone and refuses it next to its option", function()
    local allowed = {linewidth = true, lw = "linewidth"}
    assert.same({lw = 2}, errors.check_options("plot", {lw = 2}, allowed, 2, "keyword"))
    assert.has_error(function() errors.check_options("plot", {lw = 2, linewidth = 3}, allowed, 2, "keyword") end,
      "plot: got both 'linewidth' and 'lw', which are aliases of one another")
  end)
end)
