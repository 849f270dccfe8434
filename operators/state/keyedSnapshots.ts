import type { KeyedChanges } from './dirtyKeys.js';
import type { SnapshotStore, StatefulOptions } from './snapshots.js';

/**
 * What a keyed operator exposes of its state so it can be snapshotted at a
 * barrier and restored on start: its watermark and its per-key state in a
 * JSON-serialisable form of its own choosing.
 */
export interface KeyedState {
  readonly watermark: number;
  snapshotKeys(): ReadonlyArray<readonly [key: string, state: unknown]>;
  /**
   * The keys touched since the last call (see DirtyKeys), for an
   * incremental store; an operator that tracks nothing leaves it out and is
   * snapshotted in full.
   */
  snapshotChanges?(): KeyedChanges;
  restore(watermark: number, keys: ReadonlyArray<readonly [key: string, state: unknown]>): void;
}

/**
 * Saves and restores one operator's keyed state under its id in a
 * {@link SnapshotStore}.
 */
export interface KeyedSnapshots {
  /** The store takes incremental snapshots: the operator should track the keys it touches (DirtyKeys). */
  readonly incremental: boolean;
  /** Restores `state` from the latest completed snapshot, if there is one; call before the first element. */
  restore(state: KeyedState): void;
  /** Saves `state` as of the barrier of `epoch`, before the barrier is forwarded. */
  save(state: KeyedState, epoch: number): void;
}

/**
 * The snapshot-at-barrier mechanism every keyed operator shares, written
 * once so that `processKeyed` and `windowAggregate` save the same
 * `OperatorSnapshot` shape and restore it the same way. Undefined when
 * `options` sets no store; validated at construction, so a missing `id`
 * fails when the pipeline is built, naming `operator`, not at the first
 * barrier.
 *
 * @example
 * const snapshots = keyedSnapshots('windowAggregate', options);
 * return elementOperator((out) => {
 *   const windows = new AlignedWindows(...);
 *   snapshots?.restore(windows);
 *   return {
 *     record(r) { windows.add(r); },
 *     barrier(b, o) { snapshots?.save(windows, b.epoch); o.next(b); },
 *   };
 * });
 */
export function keyedSnapshots(
  operator: string,
  options: StatefulOptions | undefined,
): KeyedSnapshots | undefined {
  const store = options?.snapshots;
  if (store === undefined) return undefined;
  const id = options?.id;
  if (typeof id !== 'string' || id.length === 0) {
    throw new TypeError(
      `${operator}: an \`id\` is required when \`snapshots\` is set (state is saved under it)`,
    );
  }
  const incremental = store.incremental === true;
  return {
    incremental,
    restore(state) {
      const snapshot = store.load(id);
      if (snapshot) state.restore(watermarkFromJson(snapshot.watermark), snapshot.keys);
    },
    save(state, epoch) {
      const watermark = watermarkToJson(state.watermark);
      if (incremental && state.snapshotChanges !== undefined) {
        const { changed, removed } = state.snapshotChanges();
        store.save({ operatorId: id, epoch, watermark, keys: changed, removed });
        return;
      }
      store.save({ operatorId: id, epoch, watermark, keys: state.snapshotKeys() });
    },
  };
}

// JSON has no infinities: no watermark yet (-Infinity) is written as null, the
// end of input (+Infinity) as Number.MAX_VALUE.
function watermarkToJson(ts: number): number | null {
  return Number.isFinite(ts) ? ts : ts > 0 ? Number.MAX_VALUE : null;
}

function watermarkFromJson(ts: number | null): number {
  if (ts === null) return Number.NEGATIVE_INFINITY;
  return ts === Number.MAX_VALUE ? Number.POSITIVE_INFINITY : ts;
}
