// The digits model as a web page: draw a digit, the MLP from `npm run demo` classifies it.
// It loads the weights the demo saved (out/digits/model.safetensors) or trains here, in the
// page, on the bundled digits. Plain ESM on the built bundle: no bundler, no init call.
import * as torch from "../../dist/taimatsu.js";
import { loadDigits } from "../../dist/digits.js";

const { nn } = torch;
const $ = (id) => document.getElementById(id);
const status = (text) => ($("status").textContent = text);

const makeModel = () => new nn.Sequential(new nn.Linear(64, 32), new nn.ReLU(), new nn.Linear(32, 16), new nn.ReLU(), new nn.Linear(16, 10));
let model = makeModel();
let ready = false;

/** The demo's saved weights, or the safetensors file named by `?weights=<url>`. */
const weightsUrl = new URLSearchParams(location.search).get("weights") ?? "../../out/digits/model.safetensors";

async function loadSavedWeights() {
  const res = await fetch(weightsUrl);
  if (!res.ok) return false;
  model.loadStateDict(torch.io.loadSafetensors(new Uint8Array(await res.arrayBuffer())));
  return true;
}

/**
 * The demo's training loop (examples/digits/train.ts, in its order of random draws, so the
 * page trains the very same model), yielding to the page between epochs.
 */
async function train(epochs = 40) {
  torch.manualSeed(0);
  const digits = loadDigits();
  const [xTrain, xTest, yTrain, yTest] = torch.utils.data.trainTestSplit(digits.data.div(16), digits.target, { testSize: 0.25, randomState: 0 });
  const loader = new torch.utils.data.DataLoader(new torch.utils.data.TensorDataset(xTrain, yTrain), { batchSize: 32, shuffle: true, generator: new torch.Generator(0) });
  model = makeModel();
  const optimizer = new torch.optim.Adam(model.parameters(), { lr: 0.01 });
  const lossFn = new nn.CrossEntropyLoss();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    model.train();
    for (const [x, y] of loader) {
      optimizer.zeroGrad();
      lossFn(model(x), y).backward();
      optimizer.step();
    }
    model.eval();
    const accuracy = torch.noGrad(() => model(xTest).argmax(1).eq(yTest).float().mean().item());
    status(`training: epoch ${epoch}/${epochs}, test accuracy ${(accuracy * 100).toFixed(1)}%`);
    await new Promise((r) => setTimeout(r, 0));
  }
  return torch.noGrad(() => model(xTest).argmax(1).eq(yTest).float().mean().item());
}

/** Class probabilities for 64 pixel intensities in [0, 1] (the digits data divided by 16). */
export function predict(pixels) {
  model.eval();
  return torch.noGrad(() => model(torch.tensor([pixels], { dtype: "float32" })).softmax(1).squeeze(0).tolist());
}

// ---- drawing --------------------------------------------------------------------------
const pad = $("pad");
const ctx = pad.getContext("2d");
function clear() {
  ctx.fillStyle = "#000";
  ctx.fillRect(0, 0, pad.width, pad.height);
  show(null);
}
let last = null;
pad.addEventListener("pointerdown", (e) => (last = [e.offsetX, e.offsetY]));
pad.addEventListener("pointerup", () => (last = null));
pad.addEventListener("pointerleave", () => (last = null));
pad.addEventListener("pointermove", (e) => {
  if (!last) return;
  ctx.strokeStyle = "#fff";
  // thick strokes, as in sklearn's digits (their 8×8 cells count ink in 4×4 blocks of 32×32 scans)
  ctx.lineWidth = 26;
  ctx.lineCap = "round";
  ctx.beginPath();
  ctx.moveTo(...last);
  ctx.lineTo(e.offsetX, e.offsetY);
  ctx.stroke();
  last = [e.offsetX, e.offsetY];
  if (ready) show(toDigitPixels());
});

/**
 * The drawing as sklearn's digits look: the ink's bounding square plus a margin of about half
 * a cell on each side (their digits rarely touch the border), averaged into 8×8 cells, max 1.
 */
export function toDigitPixels() {
  const { data, width, height } = ctx.getImageData(0, 0, pad.width, pad.height);
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (data[(y * width + x) * 4] > 0) [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  if (x1 < 0) return null;
  const side = (Math.max(x1 - x0, y1 - y0) + 1) * 1.15;
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  const cells = new Float64Array(64);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const gx = Math.floor(((x - cx) / side + 0.5) * 8);
      const gy = Math.floor(((y - cy) / side + 0.5) * 8);
      if (gx >= 0 && gx < 8 && gy >= 0 && gy < 8) cells[gy * 8 + gx] += data[(y * width + x) * 4];
    }
  const max = Math.max(...cells);
  return Array.from(cells, (v) => v / max);
}

function show(pixels) {
  const seen = $("seen").getContext("2d");
  const image = seen.createImageData(8, 8);
  (pixels ?? new Array(64).fill(0)).forEach((v, i) => image.data.set([255 * v, 255 * v, 255 * v, 255], i * 4));
  seen.putImageData(image, 0, 0);
  const probs = pixels ? predict(pixels) : new Array(10).fill(0);
  const best = probs.indexOf(Math.max(...probs));
  $("guess").textContent = pixels ? String(best) : "–";
  $("bars").innerHTML = probs
    .map((p, d) => `<div class="bar"><span>${d}</span><div style="width:${Math.round(p * 200)}px"></div><span>${(p * 100).toFixed(1)}%</span></div>`)
    .join("");
}

$("clear").addEventListener("click", clear);
$("train").addEventListener("click", async () => {
  $("train").disabled = true;
  ready = false;
  const accuracy = await train();
  ready = true;
  status(`trained in this page: test accuracy ${(accuracy * 100).toFixed(2)}% — draw a digit`);
  $("train").disabled = false;
});

clear();
ready = await loadSavedWeights();
status(ready ? `weights loaded from ${weightsUrl} — draw a digit` : "no saved weights (run npm run demo): train in this page");
$("train").disabled = false;
window.taimatsuDigits = { predict, toDigitPixels, train, ready: () => ready };
