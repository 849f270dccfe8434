import { describe, expect, it } from 'vitest';
import type { AlertKind } from '../../../../operators/control/alert.js';
import type { Action } from '../../../../operators/control/contracts.js';
import {
  type AlarmQualityInput,
  AlarmQualityInputError,
  scoreAlarmQuality,
  type TruthFault,
} from '../../../../operators/kpi/alarmQuality.js';

const H = 3_600_000;
const GRACE = 2 * H;
const LEAD = 12 * H;

function input(partial: Partial<AlarmQualityInput>): AlarmQualityInput {
  return {
    faults: [],
    failures: [],
    alerts: [],
    commands: [],
    from: 0,
    to: 48 * H,
    assetCount: 4,
    ...partial,
  };
}

const alert = (assetId: string, ts: number, kind: AlertKind) => ({ assetId, ts, kind });
const command = (assetId: string, decidedAt: number, action: Action) => ({ assetId, decidedAt, action });

describe('scoreAlarmQuality', () => {
  it('counts a condition alert in a physical fault window as true, both window ends inclusive', () => {
    const r = scoreAlarmQuality(
      input({
        faults: [
          { assetId: 'p1', kind: 'bearing-defect', injectedAt: 0, endedAt: 10 * H, endedBy: 'maintenance' },
        ],
        alerts: [
          alert('p1', 0, 'ANOMALY'),
          alert('p1', 10 * H + GRACE, 'TEMPERATURE'),
          alert('p1', 10 * H + GRACE + 1, 'RISK'),
          alert('p1', -1, 'RISK'),
          alert('p2', 1 * H, 'RISK'),
        ],
      }),
    );
    expect(r.alertVerdicts.map((v) => v.verdict)).toEqual([
      'true-positive',
      'true-positive',
      'false-positive',
      'false-positive',
      'false-positive',
    ]);
    expect(r.alertVerdicts[1]).toEqual({
      index: 1,
      assetId: 'p1',
      ts: 10 * H + GRACE,
      kind: 'TEMPERATURE',
      verdict: 'true-positive',
      matchedSource: 'fault',
      matchedIndex: 0,
      matchedKind: 'bearing-defect',
      matchedAt: 0,
    });
    expect(r.alertVerdicts[2]).toMatchObject({ matchedSource: null, matchedIndex: null, matchedKind: null });
    expect(r.alerts).toEqual({
      count: 5,
      truePositive: 2,
      falsePositive: 3,
      sensorArtefact: 0,
      commandChannel: 0,
      precision: 2 / 5,
    });
    expect(r.alertsByKind.RISK).toMatchObject({ count: 3, truePositive: 0, falsePositive: 3, precision: 0 });
    expect(r.alertsByKind.ANOMALY).toMatchObject({ count: 1, truePositive: 1, precision: 1 });
    expect(r.alertsByKind.DATA_STALE).toMatchObject({ count: 0, precision: null });
  });

  it('runs the window of a fault still active to the end of the run plus grace', () => {
    const r = scoreAlarmQuality(
      input({
        to: 20 * H,
        faults: [{ assetId: 'p1', kind: 'cooling-loss', injectedAt: 5 * H }],
        alerts: [alert('p1', 22 * H, 'TEMPERATURE'), alert('p1', 22 * H + 1, 'TEMPERATURE')],
      }),
    );
    expect(r.alertVerdicts.map((v) => v.verdict)).toEqual(['true-positive', 'false-positive']);
  });

  it('takes graceMs from the options', () => {
    const r = scoreAlarmQuality(
      input({
        faults: [{ assetId: 'p1', kind: 'cooling-loss', injectedAt: 0, endedAt: H, endedBy: 'expired' }],
        alerts: [alert('p1', H, 'TEMPERATURE'), alert('p1', H + 1, 'TEMPERATURE')],
      }),
      { graceMs: 0 },
    );
    expect(r.alertVerdicts.map((v) => v.verdict)).toEqual(['true-positive', 'false-positive']);
  });

  it('counts a warning within the lead window before a failure as true, edges inclusive', () => {
    const failureAt = 30 * H;
    const r = scoreAlarmQuality(
      input({
        failures: [{ assetId: 'p3', ts: failureAt, cause: 'bearing' }],
        alerts: [
          alert('p3', failureAt - LEAD - 1, 'RISK'),
          alert('p3', failureAt - LEAD, 'RISK'),
          alert('p3', failureAt, 'ANOMALY'),
          alert('p3', failureAt + 1, 'RISK'),
        ],
      }),
    );
    expect(r.alertVerdicts.map((v) => v.verdict)).toEqual([
      'false-positive',
      'true-positive',
      'true-positive',
      'false-positive',
    ]);
    expect(r.alertVerdicts[1]).toMatchObject({
      matchedSource: 'failure',
      matchedIndex: 0,
      matchedKind: 'bearing',
      matchedAt: failureAt,
    });
  });

  it('counts an ANOMALY raised only by a sensor spike as a sensor artefact, a false alarm in precision', () => {
    const faults: TruthFault[] = [
      { assetId: 'p2', kind: 'spike', severity: 0.8, injectedAt: 5 * H, endedAt: 5 * H, endedBy: 'expired' },
      { assetId: 'p1', kind: 'bearing-defect', injectedAt: 0 },
      { assetId: 'p1', kind: 'spike', injectedAt: H, endedAt: H, endedBy: 'expired' },
    ];
    const r = scoreAlarmQuality(
      input({
        faults,
        alerts: [
          alert('p2', 6 * H, 'ANOMALY'),
          alert('p2', 6 * H, 'DATA_STALE'),
          alert('p1', 2 * H, 'ANOMALY'),
          alert('p2', 8 * H, 'ANOMALY'),
        ],
      }),
    );
    expect(r.alertVerdicts.map((v) => v.verdict)).toEqual([
      'sensor-artefact',
      'true-positive',
      'true-positive',
      'false-positive',
    ]);
    expect(r.alertVerdicts[0]).toMatchObject({
      matchedSource: 'fault',
      matchedIndex: 0,
      matchedKind: 'spike',
    });
    // A physical fault explains it better than the spike on the same asset.
    expect(r.alertVerdicts[2]).toMatchObject({ matchedIndex: 1, matchedKind: 'bearing-defect' });
    expect(r.alerts).toMatchObject({
      truePositive: 2,
      falsePositive: 1,
      sensorArtefact: 1,
      precision: 2 / 4,
    });
    expect(r.alertsByKind.ANOMALY).toMatchObject({ count: 3, truePositive: 1, sensorArtefact: 1 });
    expect(r.sensorFaultsByKind.spike).toEqual({ count: 2, seen: 2 });
    expect(r.sensorFaultsByKind['stuck-sensor']).toEqual({ count: 0, seen: 0 });
  });

  it('matches data and model alerts to sensor faults only', () => {
    const r = scoreAlarmQuality(
      input({
        to: 48 * H,
        faults: [
          { assetId: 'p1', kind: 'bearing-defect', injectedAt: 0 },
          { assetId: 'p4', kind: 'sensor-dropout', injectedAt: 40 * H },
          { assetId: 'p5', kind: 'sensor-dropout', injectedAt: 0, endedAt: H, endedBy: 'maintenance' },
        ],
        failures: [{ assetId: 'p3', ts: 20 * H, cause: 'overheat' }],
        alerts: [
          alert('p1', H, 'DATA_STALE'),
          alert('p3', 19 * H, 'MODEL_FAILURE'),
          alert('p4', 49 * H, 'MODEL_FAILURE'),
          alert('p4', 50 * H, 'DATA_RESUMED'),
          alert('p4', 50 * H + 1, 'DATA_RESUMED'),
          alert('p4', 41 * H, 'ANOMALY'),
        ],
      }),
    );
    expect(r.alertVerdicts.map((v) => v.verdict)).toEqual([
      'false-positive',
      'false-positive',
      'true-positive',
      'true-positive',
      'false-positive',
      // A drop-out hides readings; it cannot explain a condition alert.
      'false-positive',
    ]);
    expect(r.sensorFaultsByKind['sensor-dropout']).toEqual({ count: 2, seen: 1 });
  });

  it('leaves command-channel alerts out of precision and counts them apart', () => {
    const r = scoreAlarmQuality(
      input({
        faults: [{ assetId: 'p1', kind: 'bearing-defect', injectedAt: 0 }],
        alerts: [alert('p1', H, 'COMMAND_IGNORED'), alert('p9', H, 'COMMAND_TIMED_OUT')],
      }),
    );
    expect(r.alertVerdicts.map((v) => v.verdict)).toEqual(['excluded', 'excluded']);
    expect(r.alertVerdicts[0].matchedSource).toBeNull();
    expect(r.alerts).toEqual({
      count: 2,
      truePositive: 0,
      falsePositive: 0,
      sensorArtefact: 0,
      commandChannel: 2,
      precision: null,
    });
    // Nor do they detect a fault.
    expect(r.detected).toBe(0);
  });

  it('scores dispatches against physical faults and failures, per action and together', () => {
    const r = scoreAlarmQuality(
      input({
        from: 0,
        to: 48 * H,
        assetCount: 4,
        faults: [
          { assetId: 'p1', kind: 'bearing-defect', injectedAt: 0, endedAt: 4 * H, endedBy: 'maintenance' },
          { assetId: 'p2', kind: 'spike', injectedAt: 0, endedAt: 10 * H, endedBy: 'expired' },
        ],
        failures: [{ assetId: 'p3', ts: 30 * H, cause: 'bearing' }],
        commands: [
          command('p1', 4 * H, 'DISPATCH_TECHNICIAN'),
          command('p3', 30 * H - LEAD, 'SCHEDULE_MAINTENANCE'),
          command('p2', 5 * H, 'DISPATCH_TECHNICIAN'),
          command('p4', 5 * H, 'SCHEDULE_MAINTENANCE'),
          command('p4', 6 * H, 'REDUCE_LOAD'),
          command('p1', 4 * H + GRACE + 1, 'SCHEDULE_MAINTENANCE'),
        ],
      }),
    );
    expect(r.dispatchVerdicts.map((v) => [v.index, v.action, v.verdict, v.matchedSource])).toEqual([
      [0, 'DISPATCH_TECHNICIAN', 'true-positive', 'fault'],
      [1, 'SCHEDULE_MAINTENANCE', 'true-positive', 'failure'],
      [2, 'DISPATCH_TECHNICIAN', 'false-positive', null],
      [3, 'SCHEDULE_MAINTENANCE', 'false-positive', null],
      [5, 'SCHEDULE_MAINTENANCE', 'false-positive', null],
    ]);
    expect(r.dispatches).toEqual({ count: 5, truePositive: 2, falsePositive: 3, precision: 2 / 5 });
    expect(r.dispatchesByAction.DISPATCH_TECHNICIAN).toEqual({
      count: 2,
      truePositive: 1,
      falsePositive: 1,
      precision: 0.5,
    });
    expect(r.dispatchesByAction.SCHEDULE_MAINTENANCE).toEqual({
      count: 3,
      truePositive: 1,
      falsePositive: 2,
      precision: 1 / 3,
    });
    expect(r.assetDays).toBe(8);
    expect(r.falseDispatchesPerAssetDay).toBe(3 / 8);
  });

  it('decides each physical fault outcome and leaves ran-out faults out of the prevented ratio', () => {
    const faults: TruthFault[] = [
      { assetId: 'p1', kind: 'bearing-defect', injectedAt: 0, endedAt: 10 * H, endedBy: 'repair' },
      { assetId: 'p2', kind: 'cooling-loss', injectedAt: 0, endedAt: 5 * H, endedBy: 'maintenance' },
      { assetId: 'p3', kind: 'bearing-defect', injectedAt: 0, endedAt: 6 * H, endedBy: 'expired' },
      { assetId: 'p4', kind: 'cooling-loss', injectedAt: 0 },
      { assetId: 'p5', kind: 'bearing-defect', injectedAt: 0, endedAt: 4 * H },
      { assetId: 'p6', kind: 'bearing-defect', injectedAt: 0, endedAt: 4 * H, endedBy: 'maintenance' },
      { assetId: 'p7', kind: 'bearing-defect', injectedAt: 0, endedAt: 3 * H, endedBy: 'repair' },
      { assetId: 'p8', kind: 'spike', injectedAt: 0 },
    ];
    const r = scoreAlarmQuality(
      input({
        assetCount: 8,
        faults,
        failures: [
          { assetId: 'p1', ts: 10 * H, cause: 'bearing' },
          { assetId: 'p6', ts: 4 * H + GRACE, cause: 'overheat' },
          { assetId: 'p7', ts: -1, cause: 'bearing' },
          { assetId: 'p2', ts: 5 * H + GRACE + 1, cause: 'bearing' },
        ],
        commands: [command('p5', 3 * H, 'DISPATCH_TECHNICIAN')],
      }),
    );
    expect(r.faultVerdicts.map((v) => [v.index, v.outcome, v.failureIndex])).toEqual([
      [0, 'failed', 0],
      [1, 'prevented', null],
      [2, 'ran-out', null],
      [3, 'ran-out', null],
      // Ended, not by expiry, after the twin dispatched a technician.
      [4, 'prevented', null],
      // Failed within the grace after maintenance.
      [5, 'failed', 1],
      // Ended by the repair of a failure from before its injection.
      [6, 'ran-out', null],
    ]);
    expect(r.faultVerdicts[0]).toMatchObject({ failureAt: 10 * H, endedAt: 10 * H, endedBy: 'repair' });
    expect(r.faultVerdicts[3]).toMatchObject({ endedAt: null, endedBy: null });
    expect(r).toMatchObject({ physicalFaults: 7, failed: 2, prevented: 2, ranOut: 3 });
    expect(r.failuresPreventedRatio).toBe(2 / 4);
    expect(r.physicalFaultsByKind['bearing-defect']).toMatchObject({
      count: 5,
      failed: 2,
      prevented: 1,
      ranOut: 2,
    });
    expect(r.physicalFaultsByKind['cooling-loss']).toMatchObject({
      count: 2,
      failed: 0,
      prevented: 1,
      ranOut: 1,
    });
  });

  it('gives recall, the mean and the nearest-rank p90 of time to detect', () => {
    const faults: TruthFault[] = [];
    const alerts = [];
    for (let i = 0; i < 10; i++) {
      faults.push({ assetId: `a${i}`, kind: 'bearing-defect', injectedAt: 1_000 });
      alerts.push(alert(`a${i}`, 1_000 + (10 - i) * 1_000, 'RISK'));
    }
    faults.push({ assetId: 'late', kind: 'cooling-loss', injectedAt: 0 });
    alerts.push(alert('late', 12 * H + 1, 'TEMPERATURE'));
    const r = scoreAlarmQuality(input({ faults, alerts, assetCount: 11 }));
    expect(r.detected).toBe(10);
    expect(r.recall).toBe(10 / 11);
    expect(r.mttdMs).toBe(5_500);
    expect(r.p90TtdMs).toBe(9_000);
    expect(r.faultVerdicts[10]).toMatchObject({ detectedAt: null, ttdMs: null, detectedBy: null });
    expect(r.physicalFaultsByKind['cooling-loss']).toMatchObject({
      count: 1,
      detected: 0,
      recall: 0,
      mttdMs: null,
    });
    expect(r.physicalFaultsByKind['bearing-defect']).toMatchObject({
      detected: 10,
      recall: 1,
      mttdMs: 5_500,
    });

    const three = scoreAlarmQuality(input({ faults: faults.slice(0, 3), alerts: alerts.slice(0, 3) }), {
      maxDetectionMs: 9_000,
    });
    // ttds 10 s, 9 s, 8 s: 10 s is past the window; p90 of [8 s, 9 s] is 9 s.
    expect(three.detected).toBe(2);
    expect(three.p90TtdMs).toBe(9_000);
  });

  it('detects by condition alerts and acting commands, not by data alerts, CONTINUE or RESTORE_LOAD', () => {
    const r = scoreAlarmQuality(
      input({
        faults: [{ assetId: 'p1', kind: 'bearing-defect', injectedAt: 1_000 }],
        alerts: [alert('p1', 1_500, 'DATA_STALE'), alert('p1', 9_000, 'ANOMALY')],
        commands: [
          command('p1', 1_200, 'CONTINUE'),
          command('p1', 1_300, 'RESTORE_LOAD'),
          command('p1', 4_000, 'REDUCE_LOAD'),
        ],
      }),
    );
    expect(r.faultVerdicts[0]).toMatchObject({
      detectedAt: 4_000,
      ttdMs: 3_000,
      detectedBy: 'command:REDUCE_LOAD',
    });
  });

  it('counts a fault as dispatched only when the dispatch came before its failure', () => {
    const r = scoreAlarmQuality(
      input({
        faults: [
          { assetId: 'p1', kind: 'bearing-defect', injectedAt: 0, endedAt: 10 * H, endedBy: 'repair' },
          { assetId: 'p2', kind: 'bearing-defect', injectedAt: 0, endedAt: 10 * H, endedBy: 'repair' },
          { assetId: 'p3', kind: 'cooling-loss', injectedAt: 0 },
        ],
        failures: [
          { assetId: 'p1', ts: 8 * H, cause: 'bearing' },
          { assetId: 'p2', ts: 8 * H, cause: 'bearing' },
        ],
        commands: [
          command('p1', 9 * H, 'DISPATCH_TECHNICIAN'),
          command('p2', 8 * H, 'SCHEDULE_MAINTENANCE'),
          command('p3', 48 * H + GRACE, 'DISPATCH_TECHNICIAN'),
        ],
      }),
    );
    expect(r.faultVerdicts.map((v) => [v.dispatchedAt, v.dispatchAction])).toEqual([
      [null, null],
      [8 * H, 'SCHEDULE_MAINTENANCE'],
      [48 * H + GRACE, 'DISPATCH_TECHNICIAN'],
    ]);
    expect(r.dispatchRecall).toBe(2 / 3);
    // The late dispatch on p1 is still in its fault's window: a right call, too late.
    expect(r.dispatchVerdicts[0].verdict).toBe('true-positive');
  });

  it('gives null ratios, never NaN, for empty inputs', () => {
    const r = scoreAlarmQuality(input({}));
    expect(r).toMatchObject({
      physicalFaults: 0,
      detected: 0,
      recall: null,
      mttdMs: null,
      p90TtdMs: null,
      failuresPreventedRatio: null,
      dispatchRecall: null,
      assetDays: 8,
      falseDispatchesPerAssetDay: 0,
      faultVerdicts: [],
      alertVerdicts: [],
      dispatchVerdicts: [],
    });
    expect(r.alerts.precision).toBeNull();
    expect(r.dispatches.precision).toBeNull();
    expect(r.dispatchesByAction.DISPATCH_TECHNICIAN.precision).toBeNull();
    expect(r.physicalFaultsByKind['bearing-defect']).toMatchObject({ recall: null, mttdMs: null });

    const noTime = scoreAlarmQuality(
      input({ from: 5, to: 5, assetCount: 0, commands: [command('p1', 5, 'DISPATCH_TECHNICIAN')] }),
    );
    expect(noTime.assetDays).toBe(0);
    expect(noTime.falseDispatchesPerAssetDay).toBeNull();
    expect(noTime.dispatches.precision).toBe(0);
  });

  it('gives the figures of its doc example', () => {
    const r = scoreAlarmQuality({
      faults: [
        { assetId: 'p1', kind: 'bearing-defect', injectedAt: 0, endedAt: 7_200_000, endedBy: 'maintenance' },
      ],
      failures: [],
      alerts: [
        { assetId: 'p1', ts: 600_000, kind: 'ANOMALY' },
        { assetId: 'p2', ts: 0, kind: 'RISK' },
      ],
      commands: [{ assetId: 'p1', decidedAt: 3_600_000, action: 'SCHEDULE_MAINTENANCE' }],
      from: 0,
      to: 86_400_000,
      assetCount: 2,
    });
    expect([r.recall, r.mttdMs, r.alerts.precision, r.failuresPreventedRatio]).toEqual([1, 600_000, 0.5, 1]);
  });

  describe('input errors', () => {
    const bad =
      (partial: Partial<AlarmQualityInput>, options = {}) =>
      () =>
        scoreAlarmQuality(input(partial), options);

    it('names the list and index of a non-finite time', () => {
      expect(bad({ faults: [{ assetId: 'p9', kind: 'spike', injectedAt: Number.NaN }] })).toThrow(
        'faults[0] (p9, spike) has injectedAt NaN',
      );
      expect(
        bad({
          faults: [
            { assetId: 'p1', kind: 'spike', injectedAt: 0 },
            { assetId: 'p2', kind: 'cooling-loss', injectedAt: 0, endedAt: Number.POSITIVE_INFINITY },
          ],
        }),
      ).toThrow('faults[1] (p2, cooling-loss) has endedAt Infinity');
      expect(bad({ failures: [{ assetId: 'p1', ts: Number.NaN, cause: 'overheat' }] })).toThrow(
        'failures[0] (p1, overheat) has ts NaN',
      );
      expect(
        bad({ alerts: [alert('p1', 0, 'RISK'), alert('p1', 1, 'RISK'), alert('p3', Number.NaN, 'RISK')] }),
      ).toThrow('alerts[2] (p3, RISK) has ts NaN');
      expect(bad({ commands: [command('p1', Number.NEGATIVE_INFINITY, 'SHUTDOWN')] })).toThrow(
        'commands[0] (p1, SHUTDOWN) has decidedAt -Infinity',
      );
    });

    it('rejects an unknown fault kind, alert kind or action', () => {
      const gearbox = { assetId: 'p1', kind: 'gearbox', injectedAt: 0 } as unknown as TruthFault;
      expect(bad({ faults: [{ assetId: 'p1', kind: 'spike', injectedAt: 0 }, gearbox] })).toThrow(
        'faults[1] (p1) has unknown kind "gearbox"',
      );
      expect(bad({ alerts: [alert('p1', 0, 'NOISE' as AlertKind)] })).toThrow(
        'alerts[0] (p1) has unknown kind "NOISE"',
      );
      expect(bad({ commands: [command('p1', 0, 'PANIC' as Action)] })).toThrow(
        'commands[0] (p1) has unknown action "PANIC"',
      );
    });

    it('rejects from after to, a fault ending before its injection, bad asset counts and options', () => {
      expect(bad({ from: 10, to: 9 })).toThrow('from (10) is after to (9)');
      expect(bad({ from: Number.NaN })).toThrow('from and to must be finite');
      expect(bad({ faults: [{ assetId: 'p1', kind: 'spike', injectedAt: 10, endedAt: 9 }] })).toThrow(
        'faults[0] (p1, spike) ends at 9, before its injection at 10',
      );
      expect(bad({ assetCount: -1 })).toThrow('assetCount must be an integer >= 0');
      expect(bad({}, { graceMs: -1 })).toThrow('options.graceMs must be a finite number >= 0');
    });

    it('raises a non-retriable AlarmQualityInputError', () => {
      let caught: unknown;
      try {
        bad({ from: 10, to: 9 })();
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(AlarmQualityInputError);
      expect(caught).toMatchObject({ name: 'AlarmQualityInputError', retriable: false });
    });
  });
});
