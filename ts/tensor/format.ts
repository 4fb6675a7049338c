// toString() that prints like PyTorch's repr: the same number formats (fixed 4 decimals,
// "1." for integral floats, scientific when the range calls for it), line wrapping at 80
// columns, summarisation beyond 1000 elements, and the dtype / grad suffixes.
import { values } from "../ops/raw.js";
import { isFloating } from "./dtype.js";
import type { Tensor } from "./tensor.js";

const LINE_WIDTH = 80;
const THRESHOLD = 1000;
const EDGE = 3;

function sci(v: number): string {
  const [m, e] = v.toExponential(4).split("e");
  const sign = e.startsWith("-") ? "-" : "+";
  return `${m}e${sign}${e.replace(/^[+-]/, "").padStart(2, "0")}`;
}

function special(v: number): string | null {
  if (Number.isNaN(v)) return "nan";
  if (v === Infinity) return "inf";
  if (v === -Infinity) return "-inf";
  return null;
}

/** Picks one format for all shown values, as torch._tensor_str._Formatter does. */
function makeFormatter(t: Tensor, shown: number[]): (v: number) => string {
  if (t.dtype === "bool") return (v) => (v ? "True" : "False");
  if (!isFloating(t.dtype)) return (v) => String(v);
  const finite = shown.filter((v) => Number.isFinite(v) && v !== 0).map(Math.abs);
  if (finite.length === 0) return (v) => special(v) ?? (Object.is(v, -0) ? "-0." : "0.");
  const max = Math.max(...finite);
  const min = Math.min(...finite);
  const intMode = shown.every((v) => !Number.isFinite(v) || Number.isInteger(v));
  if (intMode) {
    if (max / min > 1000 || max > 1e8) return (v) => special(v) ?? sci(v);
    return (v) => special(v) ?? `${v.toFixed(0)}.`;
  }
  if (max / min > 1000 || max > 1e8 || min < 1e-4) return (v) => special(v) ?? sci(v);
  return (v) => special(v) ?? v.toFixed(4);
}

export function formatTensor(t: Tensor): string {
  const all = values(t);
  const shape = t.shape;
  const summarize = all.length > THRESHOLD;
  const prefix = "tensor(";
  const indexOf = (coords: number[]): number => coords.reduce((acc, c, d) => acc * shape[d] + c, 0);

  // indices shown along each dim (edges only when summarising)
  const shownIdx = (d: number): (number | null)[] => {
    const n = shape[d];
    if (!summarize || n <= 2 * EDGE) return [...Array(n).keys()];
    return [0, 1, 2, null, n - 3, n - 2, n - 1];
  };
  const shownValues: number[] = [];
  const collect = (d: number, coords: number[]): void => {
    if (d === shape.length) {
      shownValues.push(all[indexOf(coords)]);
      return;
    }
    for (const i of shownIdx(d)) if (i !== null) collect(d + 1, [...coords, i]);
  };
  collect(0, []);
  const fmt = makeFormatter(t, shownValues);
  const width = Math.max(1, ...shownValues.map((v) => fmt(v).length));
  const cell = (v: number): string => fmt(v).padStart(width);

  const render = (d: number, coords: number[], indent: number): string => {
    if (d === shape.length) return cell(all[indexOf(coords)]);
    const idx = shownIdx(d);
    if (d === shape.length - 1) {
      const items = idx.map((i) => (i === null ? " ..." : cell(all[indexOf([...coords, i])])));
      const perLine = Math.max(1, Math.floor((LINE_WIDTH - indent) / (width + 2)));
      const lines: string[] = [];
      for (let k = 0; k < items.length; k += perLine) lines.push(items.slice(k, k + perLine).join(", "));
      return `[${lines.join(`,\n${" ".repeat(indent + 1)}`)}]`;
    }
    const sep = `,${"\n".repeat(shape.length - d - 1)}${" ".repeat(indent + 1)}`;
    const parts = idx.map((i) => (i === null ? "..." : render(d + 1, [...coords, i], indent + 1)));
    return `[${parts.join(sep)}]`;
  };

  let body: string;
  const suffix: string[] = [];
  if (all.length === 0 && shape.length > 0) {
    body = "[]";
    if (shape.length !== 1) suffix.push(`size=(${shape.join(", ")}${shape.length === 1 ? "," : ""})`);
  } else {
    body = render(0, [], prefix.length);
  }
  if (t.dtype !== "float32" && t.dtype !== "int64" && t.dtype !== "bool") suffix.push(`dtype=torch.${t.dtype}`);
  if (t.gradFn) suffix.push(`grad_fn=<${t.gradFn.name}>`);
  else if (t.requiresGrad) suffix.push("requires_grad=True");
  return `${prefix}${body}${suffix.map((s) => `, ${s}`).join("")})`;
}
