import { describe, expect, it } from 'vitest';
import { scaleCatalogue } from '../../../../connectors/catalogue/scaleCatalogue.js';
import type { FaultPlan } from '../../../../connectors/simulator/faultPlan.js';
import {
  PlantSimulator,
  PlantSimulatorError,
  type PlantSimulatorOptions,
} from '../../../../connectors/simulator/plantSimulator.js';
import type { Telemetry } from '../../../../operators/control/contracts.js';
import { steadyTemperature } from '../../../../operators/scoring/assetPhysics.js';
import { command, flatCatalogue, HOUR, referenceCatalogue, START, TICKS_PER_HOUR } from './plantFixtures.js';

function run(sim: PlantSimulator, ticks: number): Telemetry[][] {
  const out: Telemetry[][] = [];
  for (let i = 0; i < ticks; i++) out.push(sim.step());
  return out;
}

/** Steps `ticks` times and returns the readings of one asset. */
function readingsOf(sim: PlantSimulator, assetId: string, ticks: number): Telemetry[] {
  const i = sim.assetIds.indexOf(assetId);
  const out: Telemetry[] = [];
  for (let k = 0; k < ticks; k++) out.push(sim.step()[i]);
  return out;
}

function flat(options: Partial<PlantSimulatorOptions> = {}, load = 0.9): PlantSimulator {
  return new PlantSimulator({
    catalogue: flatCatalogue(load),
    seed: 11,
    startTs: START,
    localModeProbability: 0,
    ...options,
  });
}

const randomFaults: FaultPlan = {
  random: {
    perAssetDay: {
      'bearing-defect': 0.3,
      'cooling-loss': 0.3,
      'sensor-dropout': 2,
      'stuck-sensor': 1,
      spike: 4,
    },
  },
};

describe('PlantSimulator: determinism', () => {
  it('gives the same readings and ground truth for the same seed', async () => {
    const catalogue = await referenceCatalogue();
    const a = new PlantSimulator({ catalogue, seed: 5, startTs: START, faults: randomFaults });
    const b = new PlantSimulator({ catalogue, seed: 5, startTs: START, faults: randomFaults });
    expect(run(a, 2000)).toEqual(run(b, 2000));
    expect(a.groundTruth()).toEqual(b.groundTruth());
  });

  it('gives a different plant for a different seed', async () => {
    const catalogue = await referenceCatalogue();
    const a = new PlantSimulator({ catalogue, seed: 5, startTs: START });
    const b = new PlantSimulator({ catalogue, seed: 6, startTs: START });
    expect(run(a, 50)).not.toEqual(run(b, 50));
  });

  it('continues exactly from a snapshot (through JSON) in a new simulator', async () => {
    const catalogue = await referenceCatalogue();
    const options: PlantSimulatorOptions = { catalogue, seed: 9, startTs: START, faults: randomFaults };
    const a = new PlantSimulator(options);
    run(a, 3000);
    a.apply(command('pump-001', 'REDUCE_LOAD', 70));
    a.apply(command('motor-001', 'SCHEDULE_MAINTENANCE'));
    run(a, 500);
    const saved = JSON.parse(JSON.stringify(a.snapshot()));
    const b = new PlantSimulator(options);
    b.restore(saved);
    expect(b.now).toBe(a.now);
    expect(run(b, 3000)).toEqual(run(a, 3000));
    expect(b.groundTruth()).toEqual(a.groundTruth());
  });

  it('refuses a snapshot of a different plant', async () => {
    const catalogue = await referenceCatalogue();
    const a = new PlantSimulator({ catalogue, seed: 9, startTs: START });
    const other = new PlantSimulator({ catalogue: scaleCatalogue(catalogue, 13), seed: 9, startTs: START });
    expect(() => other.restore(a.snapshot())).toThrow(PlantSimulatorError);
    const reseeded = new PlantSimulator({ catalogue, seed: 10, startTs: START });
    expect(() => reseeded.restore(a.snapshot())).toThrow(/seed is 9, expected 10/);
  });

  it('keeps noise and faults independent of commands, so a baseline run is the same plant', async () => {
    const catalogue = await referenceCatalogue();
    const options: PlantSimulatorOptions = {
      catalogue,
      seed: 3,
      startTs: START,
      faults: randomFaults,
      localModeProbability: 0,
    };
    const baseline = new PlantSimulator(options);
    const twin = new PlantSimulator(options);
    const i = twin.assetIds.indexOf('pump-002');
    const faultsOf = (s: PlantSimulator) =>
      s.groundTruth().faults.map((f) => `${f.assetId} ${f.kind} ${f.injectedAt} ${f.severity}`);
    for (let h = 0; h < 24; h++) {
      twin.apply(command('pump-001', h % 2 === 0 ? 'REDUCE_LOAD' : 'RESTORE_LOAD'));
      if (h === 5) twin.apply(command('motor-001', 'SCHEDULE_MAINTENANCE'));
      for (let k = 0; k < TICKS_PER_HOUR; k++) expect(twin.step()[i]).toEqual(baseline.step()[i]);
    }
    expect(faultsOf(twin)).toEqual(faultsOf(baseline));
  });
});

describe('PlantSimulator: readings', () => {
  it('emits one reading per asset per tick with per-asset seq, monotonic counters and loads within limits', async () => {
    const catalogue = await referenceCatalogue();
    const sim = new PlantSimulator({ catalogue, seed: 1, startTs: START, faults: randomFaults });
    let previous: Telemetry[] | undefined;
    for (let k = 1; k <= 24 * TICKS_PER_HOUR; k++) {
      const readings = sim.step();
      expect(readings).toHaveLength(12);
      for (let i = 0; i < readings.length; i++) {
        const r = readings[i];
        if (r.ts !== START + k * 10_000 || r.seq !== k || r.assetId !== catalogue.assets[i].id) {
          throw new Error(`bad reading ${JSON.stringify(r)} at tick ${k}`);
        }
        if (
          r.loadPct > r.loadLimitPct! + 1e-9 ||
          r.powerKw < 0 ||
          (r.runState !== 'RUNNING' && r.powerKw !== 0)
        ) {
          throw new Error(`bad load or power ${JSON.stringify(r)}`);
        }
        const p = previous?.[i];
        if (p && (r.goodUnits < p.goodUnits || r.rejectedUnits < p.rejectedUnits)) {
          throw new Error(`counters went back: ${JSON.stringify(p)} -> ${JSON.stringify(r)}`);
        }
      }
      previous = readings;
    }
    const truth = sim.groundTruth();
    for (const r of previous!) {
      expect(truth.assets[r.assetId].goodUnits).toBe(r.goodUnits);
      expect(truth.assets[r.assetId].rejectedUnits).toBe(r.rejectedUnits);
    }
    expect(truth.totals.energyKwh).toBeGreaterThan(0);
    expect(truth.to - truth.from).toBe(24 * HOUR);
  });

  it('idles assets outside their site shifts', async () => {
    const catalogue = await referenceCatalogue();
    const sim = new PlantSimulator({ catalogue, seed: 1, startTs: START });
    const south = readingsOf(sim, 'compressor-001', 24 * TICKS_PER_HOUR);
    const at = (hour: number) => south[hour * TICKS_PER_HOUR - 1];
    expect(at(3)).toMatchObject({ runState: 'IDLE', powerKw: 0, loadPct: 0 });
    expect(at(10).runState).toBe('RUNNING');
    expect(at(23).runState).toBe('IDLE');
    const truth = sim.groundTruth().assets['compressor-001'];
    expect(truth.timeInStateS.IDLE).toBe(8 * 3600);
    expect(truth.timeInStateS.RUNNING).toBe(16 * 3600);
    expect(truth.timeline.map((c) => `${c.state}:${c.reason}`)).toEqual([
      'IDLE:start',
      'RUNNING:shift',
      'IDLE:shift',
    ]);
    expect(sim.groundTruth().assets['pump-001'].timeInStateS.RUNNING).toBe(24 * 3600);
  });

  it('follows a daily demand between the site minimum and maximum load', async () => {
    const catalogue = await referenceCatalogue();
    const sim = new PlantSimulator({ catalogue, seed: 1, startTs: START });
    const loads = readingsOf(sim, 'pump-001', 24 * TICKS_PER_HOUR).map((r) => r.loadPct);
    expect(Math.min(...loads)).toBeGreaterThanOrEqual(70);
    expect(Math.min(...loads)).toBeLessThan(75);
    expect(Math.max(...loads)).toBeLessThanOrEqual(105);
    expect(Math.max(...loads)).toBeGreaterThan(100);
  });
});

describe('PlantSimulator: physics', () => {
  it('settles at the steady-state temperature of its load', () => {
    const sim = flat();
    const spec = flatCatalogue().assets[0];
    readingsOf(sim, 'pump-001', TICKS_PER_HOUR);
    expect(sim.conditionOf('pump-001').temperatureC).toBeCloseTo(steadyTemperature(spec, 0.9, 1), 6);
    sim.apply(command('pump-001', 'REDUCE_LOAD', 60));
    const after = readingsOf(sim, 'pump-001', 4 * TICKS_PER_HOUR);
    const target = steadyTemperature(spec, 0.6, 1);
    expect(sim.conditionOf('pump-001').temperatureC).toBeCloseTo(target, 2);
    // Monotone approach (first order): reading temperature falls towards the target, within the sensor noise.
    expect(after[30].temperatureC!).toBeLessThan(after[0].temperatureC!);
    expect(Math.abs(after.at(-1)!.temperatureC! - target)).toBeLessThan(1);
  });

  it('runs hotter during a cooling loss and recovers after it', () => {
    const sim = flat({
      faults: {
        faults: [
          { assetId: 'pump-002', kind: 'cooling-loss', at: START + HOUR, durationS: 4 * 3600, severity: 0.8 },
        ],
      },
    });
    const spec = flatCatalogue().assets[1];
    readingsOf(sim, 'pump-002', 4 * TICKS_PER_HOUR);
    expect(sim.conditionOf('pump-002').coolingFactor).toBeCloseTo(0.6, 9);
    expect(sim.conditionOf('pump-002').temperatureC).toBeGreaterThan(steadyTemperature(spec, 0.9, 0.6) - 2);
    expect(sim.conditionOf('pump-001').temperatureC).toBeCloseTo(steadyTemperature(spec, 0.9, 1), 6);
    readingsOf(sim, 'pump-002', 4 * TICKS_PER_HOUR);
    expect(sim.conditionOf('pump-002').temperatureC).toBeLessThan(steadyTemperature(spec, 0.9, 1) + 1);
    const fault = sim.groundTruth().faults[0];
    expect(fault).toMatchObject({
      kind: 'cooling-loss',
      injectedAt: START + HOUR,
      endedAt: START + 5 * HOUR,
      endedBy: 'expired',
    });
    expect(sim.groundTruth().failures).toEqual([]);
  });

  it('trips on overheat when cooling is lost at full load', () => {
    const sim = flat(
      { faults: { faults: [{ assetId: 'pump-003', kind: 'cooling-loss', at: START, severity: 1 }] } },
      1,
    );
    readingsOf(sim, 'pump-003', 2 * TICKS_PER_HOUR);
    expect(sim.groundTruth().failures).toEqual([
      { assetId: 'pump-003', ts: expect.any(Number), cause: 'overheat' },
    ]);
    expect(sim.conditionOf('pump-003').runState).toBe('FAILED');
  });

  it('wears out a defective bearing: vibration rises, then it fails, stays down for the repair, and returns renewed', () => {
    const sim = flat({
      faults: { faults: [{ assetId: 'pump-001', kind: 'bearing-defect', at: START + HOUR, severity: 1 }] },
    });
    const readings = readingsOf(sim, 'pump-001', 48 * TICKS_PER_HOUR);
    const failures = sim.groundTruth().failures;
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ assetId: 'pump-001', cause: 'bearing' });
    const failedAt = readings.findIndex((r) => r.runState === 'FAILED');
    expect(readings[failedAt].ts).toBe(failures[0].ts);
    expect(failures[0].ts - START).toBeGreaterThan(4 * HOUR);
    expect(failures[0].ts - START).toBeLessThan(40 * HOUR);
    const hourlyVibration = (h: number) =>
      readings.slice(h * TICKS_PER_HOUR, (h + 1) * TICKS_PER_HOUR).reduce((s, r) => s + r.vibrationMmS!, 0) /
      TICKS_PER_HOUR;
    const lastHour = Math.floor(failedAt / TICKS_PER_HOUR) - 1;
    expect(hourlyVibration(Math.floor(lastHour / 2))).toBeGreaterThan(hourlyVibration(0));
    expect(hourlyVibration(lastHour)).toBeGreaterThan(2 * hourlyVibration(0));
    const down = readings.filter((r) => r.runState === 'FAILED');
    expect(down.length).toBe(28800 / 10 + 1);
    expect(down.every((r) => r.loadPct === 0 && r.powerKw === 0 && r.rpm === 0)).toBe(true);
    expect(readings.at(-1)!.goodUnits).toBeGreaterThan(down.at(-1)!.goodUnits);
    const truth = sim.groundTruth();
    expect(truth.assets['pump-001'].unplannedDowntimeS).toBe(28800);
    expect(truth.assets['pump-001'].failures).toBe(1);
    expect(truth.faults[0]).toMatchObject({
      kind: 'bearing-defect',
      endedBy: 'repair',
      endedAt: failures[0].ts + 28800 * 1000,
    });
    expect(sim.conditionOf('pump-001')).toMatchObject({ runState: 'RUNNING', wearFactor: 1 });
    expect(sim.conditionOf('pump-001').wear).toBeLessThan(0.05);
    expect(truth.assets['pump-001'].timeline.map((c) => c.reason)).toEqual(['start', 'bearing', 'repaired']);
  });
});

describe('PlantSimulator: baseline versus a twin', () => {
  const faults: FaultPlan = {
    faults: [{ assetId: 'pump-002', kind: 'bearing-defect', at: START + HOUR, severity: 0.7 }],
  };

  it('fails without commands, and does not when maintenance comes before the failure', () => {
    const baseline = flat({ faults });
    run(baseline, 48 * TICKS_PER_HOUR);
    expect(baseline.groundTruth().failures.map((f) => f.assetId)).toEqual(['pump-002']);

    const twin = flat({ faults });
    run(twin, 6 * TICKS_PER_HOUR);
    expect(twin.conditionOf('pump-002').wear).toBeGreaterThan(baseline.conditionOf('pump-001').wear);
    const effect = twin.apply(command('pump-002', 'SCHEDULE_MAINTENANCE'));
    expect(effect).toMatchObject({ outcome: 'OBEYED', reason: 'applied', runState: 'MAINTENANCE' });
    run(twin, 42 * TICKS_PER_HOUR);
    const truth = twin.groundTruth();
    expect(truth.failures).toEqual([]);
    expect(truth.assets['pump-002'].plannedDowntimeS).toBe(7200);
    expect(truth.assets['pump-002'].unplannedDowntimeS).toBe(0);
    expect(truth.faults[0]).toMatchObject({
      endedBy: 'maintenance',
      endedAt: START + 6 * HOUR + 7200 * 1000,
    });
    expect(truth.assets['pump-002'].goodUnits).toBeGreaterThan(
      baseline.groundTruth().assets['pump-002'].goodUnits,
    );
  });
});

describe('PlantSimulator: commands', () => {
  it('REDUCE_LOAD lowers load, temperature and wear rate; RESTORE_LOAD brings the limit back', () => {
    const a = flat();
    const b = flat();
    const wear0 = b.conditionOf('pump-001').wear;
    expect(b.apply(command('pump-001', 'REDUCE_LOAD', 60))).toMatchObject({
      outcome: 'OBEYED',
      loadLimitPct: 60,
    });
    const ra = readingsOf(a, 'pump-001', 4 * TICKS_PER_HOUR).at(-1)!;
    const rb = readingsOf(b, 'pump-001', 4 * TICKS_PER_HOUR).at(-1)!;
    expect(rb).toMatchObject({ loadPct: 60, loadLimitPct: 60 });
    expect(ra).toMatchObject({ loadPct: 90, loadLimitPct: 105 });
    expect(rb.temperatureC!).toBeLessThan(ra.temperatureC! - 10);
    expect(rb.powerKw).toBeLessThan(ra.powerKw);
    expect(b.conditionOf('pump-001').wear - wear0).toBeLessThan((a.conditionOf('pump-001').wear - wear0) / 3);
    expect(b.apply(command('pump-001', 'RESTORE_LOAD'))).toMatchObject({
      outcome: 'OBEYED',
      loadLimitPct: 105,
    });
    expect(readingsOf(b, 'pump-001', 1)[0].loadPct).toBe(90);
  });

  it('steps the limit down by the bounds and clamps it to them', () => {
    const sim = flat();
    expect(sim.apply(command('pump-001', 'REDUCE_LOAD')).loadLimitPct).toBe(90);
    expect(sim.apply(command('pump-001', 'REDUCE_LOAD')).loadLimitPct).toBe(75);
    expect(sim.apply(command('pump-001', 'REDUCE_LOAD', 10)).loadLimitPct).toBe(50);
    expect(sim.apply(command('pump-001', 'RESTORE_LOAD', 200)).loadLimitPct).toBe(105);
  });

  it('SHUTDOWN stops production until RESTORE_LOAD restarts it', () => {
    const sim = flat();
    run(sim, 10);
    expect(sim.apply(command('pump-003', 'SHUTDOWN'))).toMatchObject({
      outcome: 'OBEYED',
      runState: 'STOPPED',
    });
    const stopped = readingsOf(sim, 'pump-003', TICKS_PER_HOUR);
    expect(stopped.every((r) => r.runState === 'STOPPED' && r.powerKw === 0 && r.loadPct === 0)).toBe(true);
    expect(new Set(stopped.map((r) => r.goodUnits)).size).toBe(1);
    expect(sim.groundTruth().assets['pump-003'].plannedDowntimeS).toBe(3600);
    expect(sim.apply(command('pump-003', 'RESTORE_LOAD'))).toMatchObject({
      outcome: 'OBEYED',
      runState: 'RUNNING',
    });
    const again = readingsOf(sim, 'pump-003', 10);
    expect(again.at(-1)!.runState).toBe('RUNNING');
    expect(again.at(-1)!.goodUnits).toBeGreaterThan(stopped[0].goodUnits);
  });

  it('a technician fixes a stuck sensor on the spot and leaves a sound asset running', () => {
    const sim = flat({
      faults: {
        faults: [
          { assetId: 'pump-001', kind: 'stuck-sensor', at: START + HOUR, durationS: 6 * 3600, severity: 1 },
        ],
      },
    });
    const before = readingsOf(sim, 'pump-001', 2 * TICKS_PER_HOUR);
    expect(before.at(-1)!.temperatureC).toBe(before.at(-2)!.temperatureC);
    expect(sim.apply(command('pump-001', 'DISPATCH_TECHNICIAN'))).toMatchObject({
      outcome: 'OBEYED',
      runState: 'RUNNING',
    });
    const after = readingsOf(sim, 'pump-001', 3);
    expect(after.every((r) => r.runState === 'RUNNING')).toBe(true);
    expect(after[2].temperatureC).not.toBe(after[1].temperatureC);
    expect(sim.groundTruth().faults[0]).toMatchObject({ kind: 'stuck-sensor', endedBy: 'maintenance' });
  });

  it('a technician who finds a bearing defect takes the asset into maintenance', () => {
    const sim = flat({
      faults: { faults: [{ assetId: 'pump-001', kind: 'bearing-defect', at: START + HOUR, severity: 0.5 }] },
    });
    run(sim, 2 * TICKS_PER_HOUR);
    expect(sim.apply(command('pump-001', 'DISPATCH_TECHNICIAN')).runState).toBe('MAINTENANCE');
  });

  it('maintenance takes the asset down for its maintenance time, then resets wear and the load limit', () => {
    const sim = flat();
    sim.apply(command('pump-001', 'REDUCE_LOAD', 70));
    run(sim, 10);
    expect(sim.apply(command('pump-001', 'SCHEDULE_MAINTENANCE')).runState).toBe('MAINTENANCE');
    expect(sim.apply(command('pump-001', 'SCHEDULE_MAINTENANCE'))).toMatchObject({
      outcome: 'IGNORED',
      reason: 'in-maintenance',
    });
    expect(sim.apply(command('pump-001', 'DISPATCH_TECHNICIAN'))).toMatchObject({ outcome: 'IGNORED' });
    const readings = readingsOf(sim, 'pump-001', 3 * TICKS_PER_HOUR);
    expect(readings.filter((r) => r.runState === 'MAINTENANCE')).toHaveLength(720);
    expect(readings.at(-1)).toMatchObject({ runState: 'RUNNING', loadLimitPct: 105 });
    expect(sim.conditionOf('pump-001').wear).toBeLessThan(0.025);
    expect(sim.groundTruth().assets['pump-001'].timeline.map((c) => c.reason)).toEqual([
      'start',
      'maintenance',
      'maintained',
    ]);
  });

  it('ignores commands for unknown assets and maintenance on a failed asset', () => {
    const sim = flat(
      { faults: { faults: [{ assetId: 'pump-003', kind: 'cooling-loss', at: START, severity: 1 }] } },
      1,
    );
    expect(sim.apply(command('pump-404', 'SHUTDOWN'))).toMatchObject({
      outcome: 'IGNORED',
      reason: 'unknown-asset',
      runState: null,
    });
    run(sim, 2 * TICKS_PER_HOUR);
    expect(sim.conditionOf('pump-003').runState).toBe('FAILED');
    expect(sim.apply(command('pump-003', 'SCHEDULE_MAINTENANCE'))).toMatchObject({
      outcome: 'IGNORED',
      reason: 'asset-failed',
    });
    expect(sim.apply(command('pump-003', 'SHUTDOWN'))).toMatchObject({
      outcome: 'IGNORED',
      reason: 'asset-failed',
    });
    expect(sim.groundTruth().commands).toHaveLength(3);
  });

  it('ignores commands while an asset is in local mode, with the seeded probability', async () => {
    const catalogue = await referenceCatalogue();
    const sim = new PlantSimulator({ catalogue, seed: 21, startTs: START });
    let ignored = 0;
    let total = 0;
    for (let h = 0; h < 500; h++) {
      for (const id of sim.assetIds) {
        const effect = sim.apply(command(id, 'CONTINUE'), START + h * HOUR + 1000);
        total++;
        if (effect.outcome === 'IGNORED') {
          expect(effect.reason).toBe('local-mode');
          ignored++;
        }
      }
    }
    expect(ignored / total).toBeGreaterThan(0.035);
    expect(ignored / total).toBeLessThan(0.065);
    // An ignored command changes nothing, and the same hour gives the same answer.
    let h = 0;
    while (!sim.inLocalMode('pump-001', START + h * HOUR)) h++;
    const effect = sim.apply(command('pump-001', 'REDUCE_LOAD', 60), START + h * HOUR + 59 * 60_000);
    expect(effect).toMatchObject({ outcome: 'IGNORED', reason: 'local-mode', loadLimitPct: 105 });
    expect(sim.conditionOf('pump-001').loadLimitPct).toBe(105);
    const never = new PlantSimulator({ catalogue, seed: 21, startTs: START, localModeProbability: 0 });
    expect(never.apply(command('pump-001', 'CONTINUE'), START + h * HOUR).outcome).toBe('OBEYED');
  });
});

describe('PlantSimulator: sensor faults', () => {
  it('drops readings out to null for the fault duration', () => {
    const at = START + HOUR;
    const sim = flat({
      faults: { faults: [{ assetId: 'pump-001', kind: 'sensor-dropout', at, durationS: 1800 }] },
    });
    const readings = readingsOf(sim, 'pump-001', 3 * TICKS_PER_HOUR);
    const nulls = readings.filter((r) => r.temperatureC === null);
    expect(nulls).toHaveLength(180);
    expect(nulls.every((r) => r.vibrationMmS === null && r.ts >= at && r.ts < at + 1_800_000)).toBe(true);
    expect(nulls.every((r) => r.runState === 'RUNNING' && r.powerKw > 0)).toBe(true);
  });

  it('repeats the last values while a sensor is stuck', () => {
    const at = START + HOUR;
    const sim = flat({
      faults: { faults: [{ assetId: 'pump-001', kind: 'stuck-sensor', at, durationS: 3600 }] },
    });
    const readings = readingsOf(sim, 'pump-001', 3 * TICKS_PER_HOUR);
    const before = readings.findLast((r) => r.ts < at)!;
    const stuck = readings.filter((r) => r.ts >= at && r.ts < at + HOUR);
    expect(stuck).toHaveLength(360);
    expect(
      stuck.every((r) => r.temperatureC === before.temperatureC && r.vibrationMmS === before.vibrationMmS),
    ).toBe(true);
    const after = readings.filter((r) => r.ts >= at + HOUR);
    expect(new Set(after.map((r) => r.temperatureC)).size).toBeGreaterThan(10);
  });

  it('injects one wild value for a single spike, and several in a burst', () => {
    const wild = (readings: Telemetry[]) =>
      readings.filter((r) => r.temperatureC! > 61.45 + 15 || r.vibrationMmS! > 2 * 1.8 * 1.3).length;
    const single = flat({
      faults: { faults: [{ assetId: 'pump-001', kind: 'spike', at: START + HOUR, severity: 0.5 }] },
    });
    expect(wild(readingsOf(single, 'pump-001', 2 * TICKS_PER_HOUR))).toBe(1);
    expect(single.groundTruth().faults[0]).toMatchObject({
      kind: 'spike',
      endedAt: START + HOUR,
      endedBy: 'expired',
    });
    const burst = flat({
      faults: {
        faults: [{ assetId: 'pump-001', kind: 'spike', at: START + HOUR, durationS: 1800, severity: 0.5 }],
      },
    });
    const n = wild(readingsOf(burst, 'pump-001', 2 * TICKS_PER_HOUR));
    expect(n).toBeGreaterThan(10);
    expect(n).toBeLessThan(90);
  });

  it('draws random faults at about the configured rate per asset-day', async () => {
    const catalogue = await referenceCatalogue();
    const sim = new PlantSimulator({
      catalogue,
      seed: 4,
      startTs: START,
      faults: { random: { perAssetDay: { 'sensor-dropout': 2, spike: 2 } } },
    });
    run(sim, 2 * 24 * TICKS_PER_HOUR);
    const faults = sim.groundTruth().faults;
    for (const kind of ['sensor-dropout', 'spike'] as const) {
      const n = faults.filter((f) => f.kind === kind).length;
      expect(n, kind).toBeGreaterThan(25);
      expect(n, kind).toBeLessThan(75);
    }
    expect(faults.every((f) => f.severity >= 0.3 && f.severity <= 1)).toBe(true);
  });

  it('rejects a fault plan naming an unknown asset or a bad severity', () => {
    expect(() => flat({ faults: { faults: [{ assetId: 'pump-9', kind: 'spike', at: START }] } })).toThrow(
      /faults\.faults\[0\] \(pump-9, spike\)\.assetId: unknown asset/,
    );
    expect(() =>
      flat({ faults: { faults: [{ assetId: 'pump-001', kind: 'spike', at: START, severity: 2 }] } }),
    ).toThrow(PlantSimulatorError);
  });
});
