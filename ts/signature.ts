// Python-style argument binding for the PyTorch classes: arguments in PyTorch's positional order,
// an options object last (PyTorch's keyword arguments, camelCase), or both. Unknown, repeated or
// missing names raise the TypeError Python raises, so a misspelt option is never silently ignored.

export interface Signature {
  /** The qualified name the messages use, e.g. "Conv2d.__init__". */
  readonly fn: string;
  /** The parameters in PyTorch's positional order. */
  readonly positional: readonly string[];
  /** How many leading positional parameters have no default. */
  readonly required?: number;
  /** Parameters accepted only in the options object. */
  readonly keywords?: readonly string[];
}

/** Any prefix of the optional positional parameters `P`, then optionally the options object `O`. */
export type Rest<P extends unknown[], O> = P extends [...infer Init, unknown] ? [...P, O?] | Rest<Init, O> : [O?];

/** A plain object literal: what an options argument is, as opposed to a tensor, array or function. */
export function isOptionsObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const quoteList = (names: string[]): string => {
  const q = names.map((n) => `'${n}'`);
  return q.length <= 2 ? q.join(" and ") : `${q.slice(0, -1).join(", ")}, and ${q[q.length - 1]}`;
};

/** Binds `args` to the signature's names; absent parameters are `undefined` (callers apply defaults). */
export function bindArgs<T>(sig: Signature, args: readonly unknown[]): T {
  const required = sig.required ?? 0;
  const hasOptions = args.length > 0 && isOptionsObject(args[args.length - 1]);
  const positional = hasOptions ? args.slice(0, -1) : args;
  const options = hasOptions ? (args[args.length - 1] as Record<string, unknown>) : {};
  if (positional.length > sig.positional.length) {
    const takes = required === sig.positional.length ? `${required + 1}` : `from ${required + 1} to ${sig.positional.length + 1}`;
    throw new TypeError(`${sig.fn}() takes ${takes} positional arguments but ${positional.length + 1} were given`);
  }
  const bound: Record<string, unknown> = Object.create(null);
  positional.forEach((v, i) => {
    if (v !== undefined) bound[sig.positional[i]] = v;
  });
  for (const [key, v] of Object.entries(options)) {
    const at = sig.positional.indexOf(key);
    if (at < 0 && !sig.keywords?.includes(key)) throw new TypeError(`${sig.fn}() got an unexpected keyword argument '${key}'`);
    if (at >= 0 && at < positional.length && positional[at] !== undefined) throw new TypeError(`${sig.fn}() got multiple values for argument '${key}'`);
    if (v !== undefined) bound[key] = v;
  }
  const missing = sig.positional.slice(0, required).filter((n) => bound[n] === undefined);
  if (missing.length > 0) {
    const s = missing.length === 1 ? "" : "s";
    throw new TypeError(`${sig.fn}() missing ${missing.length} required positional argument${s}: ${quoteList(missing)}`);
  }
  return bound as T;
}

/** A size argument (features, channels, kernel sizes): an integer of at least `min`, else PyTorch-style TypeError/ValueError. */
export function checkCount(fn: string, name: string, v: unknown, min = 0): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new TypeError(`${fn}(): argument '${name}' must be an integer, got ${typeof v === "number" ? v : typeof v}`);
  if (v < min) throw new RangeError(`${fn}(): argument '${name}' must be ${min === 0 ? "non-negative" : `at least ${min}`}, got ${v}`);
  return v;
}
