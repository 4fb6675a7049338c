// The dtypes taimatsu stores, their element sizes and typed-array views, and PyTorch's
// type-promotion rules (bool < integer < floating, then by width within a category).
export type DType = "float32" | "float64" | "int32" | "int64" | "bool";

export const DTYPES: readonly DType[] = ["bool", "int32", "int64", "float32", "float64"];

export const itemSize: Record<DType, number> = { bool: 1, int32: 4, int64: 8, float32: 4, float64: 8 };

export type Category = 0 | 1 | 2; // bool, integer, floating

export function category(d: DType): Category {
  return d === "bool" ? 0 : d === "int32" || d === "int64" ? 1 : 2;
}

export const isFloating = (d: DType): boolean => category(d) === 2;

/** Legacy tensor type names, as PyTorch prints them in autograd errors. */
export const legacyTypeName: Record<DType, string> = {
  float32: "torch.FloatTensor",
  float64: "torch.DoubleTensor",
  int32: "torch.IntTensor",
  int64: "torch.LongTensor",
  bool: "torch.BoolTensor",
};

/** PyTorch's ScalarType names, as its error messages print them ("Got: Long"). */
export const scalarTypeName: Record<DType, string> = { float32: "Float", float64: "Double", int32: "Int", int64: "Long", bool: "Bool" };

export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  return DTYPES.indexOf(a) > DTYPES.indexOf(b) ? a : b;
}

/** The dtype a JS number scalar takes: integral numbers count as Python ints, others as floats. */
export function scalarDType(v: number | boolean): DType {
  if (typeof v === "boolean") return "bool";
  return Number.isInteger(v) ? "int64" : "float32";
}

/**
 * torch.result_type for two operands. Dimensioned tensors outrank zero-dim tensors, which
 * outrank scalars; a lower-ranked operand only matters when its category is higher, and then
 * contributes its category's default dtype (float32 / int64) unless it is a zero-dim tensor
 * of that same category.
 */
export function resultType(
  a: { dtype: DType; rank: 0 | 1 | 2 },
  b: { dtype: DType; rank: 0 | 1 | 2 },
): DType {
  if (a.rank === b.rank) return promoteTypes(a.dtype, b.dtype);
  const [hi, lo] = a.rank > b.rank ? [a, b] : [b, a];
  if (category(lo.dtype) <= category(hi.dtype)) return hi.dtype;
  if (lo.rank === 1) return lo.dtype;
  return category(lo.dtype) === 2 ? "float32" : category(lo.dtype) === 1 ? "int64" : "bool";
}
