// taimatsu: `import * as torch from "taimatsu"`. Importing instantiates the WebAssembly
// kernels (top-level await); there is no init call.
export { Tensor } from "./tensor/tensor.js";
export type { Operand, Scalar, NestedList } from "./tensor/tensor.js";
export type { DType } from "./tensor/dtype.js";
export type { IndexItem, IndexSpec } from "./ops/indexing.js";
export { promoteTypes } from "./tensor/dtype.js";
export * from "./tensor/create.js";
export { Generator, manualSeed, seed } from "./tensor/random.js";
export { noGrad, enableGrad, setGradEnabled, isGradEnabled } from "./autograd/mode.js";
export * as autograd from "./autograd/index.js";
export { memoryStats } from "./tensor/memory-stats.js";
export * from "./ops/functional.js";
export { device } from "./ops/convert.js";
export * as nn from "./nn/index.js";
export * as optim from "./optim/index.js";
export * as utils from "./utils.js";
export * as io from "./io/index.js";
export { load, save } from "./io/torch-pt.js";
export * as testing from "./testing.js";
export const float32 = "float32";
export const float64 = "float64";
export const int32 = "int32";
export const int64 = "int64";
export const bool = "bool";
export const float = "float32";
export const double = "float64";
export const long = "int64";
export const cuda = { isAvailable: (): boolean => false, deviceCount: (): number => 0 };
