-- cvision.plot.marching: marching squares on a grid of values, the geometry behind contour and
-- contourf. Promises: level lines joined into polylines (closed ones end where they start), filled
-- bands lo < z <= hi as polygons that tile the band without gaps, both from the same straight
-- segments per cell, with a saddle cell resolved by its centre value (the mean of its corners, as
-- matplotlib's contour algorithm), so that lines and bands agree. Cells with a NaN corner are
-- left out (matplotlib's masked cells). All coordinates are data coordinates.
--
-- A grid is {Z = rows, X = rows, Y = rows, ny = #rows, nx = #columns}: Z[i][j] is the value at
-- (X[i][j], Y[i][j]). A cell (i, j) has corners c1 = (i, j), c2 = (i, j + 1), c3 = (i + 1, j + 1),
-- c4 = (i + 1, j) and edges e_k from c_k to c_(k+1); its boundary is walked c1, e1, c2, ... e4.
local M = {}

local CI, CJ = { 0, 0, 1, 1 }, { 0, 1, 1, 0 }   -- corner offsets of a cell, in boundary order

local function finite(v) return v == v and v ~= math.huge and v ~= -math.huge end

-- The point where level L crosses the edge between grid points a and b, computed from the
-- lower-index end so that both cells sharing the edge get the very same point.
local function edge_point(g, ia, ja, ib, jb, L)
  if ib < ia or (ib == ia and jb < ja) then ia, ja, ib, jb = ib, jb, ia, ja end
  local za, zb = g.Z[ia][ja], g.Z[ib][jb]
  local t = (L - za) / (zb - za)
  local xa, ya = g.X[ia][ja], g.Y[ia][ja]
  return xa + t * (g.X[ib][jb] - xa), ya + t * (g.Y[ib][jb] - ya), t
end

-- The pairs of a cell's crossings of one level (2 or 4 in boundary order, each with .up: the
-- boundary goes above the level after it): chords that cut off the arcs whose side differs from
-- the centre's (centre_up: the centre value is above the level). --> partner map {crossing -> crossing}
local function pair_up(cr, centre_up)
  local partner = {}
  if #cr == 2 then
    partner[cr[1]], partner[cr[2]] = cr[2], cr[1]
  elseif #cr == 4 then
    local a = cr[1].up ~= centre_up and 1 or 2   -- the arc after cr[a] is cut off
    local b, c, d = a % 4 + 1, (a + 1) % 4 + 1, (a + 2) % 4 + 1
    partner[cr[a]], partner[cr[b]] = cr[b], cr[a]
    partner[cr[c]], partner[cr[d]] = cr[d], cr[c]
  end
  return partner
end

-- The corner values of cell (i, j), or nil when one is not finite.
local function corners(g, i, j)
  local Z = g.Z
  local z1, z2, z3, z4 = Z[i][j], Z[i][j + 1], Z[i + 1][j + 1], Z[i + 1][j]
  if finite(z1) and finite(z2) and finite(z3) and finite(z4) then return { z1, z2, z3, z4 } end
  return nil
end

-- Edge ids shared by neighbouring cells: horizontal edges (i, j)-(i, j + 1), then vertical ones.
local function edge_id(g, i, j, k)
  if k == 1 then return (i - 1) * g.nx + j
  elseif k == 3 then return i * g.nx + j
  elseif k == 2 then return g.nx * g.ny + (i - 1) * g.nx + j + 1 end
  return g.nx * g.ny + (i - 1) * g.nx + j
end

-- Joins segments (pairs of edge ids) into polylines of points.
local function join(seg_a, seg_b, pts)
  local at = {}
  for s = 1, #seg_a do
    for _, e in ipairs({ seg_a[s], seg_b[s] }) do
      local l = at[e]
      if not l then at[e] = { s } else l[#l + 1] = s end
    end
  end
  local used, lines = {}, {}
  local function walk(s, from)
    local line = {}
    local e = from
    local p = pts[e]
    line[1], line[2] = p[1], p[2]
    while s and not used[s] do
      used[s] = true
      e = seg_a[s] == e and seg_b[s] or seg_a[s]
      p = pts[e]
      line[#line + 1], line[#line + 2] = p[1], p[2]
      local nxt = nil
      for _, t in ipairs(at[e]) do if not used[t] then nxt = t end end
      s = nxt
    end
    lines[#lines + 1] = line
  end
  -- open lines start at an edge of one segment (the grid's border, a masked cell), then loops
  for s = 1, #seg_a do
    if not used[s] then
      if #at[seg_a[s]] == 1 then walk(s, seg_a[s]) elseif #at[seg_b[s]] == 1 then walk(s, seg_b[s]) end
    end
  end
  for s = 1, #seg_a do if not used[s] then walk(s, seg_a[s]) end end
  return lines
end

--- isolines(grid, level) --> {polyline, ...}: the level's lines, each a flat list {x1, y1, x2, ...}
-- (a closed line repeats its first point at the end)
function M.isolines(g, L)
  local seg_a, seg_b, pts = {}, {}, {}
  for i = 1, g.ny - 1 do
    for j = 1, g.nx - 1 do
      local z = corners(g, i, j)
      if z then
        local cr = {}
        for k = 1, 4 do
          local k2 = k % 4 + 1
          if (z[k] > L) ~= (z[k2] > L) then
            local e = edge_id(g, i, j, k)
            if not pts[e] then
              local x, y = edge_point(g, i + CI[k], j + CJ[k], i + CI[k2], j + CJ[k2], L)
              pts[e] = { x, y }
            end
            cr[#cr + 1] = { e = e, up = z[k2] > L }
          end
        end
        if #cr > 0 then
          local partner = pair_up(cr, (z[1] + z[2] + z[3] + z[4]) / 4 > L)
          for _, c in ipairs(cr) do
            local p = partner[c]
            if c.e < p.e then seg_a[#seg_a + 1], seg_b[#seg_b + 1] = c.e, p.e end
          end
        end
      end
    end
  end
  return join(seg_a, seg_b, pts)
end

-- The boundary of cell (i, j) as nodes: corners {x, y, inside} and crossings {x, y, level, up,
-- after_in} in walking order. above_lo and above_hi classify a value.
local function cell_nodes(g, i, j, z, lo, hi, above_lo)
  local nodes = {}
  local function class(v) return not above_lo(v) and "below" or v > hi and "above" or "in" end
  for k = 1, 4 do
    local ia, ja = i + CI[k], j + CJ[k]
    local k2 = k % 4 + 1
    local ib, jb = i + CI[k2], j + CJ[k2]
    nodes[#nodes + 1] = { x = g.X[ia][ja], y = g.Y[ia][ja], inside = class(z[k]) == "in" }
    local cs = {}
    if above_lo(z[k]) ~= above_lo(z[k2]) then
      local x, y, t = edge_point(g, ia, ja, ib, jb, lo)
      if ib < ia or (ib == ia and jb < ja) then t = 1 - t end
      local up = above_lo(z[k2])
      cs[#cs + 1] = { x = x, y = y, t = t, level = "lo", up = up, after_in = up }
    end
    if (z[k] > hi) ~= (z[k2] > hi) then
      local x, y, t = edge_point(g, ia, ja, ib, jb, hi)
      if ib < ia or (ib == ia and jb < ja) then t = 1 - t end
      local up = z[k2] > hi
      cs[#cs + 1] = { x = x, y = y, t = t, level = "hi", up = up, after_in = not up }
    end
    if #cs == 2 and cs[2].t < cs[1].t then cs[1], cs[2] = cs[2], cs[1] end
    for _, c in ipairs(cs) do nodes[#nodes + 1] = c end
  end
  return nodes
end

-- The polygons of band (lo, hi] inside one cell that the band only partly covers.
local function cell_band(nodes, zc, hi, above_lo, out)
  local lo_cr, hi_cr = {}, {}
  for _, n in ipairs(nodes) do
    if n.level == "lo" then lo_cr[#lo_cr + 1] = n elseif n.level == "hi" then hi_cr[#hi_cr + 1] = n end
  end
  local partner = pair_up(lo_cr, above_lo(zc))
  for k, v in pairs(pair_up(hi_cr, zc > hi)) do partner[k] = v end
  local N = #nodes
  local index = {}
  for i, n in ipairs(nodes) do index[n] = i end
  local visited = {}
  for s = 1, N do
    local sn = nodes[s]
    if not visited[s] and (sn.inside or sn.after_in) then
      local poly, cur = {}, s
      for _ = 1, 2 * N do
        visited[cur] = true
        local nd = nodes[cur]
        poly[#poly + 1], poly[#poly + 2] = nd.x, nd.y
        local nxt = cur % N + 1
        if nd.level and not nd.after_in then         -- leaving the band: along the chord
          local p = index[partner[nd]]
          if p == s then break end
          visited[p] = true
          poly[#poly + 1], poly[#poly + 2] = nodes[p].x, nodes[p].y
          nxt = p % N + 1
        end
        if nxt == s then break end
        cur = nxt
      end
      if #poly >= 6 then out[#out + 1] = poly end
    end
  end
end

--- isoband(grid, lo, hi [, include_lo = false]) --> {polygon, ...}: where lo < z <= hi (lo <= z
-- with include_lo, matplotlib's lowest band), as flat point lists all turning the same way (rows
-- of cells the band covers whole come as one polygon each)
function M.isoband(g, lo, hi, include_lo)
  local above_lo
  if include_lo then above_lo = function(v) return v >= lo end else above_lo = function(v) return v > lo end end
  local out = {}
  local X, Y = g.X, g.Y
  for i = 1, g.ny - 1 do
    local run = nil   -- first column of a run of cells inside the band
    local function flush(j_end)
      if not run then return end
      local p = {}
      local straight = true     -- both edges of the run straight lines (a meshgrid): four corners do
      for j = run + 1, j_end + 1 do
        if Y[i][j] ~= Y[i][run] or Y[i + 1][j] ~= Y[i + 1][run] then straight = false; break end
      end
      local step = straight and j_end + 1 - run or 1
      for j = run, j_end + 1, step do p[#p + 1], p[#p + 2] = X[i][j], Y[i][j] end
      for j = j_end + 1, run, -step do p[#p + 1], p[#p + 2] = X[i + 1][j], Y[i + 1][j] end
      out[#out + 1] = p
      run = nil
    end
    for j = 1, g.nx - 1 do
      local z = corners(g, i, j)
      local full = false
      if z then
        local zmin, zmax = math.min(z[1], z[2], z[3], z[4]), math.max(z[1], z[2], z[3], z[4])
        full = above_lo(zmin) and zmax <= hi
        if not full and above_lo(zmax) and not (zmin > hi) then
          flush(j - 1)
          cell_band(cell_nodes(g, i, j, z, lo, hi, above_lo), (z[1] + z[2] + z[3] + z[4]) / 4, hi, above_lo, out)
        end
      end
      if full then run = run or j else flush(j - 1) end
    end
    flush(g.nx - 1)
  end
  return out
end

return M
