// The tfjs peers, set up once: tfjs (core with its gradients, layers, CPU backend) and the
// WebAssembly backend, single thread with SIMD.
import * as tf from "@tensorflow/tfjs";
import { setThreadsCount } from "@tensorflow/tfjs-backend-wasm";

setThreadsCount(1);
await tf.setBackend("wasm");
await tf.ready();

export { tf };

/** Runs fn with the named tfjs backend active. */
export async function useBackend(name: "wasm" | "cpu"): Promise<void> {
  await tf.setBackend(name);
  await tf.ready();
}
