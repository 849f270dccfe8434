import { describe, expect, it } from 'vitest';
import { Mulberry32, uniformSource } from '../../../../operators/scoring/seededRandom.js';

/** uniformSource as it was before Mulberry32 existed: the reference the new code must match bit for bit. */
function formerUniformSource(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seeds across the whole 32-bit range and beyond it (>>> 0 wraps them), negatives included. */
function seeds(): number[] {
  const out = [0, 1, 7, 42, 0x5bd1e995, 0xffffffff, 2 ** 32, 2 ** 40 + 3, -1, -42];
  const next = formerUniformSource(2026);
  for (let i = 0; i < 200; i++) out.push(Math.floor(next() * 2 ** 32) - 2 ** 31);
  return out;
}

describe('Mulberry32', () => {
  it('draws exactly what the former uniformSource and RandomStream drew, for every seed', () => {
    // One comparison per seed and generator: 420,000 single expects took 5 s, and 43 s on a loaded machine.
    const draws = (next: () => number) => Array.from({ length: 1000 }, next);
    for (const seed of seeds()) {
      const expected = draws(formerUniformSource(seed));
      const generator = new Mulberry32(seed);
      expect(
        draws(() => generator.next()),
        `Mulberry32(${seed})`,
      ).toEqual(expected);
      expect(draws(uniformSource(seed)), `uniformSource(${seed})`).toEqual(expected);
    }
  });

  it('draws 0.6011037519201636 first from seed 42, as documented', () => {
    expect(new Mulberry32(42).next()).toBe(0.6011037519201636);
  });

  it('resumes from a saved state with the same draws', () => {
    const a = new Mulberry32(7);
    for (let i = 0; i < 50; i++) a.next();
    const b = new Mulberry32(0);
    b.state = a.state;
    for (let i = 0; i < 100; i++) expect(b.next()).toBe(a.next());
  });
});
