import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { EmbeddedClickHouseProcess } from 'twinflow/clickhouse';
import { JobTestDriver } from 'twinflow/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_HX_CATALOGUE, loadHxCatalogue } from '../../../../pipelines/heat-exchanger/catalogue.js';
import type { HxTelemetry } from '../../../../pipelines/heat-exchanger/contracts.js';
import { heatExchangerStreamingJob } from '../../../../pipelines/heat-exchanger/definition.js';
import { runHeatExchangerEmbedded } from '../../../../pipelines/heat-exchanger/embeddedRun.js';
import { HeatExchangerSimulator } from '../../../../pipelines/heat-exchanger/exchangerSimulator.js';
import { runHeatExchangerInMemory } from '../../../../pipelines/heat-exchanger/inMemoryRun.js';
import type { HxOutput } from '../../../../pipelines/heat-exchanger/outputs.js';

const dataDir = mkdtempSync(join(tmpdir(), 'twinflow-hx-embedded-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('runHeatExchangerEmbedded', () => {
  it('closes the loop on the runtime exactly as the test driver does, and its rows are in ClickHouse', {
    timeout: 120_000,
  }, async () => {
    const catalogue = await loadHxCatalogue(DEFAULT_HX_CATALOGUE);
    const embedded = await runHeatExchangerEmbedded({ catalogue, seed: 2, days: 20, dataDir });
    const inMemory = await runHeatExchangerInMemory({ catalogue, seed: 2, days: 20 });
    // The same closed loop through the test driver: tick in, watermark to the tick, the tick's outputs to the site.
    const site = new HeatExchangerSimulator(catalogue, { seed: 2, days: 20, tickMs: 600_000 });
    const driver = new JobTestDriver<HxTelemetry, HxOutput>(
      heatExchangerStreamingJob({ catalogue }, { commandsTopic: 'hx-commands' }),
    );
    for (let tick = 0, seen = 0; tick < 20 * 144; tick++) {
      await driver.pipeAll(site.step());
      await driver.advanceWatermark(site.now());
      site.apply(driver.outputs().slice(seen));
      seen = driver.outputs().length;
      if ((tick + 1) % 36 === 0) await driver.barrier();
    }
    driver.close();
    // Three runs, one definition: through Avro, epochs and ClickHouse the site ends exactly as in the driver.
    expect(embedded.twin).toEqual(site.groundTruth());
    expect(inMemory.twin).toEqual(site.groundTruth());
    expect(embedded.baseline).toEqual(inMemory.baseline);
    expect(embedded.readings).toBe(20 * 144 * catalogue.exchangers.length);
    expect(embedded.deadLetters).toBe(0);
    const commands = inMemory.outputs.filter((o) => o.type === 'command').length;
    expect(Object.values(embedded.commands).reduce((a, b) => a + b, 0)).toBe(commands);

    const server = await EmbeddedClickHouseProcess.start({ dataDir });
    const client = createClient({ url: server.url });
    try {
      const count = async (table: string) => {
        const r = await client.query({
          query: `SELECT count() AS n FROM heat_exchangers.${table} FINAL`,
          format: 'JSONEachRow',
        });
        return Number((await r.json<{ n: string }>())[0].n);
      };
      expect(await count('hx_estimates')).toBe(embedded.rowsWritten.estimates);
      expect(await count('hx_commands')).toBe(commands);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
