-- examples/tuning_poisson.lua: the lecture's hyperparameter-tuning cells, on a claim-frequency
-- data set whose true model is known (cv.datasets.claims). Run from the repository root:
--   bin/cvision examples/tuning_poisson.lua [--out DIR] [--trials N] [--epochs N] [--fit-verbose N]
--
-- 1. Writes the policies as CSV (20,000 to train and validate, seed 1; 10,000 to test, seed 2:
--    other draws of the same process) and reads them back with cv.data.read_csv.
-- 2. Inputs: driver age, vehicle age and power, log density, log exposure (so the network can
--    learn the exposure offset), the region one-hot encoded; StandardScaler fitted on the training
--    rows; the target is the number of claims; loss = "poisson", an exponential output.
-- 3. Random search over neurons, activation and learning rate (the lecture's first cell), then
--    Bayesian optimisation over the number of layers and each layer's width (its second cell):
--    KerasTuner's printed blocks, results_summary(1), the best models.
-- 4. The test set's mean Poisson deviance of each best model next to the true model's and a
--    constant frequency's, and a plot of each search (cv.plot.tuner_results).
-- Running it again reloads both searches from their folders ("Reloading Tuner from ...") and
-- runs nothing that is already done.
package.path = "./lua/?.lua;./lua/?/init.lua;" .. package.path
package.cpath = "./lua/?.so;" .. package.cpath

local argparse = require "argparse"
local cv = require "cvision"
local claims = require "cvision.datasets.claims"
local L = cv.layers

local parser = argparse("tuning_poisson.lua", "The lecture's tuning cells on claim-frequency data.")
parser:option("--out", "Folder for the data, the searches and the plots.", "out/tuning")
parser:option("--trials", "max_trials of each search.", "10"):convert(tonumber)
parser:option("--epochs", "Epochs of each trial (early stopping ends most sooner).", "100"):convert(tonumber)
parser:option("--fit-verbose", "fit's verbosity inside the search (0: neither fit nor the trial blocks print, 1, 2).", "2"):convert(tonumber)
local args = parser:parse(arg or {})
local out = args.out
cv.data.makedirs(out)

local function section(title) print(("\n== %s"):format(title)) end

---------------------------------------------------------------------------------------------------
section("The data: claims.csv (seed 1) and claims_test.csv (seed 2)")
local train_csv, test_csv = out .. "/claims.csv", out .. "/claims_test.csv"
if not io.open(train_csv) then claims.write_csv(train_csv, {n = 20000, seed = 1}) end
if not io.open(test_csv) then claims.write_csv(test_csv, {n = 10000, seed = 2}) end
local df, df_test = cv.data.read_csv(train_csv), cv.data.read_csv(test_csv)
print(df:head(5))
print(("%d policies to train and validate, %d to test"):format(#df, #df_test))

local function inputs(frame)
  local c = frame.columns
  local num = {}
  for i = 1, #frame do
    num[i] = {c.driver_age[i], c.vehicle_age[i], c.vehicle_power[i], math.log(c.density[i]), math.log(c.exposure[i])}
  end
  return cv.tensor(num), c.region
end
local function target(frame)
  local y = {}
  for i, v in ipairs(frame.columns.claims) do y[i] = {v} end
  return cv.tensor(y)
end

local X_num, regions = inputs(df)
local X_test_num, regions_test = inputs(df_test)
local enc = cv.data.OneHotEncoder()
local R = enc:fit_transform(regions)
local R_test = enc:transform(regions_test)
local X_all = cv.concat({X_num, R}, 2)
local X_test = cv.concat({X_test_num, R_test}, 2)
local y_all, y_test = target(df), target(df_test)

local X_train, X_val, y_train, y_val = cv.data.train_test_split(X_all, y_all, {test_size = 0.25, random_state = 42})
local sc = cv.data.StandardScaler()
local X_train_sc = sc:fit_transform(X_train)
local X_val_sc, X_test_sc = sc:transform(X_val), sc:transform(X_test)
print(("X_train_sc %s, X_val_sc %s, X_test_sc %s; inputs: %s"):format(
  table.concat(X_train_sc.shape, "x"), table.concat(X_val_sc.shape, "x"), table.concat(X_test_sc.shape, "x"),
  "driver_age, vehicle_age, vehicle_power, log density, log exposure, " .. table.concat(enc:get_feature_names_out("region"), ", ")))

---------------------------------------------------------------------------------------------------
section("Random search: neurons, activation, learning rate")
cv.manual_seed(2024)

local function build_model(hp)
  local model = cv.Sequential()
  model:add(cv.Input{shape = {X_train_sc.shape[2]}})
  model:add(L.Dense(hp:Choice("neurons", {4, 8, 16, 32, 64, 128, 256}),
    {activation = hp:Choice("activation", {"relu", "leaky_relu", "tanh"})}))
  model:add(L.Dense(1, {activation = "exponential"}))
  local learning_rate = hp:Float("lr", 1e-4, 1e-2, {sampling = "log"})
  local opt = cv.optimizers.Adam{learning_rate = learning_rate}
  model:compile{optimizer = opt, loss = "poisson"}
  return model
end

local tuner = cv.tuner.RandomSearch(build_model, {objective = "val_loss", max_trials = args.trials,
  directory = out .. "/random-search", seed = 1})
local es = cv.callbacks.EarlyStopping{patience = 3, restore_best_weights = true}
tuner:search(X_train_sc, y_train, {epochs = args.epochs, callbacks = {es}, validation_data = {X_val_sc, y_val},
  verbose = args.fit_verbose})
local best_random = tuner:get_best_models()[1]
print()
tuner:results_summary(1)
cv.plot.tuner_results(tuner, {path = out .. "/random-search.png"})

---------------------------------------------------------------------------------------------------
section("Bayesian search: the number of layers and each layer's width")

local function build_layers(hp)
  local model = cv.Sequential()
  model:add(cv.Input{shape = {X_train_sc.shape[2]}})
  for i = 0, hp:Int("numHiddenLayers", 1, 3) - 1 do
    -- tune the number of units in each layer separately
    model:add(L.Dense(hp:Choice("neurons_" .. i, {8, 16, 32, 64}), {activation = "relu"}))
  end
  model:add(L.Dense(1, {activation = "exponential"}))
  local opt = cv.optimizers.Adam{learning_rate = 0.0005}
  model:compile{optimizer = opt, loss = "poisson"}
  return model
end

local btuner = cv.tuner.BayesianOptimization(build_layers, {objective = "val_loss",
  directory = out .. "/bayesian-search", max_trials = args.trials, seed = 1})
btuner:search(X_train_sc, y_train, {epochs = args.epochs, callbacks = {es}, validation_data = {X_val_sc, y_val},
  verbose = args.fit_verbose})
local best_bayes = btuner:get_best_models()[1]
print()
btuner:results_summary(1)
cv.plot.tuner_results(btuner, {path = out .. "/bayesian-search.png"})

---------------------------------------------------------------------------------------------------
section("Test set (seed 2): mean Poisson deviance")
local y = y_test
local true_mu = claims.true_mean(df_test)
local total_claims, total_exposure = 0, 0
for i = 1, #df do total_claims = total_claims + df.columns.claims[i]; total_exposure = total_exposure + df.columns.exposure[i] end
local const = {}
for i = 1, #df_test do const[i] = df_test.columns.exposure[i] * total_claims / total_exposure end
local rows = {
  {"constant frequency (training mean)", claims.poisson_deviance(y, const)},
  {"best of random search", claims.poisson_deviance(y, best_random:predict(X_test_sc, {verbose = 0}))},
  {"best of Bayesian search", claims.poisson_deviance(y, best_bayes:predict(X_test_sc, {verbose = 0}))},
  {"the true model", claims.poisson_deviance(y, true_mu)},
}
for _, r in ipairs(rows) do print(("%-36s %.5f"):format(r[1], r[2])) end
local null, truth = rows[1][2], rows[4][2]
for k = 2, 3 do
  print(("%s: %.0f%% of the deviance the true model explains beyond a constant"):format(rows[k][1],
    100 * (null - rows[k][2]) / (null - truth)))
end
print(("\nplots: %s/random-search.png, %s/bayesian-search.png"):format(out, out))
