-- spec/plot_colormaps_spec.lua - the colour maps after viridis (plasma, inferno, magma, cividis,
-- coolwarm, twilight, tab10, tab20) checked against matplotlib's own tables (_cm_listed.py, _cm.py),
-- their reversed twins, the qualitative maps' no-blending lookup, cv.plot.colormaps() and the error
-- that lists the maps. The first maps are in spec/plot_spec.lua.
local core = require "cvision.core"
local plt = require "cvision.plot"
local colors = require "cvision.plot.colors"

-- the colour of entry i (0-based) of an n-entry map: the middle of its bin of [0, 1]
local function entry(name, i, n)
  return { core.plot_colormap(name, (i + 0.5) / n, 0, 1) }
end

-- bytes within 1/255 of matplotlib's float channels
local function near(got, want)
  for k = 1, 3 do
    if math.abs(got[k] / 255 - want[k]) > 1 / 255 + 1e-12 then return false end
  end
  return true
end

local function hex(s)
  return { tonumber(s:sub(2, 3), 16), tonumber(s:sub(4, 5), 16), tonumber(s:sub(6, 7), 16) }
end

-- matplotlib's float rows: entries 0, n // 2 and n - 1
local tables = {
  plasma = { n = 256, { 0.050383, 0.029803, 0.527975 }, { 0.798216, 0.280197, 0.469538 },
    { 0.940015, 0.975158, 0.131326 } },
  inferno = { n = 256, { 0.001462, 0.000466, 0.013866 }, { 0.735683, 0.215906, 0.330245 },
    { 0.988362, 0.998364, 0.644924 } },
  magma = { n = 256, { 0.001462, 0.000466, 0.013866 }, { 0.716387, 0.214982, 0.475290 },
    { 0.987053, 0.991438, 0.749504 } },
  cividis = { n = 256, { 0.000000, 0.135112, 0.304751 }, { 0.488697, 0.485318, 0.471008 },
    { 0.995737, 0.909344, 0.217772 } },
  twilight = { n = 510, { 0.88575015840754434, 0.85000924943067835, 0.8879736506427196 },
    { 0.18488035509396164, 0.079425730279723883, 0.21307651648984993 },
    { 0.88571155122845646, 0.85002186115856315, 0.88572538990087124 } },
}

local new_maps = { "plasma", "inferno", "magma", "cividis", "coolwarm", "twilight", "twilight_shifted",
  "tab10", "tab20" }
local sizes = { twilight = 510, twilight_shifted = 510, tab10 = 10, tab20 = 20 }

describe("cvision.plot colour maps", function()
  describe("the perceptually uniform and cyclic maps", function()
    for name, t in pairs(tables) do
      it("give matplotlib's " .. name .. " at both ends and the middle", function()
        for j, i in ipairs({ 0, t.n // 2, t.n - 1 }) do
          local got = entry(name, i, t.n)
          assert.is_true(near(got, t[j]), ("%s[%d] = %d %d %d"):format(name, i, got[1], got[2], got[3]))
        end
      end)
    end

    it("reach the ends at vmin and vmax and clip beyond them", function()
      assert.same(entry("plasma", 0, 256), { core.plot_colormap("plasma", -5, 0, 1) })
      assert.same(entry("plasma", 255, 256), { core.plot_colormap("plasma", 1, 0, 1) })
      assert.same(entry("plasma", 255, 256), { core.plot_colormap("plasma", 7, 0, 1) })
    end)

    it("give twilight_shifted as twilight's halves swapped and reversed", function()
      for _, i in ipairs({ 0, 1, 100, 254, 255, 300, 509 }) do
        assert.same(entry("twilight", (764 - i) % 510, 510), entry("twilight_shifted", i, 510))
      end
    end)
  end)

  describe("coolwarm", function()
    -- matplotlib's _coolwarm_data rows: x, red, green, blue
    local rows = {
      { 0.0, 0.2298057, 0.298717966, 0.753683153 }, { 0.25, 0.552953156, 0.688929332, 0.995375608 },
      { 0.28125, 0.596262162, 0.726149107, 0.999836203 }, { 0.5, 0.865395197, 0.86541021, 0.865395561 },
      { 0.53125, 0.897787179, 0.848937047, 0.820880546 }, { 1.0, 0.705673158, 0.01555616, 0.150232812 },
    }
    -- entry i sits at x = i / 255, the linear blend of the two data rows around it
    local function blend(i, a, b)
      local f = (i / 255 - a[1]) / (b[1] - a[1])
      return { a[2] + f * (b[2] - a[2]), a[3] + f * (b[3] - a[3]), a[4] + f * (b[4] - a[4]) }
    end

    it("interpolates matplotlib's segment data: blue, grey in the middle, red", function()
      assert.is_true(near(entry("coolwarm", 0, 256), { rows[1][2], rows[1][3], rows[1][4] }))
      assert.is_true(near(entry("coolwarm", 255, 256), { rows[6][2], rows[6][3], rows[6][4] }))
      assert.is_true(near(entry("coolwarm", 128, 256), blend(128, rows[4], rows[5])))
      -- between two rows (x = 0.25 and 0.28125): their blend, farther than 1/255 from either row
      local got, want = entry("coolwarm", 68, 256), blend(68, rows[2], rows[3])
      assert.is_true(near(got, want))
      assert.is_false(near(got, { rows[2][2], rows[2][3], rows[2][4] }))
      assert.is_false(near(got, { rows[3][2], rows[3][3], rows[3][4] }))
    end)
  end)

  describe("tab10 and tab20", function()
    it("hold the colour cycle C0..C9 as tab10's ten colours", function()
      for i = 0, 9 do
        local c = colors.to_rgba("C" .. i)
        local want = { math.floor(c[1] * 255 + 0.5), math.floor(c[2] * 255 + 0.5), math.floor(c[3] * 255 + 0.5) }
        assert.same(want, entry("tab10", i, 10), "C" .. i)
        assert.same(hex(colors.color_cycle[i + 1]), entry("tab10", i, 10))
      end
    end)

    it("hold matplotlib's tab20: each tab10 colour, then its light twin", function()
      local light = { "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7",
        "#dbdb8d", "#9edae5" }
      for i = 0, 9 do
        assert.same(hex(colors.color_cycle[i + 1]), entry("tab20", 2 * i, 20))
        assert.same(hex(light[i + 1]), entry("tab20", 2 * i + 1, 20))
      end
    end)

    it("look a value up as floor(v * N) with no blending", function()
      local C0, C1, C9 = hex("#1f77b4"), hex("#ff7f0e"), hex("#17becf")
      assert.same(C0, { core.plot_colormap("tab10", 0.0999) })
      assert.same(C1, { core.plot_colormap("tab10", 0.1) })
      assert.same(C1, { core.plot_colormap("tab10", 0.1005) })   -- a 256-entry table would say C0
      assert.same(C9, { core.plot_colormap("tab10", 1) })
      assert.same(C9, { core.plot_colormap("tab10", 3) })
      assert.same(C0, { core.plot_colormap("tab10", -1) })
      -- integer labels 0..9 scaled by vmin = 0, vmax = 9 land on C0..C9, as in matplotlib
      for k = 0, 9 do
        assert.same(hex(colors.color_cycle[k + 1]), { core.plot_colormap("tab10", k, 0, 9) })
      end
      local cycle = {}
      for _, c in ipairs(colors.color_cycle) do cycle[table.concat(hex(c), ",")] = true end
      for i = 0, 200 do
        local c = table.concat({ core.plot_colormap("tab10", i / 200) }, ",")
        assert.is_true(cycle[c], c .. " is no tab10 colour")
      end
    end)
  end)

  describe("reversed maps", function()
    for _, name in ipairs(new_maps) do
      it("give " .. name .. "_r as " .. name .. " backwards", function()
        local n = sizes[name] or 256
        for i = 0, n - 1 do
          assert.same(entry(name, n - 1 - i, n), entry(name .. "_r", i, n))
        end
      end)
    end
  end)

  describe("cv.plot.colormaps()", function()
    it("lists every map and its _r, sorted as matplotlib.pyplot.colormaps()", function()
      local names = plt.colormaps()
      assert.are.equal(#core.plot_colormaps(), #names)
      local seen = {}
      for i, n in ipairs(names) do
        seen[n] = true
        if i > 1 then assert.is_true(names[i - 1] < n, names[i - 1] .. " before " .. n) end
      end
      for _, n in ipairs(core.plot_colormaps()) do assert.is_true(seen[n], n) end
      for _, n in ipairs(new_maps) do assert.is_true(seen[n] and seen[n .. "_r"], n) end
      -- capitals first, as Python sorts str
      assert.are.equal("Blues", names[1])
      assert.are.equal("viridis_r", names[#names])
      for _, n in ipairs(names) do assert.has_no.errors(function() core.plot_colormap(n, 0.3) end) end
    end)

    it("hands out a fresh list each call", function()
      local a = plt.colormaps()
      a[1] = "changed"
      assert.are.equal("Blues", plt.colormaps()[1])
    end)
  end)

  describe("unknown names", function()
    it("raise an error naming every map", function()
      local ok, err = pcall(core.plot_colormap, "nosuchmap", 0)
      assert.is_false(ok)
      assert.matches("unknown colour map 'nosuchmap'", err, 1, true)
      for _, n in ipairs(plt.colormaps()) do
        if not n:match("_r$") then assert.matches(n, err, 1, true) end
      end
      assert.matches("NAME_r", err, 1, true)
    end)

    it("suggest the closest new map from imshow", function()
      assert.has_error(function() plt.imshow({ { 0, 1 } }, { cmap = "plasm" }) end,
        "imshow: unknown colour map 'plasm' (did you mean 'plasma'?)")
      plt.close("all")
    end)
  end)
end)
