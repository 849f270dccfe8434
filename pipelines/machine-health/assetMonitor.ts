import type { Telemetry } from '../../operators/control/contracts.js';
import type { ScoredReading } from '../../operators/control/scoredReading.js';
import type { KeyedProcessFunction } from '../../operators/index.js';
import {
  type AnomalyState,
  detectAnomaly,
  initialAnomalyState,
} from '../../operators/scoring/anomalyDetector.js';
import {
  type AssetSpec,
  coolingFromThermalBalance,
  wearFromVibration,
  wearRatePerS,
} from '../../operators/scoring/assetPhysics.js';
import type { AnomalyScore } from '../../operators/scoring/riskModel.js';
import {
  initialThermalResidualState,
  resetThermalResidual,
  type ThermalResidualState,
  updateThermalResidual,
} from '../../operators/scoring/thermalResidual.js';
import {
  initialWearTrendState,
  resetWearTrend,
  updateWearTrend as updateWearIndexTrend,
  type WearTrendState,
} from '../../operators/scoring/wearTrend.js';

/** Wear-rate trend: one sample per 10 min, over the last hour. */
const TREND_SAMPLE_MS = 600_000;
const TREND_SAMPLES = 7;
/** Below this observed rate (per hour) the trend is noise, not a defect. */
const MIN_TREND_PER_HOUR = 0.01;

/**
 * A reading enriched per asset, before risk scoring. `wearRateScale` is the
 * observed wear rate over the nominal one (>= 1): a bearing defect shows as
 * wear rising faster than the catalogue's rate, and scoring projects with it.
 */
export type MonitoredReading = Omit<ScoredReading, 'risk'> & { readonly wearRateScale: number };

/** What the monitor keeps per asset (plain JSON, so it snapshots). */
export interface MonitorState {
  prevTs: number | null;
  prevGood: number;
  prevRejected: number;
  /** Last usable readings, to ride through a sensor drop-out. */
  temperatureC: number | null;
  /** Smoothed wear estimate from vibration; null until a running reading with vibration. */
  wear: number | null;
  /** Smoothed cooling effectiveness estimate (1 = normal). */
  cooling: number;
  /** Wear estimates sampled every TREND_SAMPLE_MS while running, oldest first, to measure the wear rate. */
  trend: Array<[ts: number, wear: number]>;
  wearRateScale: number;
  anomaly: AnomalyState;
  /** Measured temperature against the thermal model's (cooling loss). */
  thermal: ThermalResidualState;
  /** Trend of the load-normalised vibration and power wear indices (bearing defect). */
  wearIndex: WearTrendState;
  /** Last temperature the thermal time constant allows, and how many readings in a row jumped from it. */
  plausibleC?: number | null;
  jumps?: number;
}

/**
 * Signals of the physics-residual detectors, added to the anomaly score's:
 * evidence of a physical fault rather than of a sensor. Named apart from the
 * raw signals so a flag does not stop the estimates that read those signals.
 */
export const COOLING_RESIDUAL_SIGNAL = 'cooling:residual';
export const BEARING_TREND_SIGNAL = 'bearing:trend';

export interface AssetMonitorOptions {
  /** Smoothing of the per-reading wear estimate (vibration is noisy; default 0.1). */
  readonly wearAlpha?: number;
  /** Smoothing of the cooling estimate (default 0.05). */
  readonly coolingAlpha?: number;
}

/** Run states that count as planned production time (a failure is unplanned downtime inside it). */
function isPlanned(runState: Telemetry['runState']): boolean {
  return runState === 'RUNNING' || runState === 'FAILED';
}

/**
 * Per-asset enrichment: production and energy deltas since the asset's
 * previous reading, the twin's estimate of what is not measured (wear from
 * smoothed vibration, cooling effectiveness from the thermal balance), and
 * streaming anomaly scores. Wear and cooling update only while the asset
 * runs and the signal is not itself anomalous (a spike is not wear).
 *
 * @example
 * telemetry$.pipe(keyBy((t) => t.assetId), processKeyed(assetMonitor((id) => specs.get(id)!), { id: 'monitor', snapshots }))
 */
export function assetMonitor(
  specOf: (assetId: string) => AssetSpec,
  options: AssetMonitorOptions = {},
): KeyedProcessFunction<Telemetry, MonitorState, MonitoredReading> {
  const wearAlpha = options.wearAlpha ?? 0.1;
  const coolingAlpha = options.coolingAlpha ?? 0.05;
  return {
    init: () => ({
      prevTs: null,
      prevGood: 0,
      prevRejected: 0,
      temperatureC: null,
      wear: null,
      cooling: 1,
      trend: [],
      wearRateScale: 1,
      anomaly: initialAnomalyState(),
      thermal: initialThermalResidualState(),
      wearIndex: initialWearTrendState(),
    }),
    onRecord(t, ctx) {
      const s = ctx.state;
      const spec = specOf(t.assetId);
      const first = s.prevTs === null;
      const dtS = first ? 0 : Math.max(0, (t.ts - (s.prevTs as number)) / 1000);
      const goodDelta = first ? 0 : Math.max(0, t.goodUnits - s.prevGood);
      const rejectedDelta = first ? 0 : Math.max(0, t.rejectedUnits - s.prevRejected);
      s.prevTs = t.ts;
      s.prevGood = t.goodUnits;
      s.prevRejected = t.rejectedUnits;

      const raw = withImplausibleJump(detectAnomaly(s.anomaly, t), s, spec, t, dtS);
      const running = t.runState === 'RUNNING';
      const load = Math.max(0, t.loadPct / 100);
      // Older snapshots have no residual state: start it here.
      s.thermal ??= initialThermalResidualState();
      s.wearIndex ??= initialWearTrendState();
      const thermal = updateThermalResidual(s.thermal, spec, {
        ts: t.ts,
        temperatureC: isArtefact(raw.signals, 'temperatureC') ? null : t.temperatureC,
        load: running ? load : 0,
        running,
      });
      const trend = running
        ? updateWearIndexTrend(s.wearIndex, spec, {
            ts: t.ts,
            load,
            vibrationMmS:
              isArtefact(raw.signals, 'vibrationMmS') || s.anomaly.vibrationMmS.repeats > 0
                ? null
                : t.vibrationMmS,
            powerKw: isArtefact(raw.signals, 'powerKw') ? null : t.powerKw,
          })
        : undefined;
      const anomaly = withPhysicalEvidence(raw, thermal.flagged, trend?.flagged ?? false);
      if (t.temperatureC !== null && !hasSignal(raw.signals, 'temperatureC')) {
        if (running && load > 0.3 && s.temperatureC !== null && dtS > 0) {
          // Thermal balance: the temperature the asset is heading for, from its rate of change.
          const estimate = coolingFromThermalBalance(spec, {
            temperatureC: t.temperatureC,
            previousTemperatureC: s.temperatureC,
            dtS,
            load,
          });
          if (estimate !== undefined) s.cooling += coolingAlpha * (estimate - s.cooling);
        }
        s.temperatureC = t.temperatureC;
      }
      if (running && t.vibrationMmS !== null && load > 0.05 && !hasSignal(raw.signals, 'vibrationMmS')) {
        const w = wearFromVibration(spec, t.vibrationMmS, load);
        s.wear = s.wear === null ? w : s.wear + wearAlpha * (w - s.wear);
      }
      if (running && s.wear !== null && s.temperatureC !== null) {
        updateWearTrend(s, spec, t.ts, load, s.wear, s.temperatureC);
      }
      if (t.runState === 'MAINTENANCE' || t.runState === 'FAILED') {
        // Repair or maintenance replaces the bearing: the estimates restart from a new one's. Not from
        // nothing: the first reading after a restart jumps and is skipped as anomalous, and a running
        // asset without a wear estimate is unscorable, which would derate it to the fail-safe limit.
        s.wear = 0;
        s.cooling = 1;
        s.trend = [];
        s.wearRateScale = 1;
        resetThermalResidual(s.thermal);
        resetWearTrend(s.wearIndex);
      }

      // Unusable only when a running asset lacks the signals its risk depends on; a stopped
      // asset with no wear estimate yet (say, idle since start) carries no load and so no risk.
      const features =
        s.temperatureC === null || (running && s.wear === null)
          ? null
          : { temperatureC: s.temperatureC, wearEstimate: s.wear ?? 0, load, coolingFactor: s.cooling };
      const runningS = running ? dtS : 0;
      ctx.emit({
        telemetry: t,
        features,
        anomaly,
        dtS,
        runningS,
        goodDelta,
        rejectedDelta,
        energyKwh: (t.powerKw * dtS) / 3600,
        plannedS: isPlanned(t.runState) ? dtS : 0,
        wearRateScale: s.wearRateScale,
      });
    },
  };
}

/** Largest plausible gap to the temperature an asset heads for, °C: bounds how fast it can move. */
const MAX_THERMAL_GAP_C = 150;
/** Readings in a row at a new level that make it real (a sensor back from being stuck), not a spike. */
const LEVEL_SHIFT_READINGS = 3;

/**
 * Flags a temperature reading that jumped further from the last plausible
 * one than the thermal time constant allows (plus a margin for noise) as a
 * spike: real heat cannot arrive that fast, so such a reading must not trip
 * the asset or count as a cooling loss. The raw detectors miss some wild
 * readings of a burst, whose variance they have learnt.
 */
function withImplausibleJump(
  raw: AnomalyScore,
  s: MonitorState,
  spec: AssetSpec,
  t: Telemetry,
  dtS: number,
): AnomalyScore {
  const x = t.temperatureC;
  if (x === null || !Number.isFinite(x)) return raw;
  const ref = s.plausibleC ?? null;
  const allowed = 4 + MAX_THERMAL_GAP_C * (1 - Math.exp(-Math.max(dtS, 1) / spec.thermalTimeConstantS));
  if (ref === null || Math.abs(x - ref) <= allowed || (s.jumps ?? 0) + 1 >= LEVEL_SHIFT_READINGS) {
    s.plausibleC = x;
    s.jumps = 0;
    return raw;
  }
  s.jumps = (s.jumps ?? 0) + 1;
  if (raw.signals.includes('temperatureC:spike')) return raw;
  return { score: Math.max(raw.score, 1), signals: [...raw.signals, 'temperatureC:spike'] };
}

/** Whether the detectors call a signal's reading a spike or a stuck sensor: not a measurement. */
function isArtefact(signals: readonly string[], name: string): boolean {
  for (const s of signals) if (s === `${name}:spike` || s === `${name}:stuck`) return true;
  return false;
}

/**
 * The raw detectors' score with the physics residuals' flags added. A flag
 * counts as one detector at its threshold (score 1), however far past it:
 * how strongly a residual speaks is the flag's business, and a policy that
 * dispatches on raw scores (dispatchAt 3 by default) is left as it was.
 */
function withPhysicalEvidence(raw: AnomalyScore, cooling: boolean, bearing: boolean): AnomalyScore {
  if (!cooling && !bearing) return raw;
  const signals = [...raw.signals];
  if (cooling) signals.push(COOLING_RESIDUAL_SIGNAL);
  if (bearing) signals.push(BEARING_TREND_SIGNAL);
  return { score: Math.max(raw.score, 1), signals };
}

function hasSignal(signals: readonly string[], name: string): boolean {
  for (const s of signals) if (s.startsWith(name) && !s.endsWith(':cusum')) return true;
  return false;
}

/**
 * Measures how fast the estimated wear grows over the last hour and compares
 * it with the catalogue's rate at the current load and temperature. A
 * bearing defect multiplies the wear rate; projecting risk with the nominal
 * rate would see it only when the bearing is nearly gone.
 */
function updateWearTrend(
  s: MonitorState,
  spec: AssetSpec,
  ts: number,
  load: number,
  wear: number,
  temperatureC: number,
) {
  const last = s.trend.at(-1);
  if (last !== undefined && ts - last[0] < TREND_SAMPLE_MS) return;
  s.trend.push([ts, wear]);
  if (s.trend.length > TREND_SAMPLES) s.trend.shift();
  const [t0, w0] = s.trend[0];
  const hours = (ts - t0) / 3_600_000;
  if (hours < 0.5) return;
  const observed = (wear - w0) / hours;
  const nominal =
    wearRatePerS(spec, { temperatureC, wear, load, coolingFactor: s.cooling, wearFactor: 1 }) * 3600;
  s.wearRateScale =
    observed < MIN_TREND_PER_HOUR || nominal <= 0 ? 1 : Math.min(500, Math.max(1, observed / nominal));
}
