// sklearn.model_selection.train_test_split for tensors: the same default 25% test share and,
// with a seed, the same shuffled indices as sklearn (NumPy's legacy MT19937 permutation).
import { Generator } from "../tensor/random.js";
import { Tensor } from "../tensor/tensor.js";
import { tensor } from "../tensor/create.js";

export interface SplitOptions {
  testSize?: number;
  trainSize?: number;
  randomState?: number;
  shuffle?: boolean;
}

/** sklearn's check of a split size: a fraction in (0, 1) or a whole count in [1, n). */
function checkSize(name: string, v: number | undefined, n: number): void {
  if (v === undefined) return;
  const fraction = typeof v === "number" && v > 0 && v < 1;
  const count = Number.isInteger(v) && v > 0 && v < n;
  if (!fraction && !count) {
    throw new RangeError(`${name}=${String(v)} should be either positive and smaller than the number of samples ${n} or a float in the (0, 1) range`);
  }
}

/** The row indices sklearn's ShuffleSplit picks: [train, test]. */
export function splitIndices(n: number, opts: SplitOptions = {}): [number[], number[]] {
  checkSize("test_size", opts.testSize, n);
  checkSize("train_size", opts.trainSize, n);
  const testSize = opts.testSize ?? (opts.trainSize !== undefined ? 1 - opts.trainSize : 0.25);
  const nTest = testSize < 1 ? Math.ceil(testSize * n) : testSize;
  const nTrain = opts.trainSize !== undefined ? (opts.trainSize < 1 ? Math.floor(opts.trainSize * n) : opts.trainSize) : n - nTest;
  if (nTrain + nTest > n || nTrain <= 0 || nTest <= 0) {
    throw new RangeError(`With n_samples=${n}, test_size=${testSize} and train_size=${opts.trainSize ?? "None"}, the resulting train set will be empty or too large.`);
  }
  const perm = [...Array(n).keys()];
  if (opts.shuffle ?? true) {
    const g = new Generator(opts.randomState ?? Math.floor(Math.random() * 2 ** 32));
    for (let i = n - 1; i > 0; i--) {
      const j = g.randomInterval(i);
      [perm[i], perm[j]] = [perm[j], perm[i]];
    }
    return [perm.slice(nTest, nTest + nTrain), perm.slice(0, nTest)];
  }
  return [perm.slice(0, nTrain), perm.slice(nTrain, nTrain + nTest)];
}

/** trainTestSplit(X, y, …) → [XTrain, XTest, yTrain, yTest], like sklearn's. */
export function trainTestSplit(x: Tensor, opts?: SplitOptions): [train: Tensor, test: Tensor];
export function trainTestSplit(x: Tensor, y: Tensor, opts?: SplitOptions): [xTrain: Tensor, xTest: Tensor, yTrain: Tensor, yTest: Tensor];
export function trainTestSplit(x: Tensor, y: Tensor, z: Tensor, opts?: SplitOptions): [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
export function trainTestSplit(...args: (Tensor | SplitOptions)[]): Tensor[];
export function trainTestSplit(...args: (Tensor | SplitOptions | undefined)[]): Tensor[] {
  const last = args[args.length - 1];
  const opts = last instanceof Tensor ? {} : ((args.pop() as SplitOptions | undefined) ?? {});
  const arrays = args as Tensor[];
  if (arrays.length === 0) throw new Error("At least one array required as input");
  const n = arrays[0].shape[0];
  arrays.forEach((a) => {
    if (a.shape[0] !== n) throw new Error(`Found input variables with inconsistent numbers of samples: [${arrays.map((x) => x.shape[0]).join(", ")}]`);
  });
  const [train, test] = splitIndices(n, opts);
  const ti = tensor(train, { dtype: "int64" });
  const si = tensor(test, { dtype: "int64" });
  return arrays.flatMap((a) => [a.indexSelect(0, ti), a.indexSelect(0, si)]);
}
