import type { RejectedRow } from './sinkError.js';

/**
 * A batch a ClickHouse sink has written: what metrics count at the moment it
 * happens, so no one has to infer it from counters that restart with every
 * new sink.
 *
 * @example
 * const batch: WrittenBatch = { table: 'twinflow.kpi_minute', rows: 640, bytes: 210_000, latencyMs: 12 };
 */
export interface WrittenBatch {
  /** The sink's table as configured, `t` or `db.t`. */
  readonly table: string;
  /** Rows written (rows ClickHouse refused are not counted). */
  readonly rows: number;
  readonly bytes: number;
  /** Wall time of the insert, retries included. */
  readonly latencyMs: number;
}

/**
 * An insert that failed transiently and is tried again (same deduplication token).
 *
 * @example
 * const retry: InsertRetry = { table: 'twinflow.commands', attempt: 1 };
 */
export interface InsertRetry {
  readonly table: string;
  /** The attempt that failed, from 1. */
  readonly attempt: number;
}

/**
 * Callbacks of a ClickHouse sink, for logs and metrics. Shared by every
 * sink of a job, so one observer sees all its tables.
 *
 * @example
 * const observer: ClickHouseSinkObserver = { onWritten: (b) => rows.inc({ table: b.table }, b.rows) };
 */
export interface ClickHouseSinkObserver {
  /**
   * A row ClickHouse refused for what it holds (a value its column cannot
   * take): the sink writes the rest of its batch and reports the row here
   * instead of failing, so one bad value never stops the job.
   */
  readonly onRejected?: (row: RejectedRow) => void;
  /** Each batch written. */
  readonly onWritten?: (batch: WrittenBatch) => void;
  /** Each transient failure before a retry. */
  readonly onRetry?: (retry: InsertRetry) => void;
}
