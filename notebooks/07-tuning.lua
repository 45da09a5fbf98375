-- notebooks/07-tuning.lua: the lecture's "Hyperparameter tuning" section as a notebook
-- (tools/notebooks.py builds 07-tuning.ipynb from it). Its names are globals, which is what the
-- cvision kernel makes of a cell's top-level locals: so each cell also works pasted alone into the
-- REPL.
-- luacheck: allow defined top

-- %% [markdown]
-- # Computer Vision, part 7: hyperparameter tuning
--
-- The lecture's "Hyperparameter tuning" section, cell by cell, in cvision. Frankly, a lot of this
-- is just "enlightened" trial and error, or "received wisdom" from experts; Keras Tuner runs the
-- trials for us. `cv.tuner` is Keras Tuner with its names, options, files and printed text:
-- `build_model(hp)`, `RandomSearch`, `BayesianOptimization`, `Hyperband`, `results_summary`,
-- `get_best_models`, `get_best_hyperparameters`.
--
-- Open `07-tuning.ipynb` with the cvision kernel, run this file whole
-- (`bin/cvision notebooks/07-tuning.lua`), or paste its cells into the REPL one by one. The
-- tuners' folders go to out/notebooks ($CVISION_NOTEBOOK_OUT overrides).
--
-- **Smaller than the lecture's run**: the lecture tunes a Poisson regression of insurance claim
-- counts (`X_train_sc`, `y_train`: tens of thousands of policies). Here the claims are
-- `cv.datasets.claims` (a synthetic portfolio whose true model is known), 3,000 policies, so the
-- lecture's 10 trials of up to 100 epochs run in seconds. `bin/cvision examples/tuning_poisson.lua`
-- is a larger run (20,000 policies, and the best models scored against the true model).

-- %%
cv = require "cvision"
plt = cv.plot
L = cv.layers
-- the repository's folder: "." in the repository, ".." in notebooks/ (where Jupyter runs it)
root = "."
for _, dir in ipairs{".", ".."} do
  local f = io.open(dir .. "/notebooks/07-tuning.lua")
  if f then f:close(); root = dir; break end
end
out = cv.data.makedirs(os.getenv("CVISION_NOTEBOOK_OUT") or root .. "/out/notebooks")
tuning_dir = out .. "/07-tuning"      -- the tuners' project folders

-- %% [markdown]
-- ## The data
-- Each policy: driver age, vehicle age and power, population density, region and exposure (the
-- fraction of a year it ran); the target is its number of claims. Inputs: the numbers (density
-- and exposure on a log scale), the region one-hot encoded, all standardised with the training
-- rows' means and standard deviations.

-- %%
claims = require "cvision.datasets.claims"
df = claims.generate{n = 3000, seed = 1}
print(df:head(5))

-- %%
function inputs(frame)
  local c, rows = frame.columns, {}
  for i = 1, #frame do
    rows[i] = {c.driver_age[i], c.vehicle_age[i], c.vehicle_power[i], math.log(c.density[i]),
      math.log(c.exposure[i])}
  end
  return cv.tensor(rows)
end
enc = cv.data.OneHotEncoder()
X_all = cv.concat({inputs(df), enc:fit_transform(df.columns.region)}, 2)
y_rows = {}
for i, v in ipairs(df.columns.claims) do y_rows[i] = {v} end
y_all = cv.tensor(y_rows)

X_train, X_val, y_train, y_val = cv.data.train_test_split(X_all, y_all,
  {test_size = 0.25, random_state = 42})
sc = cv.data.StandardScaler()
X_train_sc = sc:fit_transform(X_train)
X_val_sc = sc:transform(X_val)
print(("X_train_sc (%s), X_val_sc (%s)"):format(table.concat(X_train_sc.shape, ", "),
  table.concat(X_val_sc.shape, ", ")))

-- %% [markdown]
-- ## Keras Tuner
-- `build_model(hp)` builds and compiles one model; each `hp:` call both declares a
-- hyperparameter and returns this trial's value of it.

-- %%
function build_model(hp)
  local model = cv.Sequential()
  model:add(cv.Input{shape = {X_train_sc.shape[2]}})
  model:add(
    L.Dense(
      hp:Choice("neurons", {4, 8, 16, 32, 64, 128, 256}),
      {activation = hp:Choice("activation",
        {"relu", "leaky_relu", "tanh"})}
    )
  )

  model:add(L.Dense(1, {activation = "exponential"}))

  local learning_rate = hp:Float("lr",
    1e-4, 1e-2, {sampling = "log"})
  local opt = cv.optimizers.Adam{learning_rate = learning_rate}

  model:compile{optimizer = opt, loss = "poisson"}

  return model
end

-- %% [markdown]
-- ## Do a random search
-- `overwrite = true` starts the search afresh each time the notebook runs; without it, a tuner
-- finds its folder and goes on where it stopped (see below). `verbose = 0` keeps the notebook
-- short: `verbose = 1` prints Keras Tuner's block for every trial and fit's progress.

-- %%
cv.manual_seed(2024)
tuner = cv.tuner.RandomSearch(
  build_model,
  {objective = "val_loss",
   max_trials = 10,
   directory = tuning_dir .. "/random-search",
   overwrite = true, seed = 1})

es = cv.callbacks.EarlyStopping{patience = 3,
  restore_best_weights = true}

t0 = cv.core.monotonic()
tuner:search(X_train_sc, y_train,
  {epochs = 100, callbacks = {es},
   validation_data = {X_val_sc, y_val}, verbose = 0})
print(("10 trials in %.1f s"):format(cv.core.monotonic() - t0))

best_model = tuner:get_best_models()[1]      -- Lua lists start at 1: the lecture's [0]

-- %%
tuner:results_summary(1)

-- %% [markdown]
-- The best hyperparameters, to build the model again (say, to fit it on all the data), and the
-- best model's validation loss, which is the best trial's score.

-- %%
best_hp = tuner:get_best_hyperparameters()[1]
print(best_hp:get("neurons"), best_hp:get("activation"), best_hp:get("lr"))
print(best_model:evaluate(X_val_sc, y_val, {verbose = 0})[1])

-- %% [markdown]
-- Every trial's score, by trial and against each hyperparameter.

-- %%
plt.tuner_results(tuner)
plt.show()

-- %% [markdown]
-- Run again without `overwrite`, the tuner reloads its folder: the finished trials are not
-- repeated (nothing is trained here), as the lecture's "Reloading Tuner from ..." shows.

-- %%
again = cv.tuner.RandomSearch(build_model, {objective = "val_loss", max_trials = 10,
  directory = tuning_dir .. "/random-search", seed = 1})
again:search(X_train_sc, y_train, {epochs = 100, callbacks = {es},
  validation_data = {X_val_sc, y_val}, verbose = 0})
print(#again.oracle:get_best_trials(10), "trials, none run again")

-- %% [markdown]
-- ## Tune layers separately
-- The number of hidden layers is a hyperparameter too, and each layer's width its own one.
-- (cvision's loop counts from 0 so the names are the lecture's `neurons_0`, `neurons_1`, ...)

-- %%
function build_model_layers(hp)
  local model = cv.Sequential()
  model:add(cv.Input{shape = {X_train_sc.shape[2]}})

  for i = 0, hp:Int("numHiddenLayers", 1, 3) - 1 do
    -- Tune number of units in each layer separately.
    model:add(
      L.Dense(
        hp:Choice("neurons_" .. i, {8, 16, 32, 64}),
        {activation = "relu"}
      )
    )
  end
  model:add(L.Dense(1, {activation = "exponential"}))

  local opt = cv.optimizers.Adam{learning_rate = 0.0005}
  model:compile{optimizer = opt, loss = "poisson"}

  return model
end

-- %% [markdown]
-- ## Do a Bayesian search
-- A Gaussian process models the score as a function of the hyperparameters; after a few random
-- trials it picks the most promising values.

-- %%
btuner = cv.tuner.BayesianOptimization(
  build_model_layers,
  {objective = "val_loss",
   directory = tuning_dir .. "/bayesian-search",
   max_trials = 10,
   overwrite = true, seed = 1})

btuner:search(X_train_sc, y_train,
  {epochs = 100, callbacks = {es},
   validation_data = {X_val_sc, y_val}, verbose = 0})

best_model = btuner:get_best_models()[1]

-- %%
btuner:results_summary(1)

-- %% [markdown]
-- ## Hyperband
-- Keras Tuner's third search: many models for a few epochs, the best of them carried on for
-- more (successive halving). `max_epochs` replaces the search's `epochs`.

-- %%
htuner = cv.tuner.Hyperband(build_model, {objective = "val_loss", max_epochs = 9, factor = 3,
  directory = tuning_dir .. "/hyperband", overwrite = true, seed = 1})
htuner:search(X_train_sc, y_train, {validation_data = {X_val_sc, y_val}, verbose = 0})
htuner:results_summary(2)

-- %% [markdown]
-- Which search found the lowest validation loss?

-- %%
for _, t in ipairs{{"random search", tuner}, {"Bayesian search", btuner}, {"Hyperband", htuner}} do
  local best = t[2].oracle:get_best_trials(1)[1]
  print(("%-16s %.5f"):format(t[1], best.score))
end
