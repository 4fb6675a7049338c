// The package's entry: every export of ./index.ts, and the namespace again as the default
// export, so `import torch from "taimatsu"` works as well as `import * as torch from "taimatsu"`.
export * from "./index.js";
import * as torch from "./index.js";
export default torch;
