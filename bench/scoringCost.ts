/**
 * Scoring cost per event of the Monte Carlo physics model vs the ONNX
 * surrogate (and the hybrid) at equal batch size, and their agreement.
 */
import { OnnxSurrogate } from '../connectors/onnx/onnxSurrogate.js';
import type { AssetSpec } from '../operators/scoring/assetPhysics.js';
import { hybridRiskModel } from '../operators/scoring/hybridRiskModel.js';
import { physicsRiskModel } from '../operators/scoring/physicsRiskModel.js';
import type { AssetFeatures, RiskModel } from '../operators/scoring/riskModel.js';
import { uniformSource } from '../operators/scoring/seededRandom.js';
import { DEFAULT_SAMPLING_RANGES, sampleState } from '../runtime/train/trainSurrogate.js';
import { progress } from './measure.js';

const MODEL = 'models/machine-health-surrogate.onnx';
const BATCH = 64;
const EVENTS = 2048;
const RUNS = 3;

type Item = { spec: AssetSpec; features: AssetFeatures };

/** Median µs per event of `model` over EVENTS events in batches of BATCH, after one warm-up pass. */
async function costPerEvent(name: string, model: RiskModel, batches: Item[][]): Promise<number> {
  for (const b of batches) await model.assess(b);
  const runs: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    for (const b of batches) await model.assess(b);
    runs.push(((performance.now() - t0) * 1000) / EVENTS);
    progress(`  scoring ${name} run ${r + 1}/${RUNS}: ${runs[r].toFixed(1)} µs/event`);
  }
  runs.sort((a, b) => a - b);
  return Math.round(runs[RUNS >> 1] * 10) / 10;
}

/**
 * Scores EVENTS states drawn like the surrogate's training distribution
 * (half near thermal steady state) with each model, in batches of 64.
 *
 * @example
 * console.log(JSON.stringify(await scoringCostBench()));
 */
export async function scoringCostBench(): Promise<object> {
  const u = uniformSource(20_240_601);
  const items: Item[] = [];
  for (let i = 0; i < EVENTS; i++) items.push(sampleState(u, DEFAULT_SAMPLING_RANGES, 6, i % 2 === 1));
  const batches: Item[][] = [];
  for (let i = 0; i < EVENTS; i += BATCH) batches.push(items.slice(i, i + BATCH));

  const physics = physicsRiskModel();
  const physicsRiskOnly: RiskModel = {
    name: 'physics-risk-only',
    async assess(batch) {
      return batch.map((b) => ({
        risk: physics.riskOf(b.spec, b.features),
        rulHours: null,
        horizonHours: 6,
        model: 'PHYSICS',
      }));
    },
  };
  const surrogate = await OnnxSurrogate.load(MODEL);
  try {
    const hybrid = hybridRiskModel({ surrogate, physics, crossCheckEvery: 16 });
    const physicsUs = await costPerEvent('physics (risk + RUL)', physics, batches);
    const physicsRiskUs = await costPerEvent('physics (risk only)', physicsRiskOnly, batches);
    const surrogateUs = await costPerEvent('surrogate', surrogate, batches);
    const hybridUs = await costPerEvent('hybrid', hybrid, batches);

    const errors = new Float64Array(EVENTS);
    let k = 0;
    for (const b of batches) {
      const s = await surrogate.assess(b);
      for (let i = 0; i < b.length; i++)
        errors[k++] = Math.abs(s[i].risk - physics.riskOf(b[i].spec, b[i].features));
    }
    let sum = 0;
    for (const e of errors) sum += e;
    errors.sort();
    const counters = hybrid.counters();
    return {
      name: 'scoringCost',
      batch: BATCH,
      events: EVENTS,
      model: surrogate.metadata.version,
      physicsSamples: 256,
      physicsUsPerEvent: physicsUs,
      physicsRiskOnlyUsPerEvent: physicsRiskUs,
      surrogateUsPerEvent: surrogateUs,
      hybridUsPerEvent: hybridUs,
      speedupVsPhysics: Math.round((physicsUs / surrogateUs) * 10) / 10,
      speedupVsPhysicsRiskOnly: Math.round((physicsRiskUs / surrogateUs) * 10) / 10,
      agreement: {
        mae: round(sum / EVENTS),
        p99: round(errors[Math.floor(0.99 * (EVENTS - 1))]),
        max: round(errors[EVENTS - 1]),
        statedValidationMae: surrogate.metadata.validationMae,
        statedValidationP99: surrogate.metadata.validationP99Error,
        statedValidationMax: surrogate.metadata.validationMaxError,
      },
      hybrid: {
        surrogateShare: round(counters.surrogateShare),
        crossChecks: counters.crossChecks,
        drifts: counters.drifts,
      },
      target: 10,
      meetsTarget: physicsRiskUs / surrogateUs >= 10,
    };
  } finally {
    await surrogate.close();
  }
}

function round(v: number): number {
  return Math.round(v * 10_000) / 10_000;
}
