/**
 * Stateless 32-bit hashes that derive seeds, buckets and per-event draws from
 * their inputs alone, so a decision depends only on what it is about (the
 * asset, the hour, the occurrence), not on what was drawn before, and is the
 * same on every run, machine and replay.
 */

/**
 * FNV-1a hash of a string into 32 bits; `seed` is the offset basis.
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

/**
 * Mixes an integer into a 32-bit hash: xor, then the multiply/xor-shift
 * rounds of murmur3's finaliser. Chain it to hash several values.
 *
 * @example
 * const u = mixHash(mixHash(seed, hashString('pump-001')), 7) / 4294967296; // in [0, 1)
 */
export function mixHash(hash: number, value: number): number {
  let h = Math.imul((hash ^ value) >>> 0, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A uniform draw in [0, 1) that is a pure function of its inputs.
 *
 * @example
 * unitHash(seed, hashString('pump-001'), 3) < 0.05; // the same answer on every run
 */
export function unitHash(a: number, b: number, c: number, d = 0): number {
  return mixHash(mixHash(mixHash(mixHash(0x9e3779b9, a), b), c), d) / 4294967296;
}
