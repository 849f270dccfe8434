import type { Telemetry, TwinState } from '../../../../operators/control/contracts.js';
import type { ControlBounds } from '../../../../operators/control/guardrails.js';
import { defaultPolicyConfig, type PolicyConfig } from '../../../../operators/control/policy.js';
import type { ScoredReading } from '../../../../operators/control/scoredReading.js';
import type { AssetSpec } from '../../../../operators/scoring/assetPhysics.js';
import type { ModelUsed } from '../../../../operators/scoring/riskModel.js';

export const spec: AssetSpec = {
  id: 'a',
  kind: 'pump',
  site: 's1',
  line: 'l1',
  ratedPowerKw: 50,
  ratedRpm: 1500,
  ratedPressureBar: 6,
  ambientC: 25,
  heatRiseAtRatedC: 40,
  thermalTimeConstantS: 600,
  temperatureAlarmC: 85,
  temperatureLimitC: 100,
  baseVibrationMmS: 2,
  vibrationAlarmMmS: 7,
  wearPerHourAtRated: 0.001,
  idealCycleTimeS: 2,
  repairTimeS: 14_400,
  maintenanceTimeS: 3_600,
};

export const bounds: ControlBounds = { minLoadLimitPct: 40, maxLoadLimitPct: 100, reduceStepPct: 20 };

export const config: PolicyConfig = {
  ...defaultPolicyConfig,
  cooldownMs: 10_000,
  staleAfterMs: 30_000,
  failSafe: { loadLimitPct: 60, onStale: 'REDUCE_LOAD', onModelFailure: 'REDUCE_LOAD' },
};

export interface ReadingOptions {
  assetId?: string;
  risk?: number;
  model?: ModelUsed;
  score?: number;
  signals?: readonly string[];
  temperatureC?: number | null;
  runState?: Telemetry['runState'];
  loadLimitPct?: number | null;
  featuresNull?: boolean;
  offset?: number;
}

/** A scored reading at `ts` (a running asset, risk 0.05, no anomaly unless told). */
export function reading(ts: number, o: ReadingOptions = {}): ScoredReading {
  const assetId = o.assetId ?? 'a';
  return {
    telemetry: {
      assetId,
      site: 's1',
      line: 'l1',
      ts,
      seq: ts,
      temperatureC: o.temperatureC === undefined ? 60 : o.temperatureC,
      vibrationMmS: 2.5,
      loadPct: 80,
      pressureBar: 6,
      powerKw: 40,
      rpm: 1450,
      runState: o.runState ?? 'RUNNING',
      goodUnits: 0,
      rejectedUnits: 0,
      loadLimitPct: o.loadLimitPct === undefined ? null : o.loadLimitPct,
    },
    features: o.featuresNull ? null : { temperatureC: 60, wearEstimate: 0.2, load: 0.8, coolingFactor: 1 },
    risk: { risk: o.risk ?? 0.05, rulHours: 100, horizonHours: 6, model: o.model ?? 'SURROGATE' },
    anomaly: { score: o.score ?? 0, signals: o.signals ?? [] },
    dtS: 1,
    runningS: 1,
    goodDelta: 0,
    rejectedDelta: 0,
    energyKwh: 0.01,
    plannedS: 1,
    source: { topic: 'telemetry', partition: 0, offset: String(o.offset ?? ts) },
  };
}

/** A twin that has seen a reading at `ts` and has the given desired values. */
export function twinAt(
  ts: number,
  desired: Partial<TwinState['desired']> = {},
  lastCommandAt: number | null = null,
): TwinState {
  return {
    assetId: 'a',
    ts,
    lastSeen: ts,
    mode: 'NORMAL',
    reported: { temperatureC: 60, vibrationMmS: 2.5, loadPct: 80, loadLimitPct: null, runState: 'RUNNING' },
    desired: { loadLimitPct: desired.loadLimitPct ?? null, runState: desired.runState ?? null },
    health: { risk: 0, rulHours: null, anomalyScore: 0, wearEstimate: 0, model: 'SURROGATE' },
    lastCommandId: null,
    lastCommandAt,
    commandsObeyed: 0,
    commandsIgnored: 0,
    commandsTimedOut: 0,
    readings: 1,
  };
}
