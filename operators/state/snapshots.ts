/**
 * Operator state at a barrier. Per-key state is kept per key (not as one
 * blob) so a runtime can write it as a keyed changelog and restore only the
 * keys of the partitions it owns. Everything here is JSON-serialisable;
 * -Infinity (no watermark yet) is written as null.
 */
export interface OperatorSnapshot {
  readonly operatorId: string;
  readonly epoch: number;
  readonly watermark: number | null;
  readonly keys: ReadonlyArray<readonly [key: string, state: unknown]>;
  /**
   * Set in an incremental snapshot (only to a store that is `incremental`):
   * `keys` then holds just the keys changed since this operator's previous
   * snapshot, and `removed` the keys gone since. Absent: `keys` is all of
   * the operator's state.
   */
  readonly removed?: readonly string[];
}

/**
 * Where stateful operators put their snapshots and find them again.
 *
 * `save` must copy or serialise what it is given (the operator goes on
 * mutating its state), and `load` must hand out state the restored operator
 * may own and mutate, from the latest *completed* epoch only: an epoch whose
 * barrier did not reach every sink never counts, or a restored run would
 * skip output that was never delivered.
 */
export interface SnapshotStore {
  /**
   * The store keeps each operator's state between snapshots and takes
   * incremental ones (changed and removed keys only), so an epoch's cost
   * follows what it touched, not the size of all state.
   */
  readonly incremental?: boolean;
  save(snapshot: OperatorSnapshot): void;
  load(operatorId: string): OperatorSnapshot | undefined;
}

/** Options every stateful operator takes. */
export interface StatefulOptions {
  /** Stable id of the operator: snapshots are saved and restored under it. */
  readonly id?: string;
  /** Saves state at every barrier and restores from the latest completed epoch on subscribe. */
  readonly snapshots?: SnapshotStore;
}

/**
 * Snapshots held in memory, completed explicitly, as Flink's checkpoint
 * coordinator does when a barrier has reached every sink.
 *
 * @example
 * const store = new InMemorySnapshotStore();
 * // ... when barrier 3 has reached the sink:
 * store.complete(3);
 */
export class InMemorySnapshotStore implements SnapshotStore {
  private readonly pending = new Map<number, Map<string, string>>();
  private readonly completed = new Map<string, string>();
  private lastCompleted = Number.NEGATIVE_INFINITY;

  save(snapshot: OperatorSnapshot): void {
    // Stored as JSON text: live state cannot leak into a snapshot, and every
    // load hands out a fresh copy that the restored operator may mutate.
    const copy = JSON.stringify(snapshot);
    let byOperator = this.pending.get(snapshot.epoch);
    if (byOperator === undefined) {
      byOperator = new Map();
      this.pending.set(snapshot.epoch, byOperator);
    }
    byOperator.set(snapshot.operatorId, copy);
  }

  /** Marks `epoch` complete: its snapshots (and earlier ones) become what `load` returns. */
  complete(epoch: number): void {
    const epochs = Array.from(this.pending.keys())
      .filter((e) => e <= epoch)
      .sort((a, b) => a - b);
    for (const e of epochs) {
      for (const [id, s] of this.pending.get(e)!) this.completed.set(id, s);
      this.pending.delete(e);
    }
    this.lastCompleted = Math.max(this.lastCompleted, epoch);
  }

  /** The latest completed epoch, or undefined before the first. */
  get completedEpoch(): number | undefined {
    return Number.isFinite(this.lastCompleted) ? this.lastCompleted : undefined;
  }

  load(operatorId: string): OperatorSnapshot | undefined {
    const text = this.completed.get(operatorId);
    return text === undefined ? undefined : (JSON.parse(text) as OperatorSnapshot);
  }
}
