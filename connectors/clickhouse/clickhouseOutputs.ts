import type { ClickHouseClient } from '@clickhouse/client';
import type { EpochSinks } from '../../operators/core/throughSinks.js';
import { ClickHouseSink } from './clickhouseSink.js';
import type { ClickHouseSinkObserver } from './sinkObserver.js';

/**
 * One ClickHouse table a job writes: which of its outputs become rows there,
 * and how a row is identified. The id must be deterministic (the reading's
 * source position, the window, the command id), so an epoch replayed after a
 * crash converges to one row per fact through the batch's deduplication
 * token.
 *
 * @example
 * const alerts = tableOutput<Output, AlertRow>({
 *   name: 'alerts', table: 'alerts',
 *   rowOf: (out) => (out.type === 'alert' ? alertRow(out.alert) : undefined),
 *   idOf: (row) => row.alert_id,
 * });
 */
export interface ClickHouseTableOutput<Out, Row extends object> {
  /** What reports and metrics call this output. */
  readonly name: string;
  /** The table, in the job's database. */
  readonly table: string;
  /** The row of a job output in this table; undefined when the output is not for it. `epoch`: the epoch being written. */
  readonly rowOf: (out: Out, epoch: number) => Row | undefined;
  readonly idOf: (row: Row) => string;
  /**
   * Rows of one epoch coalesce to the last per this key, written at the
   * barrier (a table of latest states, as a compacted changelog holds them).
   */
  readonly latestPerEpochBy?: (row: Row) => string;
  /** Rows per insert (default the sink's, 10 000). */
  readonly maxRows?: number;
}

/**
 * A table output with its row type erased, so a job lists tables of
 * different row types together. Build one with {@link tableOutput}.
 */
export type AnyTableOutput<Out> = ClickHouseTableOutput<Out, object>;

/**
 * Erases a table output's row type for a list of tables. The row type is
 * checked here, where rowOf and idOf meet; the list only passes rows from
 * one to the other.
 *
 * @example
 * const tables: AnyTableOutput<Output>[] = [tableOutput<Output, AlertRow>({ … })];
 */
export function tableOutput<Out, Row extends object>(
  output: ClickHouseTableOutput<Out, Row>,
): AnyTableOutput<Out> {
  return output as unknown as AnyTableOutput<Out>;
}

/**
 * A job's ClickHouse outputs as the sinks an epoch flushes: every output
 * record is offered to each table, rows go to one batching sink per table,
 * and `flush` at a barrier writes the epoch's coalesced rows and waits until
 * every table has them durably. `written` counts rows handed over, per
 * output name.
 *
 * @example
 * const sinks = new ClickHouseOutputs(client, 'twinflow', machineHealthTables(catalogue));
 * graph$.pipe(throughSinks(sinks));
 */
export class ClickHouseOutputs<Out> implements EpochSinks<Out> {
  readonly written: Record<string, number> = {};
  private readonly tables: readonly {
    readonly output: AnyTableOutput<Out>;
    readonly sink: ClickHouseSink<object>;
    readonly latest: Map<string, object> | undefined;
  }[];
  private epoch = 1;

  constructor(
    client: ClickHouseClient,
    database: string,
    outputs: readonly AnyTableOutput<Out>[],
    observer: ClickHouseSinkObserver = {},
  ) {
    const names = new Set<string>();
    for (const output of outputs) {
      if (names.has(output.name))
        throw new TypeError(`ClickHouseOutputs: two outputs are named "${output.name}"`);
      names.add(output.name);
      this.written[output.name] = 0;
    }
    this.tables = outputs.map((output) => ({
      output,
      sink: new ClickHouseSink<object>({
        client,
        ...observer,
        table: `${database}.${output.table}`,
        idOf: output.idOf,
        ...(output.maxRows === undefined ? {} : { maxRows: output.maxRows }),
      }),
      latest: output.latestPerEpochBy === undefined ? undefined : new Map(),
    }));
  }

  write(out: Out): void | Promise<void> {
    // Allocated only when a sink is full: this runs for every output record.
    let full: Promise<void>[] | undefined;
    for (const { output, sink, latest } of this.tables) {
      const row = output.rowOf(out, this.epoch);
      if (row === undefined) continue;
      if (latest !== undefined) {
        latest.set((output.latestPerEpochBy as (row: object) => string)(row), row);
        continue;
      }
      this.written[output.name]++;
      const wait = sink.write(row);
      if (wait === undefined) continue;
      if (full === undefined) full = [wait];
      else full.push(wait);
    }
    if (full !== undefined) return Promise.all(full).then(() => undefined);
  }

  async flush(epoch: number): Promise<void> {
    for (const { output, sink, latest } of this.tables) {
      if (latest === undefined) continue;
      for (const row of latest.values()) {
        this.written[output.name]++;
        const wait = sink.write(row);
        if (wait !== undefined) await wait;
      }
      latest.clear();
    }
    await Promise.all(this.tables.map(({ sink }) => sink.flush()));
    this.epoch = epoch + 1;
  }

  async close(): Promise<void> {
    await Promise.all(this.tables.map(({ sink }) => sink.close()));
  }
}
