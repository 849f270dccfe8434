import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedClickHouseProcess } from '../../connectors/clickhouse/embeddedServerProcess.js';
import {
  type EmbeddedRunReport,
  runMachineHealthEmbedded,
} from '../../pipelines/machine-health/embeddedJob.js';

// The whole reference twin on the embedded default — simulator, Avro, scoring, control, KPIs and a
// real embedded ClickHouse engine in its own process — checked against the simulator's ground truth.
describe('machine-health on the embedded default', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'twinflow-e2e-'));
  let report: EmbeddedRunReport;
  let server: EmbeddedClickHouseProcess;
  let client: ClickHouseClient;

  async function one<T>(query: string): Promise<T> {
    const rows = await (await client.query({ query, format: 'JSONEachRow' })).json<T>();
    return rows[0];
  }

  beforeAll(async () => {
    report = await runMachineHealthEmbedded({ assets: 24, days: 2, seed: 7, port: 0, dataDir });
    // The job stopped its endpoint; serve the same data again, as `twinflow clickhouse` does.
    server = await EmbeddedClickHouseProcess.start({ dataDir, port: 0 });
    client = createClient({ url: server.url });
  }, 240_000);

  afterAll(async () => {
    await client?.close();
    await server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('beats the baseline on the same seed: fewer failures and less unplanned downtime', () => {
    expect(report.baseline.failures).toBeGreaterThan(0);
    expect(report.twin!.failures).toBeLessThan(report.baseline.failures);
    expect(report.twin!.unplannedDowntimeH).toBeLessThan(report.baseline.unplannedDowntimeH);
    // The plant without the twin is the same plant: same faults injected.
    expect(report.truth!.faults.map((f) => [f.assetId, f.kind, f.injectedAt])).toEqual(
      report.baselineTruth.faults.map((f) => [f.assetId, f.kind, f.injectedAt]),
    );
  });

  it('writes every reading exactly once, with deterministic ids', async () => {
    const { n, ids } = await one<{ n: string; ids: string }>(
      'SELECT count() AS n, uniqExact(event_id) AS ids FROM twinflow.telemetry_enriched_dedup',
    );
    expect(Number(n)).toBe(report.readings);
    expect(Number(ids)).toBe(report.readings);
    const commands = await one<{ n: string }>('SELECT count() AS n FROM twinflow.commands_dedup');
    const sent = Object.values(report.commandsByAction ?? {}).reduce((a, b) => a + b, 0);
    expect(Number(commands.n)).toBe(sent);
  });

  it('KPI minutes in ClickHouse add up to the simulator ground truth', async () => {
    const truth = report.truth!;
    // Units before each asset's first reading predate the job's first delta.
    const first = await one<{ good: string }>(
      'SELECT sum(g) AS good FROM (SELECT asset_id, argMin(good_units, ts) AS g FROM twinflow.telemetry_enriched_dedup GROUP BY asset_id)',
    );
    const kpi = await one<{ good: string; running: number; energy: number; readings: string }>(
      'SELECT sum(good_units) AS good, sum(running_s) AS running, sum(energy_kwh) AS energy, sum(readings) AS readings FROM twinflow.kpi_minute_dedup',
    );
    expect(Number(kpi.readings)).toBe(report.readings);
    expect(Number(kpi.good)).toBe(truth.totals.goodUnits - Number(first.good));
    const trueRunning = Object.values(truth.assets).reduce((s, a) => s + a.timeInStateS.RUNNING, 0);
    expect(Math.abs(kpi.running - trueRunning) / trueRunning).toBeLessThan(0.01);
    expect(Math.abs(kpi.energy - truth.totals.energyKwh) / truth.totals.energyKwh).toBeLessThan(0.02);
  });

  it('serves OEE by line and shift from the views', async () => {
    const rows = await (
      await client.query({
        query: 'SELECT line, shift, oee, availability FROM twinflow.oee_by_line_shift WHERE oee IS NOT NULL',
        format: 'JSONEachRow',
      })
    ).json<{ line: string; shift: string; oee: number; availability: number }>();
    expect(rows.length).toBeGreaterThan(4);
    for (const r of rows) {
      expect(r.oee).toBeGreaterThanOrEqual(0);
      expect(r.oee).toBeLessThanOrEqual(1);
      expect(['A', 'B', 'C']).toContain(r.shift);
    }
  });

  it('keeps one twin state per asset, matching what the simulator reports last', async () => {
    const { n } = await one<{ n: string }>('SELECT count() AS n FROM twinflow.twin_state_latest');
    expect(Number(n)).toBe(report.assets);
  });
});
