-- cvision.plot.model_figure: cv.plot.model(model), the layers as boxes joined by arrows, as Keras'
-- plot_model draws them. Promises: a Sequential model is a column; a functional model's graph is
-- drawn from its nodes, so a skip connection (a ResNet block's shortcut into its Add) is an arrow
-- of its own, routed in a lane right of the column, and a merge layer's input shape lists every
-- input's shape ("[(None, 8, 8, 4), (None, 8, 8, 4)]"). Drawn by the raster, no Graphviz needed.
local plot = require "cvision.plot"
local core = require "cvision.core"
local rounded_rect = require("cvision.plot.paint").rounded_rect

local M = {}

local max = math.max

--- shape_str(s) --> "(None, 8, 8, 4)" for a sample shape, "[(None, 8), (None, 8)]" for a list
-- of them (a merge layer's inputs), "?" for none
function M.shape_str(s)
  if s == nil then return "?" end
  if type(s) ~= "table" then return tostring(s) end
  if type(s[1]) == "table" then
    local parts = {}
    for i = 1, #s do parts[i] = M.shape_str(s[i]) end
    return "[" .. table.concat(parts, ", ") .. "]"
  end
  local parts = { "None" }
  for i = 1, #s do parts[#parts + 1] = tostring(s[i]) end
  return "(" .. table.concat(parts, ", ") .. ")"
end

local function title(layer, class)
  return tostring(layer.name or "?") .. " (" .. tostring(class or layer.class_name or "?") .. ")"
end

--- graph(model) --> nodes {title, input, output}, edges {{from, to}, ...} (indices into nodes, in
-- topological order): a functional model's nodes and the tensors between them, else the layers
-- of model.layers as a chain (with an InputLayer first when the first layer knows its input)
function M.graph(model)
  local nodes, edges = {}, {}
  if type(model._nodes) == "table" and type(model.inputs) == "table" then
    local index = {}
    for _, kt in ipairs(model.inputs) do
      local n = kt.node
      nodes[#nodes + 1] = { title = title(n.layer, "InputLayer"), input = kt.shape, output = kt.shape }
      index[n] = #nodes
    end
    for _, n in ipairs(model._nodes) do
      local ins = {}
      for i, kt in ipairs(n.inputs) do ins[i] = kt.shape end
      nodes[#nodes + 1] = { title = title(n.layer), input = #ins == 1 and ins[1] or ins,
        output = n.outputs[1] and n.outputs[1].shape or n.layer.output_shape }
      index[n] = #nodes
      for _, kt in ipairs(n.inputs) do
        if index[kt.node] then edges[#edges + 1] = { index[kt.node], #nodes } end
      end
    end
    return nodes, edges
  end
  local layers = model.layers
  local first = layers[1]
  if first and first.input_shape and first.class_name ~= "InputLayer" then
    nodes[1] = { title = (model.input_name or "input_layer") .. " (InputLayer)",
      input = first.input_shape, output = first.input_shape }
  end
  for _, l in ipairs(layers) do
    nodes[#nodes + 1] = { title = title(l), input = l.input_shape, output = l.output_shape }
  end
  for i = 2, #nodes do edges[#edges + 1] = { i - 1, i } end
  return nodes, edges
end

-- Lanes right of the column for the edges that skip boxes: an edge takes the first lane free over
-- its span, ends included (interval colouring), so no two skips share a line. --> the number of lanes.
local function assign_lanes(edges)
  local lanes = {}   -- lanes[k] = the last box the lane's latest edge reaches
  local skips = {}
  for _, e in ipairs(edges) do if e[2] > e[1] + 1 then skips[#skips + 1] = e end end
  table.sort(skips, function(a, b) if a[1] ~= b[1] then return a[1] < b[1] end return a[2] < b[2] end)
  for _, e in ipairs(skips) do
    local k = 1
    while lanes[k] and lanes[k] >= e[1] do k = k + 1 end
    lanes[k] = e[2]
    e.lane = k
  end
  return #lanes
end

local OPTIONS = { show_shapes = true, dpi = true, path = true }

--- model(model [, {show_shapes = true, path, dpi = 100}]) --> Figure: the layers as boxes joined
-- by arrows, each with "name (ClassName)" and, with show_shapes, its input and output shapes as
-- (None, ...); skip connections of a functional model are arrows in lanes right of the column.
-- fig.model_graph = {nodes, edges} holds where each box and edge went (pixels).
function M.model(model, opts)
  opts = require("cvision.util.errors").check_options("model", opts, OPTIONS, 3, "keyword")
  if type(model) ~= "table" or type(model.layers) ~= "table" then
    error("bad argument #1 to 'model' (model with .layers expected)", 2)
  end
  local nodes, edges = M.graph(model)
  local show = opts.show_shapes ~= false
  local dpi = opts.dpi or 100
  local fs = 10 * dpi / 72
  local pad = 0.8 * fs
  local boxw = 0
  local _, asc, desc = core.plot_text_size("Ag", fs)
  local lh = asc + desc
  local tw = function(s, px) return (core.plot_text_size(s, px or fs)) end
  for _, nd in ipairs(nodes) do
    boxw = max(boxw, tw(nd.title, fs * 1.05) + 2 * pad)
    if show then
      nd.ins, nd.outs = M.shape_str(nd.input), M.shape_str(nd.output)
      -- two columns (input | output), each as wide as the wider of the pair
      local col = max(tw(nd.ins), tw(nd.outs), tw("Output shape", fs * 0.9))
      boxw = max(boxw, 2 * col + 4 * pad)
    end
  end
  local head = lh + pad * 1.2
  local body = show and (2 * lh + pad * 1.5) or 0
  local boxh = head + body
  local gap = 2.2 * fs
  local margin = 1.5 * fs
  local lane_gap = 1.6 * fs
  local nlanes = assign_lanes(edges)
  local W = boxw + 2 * margin + (nlanes > 0 and nlanes * lane_gap + 0.4 * fs or 0)
  local H = #nodes * boxh + (#nodes - 1) * gap + 2 * margin
  for i, nd in ipairs(nodes) do
    nd.box = { margin, margin + (i - 1) * (boxh + gap), margin + boxw, margin + (i - 1) * (boxh + gap) + boxh }
  end
  -- where lane edges enter and leave a box's right side: spread over its height, the arrows in
  -- above the lines out, so that no two share a point
  local ins_at, ends_at = {}, {}
  for _, e in ipairs(edges) do
    if e.lane then
      ins_at[e[2]] = (ins_at[e[2]] or 0) + 1
      e.in_k = ins_at[e[2]]
      ends_at[e[1]] = (ends_at[e[1]] or 0) + 1
      ends_at[e[2]] = (ends_at[e[2]] or 0) + 1
    end
  end
  local outs_at = {}
  for _, e in ipairs(edges) do
    if e.lane then
      outs_at[e[1]] = (outs_at[e[1]] or 0) + 1
      e.out_k = (ins_at[e[1]] or 0) + outs_at[e[1]]
    end
  end
  local fig = plot.figure { figsize = { W / dpi, H / dpi }, dpi = dpi }
  fig.model_graph = { nodes = nodes, edges = edges }
  local black, frame = { 0, 0, 0, 1 }, { 0.25, 0.25, 0.25, 1 }
  fig:add_painter(function(cv)
    for _, nd in ipairs(nodes) do
      local x, y = nd.box[1], nd.box[2]
      cv:fill_polygon(rounded_rect(x, y, boxw, boxh, 0.4 * fs), { 0.98, 0.98, 0.98, 1 })
      cv:fill_polygon(rounded_rect(x, y, boxw, head + 0.4 * fs, 0.4 * fs), { 0.85, 0.91, 0.97, 1 })
      if show then cv:fill_rect(x + 1, y + head, boxw - 2, 0.4 * fs + 1, { 0.98, 0.98, 0.98, 1 }) end
      local outline = rounded_rect(x, y, boxw, boxh, 0.4 * fs)
      outline[#outline + 1] = outline[1]; outline[#outline + 1] = outline[2]
      cv:stroke(outline, frame, 1.2)
      cv:text(nd.title, x + boxw / 2, y + head / 2, fs * 1.05, black, "center", "center")
      if show then
        local yy = y + head
        cv:stroke({ x, yy, x + boxw, yy }, frame, 1)
        cv:stroke({ x + boxw / 2, yy, x + boxw / 2, y + boxh }, { 0.6, 0.6, 0.6, 1 }, 1)
        local c1, c2 = x + boxw / 4, x + 3 * boxw / 4
        local r1 = yy + pad * 0.5 + lh / 2
        local r2 = r1 + lh + pad * 0.4
        local grey = { 0.35, 0.35, 0.35, 1 }
        cv:text("Input shape", c1, r1, fs * 0.9, grey, "center", "center")
        cv:text("Output shape", c2, r1, fs * 0.9, grey, "center", "center")
        cv:text(nd.ins, c1, r2, fs, black, "center", "center")
        cv:text(nd.outs, c2, r2, fs, black, "center", "center")
      end
    end
    for _, e in ipairs(edges) do
      local a, b = nodes[e[1]].box, nodes[e[2]].box
      if not e.lane then
        -- straight down between neighbours
        local ax, ay0, ay1 = (a[1] + a[3]) / 2, a[4], b[2]
        cv:stroke({ ax, ay0 + 2, ax, ay1 - 0.45 * fs }, black, 1.4)
        cv:fill_polygon({ ax - 0.35 * fs, ay1 - 0.6 * fs, ax + 0.35 * fs, ay1 - 0.6 * fs, ax, ay1 - 1 }, black)
        e.path = { ax, ay0, ax, ay1 }
      else
        -- out of a's right side, down the lane, into b's right side
        local lx = a[3] + 0.4 * fs + e.lane * lane_gap
        local y0 = a[2] + (a[4] - a[2]) * e.out_k / (ends_at[e[1]] + 1)
        local y1 = b[2] + (b[4] - b[2]) * e.in_k / (ends_at[e[2]] + 1)
        local tip = b[3] + 1
        cv:stroke({ a[3] + 1, y0, lx, y0, lx, y1, tip + 0.55 * fs, y1 }, black, 1.4)
        cv:fill_polygon({ tip + 0.6 * fs, y1 - 0.35 * fs, tip + 0.6 * fs, y1 + 0.35 * fs, tip, y1 }, black)
        e.path = { a[3], y0, lx, y0, lx, y1, tip, y1 }
      end
    end
  end)
  if opts.path then fig:savefig(opts.path) end
  return fig
end

return M
