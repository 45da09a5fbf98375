-- spec/gallery_spec.lua - examples/gallery.lua: every entry of examples/gallery/*.lua draws a
-- picture that is not blank, and the index page lists each one with its image.
package.path = "./examples/?.lua;" .. package.path
local gallery = require "gallery"
local image = require "cvision.image"

describe("examples/gallery.lua", function()
  local dir = os.tmpname()
  os.remove(dir)

  it("draws every entry to a PNG with ink and lists it in index.md", function()
    local entries = gallery.entries()
    assert.is_true(#entries >= 1)
    local names = {}
    for _, e in ipairs(entries) do
      assert.is_nil(names[e.name], "two gallery entries named " .. e.name)
      names[e.name] = true
    end
    local written = gallery.run(dir)
    assert.are.equal(#entries, #written)
    local index = assert(io.open(dir .. "/index.md")):read("a")
    for _, e in ipairs(entries) do
      local img = image.imread(dir .. "/" .. e.name .. ".png", { color_mode = "grayscale" })
      -- not one flat colour: the darkest and lightest pixels differ
      assert.is_true(img:max() - img:min() > 50, e.name .. " is blank")
      assert.is_truthy(index:find("![" .. e.name .. "](" .. e.name .. ".png)", 1, true), e.name)
    end
    os.execute("rm -rf '" .. dir .. "'")
  end)
end)
