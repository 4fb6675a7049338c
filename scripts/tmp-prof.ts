import * as torch from "taimatsu";
const T = torch.vision.transforms;
const img = torch.rand([1, 8, 8]);
const tr = [new T.RandomAffine(10, { translate: [0.1, 0.1] }), new T.RandomHorizontalFlip(), new T.Normalize([0.3], [0.37])];
for (const t of tr) {
  for (let i = 0; i < 300; i++) t(img);
  const t0 = performance.now();
  for (let i = 0; i < 2000; i++) t(img);
  console.log(t.constructor.name, ((performance.now() - t0) / 2000 * 1000).toFixed(1), "µs");
}
const F = torch.nn.functional;
const grid = torch.rand([1, 8, 8, 2]);
const x = torch.rand([1, 2, 8, 8]);
const t0 = performance.now();
for (let i = 0; i < 2000; i++) F.gridSample(x, grid, { mode: "nearest" });
console.log("gridSample nearest", ((performance.now() - t0) / 2000 * 1000).toFixed(1), "µs");
const t1 = performance.now();
for (let i = 0; i < 2000; i++) x.add(1);
console.log("add", ((performance.now() - t1) / 2000 * 1000).toFixed(1), "µs");
