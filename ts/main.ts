// The package's entry: every export of ./index.ts, and the namespace again as the default
// export, so `import torch from "taimatsu"` works as well as `import * as torch from "taimatsu"`.
// It also names the DataLoader worker entry in the one form bundlers recognise and emit.
import { registerWorkerEntry } from "./data/worker-loader.js";
export * from "./index.js";
import * as torch from "./index.js";
export default torch;

registerWorkerEntry(() => new Worker(new URL("./worker.js", import.meta.url), { type: "module" }));
