import fc from 'fast-check';
import { from, lastValueFrom, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { InMemorySnapshotStore, type StreamElement } from '../../../../operators/index.js';
import {
  assignerArbs,
  inputArb,
  type Logged,
  latenessArb,
  type OperatorFactory,
  processFactory,
  type Reading,
  ttlArb,
  windowFactory,
} from './snapshotFixtures.js';

const NUM_RUNS = 300;
// A second restore only goes wrong when the first one changed restored state, which rarer inputs do.
const REPEATED_RESTORE_RUNS = 1000;

/** An input and the epoch whose barrier the crash follows. */
const caseArb = fc.tuple(inputArb, fc.nat()).map(([input, pick]) => {
  const barriers = input.filter((e) => e.kind === 'barrier');
  return { input, epoch: barriers[pick % barriers.length].epoch };
});

/**
 * Runs one fresh operator instance over `input`; it restores from `store` on
 * subscribe. When `completeEpoch` is given, that epoch is completed as soon
 * as its barrier leaves the pipeline, as the runtime does at the sink.
 */
async function run(
  input: ReadonlyArray<StreamElement<Reading>>,
  factory: OperatorFactory,
  store: InMemorySnapshotStore,
  completeEpoch?: number,
): Promise<Logged[]> {
  const log: Logged[] = [];
  await lastValueFrom(
    from(input).pipe(
      factory(store, log),
      tap((e) => {
        log.push(e);
        if (e.kind === 'barrier' && e.epoch === completeEpoch) store.complete(e.epoch);
      }),
      toArray(),
    ),
  );
  return log;
}

function barrierIndex<T>(elements: ReadonlyArray<StreamElement<T> | Logged>, epoch: number): number {
  return elements.findIndex((e) => e.kind === 'barrier' && e.epoch === epoch);
}

/**
 * Crashes right after barrier `epoch` reached the end of the pipeline and
 * restores: the output up to that barrier plus the restored run's output
 * must be the uninterrupted run's output, exactly. `restores` > 1 crashes
 * again before any later epoch completes and restores from the same epoch.
 */
async function checkRestore(
  input: ReadonlyArray<StreamElement<Reading>>,
  epoch: number,
  factory: OperatorFactory,
  restores: number,
): Promise<void> {
  const uninterrupted = await run(input, factory, new InMemorySnapshotStore());

  const store = new InMemorySnapshotStore();
  const cut = barrierIndex(input, epoch);
  const beforeCrash = await run(input.slice(0, cut + 1), factory, store, epoch);
  expect(store.completedEpoch).toBe(epoch);
  const delivered = beforeCrash.slice(0, barrierIndex(beforeCrash, epoch) + 1);

  for (let i = 0; i < restores; i++) {
    const afterRestore = await run(input.slice(cut + 1), factory, store);
    expect([...delivered, ...afterRestore]).toEqual(uninterrupted);
  }
}

describe('snapshot/restore at a barrier replays exactly as an uninterrupted run', () => {
  for (const [name, assignerArb] of assignerArbs) {
    it(`windowAggregate(${name}) with count, stats and quantiles`, async () => {
      await fc.assert(
        fc.asyncProperty(assignerArb, latenessArb, caseArb, async (assigner, lateness, { input, epoch }) => {
          await checkRestore(input, epoch, windowFactory(assigner, lateness), 1);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  }

  it('processKeyed with event-time timers and state TTL', async () => {
    await fc.assert(
      fc.asyncProperty(ttlArb, caseArb, async (ttl, { input, epoch }) => {
        await checkRestore(input, epoch, processFactory(ttl), 1);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('restoring twice from the same completed epoch (a second crash before the next one completes)', () => {
  for (const [name, assignerArb] of assignerArbs) {
    it(`windowAggregate(${name}) replays identically both times`, async () => {
      await fc.assert(
        fc.asyncProperty(assignerArb, latenessArb, caseArb, async (assigner, lateness, { input, epoch }) => {
          await checkRestore(input, epoch, windowFactory(assigner, lateness), 2);
        }),
        { numRuns: REPEATED_RESTORE_RUNS },
      );
    });
  }

  it('processKeyed replays identically both times', async () => {
    await fc.assert(
      fc.asyncProperty(ttlArb, caseArb, async (ttl, { input, epoch }) => {
        await checkRestore(input, epoch, processFactory(ttl), 2);
      }),
      { numRuns: REPEATED_RESTORE_RUNS },
    );
  });
});
