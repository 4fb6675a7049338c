// torch.testing: switches the tests use to hold the wasm kernels to the JS oracle loops.
export { setWasmKernels } from "./ops/raw.js";
