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

  it('writes every reading the simulator produced exactly once, on the raw table and the deduplicated view', async () => {
    // One reading per asset and 30 s tick over two days, less what the input contract refused.
    expect(report.readingsProduced).toBe(report.assets * ((2 * 86_400) / 30));
    const accepted = report.readingsProduced! - report.deadLetters!;
    expect(report.readings).toBe(accepted);
    // The raw table is what was inserted: a batch written twice would show here until a merge.
    const raw = await one<{ n: string; ids: string }>(
      'SELECT count() AS n, uniqExact(event_id) AS ids FROM twinflow.telemetry_enriched',
    );
    const dedup = await one<{ n: string }>('SELECT count() AS n FROM twinflow.telemetry_enriched_dedup');
    expect(Number(raw.n)).toBe(accepted);
    expect(Number(raw.ids)).toBe(accepted);
    expect(Number(dedup.n)).toBe(accepted);
    const commands = await one<{ raw: string; dedup: string }>(
      'SELECT (SELECT count() FROM twinflow.commands) AS raw, (SELECT count() FROM twinflow.commands_dedup) AS dedup',
    );
    const sent = Object.values(report.commandsByAction ?? {}).reduce((a, b) => a + b, 0);
    expect(Number(commands.raw)).toBe(sent);
    expect(Number(commands.dedup)).toBe(sent);
  });

  it('serves the return on the twin by line and day (roi_by_line_day) with the facts of ground truth and the report’s net saving', async () => {
    const rows = await (
      await client.query({
        query: `SELECT line, sum(hours) AS hours, any(currency) AS currency, sum(failures) AS failures,
                       sum(maintenances) AS maintenances, sum(dispatches) AS dispatches,
                       sum(unplanned_downtime_h) AS downtime_h, sum(energy_kwh) AS energy_kwh,
                       sum(net_saving) AS net_saving
                FROM twinflow.roi_by_line_day GROUP BY line ORDER BY line`,
        format: 'JSONEachRow',
      })
    ).json<{
      line: string;
      hours: number;
      currency: string;
      failures: string;
      maintenances: string;
      dispatches: string;
      downtime_h: number;
      energy_kwh: number;
      net_saving: number;
    }>();
    const { twin, savings, baseline } = report.costs;
    expect(rows.map((r) => r.line)).toEqual(Object.keys(twin!.byLine).sort());
    for (const r of rows) {
      const truth = twin!.byLine[r.line].facts;
      // Two days of KPI minutes; the last reading (00:00 of the third day) opens one more minute.
      expect(r.hours).toBeCloseTo(48 + 1 / 60, 6);
      expect(r.currency).toBe(twin!.currency);
      // Counted from the job's own readings and commands, checked against what the plant really did.
      expect(Number(r.failures)).toBe(truth.failures);
      expect(Number(r.maintenances)).toBe(truth.maintenances);
      expect(Number(r.dispatches)).toBe(truth.dispatches);
      expect(Math.abs(r.downtime_h - truth.unplannedDowntimeH)).toBeLessThan(
        0.05 * truth.unplannedDowntimeH + 0.1,
      );
      expect(Math.abs(r.energy_kwh - truth.energyKwh) / truth.energyKwh).toBeLessThan(0.02);
      // The view's net saving is the report's, up to the KPI windows' measurement error and the
      // extra minute: the view sets it against one more minute of the baseline's average (cost and units).
      const b = baseline.byLine[r.line];
      const minuteOfBaseline =
        (b.cost.total + b.facts.goodUnits * report.catalogue.costs.byLine[r.line].marginPerUnit) / (48 * 60);
      expect(Math.abs(r.net_saving - savings!.byLine[r.line].net)).toBeLessThan(
        2 * minuteOfBaseline + 0.01 * b.cost.total,
      );
    }
  });

  it('serves alarm quality against ground truth by line (alarm_quality_by_line), adding up to the report', async () => {
    const rows = await (
      await client.query({
        query: `SELECT sum(physical_faults) AS faults, sum(detected) AS detected, sum(prevented) AS prevented,
                       sum(failed) AS failed, sum(alerts_true) AS alerts_true, sum(alerts_false) AS alerts_false,
                       sum(sensor_artefacts) AS artefacts, sum(dispatches_true) AS dispatches_true,
                       sum(dispatches_false) AS dispatches_false
                FROM twinflow.alarm_quality_by_line WHERE run = 'embedded, seed 7'`,
        format: 'JSONEachRow',
      })
    ).json<Record<string, string>>();
    const q = report.alarmQuality!;
    expect(q.physicalFaults).toBeGreaterThan(0);
    expect(Object.fromEntries(Object.entries(rows[0]).map(([k, v]) => [k, Number(v)]))).toEqual({
      faults: q.physicalFaults,
      detected: q.detected,
      prevented: q.prevented,
      failed: q.failed,
      alerts_true: q.alerts.truePositive,
      alerts_false: q.alerts.falsePositive,
      artefacts: q.alerts.sensorArtefact,
      dispatches_true: q.dispatches.truePositive,
      dispatches_false: q.dispatches.falsePositive,
    });
    // Every alert and dispatch has its verdict row; the faults are the simulator's own.
    const { n } = await one<{ n: string }>(
      "SELECT count() AS n FROM twinflow.alarm_verdicts WHERE item = 'alert'",
    );
    expect(Number(n)).toBe(report.alerts);
    const injected = report.truth!.faults.filter(
      (f) => f.kind === 'bearing-defect' || f.kind === 'cooling-loss',
    );
    expect(q.physicalFaults).toBe(injected.length);
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
