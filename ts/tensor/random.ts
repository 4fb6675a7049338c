// Random numbers as PyTorch's CPU generator makes them: a Mersenne Twister seeded the same
// way, and the same draws per value (24-bit float and 53-bit double uniforms, modulo integers,
// Box–Muller with a cached second value, randperm's swaps), so a seed gives PyTorch's streams
// (test/random-streams.test.ts holds them to PyTorch 1.13's).
export class Generator {
  private readonly mt = new Uint32Array(624);
  private index = 625;
  private spareNormal: number | null = null;
  private seed: number | bigint = 0;

  constructor(seed: number | bigint = 5489) {
    this.manualSeed(seed);
  }

  /** Seeds as torch.Generator.manual_seed: the engine takes the seed's low 32 bits. */
  manualSeed(seed: number | bigint): this {
    this.seed = seed;
    this.mt[0] = typeof seed === "bigint" ? Number(BigInt.asUintN(32, seed)) : seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = this.mt[i - 1] ^ (this.mt[i - 1] >>> 30);
      this.mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = 624;
    this.spareNormal = null;
    return this;
  }

  initialSeed(): number | bigint {
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

  /** @internal */
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

  /** Uniform in [0, 1) with 24 random bits: PyTorch's float uniform, from one 32-bit draw. @internal */
  nextUniform(): number {
    return (this.nextUint32() & 0xffffff) / 16777216;
  }

  /** Uniform in [0, 1) with 53 random bits: PyTorch's double uniform, from random64(). @internal */
  nextUniformDouble(): number {
    const hi = this.nextUint32();
    const lo = this.nextUint32();
    return ((hi & 0x1fffff) * 4294967296 + lo) / 9007199254740992;
  }

  /**
   * Standard normal as PyTorch's normal_distribution<double>: Box–Muller on two double
   * uniforms; the sine half is kept in the generator for the next call (reset by manualSeed).
   * @internal
   */
  nextNormal(): number {
    if (this.spareNormal !== null) {
      const s = this.spareNormal;
      this.spareNormal = null;
      return s;
    }
    const u1 = this.nextUniformDouble();
    const u2 = this.nextUniformDouble();
    const r = Math.sqrt(-2 * Math.log1p(-u2));
    const theta = 2 * Math.PI * u1;
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /**
   * Uniform integer in [0, max] by masked rejection, exactly as NumPy's legacy RandomState
   * draws it (random_interval), so a seeded permutation matches np.random.RandomState(seed).
   * @internal
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

  /** An integer in [0, n) as PyTorch draws one: random() % n, or random64() % n from 2^32 up. @internal */
  nextInt(n: number): number {
    if (n < 0x100000000) return this.nextUint32() % n;
    const hi = BigInt(this.nextUint32());
    const lo = BigInt(this.nextUint32());
    return Number(((hi << 32n) | lo) % BigInt(n));
  }

  /** A seed for a fresh generator, as PyTorch's int64 random_(): random64() mod 2^63. @internal */
  nextSeed(): bigint {
    const hi = BigInt(this.nextUint32() & 0x7fffffff);
    return (hi << 32n) | BigInt(this.nextUint32());
  }

  /** A random permutation of 0..n-1 by PyTorch's randperm: swap i with i + random() % (n - i). @internal */
  permutation(n: number): number[] {
    const p = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < n - 1; i++) {
      const z = i + this.nextInt(n - i);
      const t = p[i];
      p[i] = p[z];
      p[z] = t;
    }
    return p;
  }
}

export const defaultGenerator = new Generator(5489);

/** torch.manual_seed: reseeds the default generator. */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}

export function seed(): number {
  const s = Math.floor(Math.random() * 0xffffffff);
  defaultGenerator.manualSeed(s);
  return s;
}
