// Python's text for the values module reprs print, so `String(module)` reads as PyTorch's print(module).

/** Python's repr of a float: shortest digits, ".0" on integers, scientific below 1e-4 and from 1e16. */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return "nan";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  if (v === 0) return Object.is(v, -0) ? "-0.0" : "0.0";
  const [mantissa, exp] = v.toExponential().split("e");
  const e = Number(exp);
  if (e < -4 || e >= 16) return `${mantissa}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  const s = String(v);
  return s.includes(".") ? s : `${s}.0`;
}

export const pyBool = (v: boolean): string => (v ? "True" : "False");
