// torch.vision.transforms: torchvision's transforms on image tensors.
export { Compose, Lambda, ToTensor, PILToTensor, ConvertImageDtype, Normalize, Pad, CenterCrop, Resize, RandomCrop, RandomHorizontalFlip, RandomVerticalFlip, Grayscale } from "./basic.js";
export { RandomResizedCrop, RandomRotation, RandomAffine } from "./geometric.js";
export { ColorJitter } from "./color.js";
export { RandomErasing } from "./erasing.js";
