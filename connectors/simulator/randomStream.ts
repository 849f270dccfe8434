/**
 * Seeded pseudo-random numbers whose whole state is one 32-bit integer, so a
 * simulator snapshot can carry it and a restored run draws the same numbers.
 * mulberry32: small and fast, good enough for plant noise.
 *
 * @example
 * const r = new RandomStream(42);
 * r.next();           // uniform in [0, 1), the same on every run
 * const s = r.state;  // save…
 * r.state = s;        // …and resume
 */
export class RandomStream {
  state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /**
   * Zero-mean, unit-variance noise from two uniforms (triangular). Sensor
   * noise needs no Gaussian tails, and this costs no log or trig per reading.
   */
  noise(): number {
    return (this.next() + this.next() - 1) * 2.449489742783178;
  }
}

/**
 * Mixes an integer into a 32-bit hash (murmur3 finaliser): derives seeds and
 * per-event draws without state, so a decision depends only on its inputs
 * (the asset, the hour, the occurrence), not on what was drawn before.
 *
 * @example
 * const u = mix(mix(seed, hashText('pump-001')), 7) / 4294967296; // in [0, 1)
 */
export function mix(hash: number, value: number): number {
  let h = Math.imul((hash ^ value) >>> 0, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * FNV-1a hash of a text into 32 bits.
 *
 * @example
 * hashText('pump-001'); // the same number on every run and machine
 */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * A uniform draw in [0, 1) that is a pure function of its inputs.
 *
 * @example
 * unitHash(seed, hashText('pump-001'), 3) < 0.05; // the same answer on every run
 */
export function unitHash(a: number, b: number, c: number, d = 0): number {
  return mix(mix(mix(mix(0x9e3779b9, a), b), c), d) / 4294967296;
}
