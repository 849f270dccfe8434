import { describe, expect, it } from 'vitest';
import { cusumInit, cusumUpdate } from '../../../../operators/scoring/cusum.js';
import { ewmaZInit, ewmaZUpdate } from '../../../../operators/scoring/ewmaZScore.js';
import { normalSource, uniformSource } from '../../../../operators/scoring/seededRandom.js';

describe('cusumUpdate', () => {
  it('does not fire on stationary noise', () => {
    const noise = normalSource(uniformSource(21));
    const s = cusumInit();
    let max = 0;
    for (let i = 0; i < 5000; i++) max = Math.max(max, cusumUpdate(s, 20 + noise()));
    expect(max).toBeLessThan(1);
  });

  it('catches a slow drift that the EWMA z-score misses', () => {
    const noise = normalSource(uniformSource(22));
    const c = cusumInit();
    const z = ewmaZInit();
    for (let i = 0; i < 500; i++) {
      const x = 20 + noise();
      cusumUpdate(c, x);
      ewmaZUpdate(z, x);
    }
    // 0.01 std per reading: after 400 readings the signal is 4 std off, yet it never jumps.
    let firedAt = -1;
    let maxZ = 0;
    for (let i = 1; i <= 400; i++) {
      const x = 20 + 0.01 * i + noise();
      if (cusumUpdate(c, x) >= 1 && firedAt < 0) firedAt = i;
      maxZ = Math.max(maxZ, Math.abs(ewmaZUpdate(z, x)));
    }
    expect(firedAt).toBeGreaterThan(0);
    expect(firedAt).toBeLessThan(400);
    expect(maxZ).toBeLessThan(4);
  });

  it('catches a 1-std step within a few dozen readings', () => {
    const noise = normalSource(uniformSource(23));
    const s = cusumInit();
    for (let i = 0; i < 500; i++) cusumUpdate(s, noise());
    let firedAt = -1;
    for (let i = 1; i <= 100 && firedAt < 0; i++) if (cusumUpdate(s, 1 + noise()) >= 1) firedAt = i;
    expect(firedAt).toBeGreaterThan(0);
    expect(firedAt).toBeLessThan(50);
  });
});
