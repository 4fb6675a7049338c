// The dtypes taimatsu stores, their element sizes and typed-array views, and PyTorch's
// type-promotion rules (bool < integer < floating, then by width within a category).
// uint8, int8 and int16 hold images and files' data; float16 and bfloat16 are storage types
// (PyTorch files carry them): their ops compute in JavaScript and round to the dtype.
export type DType = "float32" | "float64" | "int32" | "int64" | "bool" | "uint8" | "int8" | "int16" | "float16" | "bfloat16";

/** In promotion order: a later dtype wins, except the two pairs promoteTypes names. */
export const DTYPES: readonly DType[] = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "bfloat16", "float32", "float64"];

export const itemSize: Record<DType, number> = { bool: 1, uint8: 1, int8: 1, int16: 2, int32: 4, int64: 8, float16: 2, bfloat16: 2, float32: 4, float64: 8 };

export type Category = 0 | 1 | 2; // bool, integer, floating

export function category(d: DType): Category {
  return d === "bool" ? 0 : d === "float16" || d === "bfloat16" || d === "float32" || d === "float64" ? 2 : 1;
}

export const isFloating = (d: DType): boolean => category(d) === 2;

/** Legacy tensor type names, as PyTorch prints them in autograd errors. */
export const legacyTypeName: Record<DType, string> = {
  float32: "torch.FloatTensor",
  float64: "torch.DoubleTensor",
  int32: "torch.IntTensor",
  int64: "torch.LongTensor",
  bool: "torch.BoolTensor",
  uint8: "torch.ByteTensor",
  int8: "torch.CharTensor",
  int16: "torch.ShortTensor",
  float16: "torch.HalfTensor",
  bfloat16: "torch.BFloat16Tensor",
};

/** PyTorch's ScalarType names, as its error messages print them ("Got: Long"). */
export const scalarTypeName: Record<DType, string> = {
  float32: "Float",
  float64: "Double",
  int32: "Int",
  int64: "Long",
  bool: "Bool",
  uint8: "Byte",
  int8: "Char",
  int16: "Short",
  float16: "Half",
  bfloat16: "BFloat16",
};

export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a;
  // the two pairs neither of which holds the other's values
  if ((a === "uint8" && b === "int8") || (a === "int8" && b === "uint8")) return "int16";
  if ((a === "float16" && b === "bfloat16") || (a === "bfloat16" && b === "float16")) return "float32";
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
