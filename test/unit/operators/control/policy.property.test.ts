import fc from 'fast-check';
import { from, lastValueFrom, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Command, TwinState } from '../../../../operators/control/contracts.js';
import {
  decide,
  isAnomalyActive,
  isModelFailure,
  type PolicyMemory,
} from '../../../../operators/control/policy.js';
import type { ScoredReading } from '../../../../operators/control/scoredReading.js';
import { type TwinOutput, twinController } from '../../../../operators/control/twinController.js';
import { InMemorySnapshotStore, processKeyed, type StreamElement } from '../../../../operators/index.js';
import type { ModelUsed } from '../../../../operators/scoring/riskModel.js';
import { bounds, config, type ReadingOptions, reading, spec, twinAt } from './fixtures.js';

const riskArb = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
  fc.constantFrom(0.29, 0.31, 0.61, 0.91, Number.NaN, Number.POSITIVE_INFINITY, -1, 2),
);
const modelArb = fc.constantFrom<ModelUsed>('SURROGATE', 'PHYSICS', 'RULE', 'FAILSAFE');
const readingOptionsArb: fc.Arbitrary<ReadingOptions> = fc.record({
  risk: riskArb,
  model: modelArb,
  score: fc.oneof(fc.double({ min: 0, max: 5, noNaN: true }), fc.constant(Number.NaN)),
  signals: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, fc.constant(['vibrationMmS:cusum'])),
  temperatureC: fc.oneof(
    { weight: 4, arbitrary: fc.double({ min: 20, max: 110, noNaN: true }) },
    fc.constant(null),
  ),
  runState: fc.constantFrom(
    'RUNNING',
    'RUNNING',
    'RUNNING',
    'IDLE',
    'STOPPED',
    'MAINTENANCE',
    'FAILED' as const,
  ),
  loadLimitPct: fc.oneof(fc.constant(null), fc.constantFrom(40, 60, 80, 100)),
  featuresNull: fc.integer({ min: 0, max: 9 }).map((x) => x === 0),
});

/** Whether a command raises load above the limit in force. */
function raises(c: Command, desired: number | null): boolean {
  const current = desired ?? bounds.maxLoadLimitPct;
  return c.action === 'RESTORE_LOAD' || (c.loadLimitPct !== null && c.loadLimitPct > current);
}

describe('decide (property)', () => {
  it('keeps set-points in bounds and never raises load with a failed model or active anomalies', () => {
    fc.assert(
      fc.property(
        readingOptionsArb,
        fc.oneof(fc.constant(null), fc.double({ min: -50, max: 200 }), fc.constant(Number.NaN)),
        fc.constantFrom(null, 'STOPPED', 'MAINTENANCE'),
        fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 200_000 })),
        fc.record({
          reducedAtRisk: fc.oneof(fc.constant(null), fc.double({ min: 0, max: 1 })),
          dispatched: fc.boolean(),
        }),
        (o, desiredLimit, desiredRun, lastCommandAt, memory: PolicyMemory) => {
          const r = reading(200_000, o);
          const twin: TwinState = twinAt(
            200_000,
            { loadLimitPct: desiredLimit, runState: desiredRun },
            lastCommandAt,
          );
          const d = decide({ spec, bounds, twin, reading: r, config, memory });
          if (d === undefined) return;
          const limit = d.command.loadLimitPct;
          if (limit !== null) {
            expect(limit).toBeGreaterThanOrEqual(bounds.minLoadLimitPct);
            expect(limit).toBeLessThanOrEqual(bounds.maxLoadLimitPct);
          }
          expect(Number.isFinite(d.command.risk)).toBe(true);
          const current = desiredLimit === null || Number.isNaN(desiredLimit) ? null : desiredLimit;
          const clampedCurrent =
            current === null
              ? null
              : Math.min(bounds.maxLoadLimitPct, Math.max(bounds.minLoadLimitPct, current));
          if (isModelFailure(r) || isAnomalyActive(r.anomaly, config)) {
            expect(raises(d.command, clampedCurrent)).toBe(false);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

type Item =
  | {
      kind: 'reading';
      asset: 'a' | 'b';
      dt: number;
      back: boolean;
      o: ReadingOptions;
    }
  | { kind: 'watermark'; dt: number }
  | { kind: 'barrier' };

const itemArb: fc.Arbitrary<Item> = fc.oneof(
  {
    weight: 10,
    arbitrary: fc.record({
      kind: fc.constant('reading' as const),
      asset: fc.constantFrom('a' as const, 'b' as const),
      dt: fc.integer({ min: 1, max: 15_000 }),
      back: fc.integer({ min: 0, max: 19 }).map((x) => x === 0),
      o: readingOptionsArb,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('watermark' as const),
      dt: fc.integer({ min: 0, max: 60_000 }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'barrier' as const }) },
);

/** Readings in event-time order (with a few out of order), watermarks trailing the latest by 1 ms, barriers. */
function elements(items: Item[]): Array<StreamElement<ScoredReading>> {
  const out: Array<StreamElement<ScoredReading>> = [];
  let ts = 0;
  let wm = Number.NEGATIVE_INFINITY;
  let epoch = 0;
  for (const item of items) {
    if (item.kind === 'barrier') out.push({ kind: 'barrier', epoch: ++epoch });
    else if (item.kind === 'watermark') {
      wm = Math.max(wm, ts + item.dt);
      ts = Math.max(ts, wm);
      out.push({ kind: 'watermark', ts: wm });
    } else {
      ts += item.dt;
      const at = item.back ? Math.max(0, ts - 20_000) : ts;
      out.push({
        kind: 'record',
        value: reading(at, { ...item.o, assetId: item.asset }),
        ts: at,
        key: item.asset,
      });
      if (!item.back && ts - 1 > wm) {
        wm = ts - 1;
        out.push({ kind: 'watermark', ts: wm });
      }
    }
  }
  if (epoch === 0) out.push({ kind: 'barrier', epoch: 1 });
  return out;
}

async function runController(
  input: Array<StreamElement<ScoredReading>>,
  store: InMemorySnapshotStore,
  completeEpoch?: number,
): Promise<Array<StreamElement<TwinOutput>>> {
  const deps = { specOf: () => spec, boundsOf: () => bounds, policy: config, outcomeTimeoutMs: 5_000 };
  return lastValueFrom(
    from(input).pipe(
      processKeyed(twinController(deps), { id: 'twin', snapshots: store }),
      tap((e) => {
        if (e.kind === 'barrier' && e.epoch === completeEpoch) store.complete(e.epoch);
      }),
      toArray(),
    ),
  );
}

describe('twinController (property)', () => {
  it('never commands a load limit outside bounds, nor raises load on a failed model or active anomalies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(itemArb, { maxLength: 80, size: 'max' }), async (items) => {
        const input = elements(items);
        const byTime = new Map<string, ScoredReading>();
        for (const e of input) if (e.kind === 'record') byTime.set(`${e.key}@${e.ts}`, e.value);
        const out = await runController(input, new InMemorySnapshotStore());
        const desired = new Map<string, number | null>();
        for (const e of out) {
          if (e.kind !== 'record') continue;
          const o = e.value;
          if (o.type === 'state') desired.set(o.state.assetId, o.state.desired.loadLimitPct);
          if (o.type !== 'command') continue;
          const c = o.command;
          if (c.loadLimitPct !== null) {
            expect(c.loadLimitPct).toBeGreaterThanOrEqual(bounds.minLoadLimitPct);
            expect(c.loadLimitPct).toBeLessThanOrEqual(bounds.maxLoadLimitPct);
          }
          if (!raises(c, desired.get(c.assetId) ?? null)) continue;
          // Only a sound reading may raise load: never a timer, a failed model or an active anomaly.
          expect(c.source).not.toBeNull();
          const r = byTime.get(`${c.assetId}@${c.decidedAt}`);
          expect(r).toBeDefined();
          expect(isModelFailure(r!)).toBe(false);
          expect(isAnomalyActive(r!.anomaly, config)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('restored after any barrier, continues exactly as an uninterrupted run', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(itemArb, { maxLength: 80, size: 'max' }), fc.nat(), async (items, pick) => {
        const input = elements(items);
        const barriers = input.filter((e) => e.kind === 'barrier');
        const epoch = barriers[pick % barriers.length].epoch;
        const uninterrupted = await runController(input, new InMemorySnapshotStore());
        const store = new InMemorySnapshotStore();
        const cut = input.findIndex((e) => e.kind === 'barrier' && e.epoch === epoch);
        const before = await runController(input.slice(0, cut + 1), store, epoch);
        const after = await runController(input.slice(cut + 1), store);
        expect([...before, ...after]).toEqual(uninterrupted);
      }),
      { numRuns: 300 },
    );
  });
});
