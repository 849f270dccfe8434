import fc from 'fast-check';
import { from, lastValueFrom, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type Aggregator,
  boundedOutOfOrderness,
  count,
  keyBy,
  type StreamElement,
  type StreamRecord,
  session,
  sliding,
  sum,
  tumbling,
  type WindowAssigner,
  windowAggregate,
  withEventTime,
} from '../../../../operators/index.js';
import {
  type ReferenceAssigner,
  type ReferenceInput,
  type ReferenceOutput,
  type ReferenceRecord,
  referenceWindows,
  withBoundedWatermarks,
} from './referenceWindowModel.js';

interface Reading {
  readonly id: number;
  readonly key: string | undefined;
  readonly ts: number;
  readonly v: number;
}

const NUM_RUNS = 1000;

// Few keys and a narrow time range, so windows collide, merge and go late often.
const keyArb = fc.constantFrom<string | undefined>(undefined, 'a', 'b', 'B');
const tsArb = fc.integer({ min: -6, max: 40 });
const readingArb = fc.record({ key: keyArb, ts: tsArb, v: fc.integer({ min: -5, max: 9 }) });
const latenessArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 12 }));

const tumblingArb: fc.Arbitrary<ReferenceAssigner> = fc.integer({ min: 1, max: 10 }).chain((size) =>
  fc.record({
    kind: fc.constant('tumbling' as const),
    size: fc.constant(size),
    offset: fc.integer({ min: -(size - 1), max: size - 1 }),
  }),
);

// slide <= size: every record has at least one window (with gaps between windows the
// spec and Flink disagree on whether a window-less record is "late").
const slidingArb: fc.Arbitrary<ReferenceAssigner> = fc
  .integer({ min: 1, max: 12 })
  .chain((size) => fc.record({ size: fc.constant(size), slide: fc.integer({ min: 1, max: size }) }))
  .chain(({ size, slide }) =>
    fc.record({
      kind: fc.constant('sliding' as const),
      size: fc.constant(size),
      slide: fc.constant(slide),
      offset: fc.integer({ min: -(slide - 1), max: slide - 1 }),
    }),
  );

const sessionArb: fc.Arbitrary<ReferenceAssigner> = fc.record({
  kind: fc.constant('session' as const),
  gap: fc.integer({ min: 1, max: 8 }),
});

function operatorAssigner(a: ReferenceAssigner): WindowAssigner {
  if (a.kind === 'tumbling') return tumbling(a.size, a.offset);
  if (a.kind === 'sliding') return sliding(a.size, a.slide, a.offset);
  return session(a.gap);
}

type Step = { kind: 'record'; reading: Omit<Reading, 'id'> } | { kind: 'watermark'; ts: number };

/** Records in random (hence out-of-order) event time, with watermarks interleaved, monotone or not. */
const stepsArb = fc
  .record({
    steps: fc.array(
      fc.oneof(
        { weight: 4, arbitrary: readingArb.map((reading): Step => ({ kind: 'record', reading })) },
        {
          weight: 2,
          arbitrary: fc.integer({ min: -8, max: 46 }).map((ts): Step => ({ kind: 'watermark', ts })),
        },
      ),
      { maxLength: 40 },
    ),
    monotone: fc.boolean(),
    final: fc.boolean(),
  })
  .map(({ steps, monotone, final }): Array<ReferenceInput<Reading>> => {
    const input: Array<ReferenceInput<Reading>> = [];
    let highest = Number.NEGATIVE_INFINITY;
    steps.forEach((s, id) => {
      if (s.kind === 'watermark') {
        highest = Math.max(highest, s.ts);
        input.push({ kind: 'watermark', ts: monotone ? highest : s.ts });
      } else {
        const value: Reading = { id, ...s.reading };
        input.push(
          s.reading.key === undefined
            ? { kind: 'record', value, ts: value.ts }
            : { kind: 'record', value, ts: value.ts, key: s.reading.key },
        );
      }
    });
    if (final) input.push({ kind: 'watermark', ts: Number.POSITIVE_INFINITY });
    return input;
  });

interface Case<R> {
  readonly name: string;
  readonly aggregator: () => Aggregator<Reading, unknown, R>;
  readonly result: (values: readonly Reading[]) => R;
}

const countCase: Case<number> = {
  name: 'count',
  aggregator: () => count<Reading>() as Aggregator<Reading, unknown, number>,
  result: (values) => values.length,
};

const sumCase: Case<number> = {
  name: 'sum',
  aggregator: () => sum<Reading>((r) => r.v) as Aggregator<Reading, unknown, number>,
  result: (values) => values.reduce((acc, r) => acc + r.v, 0),
};

type Logged = StreamElement<unknown> | { kind: 'late'; record: StreamRecord<Reading> };

/** Main output and late side output in one log, in the order the operator produced them. */
async function runOperator<R>(
  input: ReadonlyArray<ReferenceInput<Reading>>,
  assigner: ReferenceAssigner,
  lateness: number,
  c: Case<R>,
): Promise<Logged[]> {
  const log: Logged[] = [];
  const elements = input as ReadonlyArray<StreamElement<Reading>>;
  await lastValueFrom(
    from(elements).pipe(
      windowAggregate(operatorAssigner(assigner), c.aggregator(), {
        allowedLatenessMs: lateness,
        lateOutput: { next: (record) => log.push({ kind: 'late', record }) },
      }),
      tap((e) => log.push(e)),
      toArray(),
    ),
  );
  return log;
}

/** The same, with event time and watermarks from withEventTime(boundedOutOfOrderness) and keys from keyBy. */
async function runWithEventTime<R>(
  readings: readonly Reading[],
  bound: number,
  assigner: ReferenceAssigner,
  lateness: number,
  c: Case<R>,
): Promise<Logged[]> {
  const log: Logged[] = [];
  await lastValueFrom(
    from(readings).pipe(
      withEventTime((r: Reading) => r.ts, boundedOutOfOrderness(bound)),
      keyBy((r: Reading) => r.key ?? ''),
      windowAggregate(operatorAssigner(assigner), c.aggregator(), {
        allowedLatenessMs: lateness,
        lateOutput: { next: (record) => log.push({ kind: 'late', record }) },
      }),
      tap((e) => log.push(e)),
      toArray(),
    ),
  );
  return log;
}

function expectSameOutput<R>(actual: Logged[], expected: Array<ReferenceOutput<Reading, R>>): void {
  expect(actual).toEqual(expected);
}

const assigners: Array<[string, fc.Arbitrary<ReferenceAssigner>]> = [
  ['tumbling', tumblingArb],
  ['sliding', slidingArb],
  ['session', sessionArb],
];

describe('windowAggregate against a naive reference model of Flink event-time windows', () => {
  for (const [name, assignerArb] of assigners) {
    it(`${name}: emits exactly the reference firings, watermarks and late records (count and sum)`, async () => {
      await fc.assert(
        fc.asyncProperty(assignerArb, latenessArb, stepsArb, async (assigner, lateness, input) => {
          for (const c of [countCase, sumCase] as Case<number>[]) {
            const actual = await runOperator(input, assigner, lateness, c);
            expectSameOutput(actual, referenceWindows(input, assigner, lateness, c.result));
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it(`${name}: behind withEventTime(boundedOutOfOrderness) matches the reference fed the same watermarks`, async () => {
      await fc.assert(
        fc.asyncProperty(
          assignerArb,
          latenessArb,
          fc.integer({ min: 0, max: 10 }),
          fc.array(readingArb, { maxLength: 30 }),
          async (assigner, lateness, bound, raw) => {
            const readings: Reading[] = raw.map((r, id) => ({ id, ...r }));
            const records: Array<ReferenceRecord<Reading>> = readings.map((value) => ({
              kind: 'record',
              value,
              ts: value.ts,
              key: value.key ?? '',
            }));
            const input = withBoundedWatermarks(records, bound);
            for (const c of [countCase, sumCase] as Case<number>[]) {
              const actual = await runWithEventTime(readings, bound, assigner, lateness, c);
              expectSameOutput(actual, referenceWindows(input, assigner, lateness, c.result));
            }
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });
  }
});
