// torch.io: saving and loading weights.
export { saveSafetensors, loadSafetensors } from "./safetensors.js";
