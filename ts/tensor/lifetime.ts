// When tensor memory is released. The rule: a tensor the program can still reach is never
// lost. It is freed by dispose() (or `using`), or once JavaScript can no longer reach it.
//
// WebAssembly memory is invisible to the garbage collector, and finalizers never run inside a
// synchronous loop, so three mechanisms keep loops flat without dispose calls:
// - Tensors that never reach user code are freed at once. Library code that builds an op from
//   other ops (a layer's forward, a loss, backward, an optimizer step) runs as an *internal
//   scope*: what it makes is internal, and when the scope ends every internal tensor that is
//   not its result and that no graph node or .grad holds is freed. Its results escape to the
//   caller (or join the enclosing scope). Anything handed to user code escapes first.
//   A held internal tensor is freed when its last holder lets go (backward releasing a
//   node's saved tensors, .grad being replaced).
// - Tensors that have escaped are evicted, not freed, at the boundaries a PyTorch program
//   already has (each DataLoader batch, zeroGrad(), backward(), noGrad()) once two intervals
//   pass without using them, and under memory pressure (residency.ts): their bytes move to a
//   JS-owned copy the garbage collector reclaims if the tensor is unreachable; a later use
//   copies them back.
// - A FinalizationRegistry frees what the garbage collector finds unreachable when the event
//   loop runs (apps between requests).
import { evictUnused, tick } from "./residency.js";
import type { Storage } from "./storage.js";

/** The part of a tensor this module manages. */
export interface Tracked {
  /** @internal */
  readonly storage: Storage;
  /** Whether user code may hold it: then only dispose() or the garbage collector frees it. @internal */
  escaped: boolean;
  /** Library references that keep an internal tensor alive (graph nodes, .grad). @internal */
  holds: number;
  /** The internal scope it was made in, until that scope ends. @internal */
  scope: Scope | null;
  /** @internal */
  freedBy: string | null;
  /** @internal */
  describe(): string;
}

export class Scope {
  readonly made: Tracked[] = [];
  constructor(readonly parent: Scope | null) {}
}

let scope: Scope | null = null;
/** Off only in tests: the reference run that frees nothing but what dispose() frees. */
let freeing = true;
export function setInternalFreeing(on: boolean): void {
  freeing = on;
}

/** Called by the tensor constructor. */
export function track(t: Tracked): void {
  t.storage.retain();
  if (scope !== null) {
    t.escaped = false;
    t.scope = scope;
    scope.made.push(t);
  }
}

function free(t: Tracked, reason: string): void {
  if (t.freedBy !== null || (!freeing && reason !== DISPOSED)) return;
  t.freedBy = reason;
  t.storage.drop();
}

const DISPOSED = "by dispose()";

export function dispose(t: Tracked): void {
  free(t, DISPOSED);
}

/**
 * Marks a tensor as reachable by user code: the library never frees it from now on. (A view's
 * base may still be freed: views keep the shared storage, and autograd reads only the base's
 * shape and history.)
 */
export function escape(t: Tracked): void {
  t.escaped = true;
  t.scope = null;
}

/** Escapes every tensor in a value (see forEachTensor). */
export function escapeAll(value: unknown, depth = 0): void {
  forEachTensor(value, escape, depth);
}

function isTracked(v: unknown): v is Tracked {
  return typeof v === "object" && v !== null && "freedBy" in v && "holds" in v;
}

/** Visits the tensors in a value: a tensor, or arrays, maps and objects (their own fields) of them. */
function forEachTensor(value: unknown, f: (t: Tracked) => void, depth = 0): void {
  if (depth > 4 || typeof value !== "object" || value === null) return;
  if (isTracked(value)) {
    f(value);
  } else if (Array.isArray(value)) {
    for (const v of value) forEachTensor(v, f, depth + 1);
  } else if (value instanceof Map) {
    for (const v of value.values()) forEachTensor(v, f, depth + 1);
  } else if (!ArrayBuffer.isView(value)) {
    for (const v of Object.values(value)) forEachTensor(v, f, depth + 1);
  }
}

/** A library reference to a tensor starts (a node saves it, a .grad is set to it). */
export function hold(t: Tracked): void {
  t.holds++;
}

/** A library reference ends: an internal tensor no one else holds is freed. */
export function unhold(t: Tracked): void {
  if (--t.holds === 0 && !t.escaped && t.scope === null) free(t, "as an internal temporary");
}

/** Library code is done with an internal tensor it made (no holds, not needed further). */
export function discard(t: Tracked): void {
  if (!t.escaped && t.holds === 0) free(t, "as an internal temporary");
}

/**
 * A tensor an op made for its own use and never handed out (a converted operand, a
 * contiguous copy): freed now, or when the graph node that saved it lets go.
 */
export function dropHidden(t: Tracked): void {
  if (t.freedBy !== null) return;
  t.escaped = false;
  if (t.holds === 0) free(t, "as an internal temporary");
}

/** Ends a scope: results join the parent scope (or escape), the rest is freed unless held. */
function settle(s: Scope, result: unknown): void {
  const parent = s.parent;
  forEachTensor(result, (t) => {
    if (t.scope === s) {
      if (parent === null) {
        escape(t);
      } else {
        t.scope = parent;
        parent.made.push(t);
      }
    } else if (parent === null) {
      escape(t);
    }
  });
  for (const t of s.made) {
    if (t.scope !== s) continue;
    t.scope = null;
    if (!t.escaped && t.holds === 0) free(t, "as an internal temporary");
  }
}

/**
 * Runs library code whose intermediates never reach user code: everything it makes but its
 * result (and what graph nodes or .grads hold) is freed when it returns. Synchronous only.
 */
export function internal<T>(fn: () => T): T {
  const s = new Scope(scope);
  scope = s;
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scope = s.parent;
    settle(s, null);
    throw e;
  }
  scope = s.parent;
  settle(s, result);
  return result;
}

/**
 * Runs user code (a user module's forward, a hook, a closure) from inside library code: its
 * arguments escape, and what it makes belongs to the user.
 */
export function external<T>(args: unknown, fn: () => T): T {
  if (scope === null) return fn();
  escapeAll(args);
  const saved = scope;
  scope = null;
  try {
    return fn();
  } finally {
    scope = saved;
  }
}

/**
 * One recurring point of a program (a DataLoader's batches, an optimizer's zeroGrad(), each
 * backward() and noGrad() call). Crossing it evicts the temporaries that became resident
 * after its first crossing and were not used during its last two complete intervals: a
 * training loop's leftovers go, while whatever the loop keeps using stays resident.
 */
export class Boundary {
  private first = -1;
  /** Clock values of the last three crossings. */
  private readonly recent: number[] = [];

  cross(): void {
    const now = tick();
    if (this.first < 0) this.first = now;
    this.recent.push(now);
    if (this.recent.length > 3) this.recent.shift();
    evictUnused(this.first, this.recent.length === 3 ? this.recent[0] : -1);
  }
}

export function freedError(t: Tracked, op: string): Error {
  const bug = t.freedBy === DISPOSED ? "" : " (a bug in taimatsu: please report it with the code that used it)";
  return new Error(`${op}: ${t.describe()} was freed ${t.freedBy}${bug}`);
}
