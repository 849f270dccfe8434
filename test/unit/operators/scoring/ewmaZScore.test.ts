import { describe, expect, it } from 'vitest';
import { ewmaZInit, ewmaZUpdate } from '../../../../operators/scoring/ewmaZScore.js';
import { normalSource, uniformSource } from '../../../../operators/scoring/seededRandom.js';

describe('ewmaZUpdate', () => {
  it('does not fire on stationary noise', () => {
    const noise = normalSource(uniformSource(11));
    const s = ewmaZInit();
    let maxZ = 0;
    for (let i = 0; i < 5000; i++) maxZ = Math.max(maxZ, Math.abs(ewmaZUpdate(s, 50 + noise())));
    expect(maxZ).toBeLessThan(5);
  });

  it('fires at once on a step change, then adapts to the new level', () => {
    const noise = normalSource(uniformSource(12));
    const s = ewmaZInit();
    for (let i = 0; i < 500; i++) ewmaZUpdate(s, 50 + noise());
    expect(ewmaZUpdate(s, 57 + noise())).toBeGreaterThan(5);
    for (let i = 0; i < 1000; i++) ewmaZUpdate(s, 57 + noise());
    expect(Math.abs(ewmaZUpdate(s, 57))).toBeLessThan(2);
  });

  it('reports 0 while warming up and round-trips its state through JSON', () => {
    const s = ewmaZInit();
    expect(ewmaZUpdate(s, 1000)).toBe(0);
    const copy = JSON.parse(JSON.stringify(s));
    expect(ewmaZUpdate(copy, 3)).toBe(ewmaZUpdate(s, 3));
  });
});
