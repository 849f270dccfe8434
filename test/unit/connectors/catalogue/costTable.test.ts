import { describe, expect, it } from 'vitest';
import { DEFAULT_COST_RATES } from '../../../../connectors/catalogue/costTable.js';
import { parseCatalogue } from '../../../../connectors/catalogue/loadCatalogue.js';
import { PUMP_KIND_YAML, problems } from './catalogueFixtures.js';

/** Two lines of one pump each; `costs` goes after `version`. */
const catalogue = (costs: string, l2Costs = '') => `version: 1
${costs}${PUMP_KIND_YAML}sites:
  - id: north
    ambientC: 25
    demand: { minLoad: 0.7, maxLoad: 1.05, peakHourUtc: 14 }
    lines:
      - id: l1
        assets:
          - { id: pump-001, kind: pump }
      - id: l2
${l2Costs}        assets:
          - { id: pump-002, kind: pump }
`;

describe('the catalogue cost table', () => {
  it('gives every line the stated defaults in EUR when the catalogue has no costs', () => {
    const c = parseCatalogue(catalogue(''), 'test.yaml');
    expect(c.costs).toEqual({ currency: 'EUR', byLine: { l1: DEFAULT_COST_RATES, l2: DEFAULT_COST_RATES } });
  });

  it('applies plant-wide rates, then a line override of one rate', () => {
    const c = parseCatalogue(
      catalogue(
        'costs:\n  currency: CHF\n  repairPerFailure: 5000\n  energyPerKwh: 0.21\n',
        '        costs: { repairPerFailure: 7000 }\n',
      ),
      'test.yaml',
    );
    expect(c.costs.currency).toBe('CHF');
    expect(c.costs.byLine.l1).toEqual({ ...DEFAULT_COST_RATES, repairPerFailure: 5000, energyPerKwh: 0.21 });
    expect(c.costs.byLine.l2).toEqual({ ...DEFAULT_COST_RATES, repairPerFailure: 7000, energyPerKwh: 0.21 });
  });

  it('names the line and rate of a negative price, with the value', () => {
    const e = problems(catalogue('', '        costs: { dispatchPerEvent: -1 }\n'));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0].path).toBe('lines[l2].costs.dispatchPerEvent');
    expect(e.issues[0].message).toContain('(got -1)');
  });

  it('refuses a currency that is not an ISO 4217 code, and a misspelt rate', () => {
    const e = problems(catalogue('costs:\n  currency: euro\n  repairPerFailur: 10\n'));
    expect(e.issues.map((i) => i.path).sort()).toEqual(['costs.currency', 'costs.repairPerFailur']);
    expect(e.issues.find((i) => i.path === 'costs.currency')?.message).toContain('ISO 4217');
    expect(e.issues.find((i) => i.path === 'costs.repairPerFailur')?.message).toBe('unknown field');
  });
});
