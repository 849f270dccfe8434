import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { syntheticTelemetry } from '../../../../connectors/synthetic/syntheticTelemetry.js';

const options = {
  assets: 5,
  startTs: 0,
  durationMs: 60_000,
  intervalMs: 1_000,
  maxDelayMs: 5_000,
  lateFraction: 0.01,
  seed: 9,
};

describe('syntheticTelemetry', () => {
  it('is deterministic for a seed and emits one reading per asset per interval', async () => {
    const a = await lastValueFrom(syntheticTelemetry(options).pipe(toArray()));
    const b = await lastValueFrom(syntheticTelemetry(options).pipe(toArray()));
    expect(a).toEqual(b);
    expect(a).toHaveLength(5 * 60);
    const c = await lastValueFrom(syntheticTelemetry({ ...options, seed: 10 }).pipe(toArray()));
    expect(c).not.toEqual(a);
  });

  it('delivers some readings out of order', async () => {
    const a = await lastValueFrom(syntheticTelemetry(options).pipe(toArray()));
    const inversions = a.filter((r, i) => i > 0 && r.ts < a[i - 1].ts).length;
    expect(inversions).toBeGreaterThan(0);
  });
});
