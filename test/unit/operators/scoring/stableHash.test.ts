import { describe, expect, it } from 'vitest';
import { uniformSource } from '../../../../operators/scoring/seededRandom.js';
import { hashString, mixHash, unitHash } from '../../../../operators/scoring/stableHash.js';

// The hashes as they were in connectors/simulator/randomStream.ts and operators/scoring/hybridRiskModel.ts
// before they were merged here: the references the shared code must match bit for bit.
function formerHashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
function formerMix(hash: number, value: number): number {
  let h = Math.imul((hash ^ value) >>> 0, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
function formerUnitHash(a: number, b: number, c: number, d = 0): number {
  return formerMix(formerMix(formerMix(formerMix(0x9e3779b9, a), b), c), d) / 4294967296;
}
function formerCrossCheckMix(h: number, v: number): number {
  h ^= Math.round(v * 10_000) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const draw = uniformSource(99);
const u32 = () => Math.floor(draw() * 2 ** 32);
const int32 = () => u32() | 0;

function texts(): string[] {
  const out = ['', 'a', 'pump-001', 'compressor-17', 'Ωmega', '🙂 emoji', 'x'.repeat(300)];
  for (let i = 0; i < 2000; i++) {
    let t = '';
    const length = Math.floor(draw() * 24);
    for (let j = 0; j < length; j++) t += String.fromCharCode(Math.floor(draw() * 0x10000));
    out.push(t);
  }
  return out;
}

describe('hashString', () => {
  it('hashes every text exactly as the simulator’s former hashText did', () => {
    for (const text of texts()) expect(hashString(text)).toBe(formerHashText(text));
  });

  it('takes the offset basis as its seed', () => {
    expect(hashString('pump-7', 0x811c9dc5)).toBe(hashString('pump-7'));
    expect(hashString('pump-7', 1)).not.toBe(hashString('pump-7'));
  });
});

describe('mixHash', () => {
  it('mixes every pair exactly as the simulator’s former mix did, signed or unsigned', () => {
    for (let i = 0; i < 20_000; i++) {
      const hash = i % 2 === 0 ? u32() : int32();
      const value = i % 3 === 0 ? int32() : u32();
      expect(mixHash(hash, value)).toBe(formerMix(hash, value));
    }
  });

  it('after murmur3’s first xor-shift is the risk model’s former cross-check mix', () => {
    const features = [0, 1, -1, 0.5, 1e-5, 65.4321, -273.15, 1e9, -1e12, Number.MAX_SAFE_INTEGER];
    for (let i = 0; i < 5000; i++) features.push((draw() - 0.5) * 10 ** Math.floor(draw() * 10));
    for (const v of features) {
      for (const h of [0, 1, 0xffffffff, u32(), u32(), int32()]) {
        const x = h ^ (Math.round(v * 10_000) | 0);
        expect(mixHash(x, x >>> 16)).toBe(formerCrossCheckMix(h, v));
      }
    }
  });
});

describe('unitHash', () => {
  it('draws exactly what the simulator’s former unitHash drew', () => {
    for (let i = 0; i < 20_000; i++) {
      const [a, b, c, d] = [u32(), u32(), Math.floor(draw() * 64), Math.floor(draw() * 1000)];
      expect(unitHash(a, b, c, d)).toBe(formerUnitHash(a, b, c, d));
      expect(unitHash(a, b, c)).toBe(formerUnitHash(a, b, c));
    }
  });

  it('stays in [0, 1)', () => {
    for (let i = 0; i < 1000; i++) {
      const u = unitHash(u32(), i, 3, i);
      expect(u).toBeGreaterThanOrEqual(0);
      expect(u).toBeLessThan(1);
    }
  });
});
