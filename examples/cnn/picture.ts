// A picture of sample predictions: the images as a PNG grid (torch.vision.utils.saveImage),
// embedded in an SVG that writes each one's predicted and true class under it, wrong ones in red.
import * as torch from "taimatsu";

export interface Prediction {
  predicted: number;
  actual: number;
}

/**
 * `images` (N, 1, H, W) uint8, shown `scale` times larger in rows of `perRow`: the grid's PNG
 * bytes and the SVG around it.
 */
export async function predictionsPicture(images: torch.Tensor, predictions: Prediction[], perRow = 8, scale = 6): Promise<{ png: Uint8Array; svg: string }> {
  const [n, , h, w] = images.shape;
  const big = torch.nn.functional.interpolate(images.float().div(255), { scaleFactor: scale, mode: "nearest" });
  const padding = 4;
  const png = await torch.vision.utils.saveImage(big, undefined, { nrow: perRow, padding, padValue: 1 });
  const [cellW, cellH] = [w * scale + padding, h * scale + padding];
  const rows = Math.ceil(n / perRow);
  const label = 18;
  const [width, height] = [perRow * cellW + padding, rows * (cellH + label) + padding + 34];
  const texts = predictions.map(({ predicted, actual }, k) => {
    const [col, row] = [k % perRow, Math.floor(k / perRow)];
    const x = padding + col * cellW + (w * scale) / 2;
    const y = 34 + row * (cellH + label) + cellH + 12;
    const color = predicted === actual ? "#1a7f37" : "#d62728";
    return `<text x="${x}" y="${y}" text-anchor="middle" font-size="12" fill="${color}">${predicted}${predicted === actual ? "" : ` (${actual})`}</text>`;
  });
  // the grid's rows are spaced for the labels: each row of cells is drawn from its own slice of the PNG
  const href = `data:image/png;base64,${btoa(String.fromCharCode(...png))}`;
  const slices = Array.from({ length: rows }, (_, r) => {
    const y = 34 + r * (cellH + label);
    return `<svg x="0" y="${y}" width="${width}" height="${cellH + padding}" viewBox="0 ${r * cellH} ${width} ${cellH + padding}"><image href="${href}" width="${width}" height="${rows * cellH + padding}" style="image-rendering: pixelated"/></svg>`;
  });
  const wrong = predictions.filter((p) => p.predicted !== p.actual).length;
  const title = `${predictions.length - wrong} of ${predictions.length} held-out digits right`;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="14" text-anchor="middle" font-size="13">${title}</text>`,
    `<text x="${width / 2}" y="27" text-anchor="middle" font-size="10" fill="#555">predicted class under each (the true one in brackets when wrong)</text>`,
    ...slices,
    ...texts,
    "</svg>",
  ].join("\n");
  return { png, svg };
}
