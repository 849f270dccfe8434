import type { AssetSpec } from './assetPhysics.js';
import type { AssetFeatures, RiskAssessment, RiskModel } from './riskModel.js';
import { hashString, mixHash } from './stableHash.js';
import {
  describeOutsideEnvelope,
  firstOutsideEnvelope,
  SURROGATE_FEATURE_COUNT,
  writeSurrogateFeatures,
} from './surrogateFeatures.js';
import type { SurrogateRiskModel } from './surrogateMetadata.js';

/** The two models a hybrid routes between, and how it trusts the surrogate. */
export interface HybridRiskOptions {
  readonly surrogate: SurrogateRiskModel;
  readonly physics: RiskModel;
  /** Largest |surrogate − physics| accepted on a cross-check (default 0.1). */
  readonly tolerance?: number;
  /**
   * About one item in this many inside the envelope is also scored by physics
   * (default 16; 0 disables). Chosen by a hash of the asset and its features,
   * not a counter, so a replay cross-checks the same items.
   */
  readonly crossCheckEvery?: number;
}

/** What the hybrid decided with so far, for metrics. */
export interface HybridCounters {
  readonly assessed: number;
  readonly surrogate: number;
  readonly physics: number;
  readonly failsafe: number;
  readonly outsideEnvelope: number;
  readonly crossChecks: number;
  /** Cross-checks where the surrogate was off by more than the tolerance (physics decided). */
  readonly drifts: number;
  readonly surrogateFailures: number;
  /** Share of assessments the surrogate decided. */
  readonly surrogateShare: number;
}

/** A RiskModel that also counts which model decided. */
export interface HybridRiskModel extends RiskModel {
  counters(): HybridCounters;
}

type Item = { readonly spec: AssetSpec; readonly features: AssetFeatures };

/**
 * Surrogate inside its training envelope, physics outside it; a sampled
 * cross-check scores some items with both and lets physics decide when they
 * differ by more than the tolerance. If the surrogate fails, physics
 * decides; if physics fails too, the assessment is FAILSAFE with risk 1, so
 * control takes the safe action. Every assessment records its model and,
 * when physics decided, why.
 *
 * @example
 * const hybrid = hybridRiskModel({ surrogate, physics: physicsRiskModel({ seed: 1 }), tolerance: 0.1 });
 * const [a] = await hybrid.assess([{ spec, features }]);
 * a.model; // 'SURROGATE' | 'PHYSICS' | 'FAILSAFE'
 * hybrid.counters().surrogateShare;
 */
export function hybridRiskModel(options: HybridRiskOptions): HybridRiskModel {
  const { surrogate, physics } = options;
  const tolerance = options.tolerance ?? 0.1;
  const every = options.crossCheckEvery ?? 16;
  const horizonHours = surrogate.metadata.horizonHours;
  const envelope = surrogate.metadata.envelope;
  const F = SURROGATE_FEATURE_COUNT;
  const c = {
    assessed: 0,
    surrogate: 0,
    physics: 0,
    failsafe: 0,
    outsideEnvelope: 0,
    crossChecks: 0,
    drifts: 0,
    surrogateFailures: 0,
  };

  async function physicsFor(
    batch: readonly Item[],
    indices: readonly number[],
  ): Promise<(RiskAssessment | Error)[]> {
    if (indices.length === 0) return [];
    const items = indices.map((i) => batch[i]);
    try {
      return await physics.assess(items);
    } catch {
      // One bad item must not fail its neighbours: retry one by one to find it.
      const out: (RiskAssessment | Error)[] = [];
      for (const item of items) {
        try {
          out.push((await physics.assess([item]))[0]);
        } catch (err) {
          out.push(err instanceof Error ? err : new Error(String(err)));
        }
      }
      return out;
    }
  }

  return {
    name: `hybrid(${surrogate.name}, ${physics.name})`,
    counters: () => ({ ...c, surrogateShare: c.assessed === 0 ? 0 : c.surrogate / c.assessed }),
    async assess(batch) {
      const n = batch.length;
      const rows = new Float32Array(n * F);
      const inside: number[] = [];
      const out: RiskAssessment[] = new Array(n);
      const notes: (string | undefined)[] = new Array(n);
      const toPhysics: number[] = [];
      for (let i = 0; i < n; i++) {
        writeSurrogateFeatures(batch[i].spec, batch[i].features, horizonHours, rows, i * F);
        const bad = firstOutsideEnvelope(rows, i * F, envelope);
        if (bad < 0) {
          inside.push(i);
        } else {
          c.outsideEnvelope++;
          notes[i] = describeOutsideEnvelope(rows, i * F, bad, envelope);
          toPhysics.push(i);
        }
      }

      let risks: Float32Array | undefined;
      const insideRows = new Float32Array(inside.length * F);
      for (let k = 0; k < inside.length; k++)
        insideRows.set(rows.subarray(inside[k] * F, inside[k] * F + F), k * F);
      let failure: string | undefined;
      try {
        risks =
          inside.length > 0 ? await surrogate.scoreRows(insideRows, inside.length) : new Float32Array(0);
      } catch (err) {
        failure = `surrogate failed, physics decided: ${err instanceof Error ? err.message : String(err)}`;
      }
      const checked: number[] = [];
      for (let k = 0; k < inside.length; k++) {
        const i = inside[k];
        const risk = risks?.[k];
        if (risk === undefined || !(risk >= 0 && risk <= 1)) {
          c.surrogateFailures++;
          notes[i] = failure ?? `surrogate returned ${risk}, physics decided`;
          toPhysics.push(i);
          continue;
        }
        out[i] = { risk, rulHours: null, horizonHours, model: 'SURROGATE' };
        if (every > 0 && crossCheckKey(batch[i]) % every === 0) checked.push(i);
      }

      const physicsIdx = toPhysics.concat(checked);
      const results = await physicsFor(batch, physicsIdx);
      for (let k = 0; k < physicsIdx.length; k++) {
        const i = physicsIdx[k];
        const result = results[k];
        const isCheck = k >= toPhysics.length;
        if (isCheck) c.crossChecks++;
        if (result instanceof Error) {
          const why = isCheck ? 'cross-check' : (notes[i] ?? 'physics');
          out[i] = {
            risk: 1,
            rulHours: null,
            horizonHours,
            model: 'FAILSAFE',
            note: `${why}; physics failed too: ${result.message}`,
          };
          continue;
        }
        if (!isCheck) {
          out[i] = { ...result, model: 'PHYSICS', note: notes[i] };
          continue;
        }
        const diff = Math.abs(out[i].risk - result.risk);
        if (diff > tolerance) {
          c.drifts++;
          out[i] = {
            ...result,
            model: 'PHYSICS',
            note: `cross-check drift: surrogate ${round(out[i].risk)} vs physics ${round(result.risk)} (tolerance ${tolerance})`,
          };
        } else {
          // Physics was run anyway: keep its RUL beside the surrogate's risk.
          out[i] = { ...out[i], rulHours: result.rulHours };
        }
      }
      for (let i = 0; i < n; i++) {
        c.assessed++;
        const model = out[i].model;
        if (model === 'SURROGATE') c.surrogate++;
        else if (model === 'PHYSICS') c.physics++;
        else c.failsafe++;
      }
      return out;
    },
  };
}

/** A stable 32-bit key of an item: asset id mixed with its features at 1e-4 resolution. */
function crossCheckKey(item: Item): number {
  const f = item.features;
  let h = hashString(item.spec.id);
  h = mixFeature(h, f.temperatureC);
  h = mixFeature(h, f.wearEstimate);
  h = mixFeature(h, f.load);
  h = mixFeature(h, f.coolingFactor);
  return h;
}

/** Murmur3's whole finaliser over the hash xor the feature at 1e-4: its first xor-shift, then mixHash's rounds. */
function mixFeature(h: number, v: number): number {
  const x = h ^ (Math.round(v * 10_000) | 0);
  return mixHash(x, x >>> 16);
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
