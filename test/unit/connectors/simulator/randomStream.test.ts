import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../../../connectors/simulator/randomStream.js';

/** RandomStream as it was with its own copy of mulberry32: the reference the new code must match. */
class FormerRandomStream {
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
  noise(): number {
    return (this.next() + this.next() - 1) * 2.449489742783178;
  }
}

describe('RandomStream', () => {
  it('draws the same uniforms, noise and states as before it shared Mulberry32', () => {
    for (const seed of [0, 7, 42, 42 ^ 0x5bd1e995, 0xffffffff, -5, 123_456_789]) {
      const former = new FormerRandomStream(seed);
      const stream = new RandomStream(seed);
      for (let i = 0; i < 2000; i++) {
        if (i % 3 === 0) expect(stream.next()).toBe(former.next());
        else expect(stream.noise()).toBe(former.noise());
        expect(stream.state).toBe(former.state);
      }
    }
  });
});
