// torch.nn
export * as functional from "./functional.js";
export * as init from "./init.js";
export * as utils from "./utils.js";
export { Module } from "./module.js";
export type { StateDict } from "./module.js";
export { Parameter } from "./parameter.js";
export { Linear, Identity, Flatten, Unflatten } from "./layers/linear.js";
export { ReLU, LeakyReLU, ELU, GELU, SiLU, Sigmoid, Tanh, Softmax, LogSoftmax } from "./layers/activation.js";
export { Sequential, ModuleList, ModuleDict } from "./layers/container.js";
export { Dropout, LayerNorm, Embedding } from "./layers/regularization.js";
export { Conv1d, Conv2d, MaxPool1d, MaxPool2d, AvgPool1d, AvgPool2d, AdaptiveAvgPool2d } from "./layers/conv.js";
export { BatchNorm1d, BatchNorm2d } from "./layers/batchnorm.js";
export { RNN, LSTM, GRU } from "./layers/rnn.js";
export * from "./loss.js";

import { registerLibraryModules } from "./module.js";
import * as activation from "./layers/activation.js";
import * as batchnorm from "./layers/batchnorm.js";
import * as container from "./layers/container.js";
import * as conv from "./layers/conv.js";
import * as linear from "./layers/linear.js";
import * as regularization from "./layers/regularization.js";
import * as rnn from "./layers/rnn.js";
import * as loss from "./loss.js";
for (const layers of [activation, batchnorm, container, conv, linear, regularization, rnn, loss]) registerLibraryModules(layers);
