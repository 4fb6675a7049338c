// torch.utils.data
export { Dataset, IterableDataset, TensorDataset, ConcatDataset, Subset, randomSplit } from "./dataset.js";
export { SequentialSampler, RandomSampler, SubsetRandomSampler, WeightedRandomSampler, BatchSampler } from "./sampler.js";
export type { Sampler } from "./sampler.js";
export { defaultCollate } from "./collate.js";
export { DataLoader } from "./dataloader.js";
export type { DataLoaderOptions } from "./dataloader.js";
export { trainTestSplit, splitIndices } from "./split.js";
export * as datasets from "./datasets/index.js";
export type { WorkerSpec, WorkerCapable } from "./worker-loader.js";
