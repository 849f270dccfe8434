import { describe, expect, it } from 'vitest';
import { InMemorySnapshotStore } from '../../../../operators/index.js';

describe('InMemorySnapshotStore', () => {
  it('returns only snapshots of completed epochs', () => {
    const store = new InMemorySnapshotStore();
    store.save({ operatorId: 'w', epoch: 1, watermark: 10, keys: [['a', 1]] });
    expect(store.load('w')).toBeUndefined();
    store.complete(1);
    store.save({ operatorId: 'w', epoch: 2, watermark: 20, keys: [['a', 2]] });
    expect(store.load('w')?.epoch).toBe(1);
    store.complete(2);
    expect(store.load('w')?.keys).toEqual([['a', 2]]);
    expect(store.completedEpoch).toBe(2);
  });

  it('copies state at save, so later changes to live state do not leak in', () => {
    const store = new InMemorySnapshotStore();
    const live = { n: 1 };
    store.save({ operatorId: 'p', epoch: 1, watermark: null, keys: [['a', live]] });
    live.n = 99;
    store.complete(1);
    expect(store.load('p')?.keys).toEqual([['a', { n: 1 }]]);
  });
});
