import { describe, expect, it } from 'vitest';
import { type KeyedState, keyedSnapshots } from '../../../../operators/state/keyedSnapshots.js';
import {
  InMemorySnapshotStore,
  type OperatorSnapshot,
  type SnapshotStore,
} from '../../../../operators/state/snapshots.js';

/** A keyed state that records what it was restored with. */
function fakeState(
  watermark: number,
  keys: Array<[string, unknown]>,
): KeyedState & { restored?: { watermark: number; keys: unknown } } {
  return {
    watermark,
    snapshotKeys: () => keys,
    restore(wm, restoredKeys) {
      this.restored = { watermark: wm, keys: restoredKeys };
    },
  };
}

function recordingStore(): SnapshotStore & { saved: string[] } {
  const saved: string[] = [];
  return {
    saved,
    save: (snapshot: OperatorSnapshot) => {
      saved.push(JSON.stringify(snapshot));
    },
    load: () => undefined,
  };
}

describe('keyedSnapshots', () => {
  it('is undefined when no store is set', () => {
    expect(keyedSnapshots('processKeyed', {})).toBeUndefined();
    expect(keyedSnapshots('processKeyed', undefined)).toBeUndefined();
  });

  it('refuses a store without an id, naming the operator', () => {
    const store = new InMemorySnapshotStore();
    expect(() => keyedSnapshots('windowAggregate', { snapshots: store })).toThrow(
      new TypeError('windowAggregate: an `id` is required when `snapshots` is set (state is saved under it)'),
    );
    expect(() => keyedSnapshots('processKeyed', { snapshots: store, id: '' })).toThrow(TypeError);
  });

  it('saves operatorId, epoch, watermark and keys in that order, as JSON', () => {
    const store = recordingStore();
    const snapshots = keyedSnapshots('processKeyed', { id: 'alerts', snapshots: store })!;
    snapshots.save(fakeState(1_000, [['pump-1', { n: 2 }]]), 3);
    snapshots.save(fakeState(Number.NEGATIVE_INFINITY, []), 4);
    snapshots.save(fakeState(Number.POSITIVE_INFINITY, [['a', [1, 2]]]), 5);
    expect(store.saved).toEqual([
      '{"operatorId":"alerts","epoch":3,"watermark":1000,"keys":[["pump-1",{"n":2}]]}',
      '{"operatorId":"alerts","epoch":4,"watermark":null,"keys":[]}',
      `{"operatorId":"alerts","epoch":5,"watermark":${Number.MAX_VALUE},"keys":[["a",[1,2]]]}`,
    ]);
  });

  it('restores nothing before an epoch completes, then the completed state', () => {
    const store = new InMemorySnapshotStore();
    const snapshots = keyedSnapshots('windowAggregate', { id: 'w', snapshots: store })!;
    snapshots.save(fakeState(60_000, [['k', [[0, 5]]]]), 1);

    const early = fakeState(Number.NEGATIVE_INFINITY, []);
    snapshots.restore(early);
    expect(early.restored).toBeUndefined();

    store.complete(1);
    const restored = fakeState(Number.NEGATIVE_INFINITY, []);
    snapshots.restore(restored);
    expect(restored.restored).toEqual({ watermark: 60_000, keys: [['k', [[0, 5]]]] });
  });

  it('restores the infinite watermarks JSON cannot hold', () => {
    for (const watermark of [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]) {
      const store = new InMemorySnapshotStore();
      const snapshots = keyedSnapshots('processKeyed', { id: 'p', snapshots: store })!;
      snapshots.save(fakeState(watermark, []), 1);
      store.complete(1);
      const restored = fakeState(0, []);
      snapshots.restore(restored);
      expect(restored.restored?.watermark).toBe(watermark);
    }
  });
});
