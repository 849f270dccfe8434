import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../../../runtime/cli/commandIo.js';
import { UsageError } from '../../../../runtime/cli/flags.js';
import { SqlTextError } from '../../../../runtime/cli/singleStatement.js';
import { runSql, SQL_USAGE } from '../../../../runtime/cli/sqlCommand.js';
import { NULL_CELL } from '../../../../runtime/cli/textTable.js';
import { type EmbeddedFixture, startEmbeddedFixture } from '../../connectors/clickhouse/embeddedFixture.js';

let fixture: EmbeddedFixture;
let url: string;
const dir = mkdtempSync(join(tmpdir(), 'twinflow-sql-'));

beforeAll(async () => {
  fixture = await startEmbeddedFixture('cli-sql');
  url = fixture.ch.url;
  await fixture.client.command({ query: 'CREATE DATABASE cli' });
  await fixture.client.command({
    query:
      'CREATE TABLE cli.readings (asset String, temp Nullable(Float64), n UInt64) ENGINE = MergeTree ORDER BY asset',
  });
  await fixture.client.insert({
    table: 'cli.readings',
    values: [
      { asset: 'press-1', temp: 71.5, n: '18446744073709551615' },
      { asset: 'mill-22', temp: null, n: '3' },
    ],
    format: 'JSONEachRow',
  });
});

afterAll(async () => {
  await fixture?.close();
});

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function sql(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CommandIo = { out: (l) => out.push(l), err: (l) => err.push(l), env };
  const code = await runSql(argv, io);
  return { code, out, err };
}

const at = (): string[] => ['--url', url, '--database', 'cli'];

describe('twinflow sql', () => {
  it('prints rows as an aligned table with a row count, numbers right-aligned, NULL marked', async () => {
    const run = await sql([...at(), 'SELECT asset, temp, n FROM readings ORDER BY asset']);
    expect(run).toEqual({
      code: 0,
      out: [
        'asset   | temp |                    n',
        '--------+------+---------------------',
        `mill-22 | ${NULL_CELL} |                    3`,
        'press-1 | 71.5 | 18446744073709551615',
        '(2 rows)',
      ],
      err: [],
    });
  });

  it('keeps every digit of 64-bit integers and decimals, and shows inf and nan as such', async () => {
    const run = await sql([
      ...at(),
      "SELECT toDecimal128('12345678901234567890.125', 3) AS d, toInt64(-9007199254740993) AS i, 1/0 AS inf, nan AS nan",
    ]);
    expect(run.out).toEqual([
      '                       d |                 i | inf | nan',
      '-------------------------+-------------------+-----+----',
      '12345678901234567890.125 | -9007199254740993 | inf | nan',
      '(1 row)',
    ]);
  });

  it('stops at --max-rows and says the result has more', async () => {
    const run = await sql([...at(), '--max-rows', '3', 'SELECT number FROM numbers(100000)']);
    expect(run.code).toBe(0);
    expect(run.out).toEqual([
      'number',
      '------',
      '     0',
      '     1',
      '     2',
      '(first 3 rows shown; the result has more: raise --max-rows or add a LIMIT)',
    ]);
  });

  it('prints exactly --max-rows rows without a note when that is all there is', async () => {
    const run = await sql([...at(), '--max-rows', '2', 'SELECT number FROM numbers(2)']);
    expect(run.out.at(-1)).toBe('(2 rows)');
  });

  it('prints one JSON object per row with --format json, the count on stderr', async () => {
    const run = await sql([...at(), '--format', 'json', 'SELECT asset, temp FROM readings ORDER BY asset']);
    expect(run.code).toBe(0);
    expect(run.out.map((l) => JSON.parse(l))).toEqual([
      { asset: 'mill-22', temp: null },
      { asset: 'press-1', temp: 71.5 },
    ]);
    expect(run.err).toEqual(['(2 rows)']);
  });

  it('prints RFC 4180 CSV with a header with --format csv', async () => {
    const run = await sql([
      ...at(),
      '--format',
      'csv',
      `SELECT asset, temp, 'say "hi", twice' AS quote, [1, 2] AS arr FROM readings ORDER BY asset`,
    ]);
    expect(run.out).toEqual([
      'asset,temp,quote,arr',
      'mill-22,,"say ""hi"", twice","[1,2]"',
      'press-1,71.5,"say ""hi"", twice","[1,2]"',
    ]);
    expect(run.err).toEqual(['(2 rows)']);
  });

  it('reads the statement from -f, ignoring a trailing semicolon and comment', async () => {
    const file = join(dir, 'count.sql');
    writeFileSync(file, '-- how many\nSELECT count() AS readings\nFROM readings;\n-- end\n');
    const run = await sql([...at(), '-f', file]);
    expect(run.out).toEqual(['readings', '--------', '       2', '(1 row)']);
  });

  it('runs statements without rows and prints ok', async () => {
    expect((await sql([...at(), 'CREATE TABLE scratch (x UInt8) ENGINE = Memory'])).out).toEqual(['ok']);
    const insert = await sql([...at(), 'INSERT INTO scratch VALUES (1), (2)']);
    expect(insert.code).toBe(0);
    expect(insert.out[0]).toMatch(/^ok/);
    expect((await sql([...at(), 'SELECT sum(x) AS s FROM scratch'])).out[2]).toBe('3');
  });

  it('shows an empty result as its header and (0 rows)', async () => {
    const run = await sql([...at(), 'SELECT asset FROM readings WHERE 0']);
    expect(run.out).toEqual(['asset', '-----', '(0 rows)']);
  });

  it('connects as the clickhouse section of --config says', async () => {
    const config = join(dir, 'job.yaml');
    writeFileSync(
      config,
      `job: { name: mh }
kafka: { brokers: ['127.0.0.1:19092'] }
schemaRegistry: { url: 'http://127.0.0.1:18081' }
topics: { input: telemetry }
clickhouse: { url: '${url}', database: cli }
`,
    );
    const run = await sql(['--config', config, 'SELECT count() AS c FROM readings']);
    expect(run.out).toEqual(['c', '-', '2', '(1 row)']);
  });

  it("prints ClickHouse's error and exits 1 when it refuses the statement", async () => {
    const run = await sql([...at(), 'SELECT * FROM no_such_table']);
    expect(run.code).toBe(1);
    expect(run.out).toEqual([]);
    expect(run.err).toHaveLength(1);
    expect(run.err[0]).toMatch(/^sql: ClickHouse error UNKNOWN_TABLE \(code 60\): .*no_such_table/);
  });

  it('reports failed authentication without the password', async () => {
    const run = await sql([...at(), '--user', 'ops', 'SELECT 1'], { CLICKHOUSE_PASSWORD: 'hunter2-secret' });
    expect(run.code).toBe(1);
    expect(run.err[0]).toMatch(/^sql: ClickHouse error AUTHENTICATION_FAILED/);
    expect(run.err.join('\n')).not.toContain('hunter2-secret');
  });

  it('says when ClickHouse cannot be reached', async () => {
    const closed = `http://127.0.0.1:${fixture.ch.port === 1 ? 2 : 1}`;
    const run = await sql(['--url', closed, 'SELECT 1']);
    expect(run.code).toBe(1);
    expect(run.err[0]).toMatch(new RegExp(`^sql: cannot reach ClickHouse at ${closed} \\(.*ECONNREFUSED`));
  });

  it('refuses more than one statement before connecting', async () => {
    const err = await sql(['--url', 'http://127.0.0.1:1', 'SELECT 1; DROP TABLE readings']).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SqlTextError);
    expect((err as Error).message).toBe(
      'sql: the statement: one statement at a time: a second statement starts at line 1, column 11',
    );
    const file = join(dir, 'two.sql');
    writeFileSync(file, 'SELECT 1;\nSELECT 2;\n');
    await expect(sql([...at(), '-f', file])).rejects.toThrow(`sql: -f ${file}: one statement at a time`);
  });

  it('names the flag or argument at fault', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        [...at(), '--format', 'xml', 'SELECT 1'],
        /^sql: --format must be one of table, json, csv, got "xml"$/,
      ],
      [[...at(), '--max-rows', '0', 'SELECT 1'], /^--max-rows must be a positive integer, got "0"$/],
      [[...at()], /^sql: give the statement to run as an argument/],
      [[...at(), 'SELECT', '1'], /^sql: expected the statement as one argument, got 2; quote it/],
      [
        [...at(), '-f', join(dir, 'x.sql'), 'SELECT 1'],
        /^sql: give the statement as an argument or with -f FILE, not both$/,
      ],
      [[...at(), '-f', join(dir, 'missing.sql')], /^sql: cannot read -f .*missing\.sql \(ENOENT\)$/],
      [
        [...at(), 'SELECT 1 FORMAT CSV'],
        /^sql: the statement ends in FORMAT CSV; leave it out and choose with --format/,
      ],
      [[...at(), '--password', 'x', 'SELECT 1'], /^sql: there is no --password flag/],
      [['SELECT 1'], /^sql: say which ClickHouse/],
    ];
    for (const [argv, message] of cases) {
      const err = await sql(argv).catch((e: unknown) => e);
      expect(err, argv.join(' ')).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
    }
    await expect(sql([...at(), '--verbose', 'SELECT 1'])).rejects.toThrow(/Unknown option '--verbose'/);
  });

  it('prints its usage for --help', async () => {
    expect(await sql(['--help'])).toEqual({ code: 0, out: [SQL_USAGE], err: [] });
    expect(SQL_USAGE).toContain('--max-rows');
    expect(SQL_USAGE).toContain('CLICKHOUSE_PASSWORD');
  });
});
