import fc from 'fast-check';
import { from, lastValueFrom, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type ChangelogMessage,
  KafkaChangelogSnapshotStore,
} from '../../../../connectors/kafka/changelogSnapshotStore.js';
import type { OperatorSnapshot, SnapshotStore, StreamElement } from '../../../../operators/index.js';
import {
  assignerArbs,
  inputArb,
  latenessArb,
  type OperatorFactory,
  processFactory,
  type Reading,
  ttlArb,
  windowFactory,
} from '../../operators/state/snapshotFixtures.js';
import { asRecords } from './changelogFixtures.js';

const NUM_RUNS = 300;
const TOPIC = 'state';

/** The same store seen as one that takes full snapshots only: every key at every barrier, diffed by the store. */
function fullOnly(store: KafkaChangelogSnapshotStore): SnapshotStore {
  return { save: (s: OperatorSnapshot) => store.save(s), load: (id: string) => store.load(id) };
}

/** Runs a fresh operator over `input` with `store`; returns each barrier's changelog messages, by epoch order. */
async function changelogOf(
  input: ReadonlyArray<StreamElement<Reading>>,
  factory: OperatorFactory,
  store: KafkaChangelogSnapshotStore,
  operatorStore: SnapshotStore = store,
): Promise<ChangelogMessage[][]> {
  const epochs: ChangelogMessage[][] = [];
  await lastValueFrom(
    from(input).pipe(
      factory(operatorStore, []),
      tap((e) => {
        if (e.kind === 'barrier') epochs.push(store.takeMessages(e.epoch));
      }),
      toArray(),
    ),
  );
  return epochs;
}

/** What a restore of the messages so far would hand the operator: its keys, sorted, and its watermark. */
function compacted(messages: readonly ChangelogMessage[]): unknown {
  const reader = new KafkaChangelogSnapshotStore({ topic: TOPIC });
  reader.restoreFrom(asRecords(messages));
  const snapshots = ['window', 'tally'].map((id) => reader.load(id));
  return snapshots.map((s) =>
    s === undefined
      ? undefined
      : { watermark: s.watermark, keys: [...s.keys].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) },
  );
}

/**
 * After every epoch, the changelog written from incremental snapshots (the
 * keys each epoch touched) restores to the same state as the one written
 * from full snapshots; and so it does after a crash and a restore, whose
 * first incremental epochs must tombstone restored keys that go away.
 */
async function checkIncremental(
  input: ReadonlyArray<StreamElement<Reading>>,
  factory: OperatorFactory,
  crashAfter: number,
) {
  const fullStore = new KafkaChangelogSnapshotStore({ topic: TOPIC });
  const full = await changelogOf(input, factory, fullStore, fullOnly(fullStore));
  const incremental = await changelogOf(input, factory, new KafkaChangelogSnapshotStore({ topic: TOPIC }));
  expect(incremental.length).toBe(full.length);
  for (let epoch = 1; epoch <= full.length; epoch++) {
    expect(compacted(incremental.slice(0, epoch).flat())).toEqual(compacted(full.slice(0, epoch).flat()));
  }

  // A crash after barrier `crashAfter`: a fresh store restores what the changelog holds, a fresh operator goes on.
  const cut = input.findIndex((e) => e.kind === 'barrier' && e.epoch === crashAfter);
  const before = incremental.slice(0, crashAfter).flat();
  const restored = new KafkaChangelogSnapshotStore({ topic: TOPIC });
  restored.restoreFrom(asRecords(before));
  const after = await changelogOf(input.slice(cut + 1), factory, restored);
  expect(compacted([...before, ...after.flat()])).toEqual(compacted(full.flat()));
}

const caseArb = fc.tuple(inputArb, fc.nat()).map(([input, pick]) => {
  const barriers = input.filter((e) => e.kind === 'barrier');
  return { input, crashAfter: barriers[pick % barriers.length].epoch };
});

describe('incremental snapshots into the changelog restore to the same state as full ones', () => {
  for (const [name, assignerArb] of assignerArbs) {
    it(`windowAggregate(${name})`, async () => {
      await fc.assert(
        fc.asyncProperty(
          assignerArb,
          latenessArb,
          caseArb,
          async (assigner, lateness, { input, crashAfter }) => {
            await checkIncremental(input, windowFactory(assigner, lateness), crashAfter);
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });
  }

  it('processKeyed with event-time timers and state TTL', async () => {
    await fc.assert(
      fc.asyncProperty(ttlArb, caseArb, async (ttl, { input, crashAfter }) => {
        await checkIncremental(input, processFactory(ttl), crashAfter);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

describe('an incremental epoch writes only what it touched', () => {
  it('one record of one key out of many: one state message and the watermark', async () => {
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC });
    const input: StreamElement<Reading>[] = [];
    for (let k = 0; k < 50; k++) {
      input.push({ kind: 'record', value: { id: k, v: 1, delay: 100, cancel: false }, ts: 1, key: `k${k}` });
    }
    input.push({ kind: 'barrier', epoch: 1 });
    input.push({ kind: 'record', value: { id: 99, v: 2, delay: 100, cancel: false }, ts: 2, key: 'k7' });
    input.push({ kind: 'barrier', epoch: 2 });
    const epochs = await changelogOf(input, processFactory(undefined), store);
    expect(epochs[0].length).toBe(51);
    expect(epochs[1].map((m) => m.key.toString())).toEqual(['tally/k/k7', 'tally/w']);
    expect(store.savedStats()).toEqual([{ operatorId: 'tally', keys: 50, bytes: expect.any(Number) }]);
  });
});
