/**
 * The keys an operator touched since its last snapshot, so that a snapshot
 * can carry just those (an incremental snapshot, as Flink's changelog state
 * backend writes) instead of every key it holds. Tracking is off, and
 * `touch` costs nothing, when the operator's store takes full snapshots only.
 *
 * @example
 * const dirty = new DirtyKeys(snapshots?.incremental === true);
 * dirty.touch('pump-1');
 * dirty.take(); // ['pump-1'], and the set is empty again
 */
export class DirtyKeys {
  private keys = new Set<string>();

  constructor(readonly tracking: boolean) {}

  touch(key: string): void {
    if (this.tracking) this.keys.add(key);
  }

  /** The keys touched since the last call, in first-touch order; starts a new set. */
  take(): Set<string> {
    const keys = this.keys;
    this.keys = new Set();
    return keys;
  }
}

/**
 * What changed in a keyed operator's state since its last snapshot: the
 * state of each touched key that still exists, and the touched keys that no
 * longer do.
 */
export interface KeyedChanges {
  readonly changed: Array<[key: string, state: unknown]>;
  readonly removed: string[];
}

/**
 * Splits touched keys into changed (with their snapshot form) and removed,
 * the same way for every keyed operator.
 *
 * @example
 * changesOf(dirty.take(), (key) => { const e = keys.get(key); return e === undefined ? undefined : snapshotOf(e); });
 */
export function changesOf(touched: Iterable<string>, stateOf: (key: string) => unknown): KeyedChanges {
  const changed: Array<[string, unknown]> = [];
  const removed: string[] = [];
  for (const key of touched) {
    const state = stateOf(key);
    if (state === undefined) removed.push(key);
    else changed.push([key, state]);
  }
  return { changed, removed };
}
