-- examples/gallery/pyplot2.lua: boxplot, violinplot, matshow, contour (with clabel) and contourf
-- (entries of examples/gallery.lua)

-- A normal sample (Box-Muller on math.random, which the gallery seeds).
local function normal(n, mu, sigma)
  local out = {}
  for i = 1, n do
    local u1, u2 = 1 - math.random(), math.random()
    out[i] = mu + sigma * math.sqrt(-2 * math.log(u1)) * math.cos(2 * math.pi * u2)
  end
  return out
end

-- matplotlib's contour demo field: the difference of two gaussian bumps, times 2.
local function bumps()
  local x, y, Z = {}, {}, {}
  for i = 1, 61 do x[i] = -3 + 6 * (i - 1) / 60 end
  for i = 1, 49 do y[i] = -2 + 4 * (i - 1) / 48 end
  for i = 1, #y do
    Z[i] = {}
    for j = 1, #x do
      local z1 = math.exp(-x[j] ^ 2 - y[i] ^ 2)
      local z2 = math.exp(-(x[j] - 1) ^ 2 - (y[i] - 1) ^ 2)
      Z[i][j] = (z1 - z2) * 2
    end
  end
  return x, y, Z
end

return {
  { name = "boxplot", title = "Box plots: quartiles, whiskers at 1.5 IQR and fliers; notched and filled on the right.",
    code = 'plt.boxplot(data, {tick_labels = {"A", "B", "C", "D"}, notch = true, patch_artist = true})',
    draw = function(plt)
      local data = { normal(80, 0, 1), normal(80, 1, 2), normal(80, -0.5, 0.7), normal(80, 2, 1.3) }
      for _, v in ipairs({ 4.2, -3.6 }) do table.insert(data[1], v) end
      table.insert(data[3], 3.1)
      local _, axs = plt.subplots(1, 2, { figsize = { 8, 4 } })
      axs[1]:boxplot(data, { tick_labels = { "A", "B", "C", "D" } })
      axs[1]:set_title("Rectangular box plot")
      axs[2]:boxplot(data, { tick_labels = { "A", "B", "C", "D" }, notch = true, patch_artist = true,
        boxprops = { facecolor = "lightblue" } })
      axs[2]:set_title("Notched box plot")
      for _, ax in ipairs(axs) do
        ax:grid(true, { axis = "y", alpha = 0.5 })
        ax:set_ylabel("observed values")
      end
      plt.tight_layout()
    end },

  { name = "violinplot", title = "Violin plots: each sample's gaussian kernel density, mirrored.",
    code = "plt.violinplot(data, {showmeans = false, showmedians = true})",
    draw = function(plt)
      local data = {}
      for k, s in ipairs({ 1, 1.5, 2, 2.5 }) do data[k] = normal(100, 0, s) end
      local bimodal = normal(60, -2, 0.7)
      for _, v in ipairs(normal(60, 2, 0.9)) do bimodal[#bimodal + 1] = v end
      data[5] = bimodal
      local _, axs = plt.subplots(1, 2, { figsize = { 8, 4 } })
      axs[1]:violinplot(data, { showmedians = true })
      axs[1]:set_title("Default violin plot")
      axs[2]:violinplot(data, { showmeans = true, showextrema = false, bw_method = 0.2, points = 200 })
      axs[2]:set_title("bw_method = 0.2, means")
      for _, ax in ipairs(axs) do
        ax:set_xticks({ 1, 2, 3, 4, 5 }, { "σ 1", "σ 1.5", "σ 2", "σ 2.5", "mixed" })
        ax:grid(true, { axis = "y", alpha = 0.5 })
      end
      plt.tight_layout()
    end },

  { name = "matshow", title = "A matrix as cells, row 0 at the top (on a figure of the matrix's shape).",
    code = 'plt.matshow(A, {cmap = "RdBu"}); plt.colorbar()',
    draw = function(plt)
      -- a correlation-like matrix: neighbours of a chain correlate, decaying with distance
      local n, A = 12, {}
      for i = 1, n do
        A[i] = {}
        for j = 1, n do A[i][j] = math.exp(-math.abs(i - j) / 3) * math.cos((i - j) * 0.6) end
      end
      plt.matshow(A, { cmap = "RdBu", vmin = -1, vmax = 1 })
      plt.colorbar()
      plt.title("Correlation matrix")
    end },

  { name = "contour", title = "Level lines with their labels; negative levels dashed when the lines have one colour.",
    code = 'cs = plt.contour(x, y, Z, 10, {colors = "k"}); plt.clabel(cs, {fontsize = 9})',
    draw = function(plt)
      local x, y, Z = bumps()
      plt.figure()
      local cs = plt.contour(x, y, Z, 10, { colors = "k", linewidths = 1 })
      plt.clabel(cs, { fontsize = 9 })
      plt.title("Single colour: negative contours dashed")
    end },

  { name = "contourf", title = "Filled bands between levels, their colours in the colour bar, lines on top.",
    code = 'plt.contourf(x, y, Z, 10, {cmap = "RdBu"}); plt.colorbar(); plt.contour(x, y, Z, 10, {colors = "k"})',
    draw = function(plt)
      local x, y, Z = bumps()
      plt.figure()
      local cf = plt.contourf(x, y, Z, 10, { cmap = "RdBu_r" })
      plt.colorbar(cf, { label = "z" })
      plt.contour(x, y, Z, cf.levels, { colors = "k", linewidths = 0.5 })
      plt.title("contourf with contour lines")
      plt.xlabel("x")
      plt.ylabel("y")
    end },
}
