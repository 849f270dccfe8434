/**
 * `twinflow/clickhouse`: ClickHouse as a job's sink. The batching sink with
 * deduplication tokens and retries, the operator that writes a stream
 * through it and holds each barrier until its rows are durable, ordered
 * checksummed migrations, and the embedded ClickHouse in a child process.
 * The outputs of a job as tables (ClickHouseOutputs: rows per output, ids,
 * latest-per-epoch tables) go through the same sinks.
 * The in-process embedded server (EmbeddedClickHouse, chDB) is left out: it
 * loads chDB's native library at import; EmbeddedClickHouseProcess runs it
 * in a process of its own instead.
 *
 * @example
 * import { ClickHouseSink, migrate, toClickHouse } from 'twinflow/clickhouse';
 */

export type { AnyTableOutput, ClickHouseTableOutput } from './clickhouseOutputs.js';
export { ClickHouseOutputs, tableOutput } from './clickhouseOutputs.js';
export type { ClickHouseSinkMetrics, ClickHouseSinkOptions, RetryPolicy } from './clickhouseSink.js';
export { ClickHouseSink } from './clickhouseSink.js';
export type { EmbeddedClickHouseProcessOptions } from './embeddedServerProcess.js';
export { EmbeddedClickHouseProcess, EmbeddedClickHouseStartError } from './embeddedServerProcess.js';
export type { MigrateOptions, Migration, MigrationReport } from './migrations.js';
export { loadMigrations, MigrationChecksumError, MigrationError, migrate } from './migrations.js';
export * from './sinkError.js';
export type { ClickHouseSinkObserver, InsertRetry, WrittenBatch } from './sinkObserver.js';
export { toClickHouse } from './toClickHouse.js';
