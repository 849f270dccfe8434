/**
 * When an epoch closes: after `maxRecords` records, or `intervalMs` after
 * the epoch's first record, whichever comes first. An epoch with nothing in
 * it never closes by time, so an idle job commits nothing.
 *
 * @example
 * const trigger = new EpochTrigger({ maxRecords: 5_000, intervalMs: 1_000 });
 * if (trigger.onRecord()) closeEpoch();        // the record count says so
 * if (trigger.due()) closeEpoch();             // checked by a timer
 */
export class EpochTrigger {
  private records = 0;
  private openedAt: number | undefined;

  constructor(
    private readonly options: { readonly maxRecords: number; readonly intervalMs: number },
    private readonly now: () => number = () => performance.now(),
  ) {
    const { maxRecords, intervalMs } = options;
    if (!Number.isInteger(maxRecords) || maxRecords < 1) {
      throw new RangeError(`epochs.maxRecords must be a positive integer, got ${maxRecords}`);
    }
    if (!Number.isFinite(intervalMs) || intervalMs <= 0) {
      throw new RangeError(`epochs.intervalMs must be a positive number of ms, got ${intervalMs}`);
    }
  }

  /** Counts one more thing in the epoch (a record, or a dead-lettered message); true when the epoch is full. */
  onRecord(): boolean {
    if (this.records === 0) this.openedAt = this.now();
    this.records++;
    return this.records >= this.options.maxRecords;
  }

  /** True when the open epoch has something in it and is older than the interval. */
  due(): boolean {
    return this.openedAt !== undefined && this.now() - this.openedAt >= this.options.intervalMs;
  }

  /** Whether the open epoch has anything in it. */
  get pending(): boolean {
    return this.records > 0;
  }

  /** The epoch closed: the next starts empty. */
  reset(): void {
    this.records = 0;
    this.openedAt = undefined;
  }
}
