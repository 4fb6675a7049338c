// torch.autograd: grad() and the graph node types.
export { grad, backward } from "./engine.js";
export { Node, AccumulateGrad } from "./node.js";
export { gradcheck } from "./gradcheck.js";
export { Function, FunctionCtx } from "./function.js";
