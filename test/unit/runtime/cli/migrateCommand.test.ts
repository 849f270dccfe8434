import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMigrations, type Migration } from '../../../../connectors/clickhouse/migrations.js';
import type { CommandIo } from '../../../../runtime/cli/commandIo.js';
import { UsageError } from '../../../../runtime/cli/flags.js';
import { MIGRATE_USAGE, runMigrate } from '../../../../runtime/cli/migrateCommand.js';
import { type EmbeddedFixture, startEmbeddedFixture } from '../../connectors/clickhouse/embeddedFixture.js';

let fixture: EmbeddedFixture;
let url: string;

beforeAll(async () => {
  fixture = await startEmbeddedFixture('cli-migrate');
  url = fixture.ch.url;
});

afterAll(async () => {
  await fixture?.close();
});

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function migrate(argv: string[], migrations?: readonly Migration[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { out: (l) => out.push(l), err: (l) => err.push(l), env: {} };
  const code = await runMigrate(argv, io, migrations === undefined ? {} : { migrations });
  return { code, out, err };
}

const migration = (name: string, sql: string): Migration => ({ name, sql, checksum: `sum-of-${sql}` });

describe('twinflow migrate', () => {
  it('applies every migration to a new database, then skips them all on a second run', async () => {
    const names = loadMigrations().map((m) => m.name);
    const first = await migrate(['--url', url, '--database', 'fresh']);
    expect(first.code).toBe(0);
    expect(first.err).toEqual([`migrate: applying pending migrations to database fresh at ${url} …`]);
    expect(first.out).toEqual([
      ...names.map((n) => `applied  ${n}`),
      `migrate: ${names.length} applied, 0 already applied (database fresh at ${url})`,
    ]);
    const tables = await fixture.client.query({ query: 'SHOW TABLES FROM fresh', format: 'JSONEachRow' });
    expect((await tables.json<{ name: string }>()).map((t) => t.name)).toContain('telemetry_enriched');

    const second = await migrate(['--url', url, '--database', 'fresh']);
    expect(second.code).toBe(0);
    expect(second.out).toEqual([
      ...names.map((n) => `skipped  ${n} (already applied)`),
      `migrate: 0 applied, ${names.length} already applied (database fresh at ${url})`,
    ]);
  });

  it('lists applied and skipped migrations in migration order when only some are new', async () => {
    const a = migration('001_a.sql', 'CREATE TABLE IF NOT EXISTS {database}.a (x UInt8) ENGINE = Memory');
    const b = migration('002_b.sql', 'CREATE TABLE IF NOT EXISTS {database}.b (x UInt8) ENGINE = Memory');
    expect((await migrate(['--url', url, '--database', 'partial'], [a])).code).toBe(0);
    const run = await migrate(['--url', url, '--database', 'partial'], [a, b]);
    expect(run.out).toEqual([
      'skipped  001_a.sql (already applied)',
      'applied  002_b.sql',
      `migrate: 1 applied, 1 already applied (database partial at ${url})`,
    ]);
  });

  it('uses the clickhouse section of --config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinflow-migrate-'));
    const config = join(dir, 'job.yaml');
    writeFileSync(
      config,
      `job: { name: mh }
kafka: { brokers: ['127.0.0.1:19092'] }
schemaRegistry: { url: 'http://127.0.0.1:18081' }
topics: { input: telemetry }
clickhouse: { url: '${url}', database: from_config }
`,
    );
    const run = await migrate(['--config', config], [migration('001_t.sql', 'SELECT 1')]);
    expect(run.code).toBe(0);
    expect(run.out.at(-1)).toBe(`migrate: 1 applied, 0 already applied (database from_config at ${url})`);
  });

  it('reports a failing migration with its statement and the ClickHouse message, and exits 1', async () => {
    const good = migration(
      '001_good.sql',
      'CREATE TABLE IF NOT EXISTS {database}.g (x UInt8) ENGINE = Memory',
    );
    const bad = migration('002_bad.sql', 'SELECT 1;\nSELECT * FROM {database}.missing_table;\n');
    const run = await migrate(['--url', url, '--database', 'failing'], [good, bad]);
    expect(run.code).toBe(1);
    expect(run.out).toEqual([]);
    expect(run.err[1]).toMatch(
      new RegExp(
        `^migrate: failed on database failing at ${url}: Migration 002_bad\\.sql, statement 2 failed: .*missing_table`,
      ),
    );
    expect(run.err[2]).toMatch(/the next run retries it/);
    // The good one was recorded: a fixed second run applies only the other.
    const fixed = migration('002_bad.sql', 'SELECT 2');
    const again = await migrate(['--url', url, '--database', 'failing'], [good, fixed]);
    expect(again.out.slice(0, 2)).toEqual([
      'skipped  001_good.sql (already applied)',
      'applied  002_bad.sql',
    ]);
  });

  it('refuses, changing nothing, when an applied migration was edited', async () => {
    const a = migration('001_a.sql', 'SELECT 1');
    await migrate(['--url', url, '--database', 'edited'], [a]);
    const run = await migrate(['--url', url, '--database', 'edited'], [{ ...a, checksum: 'changed' }]);
    expect(run.code).toBe(1);
    expect(run.err[1]).toMatch(
      /Migration 001_a\.sql was applied with checksum .* but the file now has changed/,
    );
  });

  it('says when ClickHouse cannot be reached', async () => {
    const run = await migrate(['--url', 'http://127.0.0.1:1']);
    expect(run.code).toBe(1);
    expect(run.err[1]).toMatch(
      /^migrate: failed on database twinflow at http:\/\/127\.0\.0\.1:1: cannot reach ClickHouse/,
    );
  });

  it('names the flag or argument at fault, and has no --password', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /^migrate: say which ClickHouse/],
      [['--url', url, 'now'], /^migrate: unexpected argument "now"/],
      [['--url', url, '--password', 'pw'], /^migrate: there is no --password flag.*CLICKHOUSE_PASSWORD/],
      [['--url', url, '--database', 'bad-name'], /^migrate: --database must be an identifier/],
    ];
    for (const [argv, message] of cases) {
      const err = await migrate(argv).catch((e: unknown) => e);
      expect(err, argv.join(' ')).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('prints an invalid config file as its problems and exits 1', async () => {
    const run = await migrate(['--config', '/nonexistent/job.yaml']);
    expect(run.code).toBe(1);
    expect(run.err[0]).toMatch(/^migrate: \/nonexistent\/job\.yaml: 1 problem/);
    expect(run.err[0]).toContain('cannot be read (ENOENT)');
  });

  it('prints its usage for --help', async () => {
    expect(await migrate(['-h'])).toEqual({ code: 0, out: [MIGRATE_USAGE], err: [] });
  });
});
