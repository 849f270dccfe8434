import { describe, expect, it } from 'vitest';
import { MttdInputError, timeToDetect } from '../../../../operators/kpi/mttd.js';

describe('timeToDetect', () => {
  const faults = [
    { assetId: 'p1', kind: 'bearing', injectedAt: 1_000 },
    { assetId: 'p2', kind: 'cooling', injectedAt: 5_000 },
    { assetId: 'p3', kind: 'bearing', injectedAt: 0 },
  ];
  const detections = [
    { assetId: 'p1', ts: 4_500, what: 'command:REDUCE_LOAD' },
    { assetId: 'p1', ts: 500, what: 'alert:ANOMALY' },
    { assetId: 'p1', ts: 4_000, what: 'alert:ANOMALY' },
    { assetId: 'p2', ts: 5_000, what: 'alert:TEMPERATURE' },
    { assetId: 'p3', ts: 100_000, what: 'alert:RISK' },
    { assetId: 'p4', ts: 10 },
  ];

  it('takes the first detection at or after injection within the window, and counts misses', () => {
    const report = timeToDetect(faults, detections, { maxDetectionMs: 60_000 });
    expect(report.faults).toEqual([
      { fault: faults[0], detectedAt: 4_000, ttdMs: 3_000, detectedBy: 'alert:ANOMALY' },
      { fault: faults[1], detectedAt: 5_000, ttdMs: 0, detectedBy: 'alert:TEMPERATURE' },
      { fault: faults[2], detectedAt: null, ttdMs: null, detectedBy: null },
    ]);
    expect(report).toMatchObject({ detected: 2, missed: 1, mttdMs: 1_500, maxTtdMs: 3_000 });
  });

  it('counts detections outside every fault window as unmatched (before injection, too late, other assets)', () => {
    expect(timeToDetect(faults, detections, { maxDetectionMs: 60_000 }).unmatchedDetections).toBe(3);
  });

  it('detects a fault whose window is long enough', () => {
    const report = timeToDetect(faults, detections, { maxDetectionMs: 100_000 });
    expect(report.faults[2].ttdMs).toBe(100_000);
    expect(report.mttdMs).toBeCloseTo((3_000 + 0 + 100_000) / 3, 9);
  });

  it('gives a null MTTD when nothing was detected', () => {
    expect(timeToDetect(faults, [], { maxDetectionMs: 1 })).toMatchObject({
      detected: 0,
      missed: 3,
      mttdMs: null,
    });
  });

  it('names the fault or detection with a bad time', () => {
    const bad = [{ assetId: 'p9', kind: 'x', injectedAt: Number.NaN }];
    expect(() => timeToDetect(bad, [], { maxDetectionMs: 1 })).toThrow(MttdInputError);
    expect(() => timeToDetect(bad, [], { maxDetectionMs: 1 })).toThrow(
      'faults[0] (p9, x) has injectedAt NaN',
    );
    expect(() => timeToDetect([], [{ assetId: 'p1', ts: Number.NaN }], { maxDetectionMs: 1 })).toThrow(
      'detections[0] (p1) has event time NaN',
    );
  });
});
