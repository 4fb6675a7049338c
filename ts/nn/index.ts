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
