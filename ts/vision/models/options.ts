// What torchvision's model builders take: the classes, and weights, which taimatsu cannot
// download (no hub at run time): a torchvision state_dict loads with loadStateDict instead.

export interface ModelOptions {
  numClasses?: number;
  /** torchvision's `weights`: only null (random init) is possible here. */
  weights?: null;
}

export function noPretrainedWeights(name: string, opts: { weights?: unknown }): void {
  if (opts.weights != null) {
    throw new Error(
      `${name}: taimatsu does not download pretrained weights; build the model with weights: null and load a torchvision ` +
        `state_dict saved with torch.save(model.state_dict(), path) through model.loadStateDict(torch.load(path))`,
    );
  }
}
