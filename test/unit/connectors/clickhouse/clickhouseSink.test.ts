import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ClickHouseSink } from '../../../../connectors/clickhouse/clickhouseSink.js';
import { EmbeddedClickHouse } from '../../../../connectors/clickhouse/embeddedServer.js';
import { ClickHouseSinkError, type RejectedRow } from '../../../../connectors/clickhouse/sinkError.js';

interface Row {
  id: number;
  s: string;
}

let ch: EmbeddedClickHouse;
let client: ClickHouseClient;
let dataDir: string;
let tables = 0;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'twinflow-ch-sink-'));
  ch = await EmbeddedClickHouse.start({ dataDir });
  client = createClient({ url: ch.url, log: { level: ClickHouseLogLevel.OFF } });
});

afterAll(async () => {
  await client?.close();
  await ch?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function newTable(): Promise<string> {
  const table = `rows_${++tables}`;
  await client.command({
    query: `CREATE TABLE ${table} (id UInt32, s String) ENGINE = MergeTree ORDER BY id
            SETTINGS non_replicated_deduplication_window = 100`,
  });
  return table;
}

async function count(table: string): Promise<number> {
  const [r] = await (
    await client.query({ query: `SELECT count() AS n FROM ${table}`, format: 'JSONEachRow' })
  ).json<{
    n: number;
  }>();
  return Number(r.n);
}

const row = (id: number): Row => ({ id, s: `row-${id}` });

describe('ClickHouseSink', () => {
  it('cuts batches by rows', async () => {
    const table = await newTable();
    const sink = new ClickHouseSink<Row>({
      client,
      table,
      maxRows: 3,
      maxDelayMs: 60_000,
      maxPendingBatches: 10,
    });
    for (let i = 0; i < 7; i++) await sink.write(row(i));
    await vi.waitFor(() => expect(sink.metrics.batchesWritten).toBe(2));
    expect(sink.metrics.bufferedRows).toBe(1);
    await sink.flush();
    expect(sink.metrics).toMatchObject({ batchesWritten: 3, rowsWritten: 7, bufferedRows: 0, retries: 0 });
    expect(await count(table)).toBe(7);
    await sink.close();
  });

  it('reports every batch written and every retry to its observer, with the table', async () => {
    const table = await newTable();
    const written: { table: string; rows: number }[] = [];
    const sink = new ClickHouseSink<Row>({
      client,
      table,
      maxRows: 2,
      maxDelayMs: 60_000,
      maxPendingBatches: 10,
      onWritten: (b) => written.push({ table: b.table, rows: b.rows }),
    });
    for (let i = 0; i < 5; i++) await sink.write(row(i));
    await sink.flush();
    await sink.close();
    expect(written).toEqual([
      { table, rows: 2 },
      { table, rows: 2 },
      { table, rows: 1 },
    ]);
    expect(await count(table)).toBe(5);
  });

  it('cuts batches by bytes', async () => {
    const table = await newTable();
    const line = `${JSON.stringify(row(0))}\n`.length;
    const sink = new ClickHouseSink<Row>({ client, table, maxBytes: line * 2, maxDelayMs: 60_000 });
    for (let i = 0; i < 4; i++) await sink.write(row(i));
    await vi.waitFor(() => expect(sink.metrics.batchesWritten).toBe(2));
    expect(await count(table)).toBe(4);
    await sink.close();
  });

  it('cuts batches by time without a flush', async () => {
    const table = await newTable();
    const sink = new ClickHouseSink<Row>({ client, table, maxRows: 1_000, maxDelayMs: 20 });
    sink.write(row(1));
    sink.write(row(2));
    await vi.waitFor(() => expect(sink.metrics.batchesWritten).toBe(1));
    expect(await count(table)).toBe(2);
    await sink.close();
  });

  it('asks the writer to wait when batches pile up (back-pressure)', async () => {
    const table = await newTable();
    const sink = new ClickHouseSink<Row>({ client, table, maxRows: 1, maxPendingBatches: 1 });
    const waited = sink.write(row(1));
    expect(waited).toBeInstanceOf(Promise);
    await waited;
    expect(sink.metrics.batchesWritten).toBe(1);
    await sink.close();
  });

  it('writes a replayed batch once (same deduplication token)', async () => {
    const table = await newTable();
    const idOf = (r: Row) => String(r.id);
    for (let replay = 0; replay < 2; replay++) {
      const sink = new ClickHouseSink<Row>({ client, table, idOf });
      for (let i = 0; i < 5; i++) sink.write(row(i));
      await sink.close();
    }
    expect(await count(table)).toBe(5);
  });

  it('retries while the server is down and writes the rows exactly once', async () => {
    const table = await newTable();
    const { port } = ch;
    await ch.close();
    const sink = new ClickHouseSink<Row>({
      client,
      table,
      maxRows: 2,
      retry: { attempts: 50, backoffMs: 10, maxBackoffMs: 50 },
      onRetry: ({ table: t, attempt }) => retried.push(`${t}#${attempt}`),
    });
    const retried: string[] = [];
    for (let i = 0; i < 5; i++) sink.write(row(i));
    const flushed = sink.flush();
    await vi.waitFor(() => expect(sink.metrics.retries).toBeGreaterThan(0));
    ch = await EmbeddedClickHouse.start({ dataDir, port });
    await flushed;
    expect(sink.metrics).toMatchObject({ rowsWritten: 5, batchesWritten: 3, failedBatches: 0 });
    // The observer saw each retry as it happened, attempts counted from 1.
    expect(retried).toHaveLength(sink.metrics.retries);
    expect(retried[0]).toBe(`${table}#1`);
    expect(await count(table)).toBe(5);
    await sink.close();
  });

  it('fails permanently on a 4xx error without retrying, and stays failed', async () => {
    const sink = new ClickHouseSink<Row>({
      client,
      table: 'no_such_table',
      retry: { attempts: 5, backoffMs: 1 },
    });
    sink.write(row(1));
    const err = await sink.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClickHouseSinkError);
    expect(err).toMatchObject({ retriable: false, attempts: 1, rows: 1, table: 'no_such_table' });
    expect((err as Error).message).toContain('UNKNOWN_TABLE');
    expect(sink.metrics).toMatchObject({ retries: 0, failedBatches: 1 });
    expect(() => sink.write(row(2))).toThrow(ClickHouseSinkError);
  });

  it('writes the rest of a batch when rows hold values their columns cannot take, and reports those rows', async () => {
    const table = await newTable();
    const rejected: RejectedRow[] = [];
    const sink = new ClickHouseSink<{ id: number; s: string }>({
      client,
      table,
      maxRows: 1_000,
      idOf: (r) => String(r.id),
      onRejected: (r) => rejected.push(r),
    });
    // id is UInt32: a negative id and a text id are refused by ClickHouse itself (CANNOT_PARSE_*).
    for (let id = 1; id <= 100; id++) sink.write(row(id));
    sink.write({ id: -7, s: 'negative' });
    sink.write({ id: 'x' as unknown as number, s: 'text' });
    for (let id = 101; id <= 150; id++) sink.write(row(id));
    await sink.flush();
    expect(await count(table)).toBe(150);
    expect(rejected.map((r) => r.id)).toEqual(['-7', 'x']);
    expect(rejected[0]).toMatchObject({ table, line: '{"id":-7,"s":"negative"}\n' });
    expect(rejected[0]?.reason).toContain('CANNOT_PARSE_NUMBER');
    expect(sink.metrics).toMatchObject({
      rowsWritten: 150,
      rejectedRows: 2,
      failedBatches: 0,
      bufferedRows: 0,
    });
    // The sink goes on: later rows are written.
    sink.write(row(151));
    await sink.close();
    expect(await count(table)).toBe(151);
  });

  it('isolates bad rows the same way on a replay, so the written halves deduplicate', async () => {
    const table = await newTable();
    const batch = [...Array.from({ length: 20 }, (_, i) => row(i + 1)), { id: -1, s: 'bad' }];
    for (let run = 0; run < 2; run++) {
      const sink = new ClickHouseSink<Row>({ client, table, maxRows: 1_000, idOf: (r) => String(r.id) });
      for (const r of batch) sink.write(r);
      await sink.close();
      expect(sink.metrics.rejectedRows).toBe(1);
    }
    expect(await count(table)).toBe(20);
  });
});
