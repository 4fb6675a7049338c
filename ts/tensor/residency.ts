// Where each storage's bytes are: resident in WebAssembly memory, where kernels read them, or
// evicted into a JS-owned copy that the garbage collector reclaims once no tensor can reach
// it. Evicting never loses data — the next use copies the bytes back in — so the library can
// evict whatever it likes whenever it likes; freeing is left to dispose(), to internal
// temporaries (lifetime.ts) and to the FinalizationRegistry, which runs only when the event
// loop does.
//
// The library must never hold a storage strongly once the storage could be garbage, or the
// registry can never fire: the lists here hold Blocks (the allocation records), and a Block
// reaches its Storage strongly only until the storage is registered with the registry (in
// batches, when the event loop next runs), then through a WeakRef.
import { free, heap, malloc } from "../backend/wasm.js";

/** What a Block needs of its storage: the evicted copy lives there, never in the Block. */
export interface Owner {
  evicted: Uint8Array | null;
}

/** One allocation's record. It lives as long as its storage; `ptr` is 0 while evicted. */
export class Block {
  ptr = 0;
  /** The clock when it (last) became resident: the creation order of the temporaries list. */
  seq = 0;
  lastUse = 0;
  /** Tensor wrappers over it not yet disposed. */
  refs = 0;
  freed = false;
  /** Parameters, buffers, optimizer state: only memory pressure evicts them. */
  longLived = false;
  listed = false;
  /** How often it was added to the temporaries list (see Temporaries). */
  gen = 0;
  registered = false;
  strong: Owner | null = null;
  weak: WeakRef<Owner> | null = null;
  constructor(readonly nbytes: number) {}
}

/** The clock: ticks at each new allocation, boundary crossing and pressure pass. */
export let clock = 1;
export function tick(): number {
  return ++clock;
}

const stats = { bytesInUse: 0, peakBytes: 0, resident: 0, evictions: 0, evictedBytes: 0, reloads: 0, reloadedBytes: 0, freedByGC: 0 };

/**
 * Resident blocks that are not long-lived, in `seq` order, so that a boundary looks only at
 * what became resident after it first occurred (a binary search). Removal is lazy (an entry
 * is current while its block is listed with the same generation: a block evicted and
 * reloaded is added again); the arrays are compacted once half of them is stale.
 */
class Temporaries {
  private items: Block[] = [];
  private gens: number[] = [];
  private seqs: number[] = [];
  private stale = 0;
  size = 0;

  add(b: Block): void {
    b.gen++;
    this.items.push(b);
    this.gens.push(b.gen);
    this.seqs.push(b.seq);
    b.listed = true;
    this.size++;
  }

  remove(b: Block): void {
    b.listed = false;
    this.size--;
    if (++this.stale > 256 && this.stale * 2 > this.items.length) {
      const items: Block[] = [];
      const gens: number[] = [];
      const seqs: number[] = [];
      this.items.forEach((u, i) => {
        if (this.current(u, this.gens[i])) {
          items.push(u);
          gens.push(this.gens[i]);
          seqs.push(this.seqs[i]);
        }
      });
      this.items = items;
      this.gens = gens;
      this.seqs = seqs;
      this.stale = 0;
    }
  }

  private current(b: Block, gen: number): boolean {
    return b.listed && !b.longLived && b.gen === gen;
  }

  /** The listed blocks that became resident after clock value `seq`. */
  after(seq: number): Block[] {
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.seqs[mid] <= seq) lo = mid + 1;
      else hi = mid;
    }
    const out: Block[] = [];
    for (let i = lo; i < this.items.length; i++) {
      const b = this.items[i];
      if (this.current(b, this.gens[i])) out.push(b);
    }
    return out;
  }
}

const temporaries = new Temporaries();
const longLived = new Set<Block>();

function list(b: Block): void {
  if (b.longLived) {
    longLived.add(b);
    b.listed = true;
  } else {
    temporaries.add(b);
  }
}

function unlist(b: Block): void {
  if (!b.listed) return;
  if (b.longLived) {
    longLived.delete(b);
    b.listed = false;
  } else {
    temporaries.remove(b);
  }
}

/** Makes a resident block long-lived (a parameter, buffer, optimizer state) or a temporary again. */
export function setLongLived(b: Block, on: boolean): void {
  if (b.longLived === on) return;
  const wasListed = b.listed;
  unlist(b);
  b.longLived = on;
  if (wasListed) {
    b.seq = clock;
    list(b);
  }
}

// ---- finalization ----------------------------------------------------------------------

const registry = new FinalizationRegistry<Block>((b) => {
  if (b.freed) return;
  b.freed = true;
  if (b.ptr !== 0) {
    stats.freedByGC++;
    unreside(b);
  }
});

let unregistered: Block[] = [];
let flushScheduled = false;

/**
 * Registers the storages made since the event loop last ran, and lets go of them. Done in
 * batches because registering costs more than a small op, and most storages of a
 * synchronous loop are freed or evicted before it ends.
 */
function registerQueued(): void {
  flushScheduled = false;
  const queue = unregistered;
  unregistered = [];
  for (const b of queue) {
    const owner = b.strong;
    if (owner === null || b.registered || b.freed) continue;
    registry.register(owner, b, b);
    b.weak = new WeakRef(owner);
    b.registered = true;
    b.strong = null;
  }
}

function queueRegistration(b: Block, owner: Owner): void {
  b.strong = owner;
  unregistered.push(b);
  if (!flushScheduled) {
    flushScheduled = true;
    setTimeout(registerQueued, 0);
  } else if (unregistered.length > 4 * (stats.resident + 1024)) {
    // a long synchronous loop: drop the entries of blocks no longer waiting
    unregistered = unregistered.filter((u) => u.strong !== null && !u.freed);
  }
}

// ---- allocation, eviction, reload ------------------------------------------------------

/** Bytes allocated since the last pressure pass, and how many may be before the next. */
let sincePass = 0;
let lastPass = 0;
const BUDGET_FLOOR = 8 << 20;
let budget = BUDGET_FLOOR;
/** Bytes allocated since the last boundary crossing, and the recent largest such interval. */
let sinceCrossing = 0;
let largestInterval = 0;

function reside(b: Block, ptr: number, owner: Owner): void {
  b.ptr = ptr;
  b.seq = b.lastUse = clock;
  stats.bytesInUse += b.nbytes;
  if (stats.bytesInUse > stats.peakBytes) stats.peakBytes = stats.bytesInUse;
  stats.resident++;
  sincePass += b.nbytes;
  sinceCrossing += b.nbytes;
  list(b);
  if (!b.registered) queueRegistration(b, owner);
}

function unreside(b: Block): void {
  free(b.ptr, b.nbytes);
  b.ptr = 0;
  stats.bytesInUse -= b.nbytes;
  stats.resident--;
  unlist(b);
}

/** Allocates, evicting whatever was not used in the current clock tick when memory runs out. */
function allocateBytes(nbytes: number, zeroed: boolean, what: () => string): number {
  let ptr = malloc(nbytes, zeroed);
  if (ptr === 0) {
    evictWhere((b) => b.lastUse < clock);
    ptr = malloc(nbytes, zeroed);
  }
  if (ptr === 0) {
    throw new RangeError(
      `${what()}: out of memory: cannot allocate ${nbytes} bytes (${stats.bytesInUse} bytes of tensors are in ` +
        `WebAssembly memory, which is ${heap().u8.length} bytes; wasm32 allows at most 4 GiB)`,
    );
  }
  return ptr;
}

/** A new resident block for `owner`. */
export function allocate(owner: Owner, nbytes: number, zeroed: boolean, what: () => string): Block {
  const b = new Block(nbytes);
  const ptr = allocateBytes(nbytes, zeroed, what);
  tick();
  reside(b, ptr, owner);
  return b;
}

/** Copies an evicted storage back into WebAssembly memory. */
export function reload(b: Block, owner: Owner, what: () => string): void {
  const data = owner.evicted!;
  const ptr = allocateBytes(b.nbytes, false, what);
  heap().u8.set(data, ptr);
  owner.evicted = null;
  // no tick: a reload inside an argument list must not make earlier arguments look old
  reside(b, ptr, owner);
  stats.reloads++;
  stats.reloadedBytes += b.nbytes;
}

/** Moves a block's bytes out of WebAssembly memory (or frees them, if its storage is gone). */
function evict(b: Block): void {
  if (b.ptr === 0) return;
  const owner = b.strong ?? b.weak?.deref();
  if (owner === undefined) {
    // already collected: the registry's callback would free it; do it now
    b.freed = true;
  } else {
    // not slice(): over a shared memory (the threads build) V8's slice copies 3–5× slower than set()
    owner.evicted = new Uint8Array(b.nbytes);
    owner.evicted.set(heap().u8.subarray(b.ptr, b.ptr + b.nbytes));
    stats.evictions++;
    stats.evictedBytes += b.nbytes;
  }
  unreside(b);
  b.strong = null;
}

/** Frees a block for good: its storage's last tensor was disposed. */
export function release(b: Block, owner: Owner): void {
  if (b.freed) return;
  b.freed = true;
  if (b.ptr !== 0) unreside(b);
  owner.evicted = null;
  b.strong = null;
  if (b.registered) registry.unregister(b);
}

/** Off only in tests: the reference run that never evicts. */
let evicting = true;
export function setEviction(on: boolean): void {
  evicting = on;
}

function evictWhere(pred: (b: Block) => boolean): void {
  if (!evicting) return;
  for (const b of temporaries.after(-1)) if (pred(b)) evict(b);
  for (const b of [...longLived]) if (pred(b)) evict(b);
}

/**
 * A boundary crossing: evicts the temporaries that became resident after `since` and were
 * not used since `horizon`.
 */
export function evictUnused(since: number, horizon: number): void {
  if (evicting) for (const b of temporaries.after(since)) if (b.lastUse < horizon) evict(b);
  largestInterval = Math.max(sinceCrossing, largestInterval * 0.99);
  sinceCrossing = 0;
}

/**
 * Memory pressure without boundaries (one long noGrad loop, an app's requests): once more
 * has been allocated since the last pass than the budget, the next op evicts every block —
 * long-lived ones too — not used since that pass. The budget is at least the data that stays
 * in use and twice the largest interval between boundary crossings, so that a training
 * step's own tensors are never evicted between forward and backward.
 */
export function pressureDue(): boolean {
  return sincePass > budget;
}

export function pressurePass(): void {
  const horizon = lastPass;
  lastPass = tick();
  let inUse = 0;
  const visit = (b: Block): void => {
    if (b.lastUse < horizon && evicting) evict(b);
    else if (b.seq < horizon) inUse += b.nbytes;
  };
  for (const b of temporaries.after(-1)) visit(b);
  for (const b of [...longLived]) visit(b);
  sincePass = 0;
  budget = Math.max(BUDGET_FLOOR, inUse, 2 * largestInterval);
}

export interface ResidencyStats {
  bytesInUse: number;
  peakBytes: number;
  /** Resident storages, and how many of them are long-lived. */
  storages: number;
  longLivedStorages: number;
  evictions: number;
  evictedBytes: number;
  reloads: number;
  reloadedBytes: number;
  /** Storages freed because the garbage collector found them unreachable. */
  freedByGC: number;
}

export function residencyStats(): ResidencyStats {
  return {
    bytesInUse: stats.bytesInUse,
    peakBytes: stats.peakBytes,
    storages: stats.resident,
    longLivedStorages: longLived.size,
    evictions: stats.evictions,
    evictedBytes: stats.evictedBytes,
    reloads: stats.reloads,
    reloadedBytes: stats.reloadedBytes,
    freedByGC: stats.freedByGC,
  };
}

export function resetPeak(): void {
  stats.peakBytes = stats.bytesInUse;
}

/** Evicts every resident storage now (torch.testing.evictAll: to test code against eviction). */
export function evictAll(): void {
  evictWhere(() => true);
}
