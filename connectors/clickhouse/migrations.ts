import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';

/** One migration file of schemas/clickhouse: `NNN_name.sql`. */
export interface Migration {
  /** File name, e.g. `001_telemetry_enriched.sql`; the order key. */
  readonly name: string;
  /** SQL text; `{database}` stands for the target database. */
  readonly sql: string;
  /** sha256 of the SQL text, hex. */
  readonly checksum: string;
}

/** What {@link migrate} did. */
export interface MigrationReport {
  readonly applied: readonly string[];
  readonly alreadyApplied: readonly string[];
}

export interface MigrateOptions {
  /** Target database; created if missing. */
  readonly database: string;
  /** The migrations to apply (default: {@link loadMigrations} of schemas/clickhouse). */
  readonly migrations?: readonly Migration[];
}

/** An applied migration's file changed since it was applied: the schema and its history disagree. */
export class MigrationChecksumError extends Error {
  override readonly name = 'MigrationChecksumError';
  readonly retriable = false;
  constructor(
    readonly migration: string,
    readonly appliedChecksum: string,
    readonly currentChecksum: string,
  ) {
    super(
      `Migration ${migration} was applied with checksum ${appliedChecksum} but the file now has ${currentChecksum}; ` +
        'applied migrations must not change: add a new migration instead',
    );
  }
}

/** A statement of a migration failed; the migration is not recorded, so the next run retries it. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly migration: string,
    /** 1-based statement number within the file. */
    readonly statement: number,
    options: { cause: unknown },
  ) {
    super(
      `Migration ${migration}, statement ${statement} failed: ${(options.cause as Error)?.message ?? options.cause}`,
      options,
    );
  }
}

const MIGRATION_FILE = /^\d{3,}_[A-Za-z0-9_]+\.sql$/;
const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * The migration files of a folder (default: the package's schemas/clickhouse),
 * in name order, with their checksums.
 *
 * @example
 * loadMigrations().map((m) => m.name); // ['001_telemetry_enriched.sql', '002_twin_state.sql', …]
 */
export function loadMigrations(dir: string = defaultMigrationsDir()): Migration[] {
  return fs
    .readdirSync(dir)
    .filter((f) => MIGRATION_FILE.test(f))
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(`${dir}/${name}`, 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/**
 * Applies, in order, the migrations not yet recorded in
 * `<database>.schema_migrations`, recording each one's name and checksum
 * after all its statements succeeded. Statements are idempotent (`IF NOT
 * EXISTS`), so a run interrupted inside a migration is finished by the next.
 * Refuses with {@link MigrationChecksumError}, before applying anything, when
 * an applied migration's file has changed.
 *
 * @example
 * const client = createClient({ url: 'http://127.0.0.1:8123' });
 * const { applied } = await migrate(client, { database: 'twinflow' });
 */
export async function migrate(client: ClickHouseClient, options: MigrateOptions): Promise<MigrationReport> {
  const { database } = options;
  if (!DATABASE_NAME.test(database)) {
    throw new TypeError(`Invalid database name ${JSON.stringify(database)}: expected [A-Za-z_][A-Za-z0-9_]*`);
  }
  const migrations = options.migrations ?? loadMigrations();
  await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
  await client.command({
    query: `CREATE TABLE IF NOT EXISTS ${database}.schema_migrations
      (name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
      ENGINE = MergeTree ORDER BY name`,
  });
  const rs = await client.query({
    query: `SELECT name, any(checksum) AS checksum FROM ${database}.schema_migrations GROUP BY name`,
    format: 'JSONEachRow',
  });
  const applied = new Map(
    (await rs.json<{ name: string; checksum: string }>()).map((r) => [r.name, r.checksum]),
  );
  for (const m of migrations) {
    const was = applied.get(m.name);
    if (was !== undefined && was !== m.checksum) throw new MigrationChecksumError(m.name, was, m.checksum);
  }
  const done: string[] = [];
  const skipped: string[] = [];
  for (const m of migrations) {
    if (applied.has(m.name)) {
      skipped.push(m.name);
      continue;
    }
    const statements = splitStatements(m.sql.replaceAll('{database}', database));
    for (let i = 0; i < statements.length; i++) {
      try {
        await client.command({ query: statements[i] });
      } catch (err) {
        throw new MigrationError(m.name, i + 1, { cause: err });
      }
    }
    await client.insert({
      table: `${database}.schema_migrations`,
      values: [{ name: m.name, checksum: m.checksum }],
      columns: ['name', 'checksum'],
      format: 'JSONEachRow',
    });
    done.push(m.name);
  }
  return { applied: done, alreadyApplied: skipped };
}

/**
 * Splits a migration into statements: `;` at the end of a line ends one;
 * `--` comment lines are dropped (the HTTP interface runs one statement per request).
 */
export function splitStatements(sql: string): string[] {
  const withoutComments = sql
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('--'))
    .join('\n');
  return withoutComments
    .split(/;[ \t]*(?:\r?\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function defaultMigrationsDir(): string {
  // Sources sit two folders below the package root; the build (dist/) adds one.
  for (const rel of ['../../schemas/clickhouse', '../../../schemas/clickhouse']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (fs.existsSync(dir)) return dir;
  }
  throw new Error(`schemas/clickhouse not found next to ${fileURLToPath(import.meta.url)}`);
}
