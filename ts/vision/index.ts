// torch.vision: torchvision's transforms for the course's image lectures.
export * as transforms from "./transforms.js";
