// The tfjs peers, set up once: tfjs-core with its WebAssembly backend (single thread, SIMD)
// and its plain-JS CPU backend.
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
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
