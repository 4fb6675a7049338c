// The train/test loss curves as a standalone SVG (no plotting dependency).
export interface Series {
  name: string;
  color: string;
  values: number[];
}

export function lossCurveSvg(series: Series[], title: string): string {
  const W = 640;
  const H = 400;
  const pad = { left: 60, right: 20, top: 40, bottom: 50 };
  const n = Math.max(...series.map((s) => s.values.length));
  const all = series.flatMap((s) => s.values);
  const yMax = Math.max(...all) * 1.05;
  const yMin = 0;
  const x = (i: number) => pad.left + (n <= 1 ? 0 : (i / (n - 1)) * (W - pad.left - pad.right));
  const y = (v: number) => pad.top + (1 - (v - yMin) / (yMax - yMin)) * (H - pad.top - pad.bottom);
  const ticks = Array.from({ length: 6 }, (_, k) => yMin + ((yMax - yMin) * k) / 5);
  const xticks = Array.from({ length: Math.min(n, 9) }, (_, k) => Math.round((k * (n - 1)) / Math.max(Math.min(n, 9) - 1, 1)));
  const lines = series.map((s) => {
    const d = s.values.map((v, i) => `${i === 0 ? "M" : "L"}${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    return `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`;
  });
  const legend = series.map((s, k) => `<g transform="translate(${W - 170},${pad.top + 10 + k * 20})"><rect width="14" height="3" y="5" fill="${s.color}"/><text x="20" y="10" font-size="13">${s.name}</text></g>`);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="16">${title}</text>`,
    ...ticks.map((t) => `<line x1="${pad.left}" x2="${W - pad.right}" y1="${y(t)}" y2="${y(t)}" stroke="#ddd"/><text x="${pad.left - 8}" y="${y(t) + 4}" text-anchor="end" font-size="12">${t.toFixed(2)}</text>`),
    ...xticks.map((i) => `<text x="${x(i)}" y="${H - pad.bottom + 18}" text-anchor="middle" font-size="12">${i + 1}</text>`),
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle" font-size="13">epoch</text>`,
    `<text transform="translate(16,${H / 2}) rotate(-90)" text-anchor="middle" font-size="13">cross-entropy loss</text>`,
    `<line x1="${pad.left}" x2="${pad.left}" y1="${pad.top}" y2="${H - pad.bottom}" stroke="black"/>`,
    `<line x1="${pad.left}" x2="${W - pad.right}" y1="${H - pad.bottom}" y2="${H - pad.bottom}" stroke="black"/>`,
    ...lines,
    ...legend,
    "</svg>",
  ].join("\n");
}
