import type { Catalogue, LoadBounds } from '../../connectors/catalogue/catalogue.js';
import type { TwinMode } from '../../operators/control/contracts.js';
import type { AssetSpec } from '../../operators/scoring/assetPhysics.js';
import type { AssetFeatures } from '../../operators/scoring/riskModel.js';
import {
  type WhatIfAnswer,
  type WhatIfChange,
  WhatIfInputError,
  whatIf,
} from '../../operators/scoring/whatIf.js';

/**
 * The twin state a what-if starts from: which asset, the state's event
 * time and version, and the physical estimate the physics model simulates.
 * `coolingFrom` says where the cooling factor came from, since twin_state
 * itself does not store the twin's estimate.
 *
 * @example
 * const s: WhatIfSubject = { assetId: 'pump-001', source: 'job', ts, version: ts, mode: 'NORMAL',
 *   features: { temperatureC: 71, wearEstimate: 0.3, load: 1, coolingFactor: 0.98 }, coolingFrom: 'twin estimate',
 *   twin: { risk: 0.01, rulHours: null, model: 'SURROGATE' } };
 */
export interface WhatIfSubject {
  readonly assetId: string;
  /** The running job's own state, or ClickHouse's `twin_state_latest`. */
  readonly source: 'job' | 'clickhouse';
  /** Event time of the state, epoch ms. */
  readonly ts: number;
  /** The state's version (twin_state.version: its ts in epoch ms). */
  readonly version: number;
  readonly mode: TwinMode | string;
  readonly features: AssetFeatures;
  readonly coolingFrom: string;
  /** What the twin itself said at that state (its model may be the surrogate, with the observed wear rate). */
  readonly twin: { readonly risk: number; readonly rulHours: number | null; readonly model: string };
}

/**
 * The asset's spec and bounds, clones of a scaled catalogue (`pump-001-r2`)
 * included. Throws WhatIfInputError (field `asset`) for an asset it does not have.
 *
 * @example
 * assetOf(catalogue, 'pump-001-r2').spec.id; // 'pump-001-r2', pump-001's parameters
 */
export function assetOf(
  catalogue: Catalogue,
  assetId: string,
): { readonly spec: AssetSpec; readonly bounds: LoadBounds | undefined } {
  const exact = catalogue.assets.find((a) => a.id === assetId);
  if (exact !== undefined) return { spec: exact, bounds: catalogue.bounds[assetId] };
  // scaleCatalogue's clones (`--assets 200`) are their original under another id.
  const clone = /^(.+)-r\d+$/.exec(assetId);
  const original = clone === null ? undefined : catalogue.assets.find((a) => a.id === clone[1]);
  if (original === undefined) {
    const known = catalogue.assets.map((a) => a.id);
    throw new WhatIfInputError(
      `asset "${assetId}" is not in the catalogue ${catalogue.source} (known: ${known.slice(0, 6).join(', ')}${known.length > 6 ? ', …' : ''})`,
      'asset',
    );
  }
  return { spec: { ...original, id: assetId }, bounds: catalogue.bounds[original.id] };
}

/** What a what-if asks beside the state: the change, the horizon and the sampling. */
export interface WhatIfAsk {
  readonly change: WhatIfChange;
  readonly horizonHours: number;
  readonly samples?: number;
  readonly seed?: number;
}

/** A what-if's answer with the state it started from: what the CLI prints and the endpoint returns. */
export interface WhatIfReport {
  readonly state: {
    readonly assetId: string;
    readonly source: WhatIfSubject['source'];
    readonly eventTime: string;
    readonly version: number;
    readonly mode: string;
    readonly features: AssetFeatures;
    readonly coolingFrom: string;
    readonly twin: WhatIfSubject['twin'];
  };
  readonly answer: WhatIfAnswer;
}

/**
 * Runs the physics what-if on a subject: its features as they are, and with
 * the change. Adds a warning when the asset is not running (a failed or
 * stopped asset's what-if is about restarting it). Throws WhatIfInputError
 * for a question the model cannot answer.
 *
 * @example
 * const report = whatIfReport(catalogue, subject, { change: { load: 0.6 }, horizonHours: 6 });
 * report.answer.changed.risk;
 */
export function whatIfReport(catalogue: Catalogue, subject: WhatIfSubject, ask: WhatIfAsk): WhatIfReport {
  const { spec, bounds } = assetOf(catalogue, subject.assetId);
  const answer = whatIf({
    spec,
    now: subject.features,
    change: ask.change,
    horizonHours: ask.horizonHours,
    ...(ask.samples === undefined ? {} : { samples: ask.samples }),
    ...(ask.seed === undefined ? {} : { seed: ask.seed }),
    ...(bounds === undefined ? {} : { loadBounds: bounds }),
  });
  const notRunning =
    subject.mode === 'FAILED' || subject.mode === 'SHUTDOWN' || subject.mode === 'MAINTENANCE'
      ? [`asset is ${subject.mode}: the answer is for running it as its state says`]
      : [];
  return {
    state: {
      assetId: subject.assetId,
      source: subject.source,
      eventTime: new Date(subject.ts).toISOString(),
      version: subject.version,
      mode: subject.mode,
      features: subject.features,
      coolingFrom: subject.coolingFrom,
      twin: subject.twin,
    },
    answer: { ...answer, warnings: [...notRunning, ...answer.warnings] },
  };
}
