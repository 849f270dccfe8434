/**
 * Seeded pseudo-random numbers. Scoring must be a pure function of its inputs
 * (an exactly-once replay re-scores the same events and must decide the same),
 * and the plant simulator must draw the same numbers after a restore, so every
 * random draw comes from an injected seed.
 */

/**
 * mulberry32: small, fast and seedable; uniform in [0, 1). Its whole state
 * is one 32-bit integer, public so a snapshot can carry it and a restored
 * generator draws the same numbers.
 *
 * @example
 * const r = new Mulberry32(42);
 * r.next();           // 0.6011037519201636, the same on every run
 * const s = r.state;  // save…
 * r.state = s;        // …and resume
 */
export class Mulberry32 {
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
}

/**
 * Uniform draws in [0, 1) from a {@link Mulberry32} seeded with `seed`, as a function.
 *
 * @example
 * const u = uniformSource(42);
 * u(); // 0.6011037519201636, the same on every run
 */
export function uniformSource(seed: number): () => number {
  const generator = new Mulberry32(seed);
  return () => generator.next();
}

/**
 * Standard normal draws (Box-Muller) from a uniform source.
 *
 * @example
 * const n = normalSource(uniformSource(7));
 * n(); // a N(0, 1) draw
 */
export function normalSource(uniform: () => number): () => number {
  return () => {
    // 1 - u keeps the log argument in (0, 1], so no -Infinity.
    const u1 = 1 - uniform();
    const u2 = uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  };
}
