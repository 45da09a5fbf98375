-- examples/gallery/colormaps.lua: the colour maps, each as a ramp (entries of examples/gallery.lua)
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

return {
  { name = "colormaps", title = "The colour maps (each also reversed as NAME_r).",
    code = 'plt.imshow(t, {cmap = "viridis"})',
    draw = function(plt) ramp(plt, { "viridis", "gray", "Greys", "Blues", "Greens", "Reds", "RdYlGn", "RdBu", "jet" }) end },
}
