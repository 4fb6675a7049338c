// torch.vision: torchvision's transforms and utils for the course's image lectures.
export * as transforms from "./transforms/index.js";
export * as utils from "./utils.js";
export * as io from "./io.js";
export * as models from "./models/index.js";
export * as datasets from "./datasets.js";
export { DecodedImage } from "./image.js";
