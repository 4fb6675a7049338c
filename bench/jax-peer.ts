// jax-js (@jax-js/jax, the most active JS autodiff library) on the native section's workloads it
// can express directly: matrix products and the MLP training step (jit(valueAndGrad) and an SGD
// update, its idiomatic form). Its wasm device picks its own thread count.
import { init, jit, nn, numpy as np, tree, valueAndGrad } from "@jax-js/jax";
import { measure } from "./harness.js";

type Arr = np.Array;
type Params = { w1: Arr; b1: Arr; w2: Arr; b2: Arr; w3: Arr; b3: Arr };

const rand = (shape: number[], scale = 1): Arr =>
  np.array(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (Math.random() - 0.5) * scale)).reshape(shape);

function matmul(n: number): (reps: number) => void {
  const [a, b] = [rand([n, n]), rand([n, n])];
  return (reps) => {
    for (let i = 0; i < reps; i++) np.matmul(a.ref, b.ref).dataSync();
  };
}

function mlpStep(): (reps: number) => void {
  let params: Params = { w1: rand([784, 256], 0.1), b1: np.zeros([256]), w2: rand([256, 128], 0.1), b2: np.zeros([128]), w3: rand([128, 10], 0.1), b3: np.zeros([10]) };
  const x = rand([64, 784]);
  const y = nn.oneHot(np.array(Int32Array.from({ length: 64 }, (_, i) => i % 10), { dtype: np.int32 }), 10);
  const loss = (p: Params, x: Arr, y: Arr): Arr => {
    const h1 = nn.relu(np.matmul(x, p.w1).add(p.b1));
    const h2 = nn.relu(np.matmul(h1, p.w2).add(p.b2));
    return nn.logSoftmax(np.matmul(h2, p.w3).add(p.b3)).mul(y).sum().mul(-1 / 64);
  };
  const step = jit((p: Params, x: Arr, y: Arr) => {
    const [l, g] = valueAndGrad(loss)(tree.ref(p), x, y);
    return [l, tree.map((w: Arr, d: Arr) => w.sub(d.mul(0.01)), p, g)] as [Arr, Params];
  });
  return (reps) => {
    let l: Arr | null = null;
    for (let i = 0; i < reps; i++) {
      l?.dispose();
      [l, params] = step(params, x.ref, y.ref);
    }
    l?.dataSync();
  };
}

/** Seconds per iteration for each workload jax-js runs (by the native section's names), or why it could not run. */
export async function jaxTimes(): Promise<Record<string, number> | string> {
  try {
    await init("wasm");
    return { matmul512: measure(matmul(512)), matmul1024: measure(matmul(1024)), mlp: measure(mlpStep()) };
  } catch (e) {
    return `jax-js failed: ${(e as Error).message}`;
  }
}
