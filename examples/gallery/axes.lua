-- examples/gallery/axes.lua: log axes, twin axes, aspect ratios and style sheets (entries of
-- examples/gallery.lua)
local function range(n, f)
  local t = {}
  for i = 1, n do t[i] = f(i) end
  return t
end

-- One small plot of four phase-shifted waves, the same in every style, on a new axes of fig.
local function waves(fig, rows, cols, i, name)
  local ax = fig:add_subplot(rows, cols, i)
  local x = range(60, function(k) return (k - 1) / 6 end)
  for j = 1, 4 do
    ax:plot(x, range(60, function(k) return math.sin(x[k] + j) * (1 + 0.15 * j) + 0.05 * x[k] end),
      { label = "series " .. j })
  end
  ax:set_title(name)
  ax:set_xlabel("time (s)")
  ax:set_ylabel("signal")
  return ax
end

return {
  { name = "semilogy", title = "An exponential is a straight line on a log y axis (semilogy).",
    code = 'plt.semilogy(t, y, {label = "e^(-t/5)"})',
    draw = function(plt)
      local t = range(101, function(i) return (i - 1) / 5 end)
      plt.semilogy(t, range(101, function(i) return math.exp(-t[i] / 5) end), { label = "e^(−t/5)" })
      plt.semilogy(t, range(101, function(i) return math.exp(-t[i] / 2) end), { label = "e^(−t/2)" })
      plt.grid(true)
      plt.title("Exponential decay")
      plt.xlabel("t")
      plt.ylabel("amplitude")
      plt.legend()
    end },
  { name = "semilogx", title = "A log x axis (semilogx): a low-pass filter's response over frequency.",
    code = 'plt.semilogx(f, gain)',
    draw = function(plt)
      local f = range(121, function(i) return 10 ^ ((i - 1) / 30) end)
      for _, fc in ipairs({ 10, 100 }) do
        plt.semilogx(f, range(121, function(i) return -10 * math.log(1 + (f[i] / fc) ^ 2, 10) end),
          { label = ("cut-off %d Hz"):format(fc) })
      end
      plt.grid(true)
      plt.title("First-order low-pass filter")
      plt.xlabel("frequency (Hz)")
      plt.ylabel("gain (dB)")
      plt.legend({ loc = "lower left" })
    end },
  { name = "loglog", title = "Both axes log (loglog): power laws are straight lines.",
    code = 'plt.loglog(n, n ^ 2, "o-")',
    draw = function(plt)
      local n = range(12, function(i) return 2 ^ i end)
      plt.loglog(n, range(12, function(i) return n[i] end), "o-", { label = "O(n)", markersize = 4 })
      plt.loglog(n, range(12, function(i) return n[i] * math.log(n[i], 2) end), "s-",
        { label = "O(n log n)", markersize = 4 })
      plt.loglog(n, range(12, function(i) return n[i] ^ 2 end), "^-", { label = "O(n²)", markersize = 4 })
      plt.grid(true)
      plt.title("Cost of three algorithms")
      plt.xlabel("n")
      plt.ylabel("operations")
      plt.legend({ loc = "upper left" })
    end },
  { name = "twinx", title = "Two y axes sharing one x axis (twinx); each keeps its own legend.",
    code = 'local ax2 = ax:twinx(); ax2:plot(t, s2, {color = "tab:red"})',
    draw = function(plt)
      local fig, ax = plt.subplots()
      local t = range(100, function(i) return i / 10 end)
      ax:plot(t, range(100, function(i) return math.exp(t[i] / 3) end), { color = "tab:blue", label = "exp" })
      ax:set_xlabel("time (s)")
      ax:set_ylabel("exp(t / 3)")
      local ax2 = ax:twinx()
      ax2:plot(t, range(100, function(i) return math.sin(2 * math.pi * t[i] / 4) end),
        { color = "tab:red", label = "sin" })
      ax2:set_ylabel("sin(2πt / 4)")
      ax:legend({ loc = "upper left" })
      ax2:legend({ loc = "upper center" })
      ax:set_title("Two scales on one plot")
      fig:tight_layout()
    end },
  { name = "twiny", title = "A second x axis at the top (twiny): the same data in other units.",
    code = 'local top = ax:twiny(); top:set_xlim(f0, f1)',
    draw = function(plt)
      local fig, ax = plt.subplots()
      local c = range(81, function(i) return -20 + (i - 1) / 2 end)
      ax:plot(c, range(81, function(i) return 1 / (1 + math.exp(-c[i] / 4)) end))
      ax:set_xlabel("temperature (°C)")
      ax:set_ylabel("fraction melted")
      ax:set_xlim(-20, 20)
      local top = ax:twiny()
      top:set_xlim(-20 * 9 / 5 + 32, 20 * 9 / 5 + 32)
      top:set_xlabel("temperature (°F)")
      ax:set_title("Melting curve")
      fig:tight_layout()
    end },
  { name = "set_aspect", title = "set_aspect(\"equal\"): one data unit as long on both axes; a number "
      .. "sets their ratio.", code = 'ax:set_aspect("equal")',
    draw = function(plt)
      local fig, axs = plt.subplots(1, 3, { figsize = { 9, 3.4 } })
      local th = range(201, function(i) return (i - 1) * math.pi / 100 end)
      local cx = range(201, function(i) return math.cos(th[i]) end)
      local cy = range(201, function(i) return math.sin(th[i]) end)
      for i, a in ipairs({ "auto", "equal", 2 }) do
        axs[i]:plot(cx, cy)
        axs[i]:plot(range(201, function(k) return 0.5 * cx[k] end), range(201, function(k) return 0.5 * cy[k] end), "--")
        axs[i]:set_aspect(a)
        axs[i]:set_title(("set_aspect(%s)"):format(type(a) == "string" and '"' .. a .. '"' or tostring(a)))
      end
      fig:tight_layout()
    end },
  { name = "style_sheets", title = "Style sheets (plt.style.use, style.context): the same plot in four "
      .. "of matplotlib's styles.", code = 'plt.style.use("ggplot")',
    draw = function(plt)
      local fig = plt.figure({ figsize = { 10, 7 } })
      for i, name in ipairs({ "ggplot", "bmh", "fivethirtyeight", "seaborn-v0_8" }) do
        plt.style.context(name, function() waves(fig, 2, 2, i, name) end)
      end
      fig:tight_layout()
    end },
  { name = "dark_background", title = "The dark_background style: light lines and text on black.",
    code = 'plt.style.context("dark_background", function() ... end)',
    draw = function(plt)
      plt.style.context("dark_background", function()
        local fig = plt.figure()
        local ax = waves(fig, 1, 1, 1, "dark_background")
        ax:legend({ loc = "lower left" })
        fig:tight_layout()
      end)
    end },
}
