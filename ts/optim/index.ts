// torch.optim
export { Optimizer } from "./optimizer.js";
export type { OptimizerStateDict } from "./optimizer.js";
export { SGD } from "./sgd.js";
export { Adam, AdamW } from "./adam.js";
export { RMSprop, Adagrad } from "./rmsprop.js";
export * as lrScheduler from "./lr-scheduler.js";
