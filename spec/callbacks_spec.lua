-- spec/callbacks_spec.lua: each callback driven with scripted logs on a fake model, then through
-- model:fit where it matters (restoring weights, stopping on NaN, hook order).
local cv = require "cvision"
local cb = cv.callbacks
local L = cv.layers

local tmp = os.tmpname()

-- a stand-in model: weights are the epoch number they were taken at
local function fake_model()
  local m = {stop_training = false, w = 0, optimizer = {learning_rate = 1.0}, saved = {}}
  function m:get_weights() return {self.w} end
  function m:set_weights(list) self.w = list[1] end
  function m:save(path) self.saved[#self.saved + 1] = path end
  function m:save_weights(path) self.saved[#self.saved + 1] = "weights:" .. path end
  return m
end

-- drives c over the epochs of values (logs[key] = value) until it stops; --> last epoch run
local function drive(c, model, key, values)
  c:set_model(model)
  c:on_train_begin({})
  local last = 0
  for epoch, v in ipairs(values) do
    model.w = epoch
    c:on_epoch_end(epoch, {[key] = v})
    last = epoch
    if model.stop_training then break end
  end
  c:on_train_end({})
  return last
end

local function quiet(f)
  local out = io.output()
  io.output(tmp)
  local ok, err = pcall(f)
  io.output():close()
  io.output(out)
  if not ok then error(err, 0) end
end

describe("cv.callbacks", function()
  teardown(function() os.remove(tmp) end)

  describe("EarlyStopping", function()
    it("stops after `patience` epochs without improvement of a loss (mode auto = min)", function()
      local m = fake_model()
      local es = cb.EarlyStopping{monitor = "val_loss", patience = 2}
      assert.are.equal(4, drive(es, m, "val_loss", {1.0, 0.5, 0.6, 0.55, 0.4}))
      assert.are.equal(4, es.stopped_epoch)
      assert.are.equal(2, es.best_epoch)
    end)

    it("maximises accuracies in mode auto and honours mode = min/max", function()
      assert.are.equal("max", cb.EarlyStopping{monitor = "val_accuracy"}.dir)
      assert.are.equal("min", cb.EarlyStopping{monitor = "loss"}.dir)
      assert.are.equal("min", cb.EarlyStopping{monitor = "val_accuracy", mode = "min"}.dir)
      assert.are.equal("max", cb.EarlyStopping{monitor = "val_loss", mode = "max"}.dir)
      local m = fake_model()
      assert.are.equal(3, drive(cb.EarlyStopping{monitor = "val_accuracy", patience = 1}, m, "val_accuracy",
        {0.5, 0.7, 0.6, 0.9}))
      assert.has_error(function() cb.EarlyStopping{mode = "sideways"} end,
        "bad argument to 'EarlyStopping' (mode must be \"auto\", \"min\" or \"max\", got sideways)")
    end)

    it("counts only improvements larger than min_delta", function()
      local m = fake_model()
      local es = cb.EarlyStopping{monitor = "val_loss", patience = 2, min_delta = 0.1}
      assert.are.equal(3, drive(es, m, "val_loss", {1.0, 0.95, 0.91, 0.5}))
      assert.are.equal(1, es.best_epoch)
    end)

    it("restores the best epoch's weights when it stops", function()
      local m = fake_model()
      local es = cb.EarlyStopping{monitor = "val_loss", patience = 3, restore_best_weights = true}
      assert.are.equal(5, drive(es, m, "val_loss", {3, 1, 2, 2, 2, 0}))
      assert.are.equal(2, m.w)
    end)

    it("announces the stop and the restore at verbose > 0", function()
      local m = fake_model()
      quiet(function()
        drive(cb.EarlyStopping{monitor = "val_loss", patience = 1, verbose = 1, restore_best_weights = true},
          m, "val_loss", {1, 2})
      end)
      local f = assert(io.open(tmp))
      assert.are.equal("Restoring model weights from the end of the best epoch: 1.\nEpoch 2: early stopping\n",
        f:read("a"))
      f:close()
    end)
  end)

  describe("ReduceLROnPlateau", function()
    it("divides the learning rate after `patience` flat epochs, then cools down, never below min_lr", function()
      local m = fake_model()
      local r = cb.ReduceLROnPlateau{monitor = "val_loss", factor = 0.5, patience = 2, cooldown = 1, min_lr = 0.2}
      r:set_model(m)
      r:on_train_begin({})
      local lrs = {}
      for epoch, v in ipairs{1, 1, 1, 1, 1, 1, 1, 1} do
        local logs = {val_loss = v}
        r:on_epoch_end(epoch, logs)
        lrs[epoch] = m.optimizer.learning_rate
        assert.is_number(logs.learning_rate)
      end
      -- as Keras: the epoch after a reduction is the cooldown, the next counts towards patience again
      assert.are.same({1, 1, 0.5, 0.5, 0.25, 0.25, 0.2, 0.2}, {table.unpack(lrs, 1, 8)})
      for _ = 1, 10 do r:on_epoch_end(9, {val_loss = 1}) end
      assert.are.equal(0.2, m.optimizer.learning_rate)
    end)

    it("changes the optimizer's learning rate during fit and logs it in the history", function()
      cv.manual_seed(3)
      local model = cv.Sequential{cv.Input{2}, L.Dense(1)}
      model:compile{optimizer = cv.optimizers.SGD{learning_rate = 0}, loss = "mse"}
      local x, y = cv.randn{8, 2}, cv.randn{8, 1}
      model.optimizer.learning_rate = 1e-9     -- tiny steps: the loss stays flat
      local h = model:fit(x, y, {epochs = 4, verbose = 0, callbacks = {
        cb.ReduceLROnPlateau{monitor = "loss", patience = 1, factor = 0.5}}})
      -- logged before each epoch's reduction; patience 1 and no cooldown: every flat epoch halves it
      assert.are.same({1e-9, 1e-9, 5e-10, 2.5e-10}, h.history.learning_rate)
      assert.are.equal(1.25e-10, model.optimizer.learning_rate)
      local warned = {}
      local warn = cb.warn
      cb.warn = function(msg) warned[#warned + 1] = msg end
      local ok, err = pcall(model.fit, model, x, y, {epochs = 2, verbose = 0,
        callbacks = {cb.ReduceLROnPlateau{monitor = "val_never", patience = 1}}})
      cb.warn = warn
      assert.is_true(ok, err)
      assert.are.equal(1, #warned)
      assert.truthy(warned[1]:find("`val_never` which is not available", 1, true))
      assert.are.equal(1.25e-10, model.optimizer.learning_rate)
    end)
  end)

  describe("ModelCheckpoint", function()
    it("saves every epoch, formatting the path with the epoch and the logs", function()
      local m = fake_model()
      drive(cb.ModelCheckpoint{filepath = "m-{epoch:02d}-{val_loss:.2f}.cvm"}, m, "val_loss", {0.5, 0.25})
      assert.are.same({"m-01-0.50.cvm", "m-02-0.25.cvm"}, m.saved)
    end)

    it("saves only improvements with save_best_only, weights alone with save_weights_only", function()
      local m = fake_model()
      drive(cb.ModelCheckpoint{"best-{epoch}.cvm", save_best_only = true, monitor = "val_accuracy"}, m,
        "val_accuracy", {0.5, 0.4, 0.6, 0.6, 0.7})
      assert.are.same({"best-1.cvm", "best-3.cvm", "best-5.cvm"}, m.saved)
      m = fake_model()
      drive(cb.ModelCheckpoint{"w.cvm", save_weights_only = true}, m, "val_loss", {1})
      assert.are.same({"weights:w.cvm"}, m.saved)
    end)

    it("writes a loadable model during fit", function()
      cv.manual_seed(4)
      local model = cv.Sequential{cv.Input{3}, L.Dense(2)}
      model:compile{optimizer = "adam", loss = "mse"}
      local path = tmp .. "-ckpt.cvm"
      model:fit(cv.randn{6, 3}, cv.randn{6, 2}, {epochs = 2, verbose = 0,
        validation_data = {cv.randn{4, 3}, cv.randn{4, 2}},
        callbacks = {cb.ModelCheckpoint{path, save_best_only = true}}})
      local back = cv.models.load_model(path)
      assert.are.equal(2, #back:get_weights())
      os.remove(path)
    end)
  end)

  describe("TerminateOnNaN", function()
    it("stops training at the first batch whose loss is NaN", function()
      cv.manual_seed(5)
      local model = cv.Sequential{cv.Input{2}, L.Dense(1)}
      model:compile{optimizer = "sgd", loss = "mse"}
      local y = cv.zeros{8, 1}
      y:set(1, 1, 0 / 0)
      local batches = 0
      local h
      quiet(function()
        h = model:fit(cv.randn{8, 2}, y, {epochs = 3, batch_size = 2, shuffle = false, verbose = 0,
          callbacks = {cb.TerminateOnNaN(), cb.LambdaCallback{on_train_batch_end = function() batches = batches + 1 end}}})
      end)
      assert.are.equal(1, batches)
      assert.are.equal(1, #h.epoch)
      assert.is_true(model.stop_training)
    end)
  end)

  describe("CSVLogger", function()
    it("writes a header and one row per epoch, appending when asked", function()
      local path = tmp .. "-log.csv"
      local m = fake_model()
      local c = cb.CSVLogger(path)
      c:set_model(m)
      c:on_train_begin({})
      c:on_epoch_end(1, {loss = 0.5, accuracy = 0.25})
      c:on_epoch_end(2, {loss = 0.25, accuracy = 0.5})
      c:on_train_end({})
      local f = assert(io.open(path))
      local text = f:read("a")
      f:close()
      assert.are.equal("epoch,accuracy,loss\n1,0.25,0.5\n2,0.5,0.25\n", text)
      c = cb.CSVLogger{path, append = true, separator = ";"}
      c:set_model(m)
      c:on_train_begin({})
      c:on_epoch_end(3, {loss = 0.125, accuracy = 1})
      c:on_train_end({})
      f = assert(io.open(path))
      text = f:read("a")
      f:close()
      assert.are.equal("epoch,accuracy,loss\n1,0.25,0.5\n2,0.5,0.25\n3;1;0.125\n", text)
      os.remove(path)
    end)
  end)

  describe("LambdaCallback and fit", function()
    it("calls the hooks in Keras' order with 1-based epochs and batches", function()
      cv.manual_seed(6)
      local model = cv.Sequential{cv.Input{2}, L.Dense(1)}
      model:compile{optimizer = "sgd", loss = "mse"}
      local ev = {}
      local function rec(name) return function(a) ev[#ev + 1] = name .. (type(a) == "number" and a or "") end end
      model:fit(cv.randn{4, 2}, cv.randn{4, 1}, {epochs = 2, batch_size = 2, verbose = 0, callbacks = {
        cb.LambdaCallback{on_train_begin = rec("tb"), on_epoch_begin = rec("eb"), on_batch_begin = rec("bb"),
          on_train_batch_end = rec("be"), on_epoch_end = rec("ee"), on_train_end = rec("te")}}})
      assert.are.same({"tb", "eb1", "bb1", "be1", "bb2", "be2", "ee1", "eb2", "bb1", "be1", "bb2", "be2", "ee2", "te"}, ev)
    end)

    it("restores exactly the best epoch's weights through fit", function()
      cv.manual_seed(7)
      local model = cv.Sequential{cv.Input{3}, L.Dense(2)}
      model:compile{optimizer = cv.optimizers.SGD{learning_rate = 0.1}, loss = "mse"}
      local scripted = {5, 3, 4, 4, 4, 4}             -- best at epoch 2, stop at epoch 5 (patience 3)
      local snapshots = {}
      local inject = cb.LambdaCallback{on_epoch_end = function(epoch, logs)
        logs.val_score = scripted[epoch]
        snapshots[epoch] = model:get_weights()
      end}
      local h = model:fit(cv.randn{8, 3}, cv.randn{8, 2}, {epochs = 6, verbose = 0, callbacks = {inject,
        cb.EarlyStopping{monitor = "val_score", patience = 3, restore_best_weights = true}}})
      assert.are.equal(5, #h.epoch)
      local now = model:get_weights()
      for i = 1, #now do
        assert.are.equal(cv.core.tobytes(snapshots[2][i]), cv.core.tobytes(now[i]))
      end
    end)
  end)

  describe("History", function()
    it("saves to JSON and loads back", function()
      local h = cb.History()
      h:on_train_begin({})
      h:on_epoch_end(1, {loss = 0.5, accuracy = 0.1})
      h:on_epoch_end(2, {loss = 0.3, accuracy = 1.0})
      local path = tmp .. "-hist.json"
      h:save(path)
      local back = cb.History.load(path)
      assert.are.same(h.history, back.history)
      assert.are.same({1, 2}, back.epoch)
      local f = assert(io.open(path))
      assert.are.equal('{"accuracy": [0.1, 1.0], "loss": [0.5, 0.3]}\n', f:read("a"))
      f:close()
      os.remove(path)
    end)
  end)

  describe("arguments", function()
    local function err(f, ...)
      local ok, e = pcall(f, ...)
      assert.is_false(ok)
      return e
    end

    it("are checked against their defaults' types when the callback is made", function()
      assert.truthy(err(cb.EarlyStopping, {patience = "3"})
        :find("bad argument to 'EarlyStopping' (patience must be a number, got 3)", 1, true))
      assert.truthy(err(cb.EarlyStopping, {min_delta = 0 / 0}):find("min_delta must be a number", 1, true))
      assert.truthy(err(cb.ReduceLROnPlateau, {factor = "half"}):find("factor must be a number, got half", 1, true))
      assert.truthy(err(cb.EarlyStopping, {monitor = 3}):find("monitor must be a string", 1, true))
      assert.are.equal(0.5, cb.EarlyStopping{baseline = 0.5}.baseline)          -- false or a number
      assert.is_true(cb.EarlyStopping{restore_best_weights = true}.restore_best_weights)
    end)

    it("ModelCheckpoint checks the format fields of its path at once", function()
      assert.truthy(err(cb.ModelCheckpoint, tmp .. "-{epoch:n}.cvm")
        :find("bad argument to 'ModelCheckpoint' (filepath", 1, true))
      local c = cb.ModelCheckpoint(tmp .. "-{epoch:03d}-{val_loss:.2f}.cvm")
      assert.are.equal(tmp .. "-007-0.25.cvm", cb.format_path(c.filepath, 7, {val_loss = 0.25}))
    end)
  end)

  describe("History.load", function()
    it("refuses JSON that is not an object of lists, and names the file", function()
      for _, text in ipairs{"[1, 2]", "3", '{"loss": 1}', "{oops"} do
        local f = assert(io.open(tmp, "w"))
        f:write(text)
        f:close()
        local ok, e = pcall(cb.History.load, tmp)
        assert.is_false(ok, text)
        assert.truthy(e:find("History.load: " .. tmp .. ": ", 1, true), e)
      end
      local ok, e = pcall(cb.History.load, tmp .. ".missing")
      assert.is_false(ok)
      assert.truthy(e:find("History.load: " .. tmp .. ".missing: No such file", 1, true), e)
      os.remove(tmp)
    end)
  end)
end)
