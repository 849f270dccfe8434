import { describe, expect, it } from 'vitest';
import {
  type ChangelogMessage,
  ChangelogSnapshotError,
  KafkaChangelogSnapshotStore,
} from '../../../../connectors/kafka/changelogSnapshotStore.js';
import { asRecords, snapshot } from './changelogFixtures.js';

const TOPIC = 'state';

/** The messages as (key, partition, parsed value), for readable assertions. */
function decoded(messages: readonly ChangelogMessage[]): [string, number | undefined, unknown][] {
  return messages.map((m) => [
    m.key.toString(),
    m.partition,
    m.value === null ? null : JSON.parse(m.value.toString()),
  ]);
}

/** A partitionOf over a mutable map, as a job keeps the input partition of each key it has seen. */
function partitions(entries: [string, number][]) {
  const map = new Map(entries);
  return { map, partitionOf: (key: string) => map.get(key) };
}

describe('KafkaChangelogSnapshotStore, partitioned mode: save / takeMessages', () => {
  it("sends each key's messages to its input partition and writes no watermark", () => {
    const { partitionOf } = partitions([
      ['pump-1', 0],
      ['pump-2', 3],
    ]);
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC, partitionOf });
    store.save(
      snapshot('win', 1, 1_000, [
        ['pump-1', { n: 1 }],
        ['pump-2', { n: 2 }],
      ]),
    );
    const messages = store.takeMessages(1);
    expect(messages.every((m) => m.topic === TOPIC)).toBe(true);
    expect(decoded(messages)).toEqual([
      ['win/k/pump-1', 0, { epoch: 1, state: { n: 1 } }],
      ['win/k/pump-2', 3, { epoch: 1, state: { n: 2 } }],
    ]);
  });

  it('queues nothing for an epoch in which no key changed', () => {
    const { partitionOf } = partitions([['a', 1]]);
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC, partitionOf });
    store.save(snapshot('win', 1, 10, [['a', 1]]));
    store.takeMessages(1);
    store.save(snapshot('win', 2, 20, [['a', 1]]));
    expect(store.takeMessages(2)).toEqual([]);
  });

  it('writes changes and tombstones on the partition of their key', () => {
    const { partitionOf } = partitions([
      ['a', 0],
      ['b', 1],
      ['c', 2],
    ]);
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC, partitionOf });
    store.save(
      snapshot('win', 1, null, [
        ['a', 1],
        ['b', 2],
      ]),
    );
    store.takeMessages(1);
    store.save(
      snapshot('win', 2, null, [
        ['a', 10],
        ['c', 3],
      ]),
    );
    expect(decoded(store.takeMessages(2))).toEqual([
      ['win/k/a', 0, { epoch: 2, state: 10 }],
      ['win/k/c', 2, { epoch: 2, state: 3 }],
      ['win/k/b', 1, null],
    ]);
  });

  it('refuses a key with no known input partition, naming epoch, operator and key', () => {
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC, partitionOf: () => undefined });
    let error: unknown;
    try {
      store.save(snapshot('win', 4, null, [['pump-9', 1]]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ChangelogSnapshotError);
    expect((error as ChangelogSnapshotError).retriable).toBe(false);
    expect((error as Error).message).toBe(
      'snapshot of epoch 4, operator win: no input partition is known for key "pump-9"',
    );
  });

  it('refuses the tombstone of a key whose partition is forgotten and was not restored from Kafka', () => {
    const { map, partitionOf } = partitions([['a', 0]]);
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC, partitionOf });
    store.save(snapshot('win', 1, null, [['a', 1]]));
    store.takeMessages(1);
    map.delete('a');
    expect(() => store.save(snapshot('win', 2, null, []))).toThrow(/no input partition is known for key "a"/);
  });

  it('still refuses an operator id with a "/"', () => {
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC, partitionOf: () => 0 });
    expect(() => store.save(snapshot('a/b', 1, null, [['k', 1]]))).toThrow(ChangelogSnapshotError);
  });

  it('leaves messages unpartitioned without partitionOf', () => {
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC });
    store.save(snapshot('win', 1, 5, [['a', 1]]));
    for (const m of store.takeMessages(1)) expect(m).not.toHaveProperty('partition');
  });
});

describe('KafkaChangelogSnapshotStore, partitioned mode: apply / load', () => {
  it('restores the latest state and epoch per operator, with no watermark', () => {
    const { partitionOf } = partitions([
      ['a', 0],
      ['b', 1],
    ]);
    const writer = new KafkaChangelogSnapshotStore({ topic: TOPIC, partitionOf });
    const log: ChangelogMessage[] = [];
    writer.save(
      snapshot('win', 1, 100, [
        ['a', { n: 1 }],
        ['b', { n: 1 }],
      ]),
    );
    log.push(...writer.takeMessages(1));
    writer.save(
      snapshot('win', 2, 200, [
        ['a', { n: 1 }],
        ['b', { n: 2 }],
      ]),
    );
    log.push(...writer.takeMessages(2));

    const reader = new KafkaChangelogSnapshotStore({ topic: TOPIC, partitionOf });
    expect(reader.apply(asRecords(log))).toBe(3);
    const loaded = reader.load('win')!;
    // The watermark is the restored instance's to regenerate from the replayed input.
    expect(loaded).toEqual({
      operatorId: 'win',
      epoch: 2,
      watermark: null,
      keys: [
        ['a', { n: 1 }],
        ['b', { n: 2 }],
      ],
    });
  });

  it('gives an instance that reads only its partitions only the keys of those partitions', () => {
    const { partitionOf } = partitions([
      ['a', 0],
      ['b', 1],
      ['c', 0],
    ]);
    const writer = new KafkaChangelogSnapshotStore({ topic: TOPIC, partitionOf });
    writer.save(
      snapshot('win', 1, null, [
        ['a', 'A'],
        ['b', 'B'],
        ['c', 'C'],
      ]),
    );
    writer.save(snapshot('agg', 1, null, [['b', 7]]));
    const log = writer.takeMessages(1);
    const ofPartition = (p: number) => asRecords(log.filter((m) => m.partition === p));

    const zero = new KafkaChangelogSnapshotStore({ topic: TOPIC, partitionOf });
    zero.apply(ofPartition(0));
    expect(zero.load('win')?.keys).toEqual([
      ['a', 'A'],
      ['c', 'C'],
    ]);
    expect(zero.load('agg')).toBeUndefined();

    const one = new KafkaChangelogSnapshotStore({ topic: TOPIC, partitionOf });
    one.apply(ofPartition(1));
    expect(one.load('win')?.keys).toEqual([['b', 'B']]);
    expect(one.load('agg')?.keys).toEqual([['b', 7]]);
  });

  it('diffs the first save after a restore against it, tombstoning gone keys on their partition', () => {
    const { partitionOf } = partitions([
      ['a', 2],
      ['b', 5],
    ]);
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC, partitionOf });
    store.apply([
      { key: 'win/k/a', value: '{"epoch":1,"state":1}' },
      { key: 'win/k/b', value: '{"epoch":1,"state":2}' },
    ]);
    store.save(snapshot('win', 2, 50, [['a', 1]]));
    expect(decoded(store.takeMessages(2))).toEqual([['win/k/b', 5, null]]);
  });

  it('needs partitionOf for the tombstone of a key restored through apply, which carries no partition', () => {
    // Records given to apply have no partition, so they leave no fallback;
    // only restore's own read from Kafka records the partition a key came from.
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC, partitionOf: () => undefined });
    store.apply([{ key: 'win/k/a', value: '{"epoch":1,"state":1}' }]);
    expect(() => store.save(snapshot('win', 2, null, []))).toThrow(/no input partition is known for key "a"/);
  });

  it('tombstones a key on the partition its record carried when partitionOf no longer knows it', () => {
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC, partitionOf: () => undefined });
    store.apply([{ key: 'win/k/a', value: '{"epoch":1,"state":1}', partition: 4 }]);
    store.save(snapshot('win', 2, null, []));
    expect(decoded(store.takeMessages(2))).toEqual([['win/k/a', 4, null]]);
  });
});

describe('KafkaChangelogSnapshotStore.restoreFrom', () => {
  it('replaces what the store held with the records and counts them like restore', () => {
    const { partitionOf } = partitions([['a', 0]]);
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC, partitionOf });
    store.apply([{ key: 'old/k/x', value: '{"epoch":1,"state":1}' }]);
    store.save(snapshot('win', 1, null, [['a', 1]]));
    const logged: unknown[] = [];
    const reader = new KafkaChangelogSnapshotStore({ topic: TOPIC, partitionOf, log: (s) => logged.push(s) });
    const restored = reader.restoreFrom([
      { key: 'win/k/a', value: '{"epoch":3,"state":{"n":2}}', partition: 0 },
      { key: 'win/k/b', value: '{"epoch":3,"state":{"n":1}}', partition: 0 },
      { key: 'win/k/b', value: null, partition: 0 },
    ]);
    expect({ ...restored, durationMs: 0 }).toEqual({
      topic: TOPIC,
      records: 3,
      operators: 1,
      keys: 1,
      durationMs: 0,
    });
    expect(logged).toEqual([restored]);
    expect(reader.load('win')?.keys).toEqual([['a', { n: 2 }]]);

    // What a failed run had queued or restored is gone after a restore.
    expect(store.restoreFrom([]).keys).toBe(0);
    expect(store.load('old')).toBeUndefined();
    expect(store.takeMessages(1)).toEqual([]);
  });
});
