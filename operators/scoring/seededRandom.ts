/**
 * Seeded pseudo-random numbers for the scoring models. Scoring must be a pure
 * function of its inputs (an exactly-once replay re-scores the same events and
 * must decide the same), so every random draw comes from an injected seed.
 */

/**
 * mulberry32: small, fast and seedable; uniform in [0, 1).
 *
 * @example
 * const u = uniformSource(42);
 * u(); // 0.6011037519201636, the same on every run
 */
export function uniformSource(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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

/**
 * FNV-1a hash of a string into 32 bits, to derive per-key seeds and sampling
 * decisions without any state.
 *
 * @example
 * hashString('pump-7') % 16; // the same bucket on every run
 */
export function hashString(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
