import fc from 'fast-check';
import type { OperatorFunction } from 'rxjs';
import {
  aggregate,
  count,
  type KeyedProcessFunction,
  processKeyed,
  quantiles,
  type SnapshotStore,
  type StreamElement,
  type StreamRecord,
  session,
  sliding,
  stats,
  tumbling,
  type WindowAssigner,
  windowAggregate,
} from '../../../../operators/index.js';

/**
 * Random keyed inputs (records, watermarks, barriers) and stateful operators
 * over them, shared by the snapshot/restore properties of the operators and
 * of the changelog store.
 */

export interface Reading {
  readonly id: number;
  readonly v: number;
  /** How far after the record the keyed process function sets its timer. */
  readonly delay: number;
  /** Whether the keyed process function cancels its previous timer first. */
  readonly cancel: boolean;
}

export type Logged = StreamElement<unknown> | { kind: 'late'; record: StreamRecord<Reading> };

/** Builds one fresh operator instance; late records go to `log`. */
export type OperatorFactory = (
  store: SnapshotStore,
  log: Logged[],
) => OperatorFunction<StreamElement<Reading>, StreamElement<unknown>>;

export type Item =
  | { kind: 'record'; key: string; ts: number; v: number; delay: number; cancel: boolean }
  | { kind: 'watermark'; ts: number }
  | { kind: 'barrier' };

export const itemArb: fc.Arbitrary<Item> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('record' as const),
      key: fc.constantFrom('a', 'b', 'c'),
      ts: fc.integer({ min: -6, max: 40 }),
      // Eighths: exact in binary, so sums and means do not depend on the order of additions.
      v: fc.integer({ min: -800, max: 800 }).map((x) => x / 8),
      delay: fc.integer({ min: 0, max: 8 }),
      cancel: fc.boolean(),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('watermark' as const),
      ts: fc.oneof(
        { weight: 12, arbitrary: fc.integer({ min: -8, max: 46 }) },
        fc.constant(Number.POSITIVE_INFINITY),
      ),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'barrier' as const }) },
);

/** Keyed records, explicit watermarks (monotone or not) and barriers of epochs 1, 2, … at random positions. */
export const inputArb = fc.array(itemArb, { maxLength: 45 }).map((items) => {
  const input: Array<StreamElement<Reading>> = [];
  let epoch = 0;
  items.forEach((item, id) => {
    if (item.kind === 'barrier') input.push({ kind: 'barrier', epoch: ++epoch });
    else if (item.kind === 'watermark') input.push({ kind: 'watermark', ts: item.ts });
    else {
      const value: Reading = { id, v: item.v, delay: item.delay, cancel: item.cancel };
      input.push({ kind: 'record', value, ts: item.ts, key: item.key });
    }
  });
  if (epoch === 0) input.push({ kind: 'barrier', epoch: 1 });
  return input;
});

const f = (r: Reading): number => r.v;

export const latenessArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 12 }));

export function windowFactory(assigner: WindowAssigner, lateness: number): OperatorFactory {
  return (store, log) =>
    windowAggregate(assigner, aggregate({ n: count<Reading>(), s: stats(f), q: quantiles(f, [0.5, 0.9]) }), {
      id: 'window',
      snapshots: store,
      allowedLatenessMs: lateness,
      lateOutput: { next: (record) => log.push({ kind: 'late', record }) },
    });
}

export const assignerArbs: Array<[string, fc.Arbitrary<WindowAssigner>]> = [
  [
    'tumbling',
    fc
      .integer({ min: 1, max: 10 })
      .chain((size) =>
        fc.integer({ min: -(size - 1), max: size - 1 }).map((offset) => tumbling(size, offset)),
      ),
  ],
  [
    'sliding',
    fc
      .integer({ min: 1, max: 12 })
      .chain((size) => fc.integer({ min: 1, max: size }).map((slide) => ({ size, slide })))
      .chain(({ size, slide }) =>
        fc.integer({ min: -(slide - 1), max: slide - 1 }).map((offset) => sliding(size, slide, offset)),
      ),
  ],
  ['session', fc.integer({ min: 1, max: 8 }).map((gap) => session(gap))],
];

interface Tally {
  n: number;
  sum: number;
  pending: number | null;
  followUps: number;
}

/** Keeps all of its memory in keyed state, so only a correct restore reproduces its output. */
const tallyFunction: KeyedProcessFunction<Reading, Tally, unknown> = {
  init: () => ({ n: 0, sum: 0, pending: null, followUps: 0 }),
  onRecord(r, ctx) {
    const s = ctx.state;
    s.n += 1;
    s.sum += r.v;
    if (r.cancel && s.pending !== null) ctx.deleteEventTimeTimer(s.pending);
    s.pending = ctx.timestamp + r.delay;
    ctx.registerEventTimeTimer(s.pending);
    ctx.emit({ on: 'record', key: ctx.key, n: s.n, sum: s.sum, watermark: ctx.watermark });
  },
  onTimer(t, ctx) {
    const s = ctx.state;
    ctx.emit({ on: 'timer', key: ctx.key, at: t.ts, n: s.n, sum: s.sum, watermark: ctx.watermark });
    // A bounded chain of follow-up timers (as "did the asset obey?"), so +Infinity still terminates.
    if (s.followUps < 2) {
      s.followUps += 1;
      ctx.registerEventTimeTimer(t.ts + 1 + (s.n % 3));
    }
  },
};

export const ttlArb = fc.option(fc.integer({ min: 1, max: 15 }), { nil: undefined });

export function processFactory(ttl: number | undefined): OperatorFactory {
  return (store) => processKeyed(tallyFunction, { id: 'tally', snapshots: store, stateTtlMs: ttl });
}
