import { describe, expect, it } from 'vitest';
import {
  type ChangelogMessage,
  ChangelogSnapshotError,
  KafkaChangelogSnapshotStore,
} from '../../../../connectors/kafka/changelogSnapshotStore.js';
import type { OperatorSnapshot } from '../../../../operators/state/snapshots.js';
import { asRecords, snapshot } from './changelogFixtures.js';

const TOPIC = 'state';

/** The messages as (key, parsed value) pairs, for readable assertions. */
function decoded(messages: readonly ChangelogMessage[]): [string, unknown][] {
  return messages.map((m) => [m.key.toString(), m.value === null ? null : JSON.parse(m.value.toString())]);
}

describe('KafkaChangelogSnapshotStore.save / takeMessages', () => {
  it('writes every key and the watermark the first time, then only changes and tombstones', () => {
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC });
    store.save(
      snapshot('win', 1, null, [
        ['a', { n: 1 }],
        ['b', { n: 2 }],
      ]),
    );
    expect(decoded(store.takeMessages(1))).toEqual([
      ['win/k/a', { epoch: 1, state: { n: 1 } }],
      ['win/k/b', { epoch: 1, state: { n: 2 } }],
      ['win/w', { epoch: 1, watermark: null }],
    ]);
    store.save(
      snapshot('win', 2, 100, [
        ['a', { n: 1 }],
        ['c', [1, 2]],
      ]),
    );
    expect(decoded(store.takeMessages(2))).toEqual([
      ['win/k/c', { epoch: 2, state: [1, 2] }],
      ['win/k/b', null],
      ['win/w', { epoch: 2, watermark: 100 }],
    ]);
    expect(store.takeMessages(2)).toEqual([]);
    expect(store.takeMessages(1)).toEqual([]);
  });

  it('serialises at save time: later mutation of the state is not in the snapshot', () => {
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC });
    const state = { n: 1 };
    store.save(snapshot('win', 1, null, [['a', state]]));
    state.n = 99;
    expect(decoded(store.takeMessages(1))[0]).toEqual(['win/k/a', { epoch: 1, state: { n: 1 } }]);
    // ...and the mutation is a change at the next barrier.
    store.save(snapshot('win', 2, null, [['a', state]]));
    expect(decoded(store.takeMessages(2))[0]).toEqual(['win/k/a', { epoch: 2, state: { n: 99 } }]);
  });

  it('queues per epoch and per operator, on the store topic', () => {
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC });
    store.save(snapshot('x', 1, 5, [['k', 1]]));
    store.save(snapshot('y', 1, 6, [['k', 2]]));
    store.save(snapshot('x', 2, 7, [['k', 1]]));
    expect(decoded(store.takeMessages(2))).toEqual([['x/w', { epoch: 2, watermark: 7 }]]);
    const first = store.takeMessages(1);
    expect(first.every((m) => m.topic === TOPIC)).toBe(true);
    expect(decoded(first).map(([k]) => k)).toEqual(['x/k/k', 'x/w', 'y/k/k', 'y/w']);
  });

  it('refuses an operator id that would make keys ambiguous, naming it', () => {
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC });
    expect(() => store.save(snapshot('a/k', 1, null, []))).toThrow(ChangelogSnapshotError);
    expect(() => store.save(snapshot('', 1, null, []))).toThrow(/operator id ""/);
  });
});

describe('KafkaChangelogSnapshotStore.apply / load', () => {
  it('assembles the last snapshot per operator from what save wrote', () => {
    const writer = new KafkaChangelogSnapshotStore({ topic: TOPIC });
    const log: ChangelogMessage[] = [];
    const last = new Map<string, OperatorSnapshot>();
    const epochs: OperatorSnapshot[][] = [
      [
        snapshot('x', 1, null, [
          ['a', { n: 1 }],
          ['b', 'B'],
        ]),
        snapshot('y', 1, 10, [['p/q', 1]]),
      ],
      [
        snapshot('x', 2, 50, [['a', { n: 2 }]]),
        snapshot('y', 2, 20, [
          ['p/q', 1],
          ['r', null],
        ]),
      ],
      [
        snapshot('x', 3, 60, [
          ['a', { n: 2 }],
          ['b', 'again'],
        ]),
        snapshot('y', 3, 30, []),
      ],
    ];
    for (const [i, snaps] of epochs.entries()) {
      for (const s of snaps) {
        writer.save(s);
        last.set(s.operatorId, s);
      }
      log.push(...writer.takeMessages(i + 1));
    }
    const reader = new KafkaChangelogSnapshotStore({ topic: TOPIC });
    expect(reader.apply(asRecords(log))).toBe(log.length);
    for (const [id, expected] of last) {
      const loaded = reader.load(id)!;
      expect({ ...loaded, keys: [...loaded.keys].sort() }).toEqual({
        ...expected,
        keys: [...expected.keys].sort(),
      });
    }
    expect(reader.load('z')).toBeUndefined();
  });

  it('hands out a fresh copy on every load', () => {
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC });
    store.apply([
      { key: 'x/k/a', value: '{"epoch":1,"state":{"n":1}}' },
      { key: 'x/w', value: '{"epoch":1,"watermark":null}' },
    ]);
    const first = store.load('x')!;
    (first.keys[0]![1] as { n: number }).n = 42;
    expect(store.load('x')!.keys).toEqual([['a', { n: 1 }]]);
    expect(store.load('x')).not.toBe(first);
  });

  it('takes the max epoch seen and the last watermark', () => {
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC });
    store.apply([
      { key: 'x/w', value: '{"epoch":1,"watermark":5}' },
      { key: 'x/k/a', value: '{"epoch":3,"state":1}' },
      { key: 'x/w', value: '{"epoch":3,"watermark":9}' },
    ]);
    expect(store.load('x')).toEqual({ operatorId: 'x', epoch: 3, watermark: 9, keys: [['a', 1]] });
  });

  it('diffs the first save after a restore against the restored state', () => {
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC });
    store.apply([
      { key: 'x/k/a', value: '{"epoch":1,"state":1}' },
      { key: 'x/k/b', value: '{"epoch":1,"state":2}' },
      { key: 'x/w', value: '{"epoch":1,"watermark":null}' },
    ]);
    store.save(snapshot('x', 2, 3, [['a', 1]]));
    expect(decoded(store.takeMessages(2))).toEqual([
      ['x/k/b', null],
      ['x/w', { epoch: 2, watermark: 3 }],
    ]);
  });

  it('reads values of the writer shape and of any other key order alike', () => {
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC });
    store.apply([
      { key: 'x/k/a', value: '{"epoch":12,"state":{"n":[1,{"m":"}"}]}}' },
      { key: 'x/k/b', value: '{"state":{"n":2},"epoch":7}' },
      { key: 'x/k/c', value: '{ "epoch": 3, "state": "text" }' },
      { key: 'x/w', value: '{"epoch":12,"watermark":null}' },
    ]);
    expect(store.load('x')).toEqual({
      operatorId: 'x',
      epoch: 12,
      watermark: null,
      keys: [
        ['a', { n: [1, { m: '}' }] }],
        ['b', { n: 2 }],
        ['c', 'text'],
      ],
    });
  });

  it('names the key whose state is not JSON when it is loaded', () => {
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC });
    store.apply([
      { key: 'x/k/a', value: '{"epoch":1,"state":{"n":}' },
      { key: 'x/w', value: '{"epoch":1,"watermark":null}' },
    ]);
    expect(() => store.load('x')).toThrow(ChangelogSnapshotError);
    expect(() => store.load('x')).toThrow(/operator x, key "a": value is not JSON/);
  });

  it('names the record at fault in a malformed changelog', () => {
    const store = new KafkaChangelogSnapshotStore({ topic: TOPIC });
    expect(() =>
      store.apply([
        { key: 'x/w', value: '{"epoch":1,"watermark":null}' },
        { key: 'nokey', value: '1' },
      ]),
    ).toThrow(/record 1: key "nokey"/);
    expect(() => store.apply([{ key: 'x/k/a', value: '{oops' }])).toThrow(ChangelogSnapshotError);
    expect(() => store.apply([{ key: 'x/k/a', value: '{"state":1}' }])).toThrow(
      /expected \{epoch: number, state\}/,
    );
  });
});
