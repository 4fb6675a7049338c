// Random numbers: a Mersenne Twister (the engine PyTorch's CPU generator uses) behind a
// torch.Generator-style object. Seeds make runs reproducible within taimatsu; the streams
// are not bit-identical to PyTorch's.
export class Generator {
  private readonly mt = new Uint32Array(624);
  private index = 625;
  private spareNormal: number | null = null;
  private seed = 0;

  constructor(seed = 5489) {
    this.manualSeed(seed);
  }

  manualSeed(seed: number): this {
    this.seed = seed;
    this.mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = this.mt[i - 1] ^ (this.mt[i - 1] >>> 30);
      this.mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = 624;
    this.spareNormal = null;
    return this;
  }

  initialSeed(): number {
    return this.seed;
  }

  /** The full generator state, for getState/setState round trips. */
  getState(): { mt: number[]; index: number; spare: number | null } {
    return { mt: [...this.mt], index: this.index, spare: this.spareNormal };
  }

  setState(s: { mt: number[]; index: number; spare: number | null }): void {
    this.mt.set(s.mt);
    this.index = s.index;
    this.spareNormal = s.spare;
  }

  nextUint32(): number {
    if (this.index >= 624) this.twist();
    let y = this.mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  private twist(): void {
    const mt = this.mt;
    for (let i = 0; i < 624; i++) {
      const y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
      mt[i] = mt[(i + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    this.index = 0;
  }

  /** Uniform in [0, 1) with 24 random bits, as PyTorch's float uniform. */
  nextUniform(): number {
    return (this.nextUint32() & 0xffffff) / 16777216;
  }

  /** Standard normal by the Box–Muller transform. */
  nextNormal(): number {
    if (this.spareNormal !== null) {
      const s = this.spareNormal;
      this.spareNormal = null;
      return s;
    }
    const u1 = 1 - this.nextUniform();
    const u2 = this.nextUniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /**
   * Uniform integer in [0, max] by masked rejection, exactly as NumPy's legacy RandomState
   * draws it (random_interval), so a seeded permutation matches np.random.RandomState(seed).
   */
  randomInterval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    for (let s = 1; s <= 16; s <<= 1) mask |= mask >>> s;
    mask >>>= 0;
    let v: number;
    do v = (this.nextUint32() & mask) >>> 0;
    while (v > max);
    return v;
  }

  /** Uniform integer in [0, n) without modulo bias. */
  nextInt(n: number): number {
    if (n <= 0x100000000) {
      const limit = Math.floor(0x100000000 / n) * n;
      let x: number;
      do x = this.nextUint32();
      while (x >= limit);
      return x % n;
    }
    return Math.floor(this.nextUniform() * n);
  }
}

export const defaultGenerator = new Generator(5489);

/** torch.manual_seed: reseeds the default generator. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}

export function seed(): number {
  const s = Math.floor(Math.random() * 0xffffffff);
  defaultGenerator.manualSeed(s);
  return s;
}
