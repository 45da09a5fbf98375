-- spec/applications_h5_spec.lua: cv.applications.*{weights = "file.h5"} takes a Keras application's
-- weight file (Keras 2 save_weights layout, the one Keras' application downloads have), written
-- here by h5py (spec/fixtures/safetensors_to_keras_h5.py) from a cvision model's weights
local cv = require "cvision"
local tmp = require "spec.helpers.tmpdir"

local PY = "/usr/bin/python3"
local have_h5py = os.execute(PY .. " -c 'import h5py, numpy' 2>/dev/null") == true

describe("cv.applications.*{weights = \"path.h5\"}", function()
  if not have_h5py then
    it("needs python3-h5py (make deps installs it)", function() error("python3-h5py is not installed") end)
    return
  end
  local dir
  setup(function() dir = tmp.dir() end)
  teardown(function() tmp.rmtree(dir) end)

  it("loads a Keras-layout MobileNetV2 file by layer name: the same outputs as the source model", function()
    cv.manual_seed(11)
    local a = cv.applications.MobileNetV2{alpha = 0.35, input_shape = {32, 32, 3}, classes = 4}
    a:save_weights(dir .. "/a.safetensors")
    assert(os.execute(("%s spec/fixtures/safetensors_to_keras_h5.py %s/a.safetensors %s/a.h5"):format(PY, dir, dir)))
    cv.manual_seed(12)
    local b = cv.applications.MobileNetV2{alpha = 0.35, input_shape = {32, 32, 3}, classes = 4,
      weights = dir .. "/a.h5"}
    local x = cv.rand({2, 32, 32, 3}) * 2 - 1
    local ya, yb = a:predict(x, {verbose = 0}), b:predict(x, {verbose = 0})
    assert.equal(0, (ya - yb):abs():max())
    -- as in Keras, a base without its top needs the "_notop" file: the full one is refused by name
    local ok, err = pcall(cv.applications.MobileNetV2, {alpha = 0.35, input_shape = {32, 32, 3},
      include_top = false, weights = dir .. "/a.h5"})
    assert.is_false(ok)
    assert.matches("a%.h5: the model has no layer for the file's 'predictions'", tostring(err))
  end)

  it("names the file when it is not HDF5", function()
    local p = dir .. "/bad.h5"
    assert(io.open(p, "wb")):write("not hdf5"):close()
    local ok, err = pcall(cv.applications.MobileNetV2, {alpha = 0.35, input_shape = {32, 32, 3}, weights = p})
    assert.is_false(ok)
    assert.matches(p:gsub("%p", "%%%0"), tostring(err))
  end)
end)
