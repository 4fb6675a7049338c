// MNIST / FashionMNIST (IDX files) and CIFAR-10 (binary batches), as torchvision reads them.
// Samples are [image, label] with the image as ToTensor() gives it: float32 (C, H, W) in [0, 1].
import { Tensor } from "../../tensor/tensor.js";
import { tensor } from "../../tensor/create.js";
import { Dataset, checkIndex } from "../dataset.js";
import { readFirst } from "./files.js";
import { checkTransforms, LIBRARY, type WorkerSpec } from "../worker-loader.js";

export interface ImageDatasetOptions {
  train?: boolean;
  /** Applied to each image tensor (float32, C×H×W in [0, 1]), as torchvision's `transform`. */
  transform?: (image: Tensor) => Tensor;
  /** Applied to each label, as torchvision's `target_transform`. */
  targetTransform?: (target: number) => number;
}

/**
 * A labelled image set held as raw bytes; getItem builds the tensors. With torch.vision
 * transforms (not plain functions) it can still be rebuilt in DataLoader workers.
 */
export class ImageDataset extends Dataset<[Tensor, number]> {
  constructor(
    readonly name: string,
    private readonly pixels: Uint8Array,
    readonly labels: Uint8Array,
    readonly imageShape: [number, number, number],
    private readonly transform: ((image: Tensor) => Tensor) | null = null,
    private readonly targetTransform: ((target: number) => number) | null = null,
  ) {
    super();
  }
  get length(): number {
    return this.labels.length;
  }
  workerSpec(): WorkerSpec {
    checkTransforms(this.name, { transform: this.transform, targetTransform: this.targetTransform });
    return { module: LIBRARY, exportName: "utils.data.datasets.ImageDataset", args: [this.name, this.pixels, this.labels, this.imageShape, this.transform, this.targetTransform] };
  }
  getItem(index: number): [Tensor, number] {
    const i = checkIndex(index, this.length, this.name);
    const size = this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
    const img = tensor(Float32Array.from(this.pixels.subarray(i * size, (i + 1) * size), (v) => v / 255)).reshape(this.imageShape);
    const label = this.labels[i];
    return [this.transform ? this.transform(img) : img, this.targetTransform ? this.targetTransform(label) : label];
  }
}

/** The byte size an IDX file's header promises (null until the whole header is there); for bounding gunzip. */
export function idxSize(head: Uint8Array): number | null {
  if (head.length < 4) return null;
  const start = 4 + 4 * head[3];
  if (head.length < start) return null;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  return start + Array.from({ length: head[3] }, (_, d) => view.getUint32(4 + 4 * d)).reduce((a, b) => a * b, 1);
}

/** Parses an IDX file of unsigned bytes: [dims, data]. */
export function parseIdx(bytes: Uint8Array, what: string, expectDims: number): [number[], Uint8Array] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || view.getUint16(0) !== 0 || bytes[2] !== 0x08) {
    throw new Error(`${what} is not an IDX file of unsigned bytes (magic 0x${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join("")})`);
  }
  const nd = bytes[3];
  if (nd !== expectDims) throw new Error(`${what}: expected ${expectDims} dimensions, the IDX header says ${nd}`);
  const start = 4 + 4 * nd;
  if (bytes.length < start) throw new Error(`${what}: the IDX header is truncated (${bytes.length} bytes, its ${nd} dimensions need ${start})`);
  const dims = Array.from({ length: nd }, (_, d) => view.getUint32(4 + 4 * d));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.length - start !== size) {
    throw new Error(`${what}: header promises ${size} bytes of data (${dims.join("×")}), file has ${bytes.length - start}`);
  }
  return [dims, bytes.subarray(start)];
}

/** Builds an MNIST-format set from the raw (un-gzipped) IDX files' bytes. */
export function mnistFromBytes(name: string, images: Uint8Array, labels: Uint8Array, opts: Omit<ImageDatasetOptions, "train"> = {}): ImageDataset {
  const [idims, pixels] = parseIdx(images, `${name} images`, 3);
  const [ldims, labs] = parseIdx(labels, `${name} labels`, 1);
  if (idims[0] !== ldims[0]) throw new Error(`${name}: ${idims[0]} images but ${ldims[0]} labels`);
  return new ImageDataset(name, pixels, labs, [1, idims[1], idims[2]], opts.transform ?? null, opts.targetTransform ?? null);
}

async function loadIdxSet(name: string, root: string, opts: ImageDatasetOptions): Promise<ImageDataset> {
  const prefix = (opts.train ?? true) ? "train" : "t10k";
  const dirs = [root, `${root}/${name}/raw`];
  const images = await readFirst(name, dirs, [`${prefix}-images-idx3-ubyte`, `${prefix}-images.idx3-ubyte`], idxSize);
  const labels = await readFirst(name, dirs, [`${prefix}-labels-idx1-ubyte`, `${prefix}-labels.idx1-ubyte`], idxSize);
  return mnistFromBytes(name, images.bytes, labels.bytes, opts);
}

/** torchvision.datasets.MNIST(root, train): IDX files (raw or .gz) in root or root/MNIST/raw. */
export const MNIST = (root: string, opts: ImageDatasetOptions = {}): Promise<ImageDataset> => loadIdxSet("MNIST", root, opts);

/** torchvision.datasets.FashionMNIST: the same format under root or root/FashionMNIST/raw. */
export const FashionMNIST = (root: string, opts: ImageDatasetOptions = {}): Promise<ImageDataset> => loadIdxSet("FashionMNIST", root, opts);

const CIFAR_RECORD = 1 + 3 * 32 * 32;

/** Builds a CIFAR-10 set from the binary batches' bytes (1 label byte + 3072 pixel bytes per record). */
export function cifar10FromBytes(batches: Uint8Array[], opts: Omit<ImageDatasetOptions, "train"> = {}): ImageDataset {
  const total = batches.reduce((a, b) => {
    if (b.length % CIFAR_RECORD !== 0) throw new Error(`CIFAR10: batch of ${b.length} bytes is not a whole number of ${CIFAR_RECORD}-byte records`);
    return a + b.length / CIFAR_RECORD;
  }, 0);
  const pixels = new Uint8Array(total * (CIFAR_RECORD - 1));
  const labels = new Uint8Array(total);
  let r = 0;
  for (const b of batches) {
    for (let off = 0; off < b.length; off += CIFAR_RECORD, r++) {
      labels[r] = b[off];
      if (labels[r] > 9) throw new Error(`CIFAR10: record ${r} has label ${labels[r]}, expected 0–9`);
      pixels.set(b.subarray(off + 1, off + CIFAR_RECORD), r * (CIFAR_RECORD - 1));
    }
  }
  return new ImageDataset("CIFAR10", pixels, labels, [3, 32, 32], opts.transform ?? null, opts.targetTransform ?? null);
}

/** torchvision.datasets.CIFAR10 from the binary version (cifar-10-batches-bin). */
export async function CIFAR10(root: string, opts: ImageDatasetOptions = {}): Promise<ImageDataset> {
  const dirs = [root, `${root}/cifar-10-batches-bin`];
  const names = (opts.train ?? true) ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`) : ["test_batch.bin"];
  const batches = [];
  // a batch file holds 10,000 records
  for (const n of names) batches.push((await readFirst("CIFAR10", dirs, [n], () => 10000 * CIFAR_RECORD)).bytes);
  return cifar10FromBytes(batches, opts);
}
