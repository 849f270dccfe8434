import type { ClickHouseClient } from '@clickhouse/client';
import { lastValueFrom, Subject, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseSink } from '../../../../connectors/clickhouse/clickhouseSink.js';
import { ClickHouseSinkError } from '../../../../connectors/clickhouse/sinkError.js';
import { toClickHouse } from '../../../../connectors/clickhouse/toClickHouse.js';
import { barrier, record, type StreamElement, watermark } from '../../../../operators/core/element.js';
import { type EmbeddedFixture, startEmbeddedFixture } from './embeddedFixture.js';

let fixture: EmbeddedFixture;
let client: ClickHouseClient;

beforeAll(async () => {
  fixture = await startEmbeddedFixture('op');
  client = fixture.client;
  await client.command({
    query: 'CREATE TABLE readings (id UInt32, v Float64) ENGINE = MergeTree ORDER BY id',
  });
});

afterAll(async () => {
  await fixture?.close();
});

interface Reading {
  id: number;
  v: number;
}

describe('toClickHouse', () => {
  it('forwards elements in order and holds each barrier until its rows are written', async () => {
    const sink = new ClickHouseSink<Reading>({
      client,
      table: 'readings',
      maxRows: 1_000,
      maxDelayMs: 60_000,
    });
    const input = new Subject<StreamElement<Reading>>();
    const writtenAtBarrier: number[] = [];
    const seen: StreamElement<Reading>[] = [];
    const done = new Promise<void>((resolve, reject) =>
      input.pipe(toClickHouse(sink, (r) => r)).subscribe({
        next(e) {
          seen.push(e);
          if (e.kind === 'barrier') writtenAtBarrier.push(sink.metrics.rowsWritten);
        },
        error: reject,
        complete: resolve,
      }),
    );
    const elements: StreamElement<Reading>[] = [
      record({ id: 1, v: 1.5 }, 1),
      record({ id: 2, v: 2.5 }, 2),
      watermark(2),
      barrier(1),
      record({ id: 3, v: 3.5 }, 3),
      barrier(2),
      record({ id: 4, v: 4.5 }, 4),
    ];
    for (const e of elements) input.next(e);
    // The barrier is still waiting for its flush: the elements after it wait too.
    expect(seen).toEqual(elements.slice(0, 3));
    input.complete();
    await done;
    expect(seen).toEqual(elements);
    expect(writtenAtBarrier).toEqual([2, 3]);
    expect(sink.metrics.rowsWritten).toBe(4);
  });

  it('flushes when the input completes', async () => {
    await client.command({ query: 'TRUNCATE TABLE readings' });
    const sink = new ClickHouseSink<Reading>({ client, table: 'readings', maxDelayMs: 60_000 });
    const elements = [record({ id: 7, v: 0 }, 7), record({ id: 8, v: 0 }, 8)];
    const input = new Subject<StreamElement<Reading>>();
    const out = lastValueFrom(
      input.pipe(
        toClickHouse(sink, (r) => r),
        toArray(),
      ),
    );
    for (const e of elements) input.next(e);
    input.complete();
    expect(await out).toEqual(elements);
    expect(sink.metrics.rowsWritten).toBe(2);
  });

  it('errors the stream when the sink fails', async () => {
    const sink = new ClickHouseSink<Reading>({
      client,
      table: 'missing',
      retry: { attempts: 1, backoffMs: 1 },
    });
    const input = new Subject<StreamElement<Reading>>();
    const out = lastValueFrom(input.pipe(toClickHouse(sink, (r) => r)));
    input.next(record({ id: 1, v: 0 }, 1));
    input.next(barrier(1));
    await expect(out).rejects.toBeInstanceOf(ClickHouseSinkError);
  });
});
