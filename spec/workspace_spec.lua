-- workspace_spec.lua - core.nn.workspace() (the scratch of conv/dense kernels, csrc/base/workspace.h)
-- seen from Lua: a kernel gives the same bytes with and without one, the layers' shared workspace
-- (layers.base.scratch()) stops growing once a model has trained a batch, and release/close work.
local cv = require "cvision"
local core = require "cvision.core"
local base = require "cvision.layers.base"
local nn = core.nn
local L = cv.layers

-- exact equality of every element (the kernels promise the same bytes, not a tolerance)
local function same(a, b) return a:ne(b):sum() == 0 end

describe("core.nn.workspace", function()
  it("conv2d forward/backward and dense give the same bytes with and without a workspace", function()
    cv.manual_seed(5)
    local ws = nn.workspace()
    local x, w, b = cv.randn{3, 10, 8, 16}, cv.randn{3, 3, 16, 32}, cv.randn{32}
    local y0, y1 = cv.zeros{3, 10, 8, 32}, cv.zeros{3, 10, 8, 32}
    nn.conv2d_forward(y0, x, w, b, 1, 1, 1, 1, "relu")
    nn.conv2d_forward(y1, x, w, b, 1, 1, 1, 1, "relu", ws)
    assert.is_true(same(y0, y1))
    local dx0, dx1, dw0, dw1 = cv.zeros{3, 10, 8, 16}, cv.zeros{3, 10, 8, 16}, cv.zeros{3, 3, 16, 32},
      cv.zeros{3, 3, 16, 32}
    nn.conv2d_backward(dx0, dw0, nil, y0, x, w, 1, 1, 1, 1, y0, "relu")
    nn.conv2d_backward(dx1, dw1, nil, y0, x, w, 1, 1, 1, 1, y0, "relu", ws)
    assert.is_true(same(dx0, dx1) and same(dw0, dw1))
    local a, m = cv.randn{7, 300}, cv.randn{300, 9}
    local d0, d1 = cv.zeros{7, 9}, cv.zeros{7, 9}
    nn.dense_forward(d0, a, m, nil)
    nn.dense_forward(d1, a, m, nil, ws)
    assert.is_true(same(d0, d1))
    assert.is_true(ws:bytes() > 0)
    assert.matches("^workspace %(%d+ bytes%)$", tostring(ws))
  end)

  it("release empties it and it stays usable; a closed one is an error naming it", function()
    local ws = nn.workspace()
    local x, w = cv.randn{2, 6, 6, 4}, cv.randn{3, 3, 4, 8}
    local y = cv.zeros{2, 6, 6, 8}
    nn.conv2d_forward(y, x, w, nil, 1, 1, 1, 1, ws)
    ws:release()
    assert.are.equal(0, ws:bytes())
    nn.conv2d_forward(y, x, w, nil, 1, 1, 1, 1, ws)
    assert.is_true(ws:bytes() > 0)
    do local _ <close> = ws end
    assert.are.equal(0, ws:bytes())
    assert.has_error(function() nn.conv2d_forward(y, x, w, nil, 1, 1, 1, 1, ws) end,
      "bad argument #9 to 'conv2d_forward' (workspace: it has been closed)")
  end)

  it("the layers' shared workspace stops growing after the first batch", function()
    cv.manual_seed(6)
    local m = cv.Sequential{L.Input{12, 10, 1}, L.Conv2D(8, 3, {activation = "relu", padding = "same"}),
      L.MaxPooling2D(2), L.Conv2D(16, 3, {activation = "relu"}), L.Flatten(), L.Dense(5)}
    m:compile{optimizer = "adam", loss = "sparse_categorical_crossentropy"}
    local x, y = cv.rand{16, 12, 10, 1}, cv.tensor({1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1, 2, 3, 4, 5, 1})
    base.scratch():release()
    m:fit(x, y, {epochs = 1, batch_size = 8, verbose = 0, shuffle = false})
    local held = base.scratch():bytes()
    assert.is_true(held > 0)
    m:fit(x, y, {epochs = 2, batch_size = 8, verbose = 0, shuffle = false})
    assert.are.equal(held, base.scratch():bytes())
  end)
end)
