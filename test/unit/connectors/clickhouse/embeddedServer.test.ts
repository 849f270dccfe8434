import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { type ClickHouseClient, ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedClickHouse } from '../../../../connectors/clickhouse/embeddedServer.js';

const execFileAsync = promisify(execFile);

let ch: EmbeddedClickHouse;
let client: ClickHouseClient;
let dataDir: string;
// The client logs every failed request; these tests expect failures.
const quiet = { level: ClickHouseLogLevel.OFF };

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'twinflow-ch-server-'));
  ch = await EmbeddedClickHouse.start({ dataDir, port: 0, password: 's3cret' });
  client = createClient({ url: ch.url, username: 'default', password: 's3cret', log: quiet });
});

afterAll(async () => {
  await client?.close();
  await ch?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function raw(
  pathAndQuery: string,
  options: { method?: string; body?: Buffer | string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${ch.url}${pathAndQuery}`,
      { method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const auth = { authorization: `Basic ${Buffer.from('default:s3cret').toString('base64')}` };

describe('EmbeddedClickHouse over @clickhouse/client', () => {
  it('answers ping', async () => {
    expect((await client.ping()).success).toBe(true);
    const r = await raw('/ping');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('Ok.\n');
  });

  it('runs a SELECT and echoes the query id', async () => {
    const rs = await client.query({
      query: 'SELECT number AS n FROM numbers(3)',
      format: 'JSONEachRow',
      query_id: 'q-42',
    });
    expect(rs.query_id).toBe('q-42');
    expect(rs.response_headers['x-clickhouse-query-id']).toBe('q-42');
    expect(rs.response_headers['x-clickhouse-format']).toBe('JSONEachRow');
    expect(await rs.json()).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
  });

  it('reads JSON with meta, as Grafana does', async () => {
    const rs = await client.query({ query: "SELECT 1 AS a, 'x' AS b", format: 'JSON' });
    const json = await rs.json<{ a: number; b: string }>();
    expect(json.data).toEqual([{ a: 1, b: 'x' }]);
    expect(json.meta).toEqual([
      { name: 'a', type: 'UInt8' },
      { name: 'b', type: 'String' },
    ]);
  });

  it('inserts JSONEachRow and reports written rows in the summary header', async () => {
    await client.command({
      query: 'CREATE TABLE t_insert (id UInt32, s String) ENGINE = MergeTree ORDER BY id',
    });
    const r = await client.insert({
      table: 't_insert',
      values: [
        { id: 1, s: 'a' },
        { id: 2, s: 'b' },
      ],
      format: 'JSONEachRow',
    });
    expect(r.summary?.written_rows).toBe('2');
    const rs = await client.query({ query: 'SELECT id, s FROM t_insert ORDER BY id', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([
      { id: 1, s: 'a' },
      { id: 2, s: 'b' },
    ]);
  });

  it('inserts only the listed columns', async () => {
    await client.command({ query: "CREATE TABLE t_cols (id UInt32, s String DEFAULT 'd') ENGINE = Memory" });
    await client.insert({ table: 't_cols', values: [{ id: 7 }], columns: ['id'], format: 'JSONEachRow' });
    const rs = await client.query({ query: 'SELECT * FROM t_cols', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ id: 7, s: 'd' }]);
  });

  it('deduplicates a repeated insert with the same insert_deduplication_token', async () => {
    await client.command({
      query:
        'CREATE TABLE t_dedup (id UInt32) ENGINE = MergeTree ORDER BY id SETTINGS non_replicated_deduplication_window = 100',
    });
    const values = [{ id: 1 }, { id: 2 }, { id: 3 }];
    const settings = { insert_deduplication_token: 'batch-1' };
    await client.insert({ table: 't_dedup', values, format: 'JSONEachRow', clickhouse_settings: settings });
    await client.insert({ table: 't_dedup', values, format: 'JSONEachRow', clickhouse_settings: settings });
    await client.insert({
      table: 't_dedup',
      values,
      format: 'JSONEachRow',
      clickhouse_settings: { insert_deduplication_token: 'batch-2' },
    });
    const rs = await client.query({ query: 'SELECT count() AS c FROM t_dedup', format: 'JSONEachRow' });
    expect(await rs.json()).toEqual([{ c: 6 }]);
  });

  it('does not leak one request’s settings into the next', async () => {
    const a = await client.query({
      query: "SELECT getSetting('max_threads') AS v",
      format: 'JSONEachRow',
      clickhouse_settings: { max_threads: 3 },
    });
    expect(await a.json()).toEqual([{ v: 3 }]);
    const b = await client.query({ query: "SELECT getSetting('max_threads') AS v", format: 'JSONEachRow' });
    expect(await b.json()).not.toEqual([{ v: 3 }]);
  });

  it('binds query parameters', async () => {
    const rs = await client.query({
      query: 'SELECT {n:UInt32} + 1 AS n, {s:String} AS s',
      query_params: { n: 41, s: "it's\ta test" },
      format: 'JSONEachRow',
    });
    expect(await rs.json()).toEqual([{ n: 42, s: "it's\ta test" }]);
  });

  it('uses the database parameter', async () => {
    await client.command({ query: 'CREATE DATABASE IF NOT EXISTS other' });
    await client.command({ query: 'CREATE TABLE other.t_db (x UInt8) ENGINE = Memory' });
    const other = createClient({ url: ch.url, password: 's3cret', database: 'other', log: quiet });
    try {
      await other.insert({ table: 't_db', values: [{ x: 5 }], format: 'JSONEachRow' });
      const rs = await other.query({
        query: 'SELECT currentDatabase() AS d, x FROM t_db',
        format: 'JSONEachRow',
      });
      expect(await rs.json()).toEqual([{ d: 'other', x: 5 }]);
    } finally {
      await other.close();
    }
    const missing = createClient({ url: ch.url, password: 's3cret', database: 'nope', log: quiet });
    try {
      await expect(missing.query({ query: 'SELECT 1' })).rejects.toMatchObject({
        code: '81',
        type: 'UNKNOWN_DATABASE',
      });
    } finally {
      await missing.close();
    }
  });

  it('compresses requests and responses with gzip', async () => {
    const gz = createClient({
      url: ch.url,
      password: 's3cret',
      compression: { request: true, response: true },
      log: quiet,
    });
    try {
      await gz.command({ query: 'CREATE TABLE t_gzip (id UInt32) ENGINE = Memory' });
      await gz.insert({ table: 't_gzip', values: [{ id: 1 }, { id: 2 }], format: 'JSONEachRow' });
      const rs = await gz.query({ query: 'SELECT sum(id) AS s FROM t_gzip', format: 'JSONEachRow' });
      expect(rs.response_headers['content-encoding']).toBe('gzip');
      expect(await rs.json()).toEqual([{ s: 3 }]);
    } finally {
      await gz.close();
    }
    const r = await raw('/?enable_http_compression=1', {
      method: 'POST',
      body: gzipSync('SELECT 40 + 2'),
      headers: { ...auth, 'content-encoding': 'gzip', 'accept-encoding': 'gzip' },
    });
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(r.body).toString()).toBe('42\n');
  });

  it('refuses wrong credentials with AUTHENTICATION_FAILED (516, HTTP 403)', async () => {
    const bad = createClient({ url: ch.url, password: 'wrong', log: quiet });
    try {
      await expect(bad.query({ query: 'SELECT 1' })).rejects.toMatchObject({
        code: '516',
        type: 'AUTHENTICATION_FAILED',
      });
    } finally {
      await bad.close();
    }
    const r = await raw('/?query=SELECT%201&user=default&password=nope');
    expect(r.status).toBe(403);
    expect(r.headers['x-clickhouse-exception-code']).toBe('516');
    expect(r.body.toString()).toMatch(
      /^Code: 516\. DB::Exception: default: Authentication failed: .*\(AUTHENTICATION_FAILED\) \(version /,
    );
    const viaHeaders = await raw('/?query=SELECT%201', {
      headers: { 'x-clickhouse-user': 'default', 'x-clickhouse-key': 's3cret' },
    });
    expect(viaHeaders.body.toString()).toBe('1\n');
    const viaParams = await raw('/?query=SELECT%201&user=default&password=s3cret');
    expect(viaParams.body.toString()).toBe('1\n');
  });

  it('answers a syntax error with code 62 and HTTP 400', async () => {
    const err = await client.query({ query: 'SELEC 1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClickHouseError);
    expect(err).toMatchObject({ code: '62', type: 'SYNTAX_ERROR' });
    const r = await raw('/?query=SELEC%201', { headers: auth });
    expect(r.status).toBe(400);
    expect(r.headers['x-clickhouse-exception-code']).toBe('62');
    expect(r.body.toString()).toMatch(
      /^Code: 62\. DB::Exception: Syntax error.*\(SYNTAX_ERROR\) \(version [\d.]+\)\n$/s,
    );
  });

  it('answers an unknown table with code 60 and HTTP 404', async () => {
    const r = await raw('/?query=SELECT%20*%20FROM%20no_such_table', { headers: auth });
    expect(r.status).toBe(404);
    expect(r.headers['x-clickhouse-exception-code']).toBe('60');
    expect(r.body.toString()).toContain('(UNKNOWN_TABLE)');
  });

  it('refuses writes over GET (readonly), as ClickHouse does', async () => {
    const r = await raw(`/?query=${encodeURIComponent('CREATE TABLE t_get (x UInt8) ENGINE = Memory')}`, {
      headers: auth,
    });
    expect(r.status).toBe(500);
    expect(r.headers['x-clickhouse-exception-code']).toBe('164');
  });

  it('takes the query from the URL and the data from the body', async () => {
    await client.command({ query: 'CREATE TABLE t_csv (a UInt8, b String) ENGINE = Memory' });
    const r = await raw(`/?query=${encodeURIComponent('INSERT INTO t_csv FORMAT CSV')}`, {
      method: 'POST',
      body: '1,"x"\n2,"y"\n',
      headers: auth,
    });
    expect(r.status).toBe(200);
    const inBody = await raw('/', {
      method: 'POST',
      body: "INSERT INTO t_csv FORMAT Values (3, 'z')",
      headers: auth,
    });
    expect(inBody.status).toBe(200);
    const sel = await raw('/?default_format=JSONCompactEachRow', {
      method: 'POST',
      body: 'SELECT a, b FROM t_csv ORDER BY a',
      headers: auth,
    });
    expect(sel.headers['x-clickhouse-format']).toBe('JSONCompactEachRow');
    expect(sel.body.toString()).toBe('[1, "x"]\n[2, "y"]\n[3, "z"]\n');
  });

  it('keeps state within a session_id', async () => {
    await client.command({ query: 'CREATE TEMPORARY TABLE tmp (x UInt8)', session_id: 's1' });
    await client.command({ query: 'INSERT INTO tmp VALUES (9)', session_id: 's1' });
    const rs = await client.query({ query: 'SELECT x FROM tmp', format: 'JSONEachRow', session_id: 's1' });
    expect(await rs.json()).toEqual([{ x: 9 }]);
  });

  it('answers curl', async () => {
    // Async: a synchronous child process would block the event loop the server answers on.
    const curl = await execFileAsync('curl', ['--version']).then(
      () => true,
      () => false,
    );
    if (!curl) return;
    const { stdout } = await execFileAsync('curl', [
      '-s',
      '-u',
      'default:s3cret',
      `${ch.url}/?query=SELECT%201`,
    ]);
    expect(stdout).toBe('1\n');
  });
});
