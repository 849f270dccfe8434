import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../../../connectors/clickhouse/migrations.js';
import type {
  AlertRow,
  CommandRow,
  KpiMinuteRow,
  TelemetryEnrichedRow,
  TwinStateRow,
} from '../../../../connectors/clickhouse/rows.js';
import { type EmbeddedFixture, startEmbeddedFixture } from '../../connectors/clickhouse/embeddedFixture.js';
import { queryPanels, readDashboard } from './dashboardFiles.js';

// Runs every query of the analyst dashboard, as the ClickHouse plugin would send it, against the
// real migrations in an embedded ClickHouse: a renamed column or a typo fails here, not in Grafana.

const DATABASE = 'twinflow';
const MINUTE = 60_000;
/** 2026-01-05 05:00 UTC: the first hour is shift C of the 4th, the rest shift A of the 5th. */
const T0 = Date.UTC(2026, 0, 5, 5, 0);
const RANGE = { from: T0 - 3_600_000, to: T0 + 6 * 3_600_000 };
const INTERVAL_S = 300;

const analyst = readDashboard('twinflow-analyst.json');

/**
 * The SQL the grafana-clickhouse-datasource plugin sends for a query: its
 * macros and the dashboard variables replaced. Throws on anything left over,
 * so a macro the test does not know cannot slip through.
 */
function expand(sql: string, vars: Record<string, string[]>): string {
  const from = Math.floor(RANGE.from / 1000);
  const to = Math.floor(RANGE.to / 1000);
  const out = sql
    .replace(/\$__timeFilter\((\w+)\)/g, `$1 >= toDateTime(${from}) AND $1 <= toDateTime(${to})`)
    .replace(/\$__timeInterval\((\w+)\)/g, `toStartOfInterval(toDateTime($1), INTERVAL ${INTERVAL_S} second)`)
    .replace(/\$__fromTime\b/g, `toDateTime(${from})`)
    .replace(/\$__toTime\b/g, `toDateTime(${to})`)
    .replace(/\$\{(\w+):singlequote\}/g, (_, name: string) => {
      const values = vars[name];
      if (values === undefined) throw new Error(`no value for variable ${name}`);
      return values.map((v) => `'${v.replaceAll("'", "\\'")}'`).join(',');
    });
  if (out.includes('$')) throw new Error(`unexpanded macro or variable in:\n${out}`);
  return out;
}

let fixture: EmbeddedFixture;
let client: ClickHouseClient;

async function rows<T>(sql: string, vars: Record<string, string[]> = {}): Promise<T[]> {
  const result = await client.query({ query: expand(sql, vars), format: 'JSONEachRow' });
  return result.json<T>();
}

function kpi(asset: string, line: string, minute: number, running_s: number): KpiMinuteRow {
  const good = Math.round(running_s);
  return {
    asset_id: asset,
    site: 'S1',
    line,
    minute,
    availability: running_s / 60,
    performance: 0.9,
    quality: 0.98,
    oee: (running_s / 60) * 0.9 * 0.98,
    downtime_s: 60 - running_s,
    planned_s: 60,
    running_s,
    ideal_s: running_s * 0.9,
    good_units: Math.round(good * 0.98),
    rejected_units: good - Math.round(good * 0.98),
    energy_kwh: 0.5,
    energy_per_unit_kwh: good > 0 ? 0.5 / good : null,
    readings: 2,
    late: false,
    late_firings: 0,
  };
}

function reading(asset: string, line: string, seq: number, risk: number): TelemetryEnrichedRow {
  return {
    event_id: `${asset}:${seq}`,
    asset_id: asset,
    site: 'S1',
    line,
    ts: T0 + seq * MINUTE,
    seq,
    temperature_c: 60,
    vibration_mm_s: 2,
    load_pct: 80,
    pressure_bar: null,
    power_kw: 10,
    rpm: 1500,
    run_state: 'RUNNING',
    good_units: 1,
    rejected_units: 0,
    load_limit_pct: null,
    risk,
    rul_hours: 100,
    anomaly_score: 0.1,
    wear_estimate: 0.2,
    model: 'SURROGATE',
    epoch: 1,
  };
}

function twin(asset: string, risk: number): TwinStateRow {
  return {
    asset_id: asset,
    ts: T0 + 2 * 3_600_000,
    last_seen: T0 + 2 * 3_600_000,
    mode: 'NORMAL',
    reported_temperature_c: 60,
    reported_vibration_mm_s: 2,
    reported_load_pct: 80,
    reported_load_limit_pct: null,
    reported_run_state: 'RUNNING',
    desired_load_limit_pct: null,
    desired_run_state: null,
    health_risk: risk,
    health_rul_hours: 100,
    health_anomaly_score: 0.1,
    health_wear_estimate: 0.2,
    health_model: 'SURROGATE',
    last_command_id: null,
    last_command_at: null,
    commands_obeyed: 0,
    commands_ignored: 0,
    commands_timed_out: 0,
    readings: 120,
    version: T0 + 2 * 3_600_000,
  };
}

function command(id: string, asset: string, action: string, at: number): CommandRow {
  return {
    command_id: id,
    asset_id: asset,
    action,
    load_limit_pct: action === 'REDUCE_LOAD' ? 70 : null,
    risk: 0.7,
    horizon_hours: 24,
    reason: 'risk above threshold',
    model: 'SURROGATE',
    decided_at: at,
    source_topic: 'telemetry',
    source_partition: 0,
    source_offset: '42',
  };
}

function alert(id: string, asset: string, severity: AlertRow['severity'], at: number): AlertRow {
  return {
    alert_id: id,
    asset_id: asset,
    ts: at,
    severity,
    kind: 'PREDICTED_FAILURE',
    reason: 'risk',
    value: 0.7,
  };
}

beforeAll(async () => {
  fixture = await startEmbeddedFixture('grafana');
  await migrate(fixture.client, { database: DATABASE });
  // Queries name tables without a database, as the datasource's defaultDatabase allows.
  client = createClient({ url: fixture.ch.url, database: DATABASE, log: { level: ClickHouseLogLevel.OFF } });
  const insert = (table: string, values: object[]) => client.insert({ table, values, format: 'JSONEachRow' });
  // Two hours of minutes: pump-1 (line L1) runs 45 s a minute, motor-2 (line L2) all the time.
  const minutes = Array.from({ length: 120 }, (_, i) => T0 + i * MINUTE);
  await insert('kpi_minute', [
    ...minutes.map((m) => kpi('pump-1', 'L1', m, 45)),
    ...minutes.map((m) => kpi('motor-2', 'L2', m, 60)),
  ]);
  await insert(
    'telemetry_enriched',
    minutes.flatMap((_, seq) => [
      reading('pump-1', 'L1', seq, 0.2 + seq / 200),
      reading('motor-2', 'L2', seq, 0.05),
    ]),
  );
  await insert('twin_state', [twin('pump-1', 0.8), twin('motor-2', 0.05)]);
  await insert('commands', [
    command('c1', 'pump-1', 'REDUCE_LOAD', T0 + 30 * MINUTE),
    command('c2', 'pump-1', 'DISPATCH_TECHNICIAN', T0 + 90 * MINUTE),
    command('c3', 'motor-2', 'RESTORE_LOAD', T0 + 95 * MINUTE),
  ]);
  await insert('alerts', [
    alert('a1', 'pump-1', 'WARNING', T0 + 20 * MINUTE),
    alert('a2', 'pump-1', 'CRITICAL', T0 + 80 * MINUTE),
  ]);
}, 120_000);

afterAll(async () => {
  await client?.close();
  await fixture?.close();
});

const ALL = { site: ['S1'], line: ['L1', 'L2'] };
const panel = (title: string) => {
  const found = queryPanels(analyst).find((p) => p.title === title);
  if (found === undefined) throw new Error(`no panel "${title}"`);
  return found.targets[0].rawSql as string;
};

describe('twinflow-analyst.json against the migrated schema', () => {
  it('fills the site and line variables from the KPIs', async () => {
    const [site, line] = ['site', 'line'].map((name) =>
      String(analyst.templating.list.find((v) => v.name === name)?.query),
    );
    expect(await rows(site)).toEqual([{ site: 'S1' }]);
    expect(await rows(line, { site: ['S1'] })).toEqual([{ line: 'L1' }, { line: 'L2' }]);
  });

  it('runs every panel query without error', async () => {
    for (const p of queryPanels(analyst)) {
      for (const t of p.targets) {
        await expect(rows(t.rawSql as string, ALL), p.title).resolves.toBeInstanceOf(Array);
      }
    }
  });

  it('computes OEE as a ratio of sums over the selected lines', async () => {
    const [all] = await rows<{ availability: number; performance: number; quality: number; oee: number }>(
      panel('OEE'),
      ALL,
    );
    expect(all.availability).toBeCloseTo((45 + 60) / 120, 6);
    expect(all.performance).toBeCloseTo(0.9, 6);
    expect(all.oee).toBeCloseTo(all.availability * all.performance * all.quality, 9);
    const [l1] = await rows<{ availability: number }>(panel('OEE'), { site: ['S1'], line: ['L1'] });
    expect(l1.availability).toBeCloseTo(0.75, 6);
  });

  it('splits OEE by line and shift, with the 05:00 hour in shift C', async () => {
    const shifts = await rows<{ line: string; shift: string; downtime_h: number }>(
      panel('OEE by line and shift'),
      ALL,
    );
    expect(shifts.map((s) => `${s.line}/${s.shift}`).sort()).toEqual(['L1/A', 'L1/C', 'L2/A', 'L2/C']);
    const l1c = shifts.find((s) => s.line === 'L1' && s.shift === 'C');
    expect(l1c?.downtime_h).toBeCloseTo((60 * 15) / 3600, 6);
  });

  it('ranks downtime, risk and commands as an analyst reads them', async () => {
    const downtime = await rows<{ line: string; downtime_h: number }>(panel('Downtime by line (range)'), ALL);
    expect(downtime.map((d) => d.line)).toEqual(['L1', 'L2']);
    expect(downtime[0].downtime_h).toBeCloseTo((120 * 15) / 3600, 6);

    const risk = await rows<{ asset_id: string; risk: number }>(
      panel('Risk by asset (latest twin state)'),
      ALL,
    );
    expect(risk.map((r) => r.asset_id)).toEqual(['pump-1', 'motor-2']);
    const l2only = await rows<{ asset_id: string }>(panel('Risk by asset (latest twin state)'), {
      site: ['S1'],
      line: ['L2'],
    });
    expect(l2only.map((r) => r.asset_id)).toEqual(['motor-2']);

    const commands = await rows<{ action: string; commands: string }>(panel('Commands by action'), ALL);
    expect(commands.reduce((n, c) => n + Number(c.commands), 0)).toBe(3);
    const latest = await rows<{ command_id: string }>(panel('Latest commands'), ALL);
    expect(latest.map((c) => c.command_id)).toEqual(['c3', 'c2', 'c1']);

    const riskiest = await rows<{ asset_id: string }>(panel('Risk of the riskiest assets'), ALL);
    expect(new Set(riskiest.map((r) => r.asset_id))).toEqual(new Set(['pump-1', 'motor-2']));
  });
});
