import { JobTestDriver } from 'twinflow/testing';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HX_CATALOGUE, loadHxCatalogue } from '../../../../pipelines/heat-exchanger/catalogue.js';
import type { HxTelemetry } from '../../../../pipelines/heat-exchanger/contracts.js';
import { heatExchangerStreamingJob } from '../../../../pipelines/heat-exchanger/definition.js';
import { HeatExchangerSimulator } from '../../../../pipelines/heat-exchanger/exchangerSimulator.js';
import type { HxOutput } from '../../../../pipelines/heat-exchanger/outputs.js';

const catalogue = await loadHxCatalogue(DEFAULT_HX_CATALOGUE);
const job = () => heatExchangerStreamingJob({ catalogue }, { commandsTopic: 'hx-commands' });

/** Ticks of a seeded plant, open loop: the same readings for every driver. */
function ticks(n: number): HxTelemetry[][] {
  const plant = new HeatExchangerSimulator(catalogue, { seed: 9, days: 10 });
  return Array.from({ length: n }, () => [...plant.step()]);
}

async function run(
  driver: JobTestDriver<HxTelemetry, HxOutput>,
  readings: HxTelemetry[][],
  restartAt?: number,
) {
  for (let i = 0; i < readings.length; i++) {
    await driver.pipeAll(readings[i]);
    await driver.advanceWatermark(readings[i][0].ts);
    if ((i + 1) % 12 === 0) await driver.barrier();
    if (i === restartAt) {
      driver.restart();
      // What the crashed graph did since the last barrier is lost: the source re-delivers it.
      const from = Math.floor((i + 1) / 12) * 12;
      for (let j = from; j <= i; j++) {
        await driver.pipeAll(readings[j]);
        await driver.advanceWatermark(readings[j][0].ts);
      }
    }
  }
}

describe('heatExchangerStreamingJob', () => {
  it('brings its own migrations, tables in the database given at run time', () => {
    const migrations = job().migrations ?? [];
    expect(migrations.map((m) => m.name)).toEqual([
      '001_hx_estimates.sql',
      '002_hx_kpi_hour.sql',
      '003_hx_kpi_day.sql',
      '004_hx_commands.sql',
      '005_hx_views.sql',
    ]);
    for (const m of migrations) expect(m.sql).toContain('{database}.hx_');
  });

  it('dead-letters a NaN reading with the field named, and goes on', async () => {
    const driver = new JobTestDriver(job());
    const [first] = ticks(1);
    await driver.pipeAll([{ ...first[0], hotInletC: Number.NaN }, first[1]]);
    await driver.advanceWatermark(first[0].ts);
    expect(driver.deadLetters()).toEqual([
      expect.objectContaining({ reason: 'invalid-value', message: 'hotInletC is NaN, not a finite number' }),
    ]);
    expect(
      driver
        .outputs()
        .filter((o) => o.type === 'estimate')
        .map((o) => o.type === 'estimate' && o.estimate.exchangerId),
    ).toEqual([first[1].exchangerId]);
    driver.close();
  });

  it('decodes its Avro contract and refuses bytes that are not', async () => {
    const driver = new JobTestDriver(job());
    const [first] = ticks(1);
    await driver.pipeBytes(await driver.encode(first[0]));
    await driver.pipeBytes(Buffer.from([0, 0, 0, 0, 1, 255]));
    await driver.advanceWatermark(first[0].ts);
    expect(driver.table('estimates')).toHaveLength(1);
    expect(driver.deadLetters().map((d) => d.reason)).toEqual(['undecodable']);
    driver.close();
  });

  it('restored from its last snapshot, gives the same outputs as an uninterrupted run', async () => {
    const readings = ticks(150);
    const straight = new JobTestDriver(job());
    await run(straight, readings);
    const restarted = new JobTestDriver(job());
    await run(restarted, readings, 77);
    // The restarted run emitted the lost epoch's outputs twice (once before the crash): keep each output's last copy.
    const key = (o: HxOutput) => JSON.stringify(o);
    expect(new Set(restarted.outputs().map(key))).toEqual(new Set(straight.outputs().map(key)));
    expect(restarted.table('kpiHour').length).toBeGreaterThan(0);
    straight.close();
    restarted.close();
  });

  it('sends commands keyed by exchanger with their id in a header, and writes them to hx_commands', async () => {
    const driver = new JobTestDriver(job());
    const readings = ticks(1);
    // A heat balance off by a fifth on the hot side: a severe leak, bypassed at once.
    const leaking = readings[0].map((t) =>
      t.exchangerId === 'hx-north' ? { ...t, hotFlowKgS: t.hotFlowKgS * 1.25 } : t,
    );
    await driver.pipeAll(leaking);
    await driver.advanceWatermark(leaking[0].ts);
    for (let i = 1; i <= 12; i++) {
      const next = leaking.map((t) => ({ ...t, ts: t.ts + i * 600_000, valvePct: t.valvePct + i / 10 }));
      await driver.pipeAll(next);
      await driver.advanceWatermark(next[0].ts);
    }
    const messages = driver.kafka('commands');
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) {
      const command = m.value as { commandId: string; exchangerId: string };
      expect(m.key).toBe(command.exchangerId);
      expect(m.headers).toEqual({ 'twinflow-command-id': command.commandId });
    }
    expect(messages.map((m) => (m.value as { action: string }).action)).toContain('BYPASS');
    expect(driver.table('commands').map((r) => (r as { command_id: string }).command_id)).toEqual(
      messages.map((m) => m.headers?.['twinflow-command-id']),
    );
    driver.close();
  });

  it('raises STALE_DATA when an exchanger falls silent, once', async () => {
    const driver = new JobTestDriver(job());
    const [first] = ticks(1);
    await driver.pipeAll(first);
    const north = first.find((t) => t.exchangerId === 'hx-north')!;
    const others = first.filter((t) => t.exchangerId !== 'hx-north');
    for (let i = 1; i <= 6; i++) {
      await driver.pipeAll(others.map((t) => ({ ...t, ts: t.ts + i * 600_000 })));
      await driver.advanceWatermark(north.ts + i * 600_000);
    }
    const stale = driver.outputs().filter((o) => o.type === 'alert' && o.alert.kind === 'STALE_DATA');
    expect(stale.map((o) => o.type === 'alert' && o.alert.exchangerId)).toEqual(['hx-north']);
    driver.close();
  });
});
