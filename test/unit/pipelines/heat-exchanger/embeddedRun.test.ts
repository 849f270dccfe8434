import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { EmbeddedClickHouseProcess } from 'twinflow/clickhouse';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_HX_CATALOGUE, loadHxCatalogue } from '../../../../pipelines/heat-exchanger/catalogue.js';
import { runHeatExchangerEmbedded } from '../../../../pipelines/heat-exchanger/embeddedRun.js';
import { runHeatExchangerInMemory } from '../../../../pipelines/heat-exchanger/inMemoryRun.js';

const dataDir = mkdtempSync(join(tmpdir(), 'twinflow-hx-embedded-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('runHeatExchangerEmbedded', () => {
  it('closes the loop on the runtime as the test driver does, and its rows are in ClickHouse', {
    timeout: 120_000,
  }, async () => {
    const catalogue = await loadHxCatalogue(DEFAULT_HX_CATALOGUE);
    const embedded = await runHeatExchangerEmbedded({ catalogue, seed: 2, days: 20, dataDir });
    const inMemory = await runHeatExchangerInMemory({ catalogue, seed: 2, days: 20 });
    // Two modes, one definition: through Avro, epochs and ClickHouse the site ends exactly as in memory.
    expect(embedded.twin).toEqual(inMemory.twin);
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
