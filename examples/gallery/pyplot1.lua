-- examples/gallery/pyplot1.lua: fill_between, fill_betweenx, errorbar, step, hlines, vlines,
-- axhspan, axvspan, pie and annotate, one picture each (entries of examples/gallery.lua)
local function linspace(a, b, n)
  local t = {}
  for i = 0, n - 1 do t[#t + 1] = a + (b - a) * i / (n - 1) end
  return t
end

local function map(t, f)
  local out = {}
  for i, v in ipairs(t) do out[i] = f(v, i) end
  return out
end

return {
  { name = "fill_between", title = "The band between two curves, and where one is above the other.",
    code = 'plt.fill_between(x, y1, y2, {where = above, interpolate = true, alpha = 0.5})',
    draw = function(plt)
      local x = linspace(0, 2 * math.pi, 100)
      local y1 = map(x, math.sin)
      local y2 = map(x, function(v) return 0.6 * math.cos(1.5 * v) end)
      plt.figure({ figsize = { 6.4, 3.6 } })
      plt.plot(x, y1, { color = "black", label = "sin x" })
      plt.plot(x, y2, { color = "black", linestyle = "--", label = "0.6 cos 1.5x" })
      plt.fill_between(x, y1, y2, { where = map(x, function(_, i) return y1[i] > y2[i] end),
        interpolate = true, facecolor = "C2", alpha = 0.5, label = "above" })
      plt.fill_between(x, y1, y2, { where = map(x, function(_, i) return y1[i] <= y2[i] end),
        interpolate = true, facecolor = "C3", alpha = 0.5, label = "below" })
      plt.legend({ loc = "lower left" })
      plt.title("fill_between")
    end },
  { name = "fill_betweenx", title = "The area between two curves of y, as a profile.",
    code = 'plt.fill_betweenx(y, x1, x2, {color = "C1", alpha = 0.4})',
    draw = function(plt)
      local y = linspace(0, 10, 80)
      local x1 = map(y, function(v) return math.exp(-v / 4) * math.sin(v) end)
      local x2 = map(y, function(v) return 1.2 * math.exp(-v / 4) end)
      plt.figure({ figsize = { 4.8, 4.8 } })
      plt.fill_betweenx(y, x1, x2, { color = "C1", alpha = 0.4 })
      plt.plot(x1, y, { color = "C1" })
      plt.title("fill_betweenx")
    end },
  { name = "errorbar", title = "Measurements with asymmetric y errors and x errors, with caps.",
    code = 'plt.errorbar(x, y, {yerr = {lower, upper}, xerr = 0.2, fmt = "o", capsize = 4})',
    draw = function(plt)
      local x = linspace(0.5, 4.5, 8)
      local y = map(x, function(v) return math.exp(-v / 2) * 3 + 0.2 * (math.random() - 0.5) end)
      local lower = map(x, function(v) return 0.1 + 0.05 * v end)
      local upper = map(lower, function(v) return 2 * v end)
      plt.figure({ figsize = { 6.4, 3.6 } })
      plt.errorbar(x, y, { yerr = { lower, upper }, xerr = 0.2, fmt = "o", capsize = 4, label = "data" })
      plt.errorbar(x, map(y, function(v) return v + 1 end), { yerr = 0.15, fmt = "s--", capsize = 2,
        ecolor = "gray", label = "shifted" })
      plt.legend()
      plt.title("errorbar")
    end },
  { name = "step", title = "The same points drawn as steps before, after and around each x.",
    code = 'plt.step(x, y, {where = "post", marker = "o", label = "post"})',
    draw = function(plt)
      local x = linspace(1, 10, 10)
      local y = map(x, function(v) return math.sin(v / 2) end)
      plt.figure({ figsize = { 6.4, 3.6 } })
      for k, where in ipairs({ "pre", "mid", "post" }) do
        plt.step(x, map(y, function(v) return v + k end), { where = where, label = where })
        plt.plot(x, map(y, function(v) return v + k end), { color = "gray", marker = "o", linestyle = "none",
          alpha = 0.5 })
      end
      plt.legend({ title = "where" })
      plt.title("step")
    end },
  { name = "hlines", title = "Horizontal segments from xmin to xmax, one colour each.",
    code = 'plt.hlines(y, 0, widths, {colors = {"C0", "C1", "C2"}, linewidth = 4})',
    draw = function(plt)
      local y = linspace(1, 8, 8)
      local widths = map(y, function(v) return 2 + 6 * math.abs(math.sin(v)) end)
      plt.figure({ figsize = { 6.4, 3.6 } })
      plt.hlines(y, 0, widths, { colors = { "C0", "C1", "C2" }, linewidth = 4 })
      plt.plot(widths, y, "ko")
      plt.title("hlines")
    end },
  { name = "vlines", title = "A stem plot from vertical segments and markers.",
    code = 'plt.vlines(x, 0, y, {linestyles = "dashed"})',
    draw = function(plt)
      local x = linspace(0, 4 * math.pi, 24)
      local y = map(x, function(v) return math.cos(v) * math.exp(-v / 6) end)
      plt.figure({ figsize = { 6.4, 3.6 } })
      plt.vlines(x, 0, y, { colors = "C0", linestyles = "dashed" })
      plt.plot(x, y, "o")
      plt.axhline(0, { color = "black", linewidth = 0.8 })
      plt.title("vlines")
    end },
  { name = "axhspan", title = "A band of y values shaded across the axes.",
    code = 'plt.axhspan(-0.5, 0.5, {color = "C1", alpha = 0.3})',
    draw = function(plt)
      local x = linspace(0, 10, 200)
      plt.figure({ figsize = { 6.4, 3.6 } })
      plt.plot(x, map(x, function(v) return math.sin(v) * (1 + v / 10) end))
      plt.axhspan(-0.5, 0.5, { color = "C1", alpha = 0.3, label = "|y| < 0.5" })
      plt.axhspan(1.5, 2, 0.25, 0.75, { facecolor = "C2", alpha = 0.3, label = "xmin = 0.25, xmax = 0.75" })
      plt.legend({ loc = "lower left" })
      plt.title("axhspan")
    end },
  { name = "axvspan", title = "Intervals of x shaded up the whole axes.",
    code = 'plt.axvspan(2, 4, {color = "gray", alpha = 0.3})',
    draw = function(plt)
      local x = linspace(0, 10, 200)
      plt.figure({ figsize = { 6.4, 3.6 } })
      plt.plot(x, map(x, function(v) return math.cos(v) + v / 5 end))
      plt.axvspan(2, 4, { color = "gray", alpha = 0.3 })
      plt.axvspan(6.5, 7.5, 0, 0.5, { facecolor = "C3", alpha = 0.3, edgecolor = "C3" })
      plt.title("axvspan")
    end },
  { name = "pie", title = "matplotlib's pie example: labels, percentages, an exploded wedge.",
    code = 'plt.pie(sizes, {labels = labels, autopct = "%1.1f%%", explode = {0, 0.1, 0, 0}, startangle = 90})',
    draw = function(plt)
      plt.figure({ figsize = { 4.8, 4.8 } })
      plt.pie({ 15, 30, 45, 10 }, { labels = { "Frogs", "Hogs", "Dogs", "Logs" }, autopct = "%1.1f%%",
        explode = { 0, 0.1, 0, 0 }, startangle = 90, wedgeprops = { edgecolor = "white", linewidth = 1 } })
      plt.title("pie")
    end },
  { name = "annotate", title = "Text pointing at data: a styled arrow, matplotlib's simple arrow, offsets.",
    code = 'plt.annotate("local max", {xm, ym}, {xytext = {3, 1.5}, arrowprops = {arrowstyle = "->"}})',
    draw = function(plt)
      local x = linspace(0, 5, 200)
      local y = map(x, function(v) return math.cos(2 * math.pi * v) end)
      plt.figure({ figsize = { 6.4, 3.6 } })
      plt.plot(x, y, { linewidth = 2 })
      plt.ylim(-2, 2)
      plt.annotate("local max", { 2, 1 }, { xytext = { 3, 1.5 }, arrowprops = { arrowstyle = "->" } })
      plt.annotate("simple arrow", { 0.5, -1 }, { xytext = { 0.2, -1.7 },
        arrowprops = { facecolor = "black", shrink = 0.05 } })
      plt.annotate("offset points", { 4, 1 }, { xytext = { 15, 35 }, textcoords = "offset points",
        arrowprops = { arrowstyle = "-|>", color = "C3" } })
      plt.annotate("axes fraction", { 0.98, 0.04 }, { xycoords = "axes fraction", ha = "right", fontsize = 9 })
      plt.title("annotate")
    end },
}
