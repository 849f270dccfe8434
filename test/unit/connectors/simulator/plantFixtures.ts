import { fileURLToPath } from 'node:url';
import type { Catalogue } from '../../../../connectors/catalogue/catalogue.js';
import { loadCatalogue, parseCatalogue } from '../../../../connectors/catalogue/loadCatalogue.js';
import type { Action, Command } from '../../../../operators/control/contracts.js';
import { PUMP_KIND_YAML } from '../catalogue/catalogueFixtures.js';

export const START = Date.UTC(2025, 0, 1);
export const HOUR = 3_600_000;
/** Ticks of the default 10 s per hour. */
export const TICKS_PER_HOUR = 360;

export function referenceCatalogue(): Promise<Catalogue> {
  return loadCatalogue(
    fileURLToPath(new URL('../../../../pipelines/machine-health/catalogue.yaml', import.meta.url)),
  );
}

/** Three pumps on one line, around the clock, at a constant demanded load (no daily swing). */
export function flatCatalogue(load = 0.9): Catalogue {
  return parseCatalogue(
    `version: 1
${PUMP_KIND_YAML}sites:
  - id: s1
    ambientC: 25
    demand: { minLoad: ${load}, maxLoad: ${load}, peakHourUtc: 12 }
    lines:
      - id: l1
        assets:
          - { id: pump-001, kind: pump }
          - { id: pump-002, kind: pump }
          - { id: pump-003, kind: pump }
`,
    'flat.yaml',
  );
}

let n = 0;
export function command(assetId: string, action: Action, loadLimitPct: number | null = null): Command {
  n++;
  return {
    commandId: `cmd-${n}`,
    assetId,
    action,
    loadLimitPct,
    risk: 0.5,
    horizonHours: 24,
    reason: 'test',
    model: 'RULE',
    decidedAt: START,
    source: null,
  };
}
