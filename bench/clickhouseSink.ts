/**
 * Rows/s of the ClickHouse sink into the embedded ClickHouse (chDB behind
 * the HTTP interface, in a child process), `telemetry_enriched` rows.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { ClickHouseSink } from '../connectors/clickhouse/clickhouseSink.js';
import { EmbeddedClickHouseProcess } from '../connectors/clickhouse/embeddedServerProcess.js';
import { migrate } from '../connectors/clickhouse/migrations.js';
import { type TelemetryEnrichedRow, telemetryEnrichedRow } from '../connectors/clickhouse/rows.js';
import type { Telemetry } from '../operators/control/contracts.js';
import { collectGarbage, perSec, progress, round } from './measure.js';
import { seededRandom } from './telemetry.js';

const ROWS = 200_000;
const ASSETS = 100;
const MAX_ROWS = 10_000;
const DATABASE = 'bench';
const START_TS = Date.UTC(2026, 0, 5);

/**
 * CPU ms used so far by this process's live children (the embedded
 * ClickHouse), from Linux's /proc; null where /proc does not tell. The server
 * does its share of an insert on the other core, out of process.cpuUsage's sight.
 */
function childrenCpuMs(): number | null {
  try {
    const kids = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim();
    let ticks = 0;
    for (const pid of kids === '' ? [] : kids.split(/\s+/)) {
      // Fields after the parenthesised command name; utime and stime are the 12th and 13th of those.
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    // USER_HZ is 100 on every Linux build Node supports.
    return ticks * 10;
  } catch {
    return null;
  }
}

/** Readings of ASSETS assets every 30 s, scored, as the job's enriched sink would get them. */
function enrichedRows(): TelemetryEnrichedRow[] {
  const random = seededRandom(7);
  const rows: TelemetryEnrichedRow[] = new Array(ROWS);
  for (let i = 0; i < ROWS; i++) {
    const asset = i % ASSETS;
    const seq = Math.floor(i / ASSETS);
    const load = 60 + 40 * random();
    const t: Telemetry = {
      assetId: `asset-${asset}`,
      site: 'site-1',
      line: `line-${asset % 4}`,
      ts: START_TS + seq * 30_000,
      seq,
      temperatureC: 50 + 30 * random(),
      vibrationMmS: 2 + 3 * random(),
      loadPct: load,
      pressureBar: i % 50 === 0 ? null : 4 + random(),
      powerKw: 0.8 * load,
      rpm: 1450 + 20 * random(),
      runState: 'RUNNING',
      goodUnits: 10,
      rejectedUnits: i % 20 === 0 ? 1 : 0,
      loadLimitPct: null,
    };
    const scores = {
      risk: random() * 0.1,
      rulHours: i % 3 === 0 ? null : 100 + 500 * random(),
      anomalyScore: random(),
      wearEstimate: random(),
      model: 'SURROGATE',
    };
    rows[i] = telemetryEnrichedRow(t, scores, 1 + Math.floor(seq / 120));
  }
  return rows;
}

/**
 * Writes ROWS `telemetry_enriched` rows through a ClickHouseSink (batches of
 * 10 000, deduplication tokens, back-pressure) into a fresh embedded
 * ClickHouse, then checks the deduplicated count.
 *
 * @example
 * const r = await clickhouseSinkBench(); // r.rowsPerSec
 */
export async function clickhouseSinkBench(): Promise<object> {
  const rows = enrichedRows();
  const dataDir = mkdtempSync(join(tmpdir(), 'twinflow-bench-clickhouse-'));
  try {
    const server = await EmbeddedClickHouseProcess.start({ dataDir, port: 0 });
    const client = createClient({ url: server.url });
    try {
      await migrate(client, { database: DATABASE });
      const sink = new ClickHouseSink<TelemetryEnrichedRow>({
        client,
        table: `${DATABASE}.telemetry_enriched`,
        maxRows: MAX_ROWS,
        idOf: (r) => r.event_id,
      });
      collectGarbage();
      const cpu0 = process.cpuUsage();
      const serverCpu0 = childrenCpuMs();
      const t0 = performance.now();
      let waits = 0;
      for (let i = 0; i < ROWS; i++) {
        const full = sink.write(rows[i]);
        if (full) {
          waits++;
          await full;
        }
        if ((i + 1) % (ROWS / 4) === 0) {
          progress(`  clickhouseSink ${i + 1}/${ROWS}: ${perSec(i + 1, performance.now() - t0)} rows/s`);
        }
      }
      await sink.close();
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      const serverCpu1 = childrenCpuMs();
      const result = await client.query({
        query: `SELECT count() AS n FROM ${DATABASE}.telemetry_enriched_dedup`,
        format: 'JSONEachRow',
      });
      const [{ n }] = await result.json<{ n: string | number }>();
      const counted = Number(n);
      if (counted !== ROWS) {
        throw new Error(
          `bench clickhouseSink: wrote ${ROWS} rows, ${DATABASE}.telemetry_enriched_dedup has ${counted}`,
        );
      }
      return {
        name: 'clickhouseSink',
        pipeline:
          'ClickHouseSink (JSONEachRow, dedup tokens) → HTTP → embedded ClickHouse (chDB, child process) → telemetry_enriched',
        rows: ROWS,
        maxRows: MAX_ROWS,
        ms: round(ms),
        rowsPerSec: perSec(ROWS, ms),
        batches: sink.metrics.batchesWritten,
        megabytes: Math.round(sink.metrics.bytesWritten / 1e5) / 10,
        backPressureWaits: waits,
        lastBatchLatencyMs: round(sink.metrics.lastLatencyMs),
        clientCpuMs: round((cpu.user + cpu.system) / 1000),
        serverCpuMs: serverCpu0 === null || serverCpu1 === null ? null : serverCpu1 - serverCpu0,
        countedRows: counted,
      };
    } finally {
      await client.close();
      await server.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
