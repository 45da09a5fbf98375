-- spec/plot_options_spec.lua - every function of cvision.plot refuses what it does not know: an
-- unknown option, a bad format string, an unknown colour, marker, line style, colour map, legend
-- location, ... each an error naming the function and the option with a "did you mean", raised at
-- the caller's line. matplotlib's aliases (lw, c, ls, ms, ...) keep working.
local plt = require "cvision.plot"

-- The message of the error f raises (nil when none), and whether it points at this file.
local function err(f)
  local ok, e = pcall(f)
  if ok then return nil end
  return (tostring(e):gsub("^[^\n]-:%d+: ", "")), tostring(e):find("plot_options_spec.lua:%d+:") ~= nil
end

local function refuses(msg, f)
  local got, here = err(f)
  assert.equal(msg, got)
  assert.is_true(here, "the error points at the caller's line")
end

describe("cvision.plot options", function()
  before_each(function() plt.close("all") end)

  it("names the function and the option with a suggestion (plot)", function()
    refuses("plot: unknown option 'linewidht' (did you mean 'linewidth'?)",
      function() plt.plot({ 1, 2 }, { linewidht = 3 }) end)
    refuses("plot: unknown option 'colour' (did you mean 'color'?)",
      function() plt.plot({ 1, 2 }, { 3, 4 }, { colour = "red" }) end)
    refuses("plot: unknown option 'markersise' (did you mean 'markersize'?)",
      function() plt.gca():plot({ 1, 2 }, "o", { markersise = 3 }) end)
  end)

  it("lists the known options when nothing is close", function()
    refuses("plot: unknown option 'zorder' (known: alpha, c, color, label, linestyle, linewidth, ls, lw, " ..
      "marker, markersize, ms)", function() plt.plot({ 1, 2 }, { zorder = 3 }) end)
  end)

  it("refuses bad format strings by the character at fault", function()
    refuses("plot: bad format string 'zz' (unrecognised character 'z'; a format is [marker][line][colour], as 'ro--')",
      function() plt.plot({ 1, 2 }, "zz") end)
    refuses("plot: bad format string 'r-g' (two colours; a format is [marker][line][colour], as 'ro--')",
      function() plt.plot({ 1, 2 }, "r-g") end)
    refuses("plot: bad format string 'o--:' (two line styles; a format is [marker][line][colour], as 'ro--')",
      function() plt.plot({ 1, 2 }, "o--:") end)
    refuses("plot: bad format string 'gren' (two colours; did you mean 'green'?)",
      function() plt.plot({ 1, 2 }, "gren") end)
    -- what matplotlib reads is read the same
    local a = plt.plot({ 1, 2 }, "C1--o")
    assert.same({ "C1", "--", "o" }, { a.color, a.linestyle, a.marker })
    a = plt.plot({ 1, 2 }, "^k:")
    assert.same({ "k", ":", "^" }, { a.color, a.linestyle, a.marker })
    a = plt.plot({ 1, 2 }, "red")
    assert.equal("red", a.color)
    a = plt.plot({ 1, 2 }, "s")
    assert.same({ "none", "s" }, { a.linestyle, a.marker })
  end)

  it("keeps matplotlib's aliases and refuses an alias next to its option", function()
    local a = plt.plot({ 1, 2 }, { lw = 3, c = "red", ls = "--", ms = 9, marker = "o" })
    assert.same({ 3, "red", "--", 9 }, { a.linewidth, a.color, a.linestyle, a.markersize })
    refuses("plot: got both 'linewidth' and 'lw', which are aliases of one another",
      function() plt.plot({ 1, 2 }, { lw = 3, linewidth = 2 }) end)
    plt.axhline(0.5, { lw = 2, ls = ":", c = "k" })
    plt.text(0, 0, "x", { size = 12, c = "red", horizontalalignment = "center" })
    plt.grid(true, { ls = "--", lw = 0.5 })
    plt.hist({ 1, 2, 3 }, { ec = "black" })
    plt.render()
  end)

  it("checks the values of style options: colours, markers, line styles", function()
    refuses("plot: unknown colour 'rde' (did you mean 'red'?)", function() plt.plot({ 1 }, { color = "rde" }) end)
    refuses("plot: unknown linestyle 'dased' (did you mean 'dashed'?)",
      function() plt.plot({ 1 }, { linestyle = "dased" }) end)
    refuses("plot: unknown marker 'q' (known: o . s D ^ v < > x + *)", function() plt.plot({ 1 }, { marker = "q" }) end)
    refuses("axhline: unknown linestyle 'dotte' (did you mean 'dotted'?)", function() plt.axhline(1, { ls = "dotte" }) end)
    refuses("grid: unknown linestyle 'dased' (did you mean 'dashed'?)", function() plt.grid(true, { linestyle = "dased" }) end)
    refuses("grid: unknown axis 'xx' (did you mean 'x'?)", function() plt.grid(true, { axis = "xx" }) end)
  end)

  it("checks every artist's options", function()
    refuses("scatter: unknown option 'colr' (did you mean 'color'?)", function() plt.scatter({ 1 }, { 1 }, { colr = "r" }) end)
    refuses("bar: unknown option 'widht' (did you mean 'width'?)", function() plt.bar({ 1 }, { 1 }, { widht = 0.5 }) end)
    refuses("barh: unknown option 'heigth' (did you mean 'height'?)", function() plt.barh({ 1 }, { 1 }, { heigth = 0.5 }) end)
    refuses("hist: unknown option 'bin' (did you mean 'bins'?)", function() plt.hist({ 1, 2 }, { bin = 5 }) end)
    refuses("hist: unknown histtype 'stepp' (did you mean 'step'?)", function() plt.hist({ 1, 2 }, { histtype = "stepp" }) end)
    refuses("imshow: unknown option 'cmp' (did you mean 'cmap'?)", function() plt.imshow({ { 1 } }, { cmp = "gray" }) end)
    refuses("imshow: unknown colour map 'grey_R' (did you mean 'grey_r'?)",
      function() plt.imshow({ { 1 } }, { cmap = "grey_R" }) end)
    refuses("imshow: unknown interpolation 'bilinar' (did you mean 'bilinear'?)",
      function() plt.imshow({ { 1 } }, { interpolation = "bilinar" }) end)
    refuses("text: unknown option 'fontsise' (did you mean 'fontsize'?)", function() plt.text(0, 0, "a", { fontsise = 3 }) end)
    refuses("text: unknown horizontal alignment 'centre' (did you mean 'center'?)",
      function() plt.text(0, 0, "a", { ha = "centre" }) end)
    refuses("axvline: unknown option 'linestlye' (did you mean 'linestyle'?)", function() plt.axvline(1, { linestlye = "-" }) end)
  end)

  it("checks the options of axes decorations", function()
    refuses("title: unknown option 'fontsiz' (did you mean 'fontsize'?)", function() plt.title("t", { fontsiz = 3 }) end)
    refuses("title: unknown loc 'centre' (did you mean 'center'?)", function() plt.title("t", { loc = "centre" }) end)
    refuses("xlabel: unknown option 'fontsze' (did you mean 'fontsize'?)", function() plt.xlabel("x", { fontsze = 3 }) end)
    refuses("ylabel: unknown option 'fontsze' (did you mean 'fontsize'?)", function() plt.ylabel("y", { fontsze = 3 }) end)
    refuses("xticks: unknown option 'rotaton' (did you mean 'rotation'?)", function() plt.xticks({ 1 }, { "a" }, { rotaton = 9 }) end)
    refuses("yticks: unknown option 'rotaton' (did you mean 'rotation'?)", function() plt.yticks({ rotaton = 9 }) end)
    refuses("legend: unknown option 'lco' (did you mean 'loc'?)", function() plt.legend({ lco = "best" }) end)
    refuses("legend: unknown loc 'uper right' (did you mean 'upper right'?)", function() plt.legend({ loc = "uper right" }) end)
    refuses("grid: unknown option 'colour' (did you mean 'color'?)", function() plt.grid(true, { colour = "r" }) end)
    refuses("axis: unknown mode 'of' (did you mean 'off'?)", function() plt.axis("of") end)
    plt.imshow({ { 1, 2 } })
    refuses("colorbar: unknown option 'lable' (did you mean 'label'?)", function() plt.colorbar({ lable = "x" }) end)
  end)

  it("checks the options of figures, layout, saving and showing", function()
    refuses("figure: unknown option 'figsze' (did you mean 'figsize'?)", function() plt.figure({ figsze = { 2, 2 } }) end)
    refuses("suptitle: unknown option 'fontsiz' (did you mean 'fontsize'?)", function() plt.suptitle("s", { fontsiz = 3 }) end)
    refuses("subplots_adjust: unknown option 'lft' (did you mean 'left'?)", function() plt.subplots_adjust({ lft = 0.2 }) end)
    refuses("tight_layout: unknown option 'padd' (did you mean 'pad'?)", function() plt.tight_layout({ padd = 1 }) end)
    refuses("figtext: unknown option 'fontsiz' (did you mean 'fontsize'?)", function() plt.gcf():text(0, 0, "t", { fontsiz = 1 }) end)
    refuses("savefig: unknown option 'dip' (did you mean 'dpi'?)", function() plt.savefig(os.tmpname(), { dip = 50 }) end)
    plt.plot({ 1 })
    refuses("show: unknown option 'inlne' (did you mean 'inline'?)", function() plt.show({ inlne = false }) end)
  end)

  it("checks the options of the ready-made figures", function()
    refuses("history: unknown option 'pth' (did you mean 'path'?)", function() plt.history({ loss = { 1 } }, { pth = "x.png" }) end)
    refuses("confusion_matrix: unknown option 'normalise' (did you mean 'normalize'?)",
      function() plt.confusion_matrix({ 1, 2 }, { 1, 2 }, nil, { normalise = true }) end)
    refuses("model: unknown option 'show_shape' (did you mean 'show_shapes'?)",
      function() plt.model({ layers = {} }, { show_shape = true }) end)
  end)
end)

describe("cvision.plot colour options", function()
  before_each(function() plt.close("all") end)
  it("names the function and the closest colour for every colour option", function()
    refuses("bar: unknown colour 'rde' (did you mean 'red'?)", function() plt.bar({ 1 }, { 1 }, { color = "rde" }) end)
    refuses("bar: unknown colour 'blak' (did you mean 'black'?)",
      function() plt.bar({ 1, 2 }, { 1, 2 }, { color = { "red", "blak" } }) end)
    refuses("barh: unknown colour 'gren' (did you mean 'green'?)", function() plt.barh({ 1 }, { 1 }, { color = "gren" }) end)
    refuses("hist: unknown colour 'oragne' (did you mean 'orange'?)", function() plt.hist({ 1 }, { color = "oragne" }) end)
    refuses("scatter: unknown colour 'purpel' (did you mean 'purple'?)",
      function() plt.scatter({ 1 }, { 1 }, { c = "purpel" }) end)
    refuses("grid: unknown colour 'gery' (did you mean 'grey'?)", function() plt.grid(true, { color = "gery" }) end)
    refuses("figure: unknown colour 'whit' (did you mean 'white'?)", function() plt.figure({ facecolor = "whit" }) end)
    refuses("suptitle: unknown colour 'rde' (did you mean 'red'?)", function() plt.suptitle("s", { color = "rde" }) end)
    refuses("title: unknown colour 'rde' (did you mean 'red'?)", function() plt.title("s", { color = "rde" }) end)
    refuses("text: unknown colour 'rde' (did you mean 'red'?)", function() plt.text(0, 0, "s", { color = "rde" }) end)
  end)
end)
