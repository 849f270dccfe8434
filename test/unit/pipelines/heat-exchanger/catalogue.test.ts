import { describe, expect, it } from 'vitest';
import {
  DEFAULT_HX_CATALOGUE,
  HxCatalogueError,
  loadHxCatalogue,
  parseHxCatalogue,
} from '../../../../pipelines/heat-exchanger/catalogue.js';
import { capacityKw } from '../../../../pipelines/heat-exchanger/fouling.js';

describe('heat-exchanger catalogue', () => {
  it('loads the reference catalogue, each contract below the clean capacity', async () => {
    const { exchangers } = await loadHxCatalogue(DEFAULT_HX_CATALOGUE);
    expect(exchangers.length).toBeGreaterThanOrEqual(4);
    for (const e of exchangers) expect(capacityKw(e, 0)).toBeGreaterThan(e.contractMinDutyKw);
  });

  it('names the file and the field at fault', async () => {
    const text = (await import('node:fs'))
      .readFileSync(DEFAULT_HX_CATALOGUE, 'utf8')
      .replace('designUaWK: 60000', 'designUaWK: -1');
    expect(() => parseHxCatalogue(text, 'site.yaml')).toThrow(
      /^site\.yaml: exchangers\[0\]\.designUaWK: must be a positive number/,
    );
  });

  it('refuses unknown fields, duplicate ids and YAML that does not parse', () => {
    const one = (extra: string) =>
      `exchangers:\n  - { id: a, site: s, arrangement: counterflow, designUaWK: 1, areaM2: 1, designHotFlowKgS: 1, designColdFlowKgS: 1, designHotInletC: 90, designColdInletC: 40, cleanPressureDropKpa: 1, contractMinDutyKw: 1, cleaningCostEur: 0, cleaningDowntimeH: 1, standbyDutyKw: 0, foulingRateM2KWPerDay: 0, scheduledCleaningDays: 1${extra} }\n`;
    expect(parseHxCatalogue(one(''), 'ok.yaml').exchangers[0].id).toBe('a');
    expect(() => parseHxCatalogue(one(', colour: red'), 'x.yaml')).toThrow(
      /x\.yaml: exchangers\[0\]: Unrecognized key/,
    );
    const twice = `${one('')}${one('').replace('exchangers:\n', '')}`;
    expect(() => parseHxCatalogue(twice, 'x.yaml')).toThrow(/exchangers\[1\]\.id: "a" is listed twice/);
    expect(() => parseHxCatalogue('exchangers: [', 'x.yaml')).toThrow(HxCatalogueError);
  });
});
