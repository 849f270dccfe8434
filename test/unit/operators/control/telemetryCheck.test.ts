import { describe, expect, it } from 'vitest';
import type { Telemetry } from '../../../../operators/control/contracts.js';
import { TELEMETRY_RANGES, telemetryCheck } from '../../../../operators/control/telemetryCheck.js';

const reading: Telemetry = {
  assetId: 'P-101',
  site: 'S1',
  line: 'L1',
  ts: Date.UTC(2026, 0, 5),
  seq: 12,
  temperatureC: 61.5,
  vibrationMmS: 2.1,
  loadPct: 80,
  pressureBar: 6.2,
  powerKw: 41,
  rpm: 2950,
  runState: 'RUNNING',
  goodUnits: 123_456,
  rejectedUnits: 321,
  loadLimitPct: null,
};

const numericFields = Object.keys(TELEMETRY_RANGES) as (keyof typeof TELEMETRY_RANGES)[];

describe('telemetryCheck', () => {
  it('accepts a plausible reading', () => {
    expect(telemetryCheck(reading)).toBeUndefined();
  });

  it('covers every numeric field of the contract except the event time (checked by the source)', () => {
    const numeric = Object.entries(reading)
      .filter(([field, v]) => field !== 'ts' && (typeof v === 'number' || v === null))
      .map(([field]) => field);
    expect([...numericFields].sort()).toEqual(numeric.sort());
  });

  // Every numeric field at NaN, ±Infinity, negative and beyond what its ClickHouse column holds.
  const bad = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1e9, 2 ** 64];
  it.each(numericFields.flatMap((field) => bad.map((v) => [field, v] as const)))(
    'refuses %s = %d, naming the field',
    (field, v) => {
      const reason = telemetryCheck({ ...reading, [field]: v });
      expect(reason).toBeDefined();
      expect(reason).toMatch(new RegExp(`^${field} is `));
    },
  );

  it('refuses a negative cumulative counter (the reading that crash-looped the job)', () => {
    expect(telemetryCheck({ ...reading, goodUnits: -4 })).toBe('goodUnits is -4, below its minimum 0');
  });

  it('refuses an empty asset id', () => {
    expect(telemetryCheck({ ...reading, assetId: '' })).toBe('assetId is empty');
  });
});
