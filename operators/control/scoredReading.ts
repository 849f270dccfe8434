import type { AnomalyScore, AssetFeatures, RiskAssessment } from '../scoring/riskModel.js';
import type { CommandSource, Telemetry } from './contracts.js';

/**
 * One telemetry reading after per-asset enrichment: the twin's features,
 * the hybrid risk model's assessment, the anomaly detectors' score, and the
 * production deltas since the asset's previous reading. What the twin
 * controller and the KPI aggregator consume.
 *
 * @example
 * const r: ScoredReading = {
 *   telemetry, features, risk: { risk: 0.12, rulHours: 40, horizonHours: 6, model: 'SURROGATE' },
 *   anomaly: { score: 0.4, signals: [] },
 *   dtS: 1, runningS: 1, goodDelta: 2, rejectedDelta: 0, energyKwh: 0.02, plannedS: 1,
 *   source: { topic: 'telemetry', partition: 0, offset: '42' },
 * };
 */
export interface ScoredReading {
  /** The raw reading; `telemetry.ts` is the event time. */
  telemetry: Telemetry;
  /** Null when the data is unusable (sensor drop-out on key signals). */
  features: AssetFeatures | null;
  /** From the hybrid risk model; model 'FAILSAFE' when scoring failed. */
  risk: RiskAssessment;
  anomaly: AnomalyScore;
  /** Seconds since the asset's previous reading. */
  dtS: number;
  /** Seconds of that interval the asset was running. */
  runningS: number;
  goodDelta: number;
  rejectedDelta: number;
  energyKwh: number;
  /** Planned production time in the interval: dtS unless the asset is in planned maintenance or shut down by command. */
  plannedS: number;
  /** Input position of the reading, copied into the commands it triggers (null for timer-driven ones). */
  source?: CommandSource;
}
