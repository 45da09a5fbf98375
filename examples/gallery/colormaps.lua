-- examples/gallery/colormaps.lua: the colour maps, each as a ramp (entries of examples/gallery.lua),
-- in two pictures as matplotlib's colormap reference groups them: the sequential maps, then the
-- diverging, cyclic, qualitative and miscellaneous ones. Every map of plt.colormaps() (less the
-- NAME_r twins and the "grey" spelling) is in one of the two lists.
local function ramp(plt, names)
  local fig = plt.figure({ figsize = { 6.4, 0.35 * #names + 0.6 } })
  local row = {}
  for i = 0, 255 do row[i + 1] = i / 255 end
  local ramp_t = { row }
  for i, name in ipairs(names) do
    local ax = fig:add_subplot(#names, 1, i)
    ax:imshow(ramp_t, { cmap = name, aspect = "auto" })
    ax:axis("off")
    ax:text(-0.01, 0.5, name, { transform = "axes", ha = "right", va = "center", fontsize = 9 })
  end
  fig:subplots_adjust({ left = 0.2, right = 0.98, top = 0.95, bottom = 0.05 })
end

local sequential = { "viridis", "plasma", "inferno", "magma", "cividis", "gray", "Greys", "Blues", "Greens",
  "Reds" }
local others = { "RdYlGn", "RdBu", "coolwarm", "twilight", "twilight_shifted", "tab10", "tab20", "jet" }

return {
  { name = "colormaps_sequential",
    title = "The sequential colour maps (each also reversed as NAME_r; plt.colormaps() lists them all).",
    code = 'plt.imshow(t, {cmap = "plasma"})',
    draw = function(plt) ramp(plt, sequential) end },
  { name = "colormaps_diverging_qualitative",
    title = "The diverging, cyclic and qualitative colour maps, and jet (tab10 and tab20 are never blended).",
    code = 'plt.imshow(labels, {cmap = "tab10", vmin = 0, vmax = 9})',
    draw = function(plt) ramp(plt, others) end },
}
