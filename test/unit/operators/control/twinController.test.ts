import { from, lastValueFrom, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { ControlConfigError } from '../../../../operators/control/controlConfigError.js';
import type { ScoredReading } from '../../../../operators/control/scoredReading.js';
import { type TwinOutput, twinController } from '../../../../operators/control/twinController.js';
import { InMemorySnapshotStore, processKeyed, type StreamElement } from '../../../../operators/index.js';
import { bounds, config, type ReadingOptions, reading, spec } from './fixtures.js';

const TIMEOUT = 5_000;
const deps = { specOf: () => spec, boundsOf: () => bounds, policy: config, outcomeTimeoutMs: TIMEOUT };

type In = StreamElement<ScoredReading>;

/** A reading record for asset `o.assetId ?? 'a'` followed by a watermark at its time. */
function at(ts: number, o: ReadingOptions = {}): In[] {
  const r = reading(ts, o);
  return [
    { kind: 'record', value: r, ts, key: r.telemetry.assetId },
    { kind: 'watermark', ts },
  ];
}

async function run(input: In[], store?: InMemorySnapshotStore, completeEpoch?: number) {
  const op = processKeyed(twinController(deps), store ? { id: 'twin', snapshots: store } : {});
  return lastValueFrom(
    from(input).pipe(
      op,
      tap((e) => {
        if (store && e.kind === 'barrier' && e.epoch === completeEpoch) store.complete(e.epoch);
      }),
      toArray(),
    ),
  );
}

function outputs(out: Array<StreamElement<TwinOutput>>): TwinOutput[] {
  return out.flatMap((e) => (e.kind === 'record' ? [e.value] : []));
}

/** Commands and alerts in order, as compact tuples. */
function events(out: Array<StreamElement<TwinOutput>>): Array<[string, string, number]> {
  return outputs(out).flatMap((o): Array<[string, string, number]> => {
    if (o.type === 'command') return [['command', o.command.action, o.command.decidedAt]];
    if (o.type === 'alert') return [['alert', o.alert.kind, o.alert.ts]];
    return [];
  });
}

function lastState(out: Array<StreamElement<TwinOutput>>) {
  const states = outputs(out).flatMap((o) => (o.type === 'state' ? [o.state] : []));
  return states[states.length - 1];
}

/** Readings every second from `from` to `to` inclusive. */
function each(fromTs: number, toTs: number, o: (ts: number) => ReadingOptions = () => ({})): In[] {
  const input: In[] = [];
  for (let ts = fromTs; ts <= toTs; ts += 1_000) input.push(...at(ts, o(ts)));
  return input;
}

describe('twinController', () => {
  it('emits alert, command and state for a reading that crosses the reduce threshold', async () => {
    const out = outputs(await run([...at(0), ...at(1_000, { risk: 0.35 })]));
    expect(out.map((o) => o.type)).toEqual(['state', 'alert', 'command', 'state']);
    const [, alert, command, state] = out;
    expect(alert).toEqual({
      type: 'alert',
      alert: {
        alertId: 'a@1000:RISK',
        assetId: 'a',
        ts: 1_000,
        severity: 'warning',
        kind: 'RISK',
        reason: 'failure risk 0.35 over 6 h (SURROGATE) >= 0.3',
        value: 0.35,
      },
    });
    expect(command.type === 'command' && command.command).toMatchObject({
      commandId: 'a@1000:REDUCE_LOAD',
      loadLimitPct: 80,
      source: { topic: 'telemetry', partition: 0, offset: '1000' },
    });
    expect(state.type === 'state' && state.state).toMatchObject({
      assetId: 'a',
      ts: 1_000,
      lastSeen: 1_000,
      mode: 'DERATED',
      desired: { loadLimitPct: 80, runState: null },
      reported: { loadLimitPct: null, runState: 'RUNNING', temperatureC: 60 },
      health: { risk: 0.35, model: 'SURROGATE', wearEstimate: 0.2 },
      lastCommandId: 'a@1000:REDUCE_LOAD',
      lastCommandAt: 1_000,
      readings: 2,
    });
  });

  it('counts a command obeyed as soon as a reading shows it applied', async () => {
    const out = await run([
      ...at(0, { risk: 0.35 }),
      ...at(1_000, { risk: 0.25 }),
      ...at(2_000, { risk: 0.25, loadLimitPct: 80 }),
      ...each(3_000, 9_000, () => ({ risk: 0.25, loadLimitPct: 80 })),
    ]);
    expect(events(out)).toEqual([
      ['alert', 'RISK', 0],
      ['command', 'REDUCE_LOAD', 0],
    ]);
    expect(lastState(out)).toMatchObject({ commandsObeyed: 1, commandsIgnored: 0, commandsTimedOut: 0 });
  });

  it('counts a command ignored at its timeout when readings arrived but never showed it applied', async () => {
    const out = await run([...at(0, { risk: 0.35 }), ...each(1_000, 6_000, () => ({ risk: 0.25 }))]);
    expect(events(out)).toEqual([
      ['alert', 'RISK', 0],
      ['command', 'REDUCE_LOAD', 0],
      ['alert', 'COMMAND_IGNORED', 5_000],
    ]);
    const alert = outputs(out).find((o) => o.type === 'alert' && o.alert.kind === 'COMMAND_IGNORED');
    expect(alert?.type === 'alert' && alert.alert).toEqual({
      alertId: 'a@5000:COMMAND_IGNORED:a@0:REDUCE_LOAD',
      assetId: 'a',
      ts: 5_000,
      severity: 'warning',
      kind: 'COMMAND_IGNORED',
      reason:
        'REDUCE_LOAD to 80% (a@0:REDUCE_LOAD) not applied after 5 readings in 5000 ms: reported load limit none, run state RUNNING',
      value: 5,
    });
    expect(lastState(out)).toMatchObject({ commandsObeyed: 0, commandsIgnored: 1, commandsTimedOut: 0 });
  });

  it('times a command out when no reading follows, then goes STALE with the fail-safe, and resumes', async () => {
    const out = await run([
      ...at(0, { risk: 0.35 }),
      { kind: 'watermark', ts: 60_000 },
      ...at(70_000, { risk: 0.05, loadLimitPct: 60 }),
    ]);
    expect(events(out)).toEqual([
      ['alert', 'RISK', 0],
      ['command', 'REDUCE_LOAD', 0],
      ['alert', 'COMMAND_TIMED_OUT', 5_000],
      ['alert', 'DATA_STALE', 30_000],
      ['command', 'REDUCE_LOAD', 30_000],
      ['alert', 'COMMAND_TIMED_OUT', 35_000],
      ['alert', 'DATA_RESUMED', 70_000],
      ['command', 'RESTORE_LOAD', 70_000],
    ]);
    const failSafe = outputs(out).find((o) => o.type === 'command' && o.command.decidedAt === 30_000);
    expect(failSafe?.type === 'command' && failSafe.command).toMatchObject({
      commandId: 'a@30000:REDUCE_LOAD',
      loadLimitPct: 60,
      model: 'FAILSAFE',
      source: null,
    });
    const states = outputs(out).flatMap((o) => (o.type === 'state' ? [o.state] : []));
    expect(states.map((s) => [s.ts, s.mode, s.commandsTimedOut])).toEqual([
      [0, 'DERATED', 0],
      [5_000, 'DERATED', 1],
      [30_000, 'STALE', 1],
      [35_000, 'STALE', 2],
      [70_000, 'DERATED', 2],
    ]);
    expect(states[3].desired.loadLimitPct).toBe(60);
    expect(states[4].desired.loadLimitPct).toBe(80);
  });

  it('judges a command only by readings up to its deadline', async () => {
    const out = await run([...at(0, { risk: 0.35 }), ...at(10_000, { risk: 0.25, loadLimitPct: 80 })]);
    expect(events(out)).toEqual([
      ['alert', 'RISK', 0],
      ['command', 'REDUCE_LOAD', 0],
      ['alert', 'COMMAND_TIMED_OUT', 5_000],
    ]);
    expect(lastState(out)).toMatchObject({ commandsObeyed: 0, commandsTimedOut: 1 });
  });

  it('keeps one silence timer per asset: steady readings never go stale', async () => {
    const out = await run(each(0, 120_000));
    expect(events(out)).toEqual([]);
    expect(lastState(out).mode).toBe('NORMAL');
  });

  it('ignores an out-of-order reading except for counting it', async () => {
    const out = await run([
      { kind: 'record', value: reading(5_000), ts: 5_000, key: 'a' },
      { kind: 'record', value: reading(4_000, { risk: 0.95, temperatureC: 150 }), ts: 4_000, key: 'a' },
    ]);
    expect(events(out)).toEqual([]);
    expect(lastState(out)).toMatchObject({
      ts: 5_000,
      lastSeen: 5_000,
      readings: 2,
      reported: { temperatureC: 60 },
    });
  });

  it('goes shutdown -> maintenance -> derated -> restored through the loop', async () => {
    const out = await run([
      ...at(0, { risk: 0.95 }),
      ...at(1_000, { risk: 0.95, runState: 'STOPPED', model: 'FAILSAFE' }),
      ...at(10_000, { runState: 'STOPPED', model: 'FAILSAFE' }),
      ...at(11_000, { runState: 'MAINTENANCE', model: 'FAILSAFE' }),
      ...at(21_000, { risk: 0.35 }),
      ...at(22_000, { risk: 0.25, loadLimitPct: 80 }),
      ...at(40_000, { risk: 0.05, loadLimitPct: 80 }),
    ]);
    expect(events(out)).toEqual([
      ['alert', 'RISK', 0],
      ['command', 'SHUTDOWN', 0],
      ['alert', 'MODEL_FAILURE', 1_000],
      ['command', 'SCHEDULE_MAINTENANCE', 10_000],
      ['command', 'REDUCE_LOAD', 21_000],
      ['command', 'RESTORE_LOAD', 40_000],
    ]);
    const states = outputs(out).flatMap((o) => (o.type === 'state' ? [o.state] : []));
    expect(states.map((s) => s.mode)).toEqual([
      'SHUTDOWN',
      'SHUTDOWN',
      'SHUTDOWN',
      'MAINTENANCE',
      'DERATED',
      'DERATED',
      'NORMAL',
    ]);
    expect(lastState(out)).toMatchObject({
      commandsObeyed: 3,
      desired: { runState: null, loadLimitPct: 100 },
    });
  });

  it('keeps assets apart', async () => {
    const out = await run([...at(0, { assetId: 'x', risk: 0.35 }), ...at(0, { assetId: 'y' })]);
    const commands = outputs(out).flatMap((o) => (o.type === 'command' ? [o.command.commandId] : []));
    expect(commands).toEqual(['x@0:REDUCE_LOAD']);
  });

  it('rejects a bad outcome timeout at construction', () => {
    expect(() => twinController({ ...deps, outcomeTimeoutMs: 0 })).toThrow(ControlConfigError);
  });
});

describe('twinController snapshot and restore', () => {
  const script: In[] = [
    ...at(0),
    ...at(1_000, { risk: 0.35 }),
    { kind: 'barrier', epoch: 1 },
    ...at(2_000, { risk: 0.35, score: 3.5, signals: ['vibrationMmS:cusum'] }),
    ...at(3_000, { risk: 0.25, loadLimitPct: 80, assetId: 'b' }),
    { kind: 'barrier', epoch: 2 },
    ...at(4_000, { risk: 0.25 }),
    ...at(12_000, { risk: 0.65, assetId: 'b' }),
    { kind: 'barrier', epoch: 3 },
    { kind: 'watermark', ts: 50_000 },
    { kind: 'barrier', epoch: 4 },
    ...at(60_000, { risk: 0.05, loadLimitPct: 60 }),
    ...at(61_000, { risk: 0.05, loadLimitPct: 60, assetId: 'b' }),
    { kind: 'barrier', epoch: 5 },
  ];

  it('gives the same output with deterministic ids on every run', async () => {
    expect(await run(script)).toEqual(await run(script));
  });

  it.each([1, 2, 3, 4])(
    'restored after barrier %i, continues exactly as an uninterrupted run',
    async (epoch) => {
      const uninterrupted = await run(script, new InMemorySnapshotStore());
      const store = new InMemorySnapshotStore();
      const cut = script.findIndex((e) => e.kind === 'barrier' && e.epoch === epoch);
      const before = await run(script.slice(0, cut + 1), store, epoch);
      const after = await run(script.slice(cut + 1), store);
      expect([...before, ...after]).toEqual(uninterrupted);
      expect(events(uninterrupted).length).toBeGreaterThan(6);
    },
  );
});
