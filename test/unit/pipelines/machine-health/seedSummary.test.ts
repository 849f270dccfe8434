import { describe, expect, it } from 'vitest';
import { scoreAlarmQuality } from '../../../../operators/kpi/alarmQuality.js';
import type { EmbeddedRunReport } from '../../../../pipelines/machine-health/embeddedJob.js';
import { seedSummaryLine } from '../../../../pipelines/machine-health/seedSummary.js';

const H = 3_600_000;

describe('seedSummaryLine', () => {
  it('prints recall, MTTD, dispatch precision, failures prevented and net saving of one seed', () => {
    const alarmQuality = scoreAlarmQuality({
      faults: [
        { assetId: 'p1', kind: 'cooling-loss', injectedAt: 0, endedAt: 2 * H, endedBy: 'maintenance' },
        { assetId: 'p2', kind: 'bearing-defect', injectedAt: H, endedAt: 3 * H, endedBy: 'expired' },
      ],
      failures: [],
      alerts: [{ assetId: 'p1', ts: 600_000, kind: 'ANOMALY' }],
      commands: [
        { assetId: 'p1', decidedAt: 900_000, action: 'DISPATCH_TECHNICIAN' },
        { assetId: 'p3', decidedAt: H, action: 'DISPATCH_TECHNICIAN' },
      ],
      from: 0,
      to: 24 * H,
      assetCount: 3,
    });
    const report = {
      seed: 7,
      alarmQuality,
      costs: { savings: { net: 12_345.6, currency: 'EUR' } },
    } as unknown as EmbeddedRunReport;
    expect(seedSummaryLine(report)).toBe(
      'seed 7: recall 50.0 % (1/2), MTTD 10 min, dispatch precision 50.0 % (1/2), failures prevented 100.0 % (1/1), net saving 12,346 EUR',
    );
  });

  it('says so for a baseline-only run', () => {
    expect(seedSummaryLine({ seed: 3, costs: {} } as unknown as EmbeddedRunReport)).toBe(
      'seed 3: baseline only (no twin run)',
    );
  });
});
