import type { Catalogue } from '../../connectors/catalogue/catalogue.js';
import type { TwinState } from '../../operators/control/contracts.js';
import type { AssetFeatures } from '../../operators/scoring/riskModel.js';
import type { MachineHealthOutput } from './machineHealth.js';
import type { WhatIfSubject } from './whatIfSubject.js';

/**
 * The running job's latest state per asset, for what-ifs on it: the last
 * twin state (its event time is the version, as in twin_state) and the
 * twin's own features from the last usable scored reading, cooling
 * estimate included. Feed it the job's outputs, as the operator view is
 * fed; it keeps two small records per asset.
 *
 * @example
 * const states = whatIfJobState(catalogue);
 * runEmbedded(definition, { …, onOutput: (out) => { view.observe(out); states.observe(out); } });
 * states.subjectOf('pump-001')?.features.coolingFactor;
 */
export function whatIfJobState(catalogue: Catalogue): {
  observe(out: MachineHealthOutput): void;
  subjectOf(assetId: string): WhatIfSubject | undefined;
} {
  const known = new Set(catalogue.assets.map((a) => a.id));
  const states = new Map<string, TwinState>();
  const features = new Map<string, AssetFeatures>();
  return {
    observe(out) {
      if (out.type === 'state') {
        if (known.has(out.state.assetId)) states.set(out.state.assetId, out.state);
      } else if (out.type === 'enriched') {
        const r = out.reading;
        if (r.features !== null && known.has(r.telemetry.assetId))
          features.set(r.telemetry.assetId, r.features);
      }
    },
    subjectOf(assetId) {
      const state = states.get(assetId);
      if (state === undefined) return undefined;
      const twin = features.get(assetId);
      const f: AssetFeatures = twin ?? {
        temperatureC: state.reported.temperatureC ?? Number.NaN,
        wearEstimate: state.health.wearEstimate,
        load: Math.max(0, (state.reported.loadPct ?? 0) / 100),
        coolingFactor: 1,
      };
      return {
        assetId,
        source: 'job',
        ts: state.ts,
        version: state.ts,
        mode: state.mode,
        features: f,
        coolingFrom: twin === undefined ? 'assumed normal: no usable reading yet' : "the twin's estimate",
        twin: { risk: state.health.risk, rulHours: state.health.rulHours, model: state.health.model },
      };
    },
  };
}
