import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import {
  ClickHouseSinkError,
  describeInsertError,
  isRetriableInsertError,
  isRowDataError,
} from './sinkError.js';
import type { ClickHouseSinkObserver } from './sinkObserver.js';

/** How a failed batch is retried: `attempts` tries in all, waiting `backoffMs`, doubling up to `maxBackoffMs`. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly backoffMs: number;
  readonly maxBackoffMs?: number;
}

/** `onRejected`, `onWritten`, `onRetry`: see ClickHouseSinkObserver; rejected rows are counted in `metrics.rejectedRows` either way. */
export interface ClickHouseSinkOptions<Row> extends ClickHouseSinkObserver {
  readonly client: ClickHouseClient;
  /** Target table, `t` or `db.t`. */
  readonly table: string;
  /** A batch is sent once it holds this many rows (default 10 000). */
  readonly maxRows?: number;
  /** … or this many bytes of JSONEachRow (default 4 MiB). */
  readonly maxBytes?: number;
  /** … or its first row waited this long (default 1 000 ms). */
  readonly maxDelayMs?: number;
  /** Batches sealed but not yet written before `write` asks the caller to wait (default 2). */
  readonly maxPendingBatches?: number;
  readonly retry?: RetryPolicy;
  /**
   * The row's deterministic id (its source position or window). The batch's
   * deduplication token is a hash of its ids, so a batch retried or replayed
   * with the same rows is dropped by ClickHouse. Default: the row's JSON.
   */
  readonly idOf?: (row: Row) => string;
}

/** Counters of a sink, for metrics endpoints. */
export interface ClickHouseSinkMetrics {
  rowsWritten: number;
  batchesWritten: number;
  bytesWritten: number;
  retries: number;
  failedBatches: number;
  /** Rows ClickHouse refused for what they hold, isolated from their batches (see onRejected). */
  rejectedRows: number;
  /** Wall time of the last successful insert, retries included. */
  lastLatencyMs: number;
  /** Rows accepted but not yet written. */
  bufferedRows: number;
}

interface Batch {
  readonly lines: string[];
  readonly ids: string[];
  bytes: number;
}

const DEFAULT_RETRY: RetryPolicy = { attempts: 5, backoffMs: 100, maxBackoffMs: 5_000 };

/**
 * Writes rows to one ClickHouse table in batches, cut by rows, bytes or
 * time. Each batch is inserted (JSONEachRow) with a deterministic
 * `insert_deduplication_token`, so a retry after an ambiguous failure — or a
 * replay of the same rows — is deduplicated by ClickHouse (the table needs
 * `non_replicated_deduplication_window > 0` unless replicated). Transient
 * failures are retried with the same token. A batch refused for what some
 * of its rows hold (see isRowDataError) is written without those rows,
 * which go to `onRejected`: one bad value never stops the job. A batch that
 * still fails, or fails permanently for another reason (unknown table,
 * credentials), fails the sink: later `write`/`flush` calls reject with
 * that {@link ClickHouseSinkError}. Batches are written one at a time, in
 * order. Back-pressure: while `maxPendingBatches` sealed batches wait,
 * `write` returns a promise to await instead of buffering without bound.
 *
 * @example
 * const sink = new ClickHouseSink<KpiMinuteRow>({ client, table: 'kpi_minute', idOf: (r) => `${r.asset_id}@${r.minute}#${r.late_firings}` });
 * for (const row of rows) await sink.write(row);   // awaits only when the sink is full
 * await sink.flush();                              // everything written is now durable
 * await sink.close();
 */
export class ClickHouseSink<Row> {
  readonly metrics: ClickHouseSinkMetrics = {
    rowsWritten: 0,
    batchesWritten: 0,
    bytesWritten: 0,
    retries: 0,
    failedBatches: 0,
    rejectedRows: 0,
    lastLatencyMs: 0,
    bufferedRows: 0,
  };

  private readonly client: ClickHouseClient;
  private readonly table: string;
  private readonly maxRows: number;
  private readonly maxBytes: number;
  private readonly maxDelayMs: number;
  private readonly maxPendingBatches: number;
  private readonly retry: RetryPolicy;
  private readonly idOf: ((row: Row) => string) | undefined;
  private readonly observer: ClickHouseSinkObserver;

  private open: Batch = newBatch();
  private readonly sealed: Batch[] = [];
  private sending: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failure: ClickHouseSinkError | undefined;
  private closed = false;
  private readonly waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private readonly onTimer = () => {
    this.timer = undefined;
    this.seal();
  };

  constructor(options: ClickHouseSinkOptions<Row>) {
    this.client = options.client;
    this.table = options.table;
    this.maxRows = options.maxRows ?? 10_000;
    this.maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
    this.maxDelayMs = options.maxDelayMs ?? 1_000;
    this.maxPendingBatches = options.maxPendingBatches ?? 2;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.idOf = options.idOf;
    this.observer = {
      onRejected: options.onRejected,
      onWritten: options.onWritten,
      onRetry: options.onRetry,
    };
    if (this.maxRows < 1 || this.maxBytes < 1 || this.retry.attempts < 1) {
      throw new RangeError(
        `ClickHouseSink(${this.table}): maxRows, maxBytes and retry.attempts must be >= 1`,
      );
    }
  }

  /**
   * Accepts a row. Returns nothing when the row was buffered, or a promise
   * to await when the sink is full (resolves once there is room again).
   * Throws the sink's failure if an earlier batch could not be written.
   */
  write(row: Row): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error(`ClickHouseSink(${this.table}) is closed`);
    const line = `${JSON.stringify(row)}\n`;
    const batch = this.open;
    batch.lines.push(line);
    batch.ids.push(this.idOf ? this.idOf(row) : line);
    batch.bytes += line.length;
    this.metrics.bufferedRows++;
    if (batch.lines.length >= this.maxRows || batch.bytes >= this.maxBytes) this.seal();
    else if (this.timer === undefined) this.timer = setTimeout(this.onTimer, this.maxDelayMs);
    if (this.sealed.length < this.maxPendingBatches) return undefined;
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Sends the open batch and resolves when every batch accepted so far is written. */
  async flush(): Promise<void> {
    if (this.failure) throw this.failure;
    this.seal();
    while (this.sending) {
      await this.sending;
    }
    if (this.failure) throw this.failure;
  }

  /** Flushes, then refuses further writes. The client stays open (it is the caller's). */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      if (this.timer !== undefined) clearTimeout(this.timer);
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private seal(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.open.lines.length === 0) return;
    this.sealed.push(this.open);
    this.open = newBatch();
    this.sending ??= this.drain();
  }

  private async drain(): Promise<void> {
    try {
      for (let batch = this.sealed[0]; batch !== undefined && !this.failure; batch = this.sealed[0]) {
        await this.send(batch);
        this.sealed.shift();
        this.wakeWriters();
      }
    } finally {
      this.sending = undefined;
    }
  }

  private async send(batch: Batch): Promise<void> {
    const started = performance.now();
    const rejectedBefore = this.metrics.rejectedRows;
    // One chunk per batch: writing every row as its own chunk costs more than the join.
    let outcome = await this.insert(batch.lines.join(''), this.tokenOf(batch.ids));
    if (outcome !== undefined && !outcome.retriable && isRowDataError(outcome.error)) {
      outcome = await this.isolate(batch.lines, batch.ids, outcome.error);
    }
    if (outcome !== undefined) {
      this.metrics.failedBatches++;
      this.fail(
        new ClickHouseSinkError(this.table, batch.lines.length, outcome.attempts, outcome.retriable, {
          cause: outcome.error,
        }),
      );
      return;
    }
    const latencyMs = performance.now() - started;
    const rows = batch.lines.length - (this.metrics.rejectedRows - rejectedBefore);
    this.metrics.lastLatencyMs = latencyMs;
    this.metrics.rowsWritten += rows;
    this.metrics.bytesWritten += batch.bytes;
    this.metrics.batchesWritten++;
    this.metrics.bufferedRows -= batch.lines.length;
    this.observer.onWritten?.({ table: this.table, rows, bytes: batch.bytes, latencyMs });
  }

  /**
   * Writes the rows of a batch that ClickHouse refused for some row's data,
   * by halves: a half that is accepted is written (with a token of its own
   * ids, so a replay of the same batch splits and deduplicates the same
   * way); a single row that is refused is rejected and reported. A failure
   * of another kind ends the search and fails the sink as before. About
   * 2·log2(rows) inserts per bad row.
   */
  private async isolate(
    lines: readonly string[],
    ids: readonly string[],
    error: unknown,
  ): Promise<InsertFailure | undefined> {
    if (lines.length === 1) {
      this.metrics.rejectedRows++;
      this.observer.onRejected?.({
        table: this.table,
        id: ids[0]!,
        line: lines[0]!,
        reason: describeInsertError(error),
      });
      return undefined;
    }
    const middle = Math.ceil(lines.length / 2);
    for (const [from, to] of [
      [0, middle],
      [middle, lines.length],
    ] as const) {
      const partLines = lines.slice(from, to);
      const partIds = ids.slice(from, to);
      const outcome = await this.insert(partLines.join(''), this.tokenOf(partIds));
      if (outcome === undefined) continue;
      if (outcome.retriable || !isRowDataError(outcome.error)) return outcome;
      const deeper = await this.isolate(partLines, partIds, outcome.error);
      if (deeper !== undefined) return deeper;
    }
    return undefined;
  }

  /** Inserts one body, retrying transient failures with the same token; undefined when it was written. */
  private async insert(body: string, token: string): Promise<InsertFailure | undefined> {
    for (let attempt = 1; ; attempt++) {
      try {
        // exec with a byte stream: the rows were serialised once, in write(), and are sent as they are.
        const result = await this.client.exec({
          query: `INSERT INTO ${this.table} FORMAT JSONEachRow`,
          values: Readable.from([body]),
          clickhouse_settings: { insert_deduplication_token: token },
        });
        result.stream.resume();
        await new Promise<void>((resolve, reject) => {
          result.stream.once('end', resolve);
          result.stream.once('error', reject);
        });
        return undefined;
      } catch (error) {
        const retriable = isRetriableInsertError(error);
        if (!retriable || attempt >= this.retry.attempts) return { error, attempts: attempt, retriable };
        this.metrics.retries++;
        this.observer.onRetry?.({ table: this.table, attempt });
        const wait = Math.min(
          this.retry.backoffMs * 2 ** (attempt - 1),
          this.retry.maxBackoffMs ?? Number.POSITIVE_INFINITY,
        );
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private tokenOf(ids: readonly string[]): string {
    const hash = createHash('sha256');
    for (const id of ids) hash.update(id).update('\n');
    return `${this.table}:${ids.length}:${hash.digest('hex').slice(0, 32)}`;
  }

  private fail(error: ClickHouseSinkError): void {
    this.failure = error;
    for (const w of this.waiters.splice(0)) w.reject(error);
  }

  private wakeWriters(): void {
    if (this.sealed.length >= this.maxPendingBatches) return;
    for (const w of this.waiters.splice(0)) w.resolve();
  }
}

/** Why an insert gave up: the last error, the tries made and whether it was transient. */
interface InsertFailure {
  readonly error: unknown;
  readonly attempts: number;
  readonly retriable: boolean;
}

function newBatch(): Batch {
  return { lines: [], ids: [], bytes: 0 };
}
