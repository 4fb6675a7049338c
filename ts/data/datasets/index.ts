// torch.utils.data.datasets: readers for MNIST-style and CIFAR-10 files (the bundled digits
// are the package's `taimatsu/digits` entry, ts/digits.ts).
export { MNIST, FashionMNIST, CIFAR10, ImageDataset, mnistFromBytes, cifar10FromBytes, parseIdx } from "./vision.js";
export type { ImageDatasetOptions } from "./vision.js";
