// Lecture 6's app: upload or drop a photo, see the model's top-3 classes. The model is the
// digits CNN `npm run demo:cnn` trains (examples/cnn/train.ts), loaded from the weights it
// saves (out/cnn/model.safetensors, or the file named by ?weights=<url>). The browser decodes
// the photo; taimatsu turns it into the model's input: grey, light ink on dark, averaged down
// to 8×8 cells, scaled to the training data's range and normalized as in training.
import * as torch from "taimatsu";

const { nn } = torch;
const T = torch.vision.transforms;
const $ = (id) => document.getElementById(id);
const status = (text) => ($("status").textContent = text);

/** The architecture of examples/cnn/train.ts (digitsCnn), and its Normalize constants. */
const model = new nn.Sequential(
  new nn.Conv2d(1, 16, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(16), new nn.ReLU(), new nn.MaxPool2d(2),
  new nn.Conv2d(16, 32, 3, { padding: 1, bias: false }), new nn.BatchNorm2d(32), new nn.ReLU(), new nn.MaxPool2d(2),
  new nn.Flatten(), new nn.Linear(32 * 2 * 2, 10),
);
const normalize = new T.Normalize([0.3058], [0.3764]);

const weightsUrl = new URLSearchParams(location.search).get("weights") ?? "../../out/cnn/model.safetensors";

/**
 * A decoded photo (RGBA bytes, as a canvas gives them) as what the model sees — grey, inverted
 * when the background is light, 8×8 cell averages stretched so the brightest is 1 (the
 * digits' ink is their brightest value) — and that normalized: its 1×1×8×8 input.
 */
export function toModelInput(rgba, width, height) {
  return torch.noGrad(() => {
    const bytes = new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.byteLength);
    const rgb = new T.ToTensor()(torch.tensor(bytes, { dtype: "uint8" }).reshape([height, width, 4]).narrow(2, 0, 3));
    let grey = new T.Grayscale()(rgb);
    if (grey.mean().item() > 0.5) grey = grey.neg().add(1);
    const cells = nn.functional.adaptiveAvgPool2d(grey.unsqueeze(0), [8, 8]);
    const peak = cells.max().item();
    const seen = peak > 0 ? cells.div(peak) : cells;
    return { seen: seen.reshape([8, 8]), input: normalize(seen) };
  });
}

/** The three most probable classes and their probabilities. */
export function top3(input) {
  model.eval();
  return torch.noGrad(() => {
    const [p, k] = model(input).softmax(1).squeeze(0).topk(3);
    return k.tolist().map((c, i) => ({ digit: c, probability: p.tolist()[i] }));
  });
}

async function classify(file) {
  const bitmap = await createImageBitmap(file);
  const canvas = document.createElement("canvas");
  [canvas.width, canvas.height] = [bitmap.width, bitmap.height];
  const ctx = canvas.getContext("2d");
  ctx.drawImage(bitmap, 0, 0);
  const { data } = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
  const { seen: cells, input } = toModelInput(data, bitmap.width, bitmap.height);
  $("photo").src = URL.createObjectURL(file);
  $("photo").style.display = "block";
  const seen = $("seen").getContext("2d");
  const image = seen.createImageData(8, 8);
  cells.flatten().tolist().forEach((v, i) => image.data.set([255 * v, 255 * v, 255 * v, 255], i * 4));
  seen.putImageData(image, 0, 0);
  const best = top3(input);
  $("top3").innerHTML = best.map(({ digit, probability }) => `<li data-digit="${digit}" data-probability="${probability}">${digit} — ${(probability * 100).toFixed(1)}%</li>`).join("");
  status(`${file.name}: ${best[0].digit}`);
}

$("file").addEventListener("change", (e) => e.target.files[0] && classify(e.target.files[0]));
const drop = $("drop");
drop.addEventListener("dragover", (e) => {
  e.preventDefault();
  drop.classList.add("over");
});
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  const file = e.dataTransfer.files[0];
  if (file) classify(file);
});

const res = await fetch(weightsUrl);
if (res.ok) {
  model.loadStateDict(torch.io.loadSafetensors(new Uint8Array(await res.arrayBuffer())));
  $("file").disabled = false;
  status(`weights loaded from ${weightsUrl} — choose or drop a photo of a digit`);
} else {
  status(`no weights at ${weightsUrl}: run npm run demo:cnn first`);
}
window.taimatsuClassify = { ready: res.ok };
