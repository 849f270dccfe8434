import { describe, expect, it } from 'vitest';
import { DEFAULT_HX_CATALOGUE, loadHxCatalogue } from '../../../../pipelines/heat-exchanger/catalogue.js';
import { runHeatExchangerInMemory } from '../../../../pipelines/heat-exchanger/inMemoryRun.js';
import { heatExchangerReport } from '../../../../pipelines/heat-exchanger/report.js';

const catalogue = await loadHxCatalogue(DEFAULT_HX_CATALOGUE);

describe('runHeatExchangerInMemory', () => {
  for (const seed of [1, 2, 3]) {
    it(`beats the baseline on energy lost to fouling and on unmet demand (seed ${seed}, 60 days)`, async () => {
      const r = await runHeatExchangerInMemory({ catalogue, seed, days: 60 });
      expect(r.twin.totals.demandedKwh).toBeCloseTo(r.baseline.totals.demandedKwh, 6);
      expect(r.twin.totals.foulingLossKwh).toBeLessThan(r.baseline.totals.foulingLossKwh);
      expect(r.twin.totals.unmetKwh).toBeLessThan(r.baseline.totals.unmetKwh);
      // Every command the twin sent reached the plant, once.
      const sent = r.outputs
        .filter((o) => o.type === 'command')
        .map((o) => o.type === 'command' && o.command.commandId);
      expect(r.twin.commands.map((c) => c.command.commandId)).toEqual(sent);
      expect(heatExchangerReport(r.baseline, r.twin).join('\n')).toContain('energy lost to fouling (MWh)');
    });
  }
});
