-- cvision.tuner (cv.tuner): hyperparameter search with KerasTuner's names, options, files and
-- printed text.
--
--   local tuner = cv.tuner.RandomSearch(build_model, {objective = "val_loss", max_trials = 10,
--                                                      directory = "random-search"})
--   tuner:search(x_train, y_train, {epochs = 100, callbacks = {es}, validation_data = {xv, yv}})
--   local best_model = tuner:get_best_models()[1]
--   tuner:results_summary(1)
--
-- Tuners: RandomSearch, GridSearch, BayesianOptimization (a Gaussian process with a Matern 5/2
-- kernel on the unit cube of the hyperparameters' [0, 1) spaces, lower confidence bound),
-- Hyperband (brackets of successive halving, weights carried between rounds). Every tuner takes
-- objective, max_trials, seed, hyperparameters, allow_new_entries, tune_new_entries,
-- max_retries_per_trial, max_consecutive_failed_trials (the oracle's), and directory,
-- project_name = "untitled_project", overwrite, executions_per_trial (the tuner's).
-- A subclass (cv.tuner.subclass("MyTuner", cv.tuner.RandomSearch)) may override run_trial.
local hpmod = require "cvision.tuner.hyperparameters"
local trialmod = require "cvision.tuner.trial"
local oracle = require "cvision.tuner.oracle"
local tunermod = require "cvision.tuner.tuner"
local rs = require "cvision.tuner.oracles.random_search"

local M = {}

M.HyperParameters = hpmod.HyperParameters
M.Objective = trialmod.Objective
M.Trial = trialmod.Trial
M.Oracle = oracle.Oracle
M.Tuner = tunermod.Tuner
M.RandomSearchOracle = rs.RandomSearchOracle
M.GridSearchOracle = rs.GridSearchOracle

local function options(extra)
  local o = {}
  for k in pairs(oracle.common_options) do o[k] = true end
  for k in pairs(extra or {}) do o[k] = true end
  return o
end

--- RandomSearch(build_model, {objective, max_trials = 10, seed, directory, project_name, overwrite,
--- executions_per_trial, ...}) --> a tuner drawing each trial's values at random
M.RandomSearch = tunermod.define("RandomSearch", tunermod.Tuner, rs.RandomSearchOracle.new, options())

--- GridSearch(build_model, {objective, max_trials, ...}) --> a tuner trying every combination in
--- order (a Float without step takes 10 values)
M.GridSearch = tunermod.define("GridSearch", tunermod.Tuner, rs.GridSearchOracle.new, options())

--- BayesianOptimization(build_model, {objective, max_trials = 10, num_initial_points, alpha = 1e-4,
--- beta = 2.6, acquisition = "ucb"|"ei", seed, ...}) --> a tuner that models the objective with a
--- Gaussian process and picks the point of the lowest confidence bound (or highest expected
--- improvement) after num_initial_points random trials (default 3 per hyperparameter, at least 3)
M.BayesianOptimization = nil

--- Hyperband(build_model, {objective, max_epochs = 100, factor = 3, hyperband_iterations = 1,
--- seed, ...}) --> a tuner running brackets of successive halving, the survivors continuing
--- from their weights
M.Hyperband = nil

local later = {BayesianOptimization = "cvision.tuner.oracles.bayesian",
  BayesianOptimizationOracle = "cvision.tuner.oracles.bayesian",
  Hyperband = "cvision.tuner.oracles.hyperband", HyperbandOracle = "cvision.tuner.oracles.hyperband"}

--- subclass(class_name, parent_tuner_class) --> a tuner class whose methods (run_trial, ...) you
--- override; it keeps the parent's search algorithm
M.subclass = tunermod.subclass

--- Objective(name, "min"|"max") --> what the search optimises (a metric of the history)
M.objective = trialmod.objective

return setmetatable(M, {__index = function(t, k)
  local file = later[k]
  if not file then return nil end
  local v = require(file)[k]
  rawset(t, k, v)
  return v
end})
