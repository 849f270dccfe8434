import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadMigrations,
  MigrationChecksumError,
  migrate,
  splitStatements,
} from '../../../../connectors/clickhouse/migrations.js';
import {
  type AlertRow,
  type CommandRow,
  commandRow,
  type KpiMinuteRow,
  type TelemetryEnrichedRow,
  type TwinStateRow,
  telemetryEnrichedRow,
  twinStateRow,
} from '../../../../connectors/clickhouse/rows.js';
import { type EmbeddedFixture, startEmbeddedFixture } from './embeddedFixture.js';

let fixture: EmbeddedFixture;
let client: ClickHouseClient;
const database = 'twin';

beforeAll(async () => {
  fixture = await startEmbeddedFixture('migrations');
  client = fixture.client;
});

afterAll(async () => {
  await fixture?.close();
});

async function rows<T>(query: string): Promise<T[]> {
  return (await client.query({ query, format: 'JSONEachRow' })).json<T>();
}

/** Inserts the same rows twice with distinct tokens, as a replay after a crash would. */
let insertions = 0;
async function insertTwice(table: string, values: object[]): Promise<void> {
  insertions++;
  for (const token of [`first-${insertions}`, `replay-${insertions}`]) {
    await client.insert({
      table: `${database}.${table}`,
      values,
      format: 'JSONEachRow',
      clickhouse_settings: { insert_deduplication_token: `${table}-${token}` },
    });
  }
}

const T0 = Date.UTC(2026, 5, 1, 0, 0, 0);

describe('migrate', () => {
  it('applies every migration in order once, and nothing on a second run', async () => {
    const names = loadMigrations().map((m) => m.name);
    expect(names).toEqual([...names].sort());
    const first = await migrate(client, { database });
    expect(first.applied).toEqual(names);
    const second = await migrate(client, { database });
    expect(second).toEqual({ applied: [], alreadyApplied: names });
    const recorded = await rows<{ name: string }>(
      `SELECT name FROM ${database}.schema_migrations ORDER BY name`,
    );
    expect(recorded.map((r) => r.name)).toEqual(names);
  });

  it('refuses when an applied migration changed, before applying anything', async () => {
    const changed = loadMigrations().map((m, i) =>
      i === 1 ? { ...m, sql: `${m.sql}\n`, checksum: 'edited' } : m,
    );
    const extra = {
      name: '999_extra.sql',
      sql: 'CREATE TABLE {database}.extra (x UInt8) ENGINE = Memory',
      checksum: 'x',
    };
    const err = await migrate(client, { database, migrations: [...changed, extra] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrationChecksumError);
    expect(err).toMatchObject({ migration: '002_twin_state.sql', currentChecksum: 'edited' });
    expect(
      await rows(`SELECT name FROM system.tables WHERE database = '${database}' AND name = 'extra'`),
    ).toEqual([]);
  });

  it('splits statements at line-ending semicolons and drops comment lines', () => {
    expect(splitStatements("-- c\nCREATE VIEW a AS SELECT 1;\n\nSELECT ';' ;\n")).toEqual([
      'CREATE VIEW a AS SELECT 1',
      "SELECT ';'",
    ]);
  });
});

describe('tables and views', () => {
  it('store one row per fact and read it back deduplicated after a replayed insert', async () => {
    const telemetry: TelemetryEnrichedRow = telemetryEnrichedRow(
      {
        assetId: 'pump-1',
        site: 's1',
        line: 'L1',
        ts: T0,
        seq: 7,
        temperatureC: 61.5,
        vibrationMmS: null,
        loadPct: 80,
        pressureBar: 3.2,
        powerKw: 11,
        rpm: 1450,
        runState: 'RUNNING',
        goodUnits: 10,
        rejectedUnits: 1,
        loadLimitPct: null,
      },
      { risk: 0.12, rulHours: 420, anomalyScore: 0.3, wearEstimate: 0.2, model: 'SURROGATE' },
      3,
    );
    const twin: TwinStateRow = twinStateRow({
      assetId: 'pump-1',
      ts: T0,
      lastSeen: T0,
      mode: 'NORMAL',
      reported: {
        temperatureC: 61.5,
        vibrationMmS: null,
        loadPct: 80,
        loadLimitPct: null,
        runState: 'RUNNING',
      },
      desired: { loadLimitPct: null, runState: null },
      health: { risk: 0.12, rulHours: null, anomalyScore: 0.3, wearEstimate: 0.2, model: 'SURROGATE' },
      lastCommandId: null,
      lastCommandAt: null,
      commandsObeyed: 0,
      commandsIgnored: 0,
      commandsTimedOut: 0,
      readings: 1,
    });
    const newerTwin: TwinStateRow = { ...twin, ts: T0 + 1000, version: T0 + 1000, mode: 'DERATED' };
    const command: CommandRow = commandRow({
      commandId: 'c-1',
      assetId: 'pump-1',
      action: 'REDUCE_LOAD',
      loadLimitPct: 70,
      risk: 0.6,
      horizonHours: 24,
      reason: 'bearing wear',
      model: 'PHYSICS',
      decidedAt: T0,
      source: { topic: 'telemetry', partition: 0, offset: '41' },
    });
    const alert: AlertRow = {
      alert_id: 'a-1',
      asset_id: 'pump-1',
      ts: T0,
      severity: 'WARNING',
      kind: 'ANOMALY',
      reason: 'vibration high',
      value: 7.1,
    };
    await insertTwice('telemetry_enriched', [telemetry]);
    await insertTwice('twin_state', [twin, newerTwin]);
    await insertTwice('commands', [command]);
    await insertTwice('alerts', [alert]);
    await insertTwice('kpi_minute', [kpi('pump-1', T0 + 6 * 3_600_000, 0)]);

    expect(await rows(`SELECT count() AS n FROM ${database}.telemetry_enriched`)).toEqual([{ n: 2 }]);
    expect(
      await rows(`SELECT event_id, ts, vibration_mm_s FROM ${database}.telemetry_enriched_dedup`),
    ).toEqual([{ event_id: 'pump-1:7', ts: '2026-06-01 00:00:00.000', vibration_mm_s: null }]);
    expect(await rows(`SELECT asset_id, mode FROM ${database}.twin_state_latest`)).toEqual([
      { asset_id: 'pump-1', mode: 'DERATED' },
    ]);
    expect(await rows(`SELECT command_id, source_offset FROM ${database}.commands_dedup`)).toEqual([
      { command_id: 'c-1', source_offset: '41' },
    ]);
    expect(await rows(`SELECT alert_id FROM ${database}.alerts_dedup`)).toEqual([{ alert_id: 'a-1' }]);
    expect(await rows(`SELECT count() AS n FROM ${database}.kpi_minute_dedup`)).toEqual([{ n: 1 }]);
  });

  it('keeps the latest firing of a minute', async () => {
    const minute = T0 + 7 * 3_600_000;
    await insertTwice('kpi_minute', [kpi('pump-9', minute, 0)]);
    await insertTwice('kpi_minute', [{ ...kpi('pump-9', minute, 1), good_units: 99, late: true }]);
    expect(
      await rows(
        `SELECT good_units, late, late_firings FROM ${database}.kpi_minute_dedup WHERE asset_id = 'pump-9'`,
      ),
    ).toEqual([{ good_units: 99, late: true, late_firings: 1 }]);
  });

  it('computes OEE by line and shift (A 06-14, B 14-22, C 22-06 UTC)', async () => {
    const day = Date.UTC(2026, 6, 1);
    const h = 3_600_000;
    await client.insert({
      table: `${database}.kpi_minute`,
      values: [
        {
          ...kpi('m-1', day + 6 * h, 0),
          line: 'L9',
          downtime_s: 30,
          running_s: 30,
          ideal_s: 27,
          availability: 0.5,
        }, // A
        { ...kpi('m-2', day + 13 * h + 59 * 60_000, 0), line: 'L9' }, // A
        { ...kpi('m-1', day + 14 * h, 0), line: 'L9', good_units: 8, rejected_units: 2 }, // B
        { ...kpi('m-1', day + 23 * h, 0), line: 'L9' }, // C of day
        { ...kpi('m-1', day + 24 * h + 5 * h, 0), line: 'L9' }, // C of day (next morning)
      ],
      format: 'JSONEachRow',
    });
    const oee = await rows<Record<string, unknown>>(
      `SELECT shift, toString(shift_start) AS start, asset_minutes, assets, availability, performance, quality, oee, good_units
       FROM ${database}.oee_by_line_shift WHERE line = 'L9'`,
    );
    expect(oee).toEqual([
      {
        shift: 'A',
        start: '2026-07-01 06:00:00',
        asset_minutes: 2,
        assets: 2,
        availability: 0.75,
        performance: 0.9,
        quality: 1,
        oee: 0.675,
        good_units: 20,
      },
      {
        shift: 'B',
        start: '2026-07-01 14:00:00',
        asset_minutes: 1,
        assets: 1,
        availability: 1,
        performance: 0.9,
        quality: 0.8,
        oee: 0.9 * 0.8,
        good_units: 8,
      },
      {
        shift: 'C',
        start: '2026-07-01 22:00:00',
        asset_minutes: 2,
        assets: 1,
        availability: 1,
        performance: 0.9,
        quality: 1,
        oee: 0.9,
        good_units: 20,
      },
    ]);
  });
});

function kpi(asset: string, minute: number, lateFirings: number): KpiMinuteRow {
  return {
    asset_id: asset,
    site: 's1',
    line: 'L1',
    minute,
    availability: 1,
    performance: 0.9,
    quality: 1,
    oee: 0.9,
    downtime_s: 0,
    planned_s: 60,
    running_s: 60,
    ideal_s: 54,
    good_units: 10,
    rejected_units: 0,
    energy_kwh: 0.2,
    energy_per_unit_kwh: 0.02,
    readings: 60,
    late: false,
    late_firings: lateFirings,
  };
}
