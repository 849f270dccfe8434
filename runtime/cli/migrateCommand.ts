import { parseArgs } from 'node:util';
import type { ClickHouseClient } from '@clickhouse/client';
import { type Migration, MigrationError, migrate } from '../../connectors/clickhouse/migrations.js';
import { ConfigError } from '../config/jobConfig.js';
import {
  CONNECTION_OPTIONS,
  CONNECTION_USAGE,
  describeClickHouseFailure,
  openClickHouse,
  refusePasswordFlag,
  resolveConnection,
} from './clickhouseConnection.js';
import type { CommandIo } from './commandIo.js';
import { UsageError } from './flags.js';

export const MIGRATE_USAGE = `twinflow migrate [--job NAME] (--config FILE | --url URL [--database DB] [--user USER])
  applies the job's ClickHouse migrations (its migrations folder; default schemas/clickhouse) the database has not had yet, in order,
  creating the database if needed; prints each migration as applied or skipped, then a summary

Options:
${CONNECTION_USAGE}
  -h, --help            show this help

Exit code: 0 done (also when nothing was left to apply), 1 a migration failed or ClickHouse cannot be
reached, 2 a mistake in the command line.`;

/** What tests (and embedders) may replace; the CLI passes nothing. */
export interface MigrateCommandOptions {
  /** The migrations to apply (default: the package's schemas/clickhouse). */
  readonly migrations?: readonly Migration[];
}

/**
 * `twinflow migrate`: applies the pending ClickHouse migrations to the
 * configured database. Progress goes to `io.err`; each migration
 * (`applied` or `skipped`) and a summary to `io.out`. `argv` is what follows
 * `twinflow migrate`. Returns the exit code: 0 done, 1 when a migration
 * failed or ClickHouse could not be reached (the cause printed, the password
 * never); throws `UsageError` for a mistake in the command line.
 *
 * @example
 * const code = await runMigrate(['--config', 'runtime/config/examples/local.yaml'], processIo());
 * // applied  001_telemetry_enriched.sql
 * // …
 * // migrate: 9 applied, 0 already applied (database twinflow at http://127.0.0.1:18123)
 */
export async function runMigrate(
  argv: string[],
  io: CommandIo,
  options: MigrateCommandOptions = {},
): Promise<number> {
  refusePasswordFlag('migrate', argv);
  const { values, positionals } = parseArgs({
    args: argv,
    options: { ...CONNECTION_OPTIONS, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(MIGRATE_USAGE);
    return 0;
  }
  if (positionals.length > 0) {
    throw new UsageError(`migrate: unexpected argument "${positionals[0]}" (migrate takes only options)`);
  }
  let conn: Awaited<ReturnType<typeof resolveConnection>>;
  try {
    conn = await resolveConnection('migrate', values, io.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err(`migrate: ${err.message}`);
    return 1;
  }
  const where = `database ${conn.database} at ${conn.url}`;
  let client: ClickHouseClient | undefined;
  try {
    // No default database: the first statement creates it when it does not exist yet.
    client = openClickHouse(conn);
    io.err(`migrate: applying pending migrations to ${where} …`);
    const report = await migrate(client, {
      database: conn.database,
      ...(options.migrations === undefined ? {} : { migrations: options.migrations }),
    });
    const applied = new Set(report.applied);
    // Both lists are in migration order; merged by name, which is that order.
    for (const name of [...report.applied, ...report.alreadyApplied].sort()) {
      io.out(applied.has(name) ? `applied  ${name}` : `skipped  ${name} (already applied)`);
    }
    io.out(
      `migrate: ${report.applied.length} applied, ${report.alreadyApplied.length} already applied (${where})`,
    );
    return 0;
  } catch (err) {
    io.err(`migrate: failed on ${where}: ${describeClickHouseFailure(err, conn)}`);
    if (err instanceof MigrationError) {
      io.err(
        'migrate: migrations before it are recorded; it is not, so the next run retries it once the cause is fixed',
      );
    }
    return 1;
  } finally {
    await client?.close();
  }
}
