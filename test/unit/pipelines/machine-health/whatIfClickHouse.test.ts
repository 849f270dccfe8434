import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { EmbeddedClickHouseProcess } from 'twinflow/clickhouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../../../connectors/catalogue/loadCatalogue.js';
import { migrate } from '../../../../connectors/clickhouse/migrations.js';
import { telemetryEnrichedRow, twinStateRow } from '../../../../connectors/clickhouse/rows.js';
import type { TwinState } from '../../../../operators/control/contracts.js';
import { steadyTemperature } from '../../../../operators/scoring/assetPhysics.js';
import { whatIf } from '../../../../operators/scoring/whatIf.js';
import { DEFAULT_CATALOGUE } from '../../../../pipelines/machine-health/embeddedJob.js';
import { runWhatIfFromCli } from '../../../../pipelines/machine-health/whatIfCommand.js';
import type { WhatIfReport } from '../../../../pipelines/machine-health/whatIfSubject.js';
import type { CommandIo } from '../../../../runtime/cli/commandIo.js';

const dataDir = mkdtempSync(join(tmpdir(), 'twinflow-whatif-'));
const TS = Date.UTC(2026, 0, 6);
const catalogue = await loadCatalogue(DEFAULT_CATALOGUE);
const spec = catalogue.assets[0]!;
/** Running at rated load, settled on a cooler down to 80 %: what the what-if should find from the readings. */
const temperatureC = steadyTemperature(spec, 1, 0.8);

function state(): TwinState {
  return {
    assetId: spec.id,
    ts: TS,
    lastSeen: TS,
    mode: 'NORMAL',
    reported: { temperatureC, vibrationMmS: 9, loadPct: 100, loadLimitPct: null, runState: 'RUNNING' },
    desired: { loadLimitPct: null, runState: null },
    health: { risk: 0.25, rulHours: 12, anomalyScore: 1, wearEstimate: 0.95, model: 'SURROGATE' },
    lastCommandId: null,
    lastCommandAt: null,
    commandsObeyed: 0,
    commandsIgnored: 0,
    commandsTimedOut: 0,
    readings: 31,
  };
}

beforeAll(async () => {
  const server = await EmbeddedClickHouseProcess.start({ dataDir });
  const client = createClient({ url: server.url });
  try {
    await migrate(client, { database: 'twinflow' });
    const readings = Array.from({ length: 31 }, (_, i) =>
      telemetryEnrichedRow(
        {
          assetId: spec.id,
          site: spec.site,
          line: spec.line,
          ts: TS - (30 - i) * 30_000,
          seq: i,
          temperatureC,
          vibrationMmS: 9,
          loadPct: 100,
          pressureBar: null,
          powerKw: spec.ratedPowerKw,
          rpm: spec.ratedRpm,
          runState: 'RUNNING',
          goodUnits: i,
          rejectedUnits: 0,
          loadLimitPct: null,
        },
        { risk: 0.25, rulHours: 12, anomalyScore: 1, wearEstimate: 0.95, model: 'SURROGATE' },
        1,
      ),
    );
    await client.insert({ table: 'twinflow.telemetry_enriched', values: readings, format: 'JSONEachRow' });
    // An older state too: the what-if must start from the latest version.
    const older = { ...state(), ts: TS - 60_000, health: { ...state().health, wearEstimate: 0.5 } };
    await client.insert({
      table: 'twinflow.twin_state',
      values: [twinStateRow(older), twinStateRow(state())],
      format: 'JSONEachRow',
    });
  } finally {
    await client.close();
    await server.close();
  }
}, 60_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function capture(): CommandIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return { lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l), env: {} };
}

describe('twinflow whatif against an embedded ClickHouse data dir', () => {
  it('starts from the latest twin_state row, works out the cooling from the readings, and answers as whatIf does', {
    timeout: 60_000,
  }, async () => {
    const io = capture();
    const argv = [
      '--asset',
      spec.id,
      '--set',
      'load=0.6',
      '--horizon',
      '6h',
      '--samples',
      '300',
      '--seed',
      '4',
    ];
    expect(await runWhatIfFromCli([...argv, '--data', dataDir, '--json'], io)).toBe(0);
    const report = JSON.parse(io.lines.join('\n')) as WhatIfReport;
    expect(report.state).toMatchObject({
      assetId: spec.id,
      source: 'clickhouse',
      eventTime: new Date(TS).toISOString(),
      version: TS,
      mode: 'NORMAL',
      twin: { risk: 0.25, rulHours: 12, model: 'SURROGATE' },
    });
    expect(report.state.features.wearEstimate).toBe(0.95);
    expect(report.state.features.load).toBe(1);
    expect(report.state.features.coolingFactor).toBeCloseTo(0.8, 2);
    expect(report.state.coolingFrom).toMatch(/thermal balance of readings 15 min apart/);
    const direct = whatIf({
      spec,
      now: report.state.features,
      change: { load: 0.6 },
      horizonHours: 6,
      samples: 300,
      seed: 4,
      loadBounds: catalogue.bounds[spec.id],
    });
    expect(report.answer).toEqual(JSON.parse(JSON.stringify(direct)));
    expect(report.answer.changed.risk).toBeLessThan(report.answer.asIs.risk);

    const text = capture();
    expect(await runWhatIfFromCli([...argv, '--data', dataDir], text)).toBe(0);
    const printed = text.lines.join('\n');
    expect(printed).toContain(`twin state at ${new Date(TS).toISOString()} (version ${TS}, mode NORMAL)`);
    expect(printed).toMatch(/failure risk within 6 h +\| [\d.]+ % \([\d.]+ %–[\d.]+ %\) +\| [\d.]+ %/);
    expect(printed).toMatch(/RUL median/);
  });

  it('says so, exit 1, for an asset without a twin state', { timeout: 60_000 }, async () => {
    const io = capture();
    const other = catalogue.assets[1]!.id;
    expect(await runWhatIfFromCli(['--asset', other, '--set', 'load=0.6', '--data', dataDir], io)).toBe(1);
    expect(io.errors.join('\n')).toMatch(
      new RegExp(`asset "${other}" has no twin state in twinflow.twin_state_latest`),
    );
  });
});
