import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseOutputs, tableOutput } from '../../../../connectors/clickhouse/clickhouseOutputs.js';
import { type EmbeddedFixture, startEmbeddedFixture } from './embeddedFixture.js';

/** A job's outputs of two kinds: readings (one row each) and states (latest per asset and epoch). */
type Output =
  | { readonly kind: 'reading'; readonly asset: string; readonly seq: number; readonly value: number }
  | { readonly kind: 'state'; readonly asset: string; readonly version: number };

interface ReadingRow {
  id: string;
  asset: string;
  value: number;
  epoch: number;
}

interface StateRow {
  asset: string;
  version: number;
}

let fixture: EmbeddedFixture;
let client: ClickHouseClient;

beforeAll(async () => {
  fixture = await startEmbeddedFixture('outputs');
  client = fixture.client;
  await client.command({ query: 'CREATE DATABASE IF NOT EXISTS job' });
  await client.command({
    query:
      'CREATE TABLE job.readings (id String, asset String, value Float64, epoch UInt32) ENGINE = MergeTree ORDER BY id',
  });
  await client.command({
    query:
      'CREATE TABLE job.states (asset String, version UInt32) ENGINE = MergeTree ORDER BY (asset, version)',
  });
});

afterAll(async () => {
  await fixture?.close();
});

const tables = [
  tableOutput<Output, ReadingRow>({
    name: 'readings',
    table: 'readings',
    idOf: (r) => r.id,
    rowOf: (out, epoch) =>
      out.kind === 'reading'
        ? { id: `${out.asset}#${out.seq}`, asset: out.asset, value: out.value, epoch }
        : undefined,
  }),
  tableOutput<Output, StateRow>({
    name: 'states',
    table: 'states',
    idOf: (r) => `${r.asset}@${r.version}`,
    latestPerEpochBy: (r) => r.asset,
    rowOf: (out) => (out.kind === 'state' ? { asset: out.asset, version: out.version } : undefined),
  }),
];

async function rows(query: string): Promise<unknown[]> {
  return (await client.query({ query, format: 'JSONEachRow' })).json();
}

describe('ClickHouseOutputs', () => {
  it('routes each output to its table, numbers rows by epoch, and keeps only the latest state per epoch', async () => {
    const sinks = new ClickHouseOutputs<Output>(client, 'job', tables);
    sinks.write({ kind: 'reading', asset: 'a', seq: 1, value: 1.5 });
    sinks.write({ kind: 'state', asset: 'a', version: 1 });
    sinks.write({ kind: 'state', asset: 'a', version: 2 });
    sinks.write({ kind: 'state', asset: 'b', version: 1 });
    await sinks.flush(1);
    sinks.write({ kind: 'reading', asset: 'b', seq: 1, value: 2.5 });
    sinks.write({ kind: 'state', asset: 'a', version: 3 });
    await sinks.flush(2);
    await sinks.close();
    expect(await rows('SELECT id, epoch FROM job.readings ORDER BY id')).toEqual([
      { id: 'a#1', epoch: 1 },
      { id: 'b#1', epoch: 2 },
    ]);
    expect(await rows('SELECT asset, version FROM job.states ORDER BY asset, version')).toEqual([
      { asset: 'a', version: 2 },
      { asset: 'a', version: 3 },
      { asset: 'b', version: 1 },
    ]);
    expect(sinks.written).toEqual({ readings: 2, states: 3 });
  });

  it('refuses two outputs of one name', () => {
    expect(() => new ClickHouseOutputs<Output>(client, 'job', [tables[0]!, tables[0]!])).toThrow(
      'ClickHouseOutputs: two outputs are named "readings"',
    );
  });
});
