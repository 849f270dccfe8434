import { describe, expect, it } from 'vitest';
import type { Command, TwinState } from '../../../../operators/control/contracts.js';
import { ControlConfigError } from '../../../../operators/control/controlConfigError.js';
import {
  commandIdOf,
  decide,
  decideOnSilence,
  initialPolicyMemory,
  nextPolicyMemory,
  type PolicyConfig,
  type PolicyMemory,
  validatePolicyConfig,
} from '../../../../operators/control/policy.js';
import type { ScoredReading } from '../../../../operators/control/scoredReading.js';
import { bounds, config, reading, spec, twinAt } from './fixtures.js';

/** Feeds readings through the policy, applying each decision to the twin as the controller does. */
function drive(
  readings: ScoredReading[],
  start: TwinState = twinAt(0),
  cfg: PolicyConfig = config,
): { commands: Command[]; twin: TwinState; memory: PolicyMemory } {
  let twin = start;
  let memory = initialPolicyMemory;
  const commands: Command[] = [];
  for (const r of readings) {
    twin = { ...twin, ts: r.telemetry.ts, lastSeen: r.telemetry.ts };
    const d = decide({ spec, bounds, twin, reading: r, config: cfg, memory });
    memory = nextPolicyMemory(memory, r, d, cfg);
    if (d) {
      commands.push(d.command);
      twin = {
        ...twin,
        desired: d.desired,
        lastCommandId: d.command.commandId,
        lastCommandAt: d.command.decidedAt,
      };
    }
  }
  return { commands, twin, memory };
}

const seconds = (n: number, f: (i: number) => ScoredReading) => Array.from({ length: n }, (_, i) => f(i));

describe('decide', () => {
  it('reduces load one step at the reduce threshold, with a deterministic id, the figures and the source', () => {
    const d = decide({ spec, bounds, twin: twinAt(5_000), reading: reading(5_000, { risk: 0.35 }), config });
    expect(d?.command).toEqual({
      commandId: 'a@5000:REDUCE_LOAD',
      assetId: 'a',
      action: 'REDUCE_LOAD',
      loadLimitPct: 80,
      risk: 0.35,
      horizonHours: 6,
      reason: 'risk 0.35 >= reduce threshold 0.30 (SURROGATE, 6 h): load limit 100% -> 80%',
      model: 'SURROGATE',
      decidedAt: 5_000,
      source: { topic: 'telemetry', partition: 0, offset: '5000' },
    });
    expect(d?.desired).toEqual({ loadLimitPct: 80, runState: null });
    expect(commandIdOf('a', 5_000, 'REDUCE_LOAD')).toBe(d?.command.commandId);
  });

  it('continues (no command) while risk is low and load is not limited', () => {
    expect(
      decide({ spec, bounds, twin: twinAt(0), reading: reading(0, { risk: 0.2 }), config }),
    ).toBeUndefined();
  });

  it('gives one command for risk oscillating around the reduce threshold, and never restores in between', () => {
    const readings = seconds(600, (i) => reading(i * 1_000, { risk: i % 2 === 0 ? 0.31 : 0.29 }));
    const { commands } = drive(readings);
    expect(commands.map((c) => [c.action, c.loadLimitPct])).toEqual([['REDUCE_LOAD', 80]]);
  });

  it('restores only well below the reduce threshold (hysteresis), a step at a time after cooldown', () => {
    const readings = [
      reading(0, { risk: 0.35 }),
      ...seconds(60, (i) => reading(1_000 + i * 1_000, { risk: 0.15 })),
      ...seconds(30, (i) => reading(61_000 + i * 1_000, { risk: 0.05 })),
    ];
    const { commands, twin } = drive(readings);
    expect(commands.map((c) => [c.action, c.loadLimitPct, c.decidedAt])).toEqual([
      ['REDUCE_LOAD', 80, 0],
      ['RESTORE_LOAD', 100, 61_000],
    ]);
    expect(twin.desired.loadLimitPct).toBe(100);
  });

  it('reduces again only while risk keeps rising, down to the minimum and no further', () => {
    const risks = [0.3, 0.35, 0.41, 0.45, 0.52, 0.58, 0.59];
    const readings = risks.map((risk, i) => reading(i * 10_000, { risk }));
    const { commands } = drive(readings, twinAt(0), { ...config, maintenanceAt: 0.7, shutdownAt: 0.9 });
    expect(commands.map((c) => [c.loadLimitPct, c.risk])).toEqual([
      [80, 0.3],
      [60, 0.41],
      [40, 0.52],
    ]);
  });

  it('holds every command but a shutdown during the cooldown', () => {
    const { commands } = drive([
      reading(0, { risk: 0.35 }),
      reading(5_000, { risk: 0.65 }),
      reading(9_999, { risk: 0.65 }),
      reading(10_000, { risk: 0.65 }),
      reading(11_000, { risk: 0.95 }),
    ]);
    expect(commands.map((c) => [c.action, c.decidedAt])).toEqual([
      ['REDUCE_LOAD', 0],
      ['SCHEDULE_MAINTENANCE', 10_000],
      ['SHUTDOWN', 11_000],
    ]);
  });

  it('shuts down on temperature at limit − margin from raw telemetry, even when the model failed', () => {
    const d = decide({
      spec,
      bounds,
      twin: twinAt(0),
      reading: reading(0, { temperatureC: 96, model: 'FAILSAFE', risk: Number.NaN }),
      config,
    });
    expect(d?.command.action).toBe('SHUTDOWN');
    expect(d?.command.model).toBe('RULE');
    expect(d?.command.reason).toBe('temperature 96 °C >= trip 95 °C (limit 100 − margin 5)');
    expect(d?.desired.runState).toBe('STOPPED');
  });

  it('does not trip on a temperature reading the detectors flag as a spike (a sensor glitch)', () => {
    const d = decide({
      spec,
      bounds,
      twin: twinAt(0),
      reading: reading(0, { temperatureC: 140, signals: ['temperatureC:spike'], score: 20 }),
      config,
    });
    expect(d?.command.action).not.toBe('SHUTDOWN');
  });

  it('repeats a shutdown after cooldown only if the asset keeps running', () => {
    const { commands } = drive([
      reading(0, { risk: 0.95 }),
      reading(5_000, { risk: 0.95 }),
      reading(10_000, { risk: 0.95 }),
      reading(20_000, { risk: 0.95, runState: 'STOPPED' }),
    ]);
    expect(commands.map((c) => [c.action, c.decidedAt])).toEqual([
      ['SHUTDOWN', 0],
      ['SHUTDOWN', 10_000],
      ['SCHEDULE_MAINTENANCE', 20_000],
    ]);
  });

  it('follows its own shutdown with maintenance, and leaves an operator-stopped asset alone', () => {
    const stopped = reading(20_000, { runState: 'STOPPED', model: 'FAILSAFE' });
    const ours = decide({
      spec,
      bounds,
      twin: twinAt(20_000, { runState: 'STOPPED' }, 0),
      reading: stopped,
      config,
    });
    expect(ours?.command.action).toBe('SCHEDULE_MAINTENANCE');
    expect(ours?.desired.runState).toBe('MAINTENANCE');
    expect(decide({ spec, bounds, twin: twinAt(20_000), reading: stopped, config })).toBeUndefined();
  });

  it('decides nothing for a failed asset or one in maintenance', () => {
    for (const runState of ['FAILED', 'MAINTENANCE'] as const) {
      const r = reading(0, { runState, risk: 0.99, temperatureC: 120 });
      expect(decide({ spec, bounds, twin: twinAt(0), reading: r, config })).toBeUndefined();
    }
  });

  it('dispatches a technician once per anomaly episode', () => {
    const { commands } = drive([
      reading(0, { score: 3.5, signals: ['vibrationMmS:cusum'] }),
      reading(20_000, { score: 4 }),
      reading(40_000, { score: 0.2 }),
      reading(60_000, { score: 3.2 }),
    ]);
    expect(commands.map((c) => [c.action, c.decidedAt, c.model])).toEqual([
      ['DISPATCH_TECHNICIAN', 0, 'RULE'],
      ['DISPATCH_TECHNICIAN', 60_000, 'RULE'],
    ]);
    expect(commands[0].reason).toBe('anomaly score 3.50 >= 3.00 on vibrationMmS:cusum');
  });

  it('with dispatchOn, dispatches only on a physical-fault signal, once per stretch of that evidence', () => {
    const cfg: PolicyConfig = {
      ...config,
      anomaly: { ...config.anomaly, dispatchAt: 1, dispatchOn: ['cooling:residual'] },
    };
    const { commands } = drive(
      [
        // A spike or a raw signal, however large, sends no one.
        reading(0, { score: 12, signals: ['temperatureC:spike', 'temperatureC:cusum'] }),
        reading(400_000, { score: 1.2, signals: ['temperatureC:cusum', 'cooling:residual'] }),
        reading(800_000, { score: 1.5, signals: ['temperatureC:cusum', 'cooling:residual'] }),
        // The evidence ends though a raw signal stays flagged: the next stretch dispatches again.
        reading(1_200_000, { score: 0.8, signals: ['temperatureC:cusum'] }),
        reading(1_600_000, { score: 1.1, signals: ['temperatureC:cusum', 'cooling:residual'] }),
      ],
      twinAt(0),
      cfg,
    );
    expect(commands.map((c) => [c.action, c.decidedAt])).toEqual([
      ['DISPATCH_TECHNICIAN', 400_000],
      ['DISPATCH_TECHNICIAN', 1_600_000],
    ]);
    expect(commands[0].reason).toBe('anomaly score 1.20 >= 1.00 on temperatureC:cusum, cooling:residual');
  });

  it('never restores while anomalies are active', () => {
    const derated = twinAt(0, { loadLimitPct: 60 });
    const r = reading(100_000, { risk: 0.01, score: 0.3, signals: ['temperatureC:z'] });
    expect(decide({ spec, bounds, twin: derated, reading: r, config })).toBeUndefined();
    const clear = reading(100_000, { risk: 0.01 });
    expect(decide({ spec, bounds, twin: derated, reading: clear, config })?.command.action).toBe(
      'RESTORE_LOAD',
    );
  });
});

describe('decide on a model failure', () => {
  const derated = twinAt(0, { loadLimitPct: 60 });
  const failures: Array<[string, ScoredReading]> = [
    ['model FAILSAFE', reading(100_000, { model: 'FAILSAFE', risk: 0 })],
    ['risk NaN', reading(100_000, { risk: Number.NaN })],
    ['risk Infinity', reading(100_000, { risk: Number.POSITIVE_INFINITY })],
    ['features null', reading(100_000, { featuresNull: true, risk: 0 })],
  ];

  it.each(failures)('never raises load (%s)', (_, r) => {
    expect(decide({ spec, bounds, twin: derated, reading: r, config })).toBeUndefined();
  });

  it.each(failures)('reduces to the fail-safe limit when configured to (%s)', (_, r) => {
    const d = decide({ spec, bounds, twin: twinAt(0), reading: r, config });
    expect(d?.command.action).toBe('REDUCE_LOAD');
    expect(d?.command.loadLimitPct).toBe(60);
    expect(d?.command.model).toBe('FAILSAFE');
    expect(Number.isFinite(d?.command.risk)).toBe(true);
  });

  it('holds the set-points when configured to hold', () => {
    const hold = { ...config, failSafe: { ...config.failSafe, onModelFailure: 'HOLD' as const } };
    const r = reading(100_000, { model: 'FAILSAFE', risk: 0 });
    expect(decide({ spec, bounds, twin: twinAt(0), reading: r, config: hold })).toBeUndefined();
  });

  it('ignores a risk at the shutdown threshold from a failed model', () => {
    const r = reading(0, { model: 'FAILSAFE', risk: 0.99 });
    expect(
      decide({ spec, bounds, twin: twinAt(0, { loadLimitPct: 60 }), reading: r, config }),
    ).toBeUndefined();
  });
});

describe('decideOnSilence', () => {
  it('reduces to the fail-safe limit, as a FAILSAFE command without source', () => {
    const d = decideOnSilence({ bounds, twin: twinAt(0), config, at: 30_000 });
    expect(d?.command).toMatchObject({
      commandId: 'a@30000:REDUCE_LOAD',
      action: 'REDUCE_LOAD',
      loadLimitPct: 60,
      model: 'FAILSAFE',
      decidedAt: 30_000,
      source: null,
      reason: 'no reading for 30000 ms (last at 0): load limit 100% -> fail-safe 60%',
    });
  });

  it('does nothing when load is already at or below the fail-safe limit', () => {
    expect(
      decideOnSilence({ bounds, twin: twinAt(0, { loadLimitPct: 40 }), config, at: 30_000 }),
    ).toBeUndefined();
  });

  it('shuts down when configured to, once', () => {
    const cfg = { ...config, failSafe: { ...config.failSafe, onStale: 'SHUTDOWN' as const } };
    expect(decideOnSilence({ bounds, twin: twinAt(0), config: cfg, at: 30_000 })?.command.action).toBe(
      'SHUTDOWN',
    );
    const stopping = twinAt(0, { runState: 'STOPPED' });
    expect(decideOnSilence({ bounds, twin: stopping, config: cfg, at: 30_000 })).toBeUndefined();
  });

  it('leaves an asset last seen not running alone', () => {
    const twin = { ...twinAt(0), reported: { ...twinAt(0).reported, runState: 'FAILED' } };
    expect(decideOnSilence({ bounds, twin, config, at: 30_000 })).toBeUndefined();
  });
});

describe('bounds', () => {
  it('clamps a reduce step to the minimum and stops there', () => {
    const near = decide({
      spec,
      bounds,
      twin: twinAt(0, { loadLimitPct: 50 }),
      reading: reading(0, { risk: 0.35 }),
      config,
    });
    expect(near?.command.loadLimitPct).toBe(40);
    const atMin = twinAt(0, { loadLimitPct: 40 });
    expect(
      decide({ spec, bounds, twin: atMin, reading: reading(0, { risk: 0.35 }), config }),
    ).toBeUndefined();
  });

  it('clamps a restore step to the maximum', () => {
    const d = decide({
      spec,
      bounds,
      twin: twinAt(0, { loadLimitPct: 90 }),
      reading: reading(100_000, { risk: 0.01 }),
      config,
    });
    expect(d?.command.loadLimitPct).toBe(100);
  });

  it('clamps the fail-safe limit into the bounds', () => {
    const cfg = { ...config, failSafe: { ...config.failSafe, loadLimitPct: 10 } };
    expect(decideOnSilence({ bounds, twin: twinAt(0), config: cfg, at: 30_000 })?.command.loadLimitPct).toBe(
      40,
    );
  });
});

describe('validatePolicyConfig', () => {
  it('accepts the defaults', () => {
    expect(() => validatePolicyConfig(config)).not.toThrow();
  });

  it.each<[string, Partial<PolicyConfig>, RegExp]>([
    ['restoreBelow', { restoreBelow: 0.4 }, /policy\.reduceAt = 0\.3: must be above restoreBelow \(0\.4\)/],
    ['shutdownAt', { shutdownAt: 0.5 }, /policy\.shutdownAt = 0\.5: must be >= maintenanceAt/],
    ['cooldownMs', { cooldownMs: -1 }, /policy\.cooldownMs = -1/],
    ['staleAfterMs', { staleAfterMs: 0 }, /policy\.staleAfterMs = 0/],
  ])('names the field at fault (%s)', (_, patch, message) => {
    expect(() => validatePolicyConfig({ ...config, ...patch })).toThrow(ControlConfigError);
    expect(() => validatePolicyConfig({ ...config, ...patch })).toThrow(message);
  });
});
