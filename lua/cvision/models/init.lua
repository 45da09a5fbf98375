-- cvision.models: Keras' model API, assembled from its rooms:
--   cvision.models.model       the Model object (layers, call, weights, data checks)
--   cvision.models.summary     summary() and its table
--   cvision.models.trainer     compile, fit, evaluate, predict, train_on_batch
--   cvision.models.plan        what runs: steps and fusions (cvision.models.fusions.*)
--   cvision.models.sequential  cv.Sequential
--   cvision.models.functional  cv.Model{inputs=, outputs=}
--   cvision.saving.model_file  save, save_weights, load_weights, load_model
local model = require "cvision.models.model"
local summary = require "cvision.models.summary"
require "cvision.models.trainer"
local sequential = require "cvision.models.sequential"
local model_file = require "cvision.saving.model_file"

local M = {}

M.Model = model.Model
M.classes = model.classes
M.clear_session = model.clear_session
M.subclass = model.subclass
M.is_model = model.is_model
M.set_trainable = model.set_trainable
M._commas = model.commas

M.readable_size = summary.readable_size
M.table_lines = summary.table_lines
M.SUMMARY_WIDTHS = summary.SUMMARY_WIDTHS
M.SUMMARY_ALIGNS = summary.SUMMARY_ALIGNS
M.SUMMARY_HEADER = summary.SUMMARY_HEADER

M._permutation = require("cvision.models.trainer")._permutation

M.Sequential = sequential.Sequential
M.Sequential_class = sequential.Sequential_class

M.from_config = model_file.from_config
M.load_model = model_file.load_model
M.load_keras_weights = require("cvision.models.keras_weights").load_keras_weights
M.load_keras_model = require("cvision.models.keras_weights").load_keras_model
M.save_history = model_file.save_history
M.load_history = model_file.load_history

return M
