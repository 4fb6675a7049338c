// When tensor memory is released. WebAssembly memory is invisible to the JS garbage
// collector and finalizers never run inside a synchronous training loop, so taimatsu frees
// tensors at the boundaries a PyTorch program already has: each DataLoader batch, each
// zeroGrad(), each torch.noGrad() call. A boundary frees the tensors that were created after
// that boundary first occurred and were not used during its last two intervals: a training
// loop's temporaries live for two or three iterations, while data made before the loop, module
// parameters and buffers, gradients, optimizer state and anything `.keep()`-ed stay.
// Two boundaries are global rather than owned by one loop, so they only free what is
// theirs: backward() frees tensors of a finished graph (op outputs that required grad,
// tensors made during backward, and anything computed from those), torch.noGrad() frees
// tensors made inside its calls (and computed from those). Data made between loops is
// never theirs, so it survives however long it sits unused.
// A FinalizationRegistry frees whatever the GC collects first (between loops, in apps).
// Registering costs more than a small op, so new tensors are queued and registered in
// batches: at the next boundary (most are freed by then and never registered) or when the
// event loop next runs.
import type { Storage } from "./storage.js";

/** Who made a tensor: user code (0), a noGrad evaluation (1) or a graph (2); derived tensors inherit the highest. */
export type Origin = 0 | 1 | 2;
export const USER: Origin = 0;
export const EVAL: Origin = 1;
export const GRAPH: Origin = 2;

/** The part of a tensor this module manages. */
export interface Tracked {
  origin: Origin;
  readonly storage: Storage;
  seq: number;
  lastUse: number;
  kept: boolean;
  releasedBy: string | null;
  /** Whether the FinalizationRegistry knows this tensor yet. */
  registered: boolean;
  /** The list of temporaries it is in, or null when kept or released. */
  listedIn: Temporaries | null;
  describe(): string;
}

let clock = 0;
let liveTensors = 0;

/**
 * The unkept tensors of one origin in creation order, so a loop's boundary looks only at
 * what was made after it began (a binary search), however much else is alive. Removal is
 * lazy; the array is compacted once half of it is gone.
 */
class Temporaries {
  private items: Tracked[] = [];
  private dead = 0;
  size = 0;

  add(t: Tracked): void {
    this.items.push(t);
    t.listedIn = this;
    this.size++;
  }

  remove(t: Tracked): void {
    t.listedIn = null;
    this.size--;
    if (++this.dead > 256 && this.dead * 2 > this.items.length) {
      this.items = this.items.filter((u) => u.listedIn === this);
      this.dead = 0;
    }
  }

  /** The listed tensors made after clock value `seq`. */
  after(seq: number): Tracked[] {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.items[mid].seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return this.items.slice(lo).filter((t) => t.listedIn === this);
  }
}

const temporaries: Record<Origin, Temporaries> = { 0: new Temporaries(), 1: new Temporaries(), 2: new Temporaries() };
const finalizer = new FinalizationRegistry<Storage>((storage) => {
  liveTensors--;
  storage.release();
});

let unregistered: Tracked[] = [];
let flushScheduled = false;

/** Registers the queued tensors still alive (only those made before `before`, if given). */
function registerQueued(before = Infinity): void {
  const rest: Tracked[] = [];
  for (const t of unregistered) {
    if (t.releasedBy !== null) continue;
    if (t.seq < before) {
      finalizer.register(t, t.storage, t);
      t.registered = true;
    } else {
      rest.push(t);
    }
  }
  unregistered = rest;
}

let scopeOrigin: Origin = USER;
/** The origin of the inputs of the op running now; what it makes inherits it. */
let context: Origin = USER;

/** Runs fn with every tensor it makes marked as made by `origin` (at least). */
export function withOrigin<T>(origin: Origin, fn: () => T): T {
  const prev = scopeOrigin;
  scopeOrigin = Math.max(prev, origin) as Origin;
  try {
    return fn();
  } finally {
    scopeOrigin = prev;
  }
}

/** Called by each op with its inputs' highest origin, before it makes anything. */
export function setContext(origin: Origin): void {
  context = origin;
}

export function markOrigin(t: Tracked, origin: Origin): void {
  if (origin <= t.origin) return;
  t.origin = origin;
  if (t.listedIn !== null) {
    t.listedIn.remove(t);
    // re-listed as the newest, which keeps every list in creation order
    t.seq = ++clock;
    temporaries[origin].add(t);
  }
}

export function track(t: Tracked): void {
  t.origin = Math.max(scopeOrigin, context) as Origin;
  t.seq = t.lastUse = ++clock;
  t.storage.retain();
  liveTensors++;
  temporaries[t.origin].add(t);
  unregistered.push(t);
  // a loop with no boundary and no await: keep the queue short without registering the
  // tensors that were already released
  if (unregistered.length > 8192) registerQueued();
  if (!flushScheduled) {
    flushScheduled = true;
    setTimeout(() => {
      flushScheduled = false;
      registerQueued();
    }, 0);
  }
}

export function touch(t: Tracked, op: string): void {
  if (t.releasedBy !== null) throw releasedError(t, op);
  t.lastUse = clock;
}

export function releasedError(t: Tracked, op: string): Error {
  return new Error(
    `${op}: ${t.describe()} was freed ${t.releasedBy}. Tensors made inside a training loop ` +
      `are freed once two iterations pass without using them; call .keep() on a tensor to keep it ` +
      `across iterations (and .dispose() when done), or create it before the loop.`,
  );
}

export function release(t: Tracked, reason: string): void {
  if (t.releasedBy !== null) return;
  t.releasedBy = reason;
  t.listedIn?.remove(t);
  if (t.registered) finalizer.unregister(t);
  liveTensors--;
  t.storage.release();
}

export function keep(t: Tracked): void {
  t.kept = true;
  t.listedIn?.remove(t);
}

/** A tensor that stops being library-owned (a replaced .grad) becomes an ordinary temporary. */
export function unkeep(t: Tracked): void {
  if (!t.kept || t.releasedBy !== null) return;
  t.kept = false;
  t.seq = t.lastUse = ++clock;
  temporaries[t.origin].add(t);
}

/**
 * One recurring point of a program (a DataLoader's batches, an optimizer's zeroGrad()).
 * Crossing it frees the temporaries that were not used during the last two complete
 * intervals between its crossings and that are its to free: created after its first
 * crossing (a loop's own boundary), or of its origin (the global backward / noGrad ones).
 */
export class Boundary {
  private first = -1;
  private count = 0;
  /** Clock values of the last three crossings. */
  private readonly recent: number[] = [];

  constructor(private readonly label: string, private readonly origin: Origin | null = null) {}

  cross(): void {
    const now = ++clock;
    this.count++;
    if (this.first < 0) this.first = now;
    this.recent.push(now);
    if (this.recent.length > 3) this.recent.shift();
    if (this.recent.length < 3) return;
    const horizon = this.recent[0];
    const reason = `at ${this.label} #${this.count}, not having been used since ${this.label} #${this.count - 2}`;
    const candidates = this.origin === null
      ? [0, 1, 2].flatMap((o) => temporaries[o as Origin].after(this.first))
      : temporaries[this.origin].after(-1);
    for (const t of candidates) if (t.lastUse < horizon) release(t, reason);
    // what outlived two intervals is likely to live long: the garbage collector may free it
    registerQueued(horizon);
  }
}

/**
 * Runs an op built from other ops (a convolution: unfold, matmul, reshape, add) and, when it
 * recorded no graph, frees every tensor it made but its result at once: in inference these
 * intermediates (an unfold is kh·kw times its input) would otherwise wait for the next
 * boundary. With a graph they stay: the backward needs them, and backward() frees them.
 */
export function freeIntermediates<T extends Tracked & { readonly gradFn: unknown }>(fn: () => T): T {
  const mark = clock;
  const result = fn();
  if (result.gradFn !== null) return result;
  for (const o of [0, 1, 2] as Origin[]) {
    for (const t of temporaries[o].after(mark)) if (t !== result) release(t, "as an intermediate of the op that made it");
  }
  return result;
}

export function lifetimeStats(): { liveTensors: number; unkeptTensors: number } {
  return { liveTensors, unkeptTensors: temporaries[0].size + temporaries[1].size + temporaries[2].size };
}
