/**
 * Alarm quality: the twin's alerts and dispatches scored against the
 * simulator's ground truth (injected faults and failures).
 *
 * Definitions (all window ends inclusive):
 * - Physical faults are 'bearing-defect' and 'cooling-loss'; sensor faults are
 *   'sensor-dropout', 'stuck-sensor' and 'spike'.
 * - A fault's window is [injectedAt, (endedAt ?? to) + graceMs]; a failure's
 *   window is [ts − failureLeadMs, ts], so a warning ahead of a natural-wear
 *   failure (no injected fault) counts as true.
 * - Condition alerts (RISK, ANOMALY, TEMPERATURE) are true positives in the
 *   window of a physical fault or a failure on the same asset. Outside those
 *   but in the window of a spike or stuck-sensor fault they are sensor
 *   artefacts: a true sensor detection but a false alarm for maintenance, so
 *   precision counts them as false positives and the report counts them apart.
 * - Sensor alerts (DATA_STALE, DATA_RESUMED, MODEL_FAILURE) are true positives
 *   in the window of a sensor fault on the same asset only.
 * - COMMAND_IGNORED and COMMAND_TIMED_OUT are about the command channel, not
 *   the asset: excluded from precision and counted as `commandChannel`.
 * - Dispatches are commands DISPATCH_TECHNICIAN and SCHEDULE_MAINTENANCE
 *   (reported apart and together); one is a true positive when decided in the
 *   window of a physical fault or a failure on the same asset.
 * - A true positive is matched to the physical (or sensor) fault whose window
 *   holds it with the latest injection, else to the earliest failure whose
 *   lead window holds it.
 * - A physical fault is detected by the first condition alert or command other
 *   than CONTINUE/RESTORE_LOAD at or after injection, within maxDetectionMs
 *   (as {@link timeToDetect}); recall = detected / physical faults; MTTD is the
 *   mean time to detect, p90 the nearest-rank 90th percentile.
 * - A physical fault's outcome: 'failed' when the asset failed within the
 *   fault's window; else 'prevented' when it ended by maintenance, or ended
 *   (not by expiry) with a twin dispatch on the asset between injection and
 *   its end; else 'ran-out' (expired, still active at `to`, or ended by the
 *   repair of a failure outside its window): nothing was prevented yet, so
 *   ran-out faults are left out of failuresPreventedRatio =
 *   prevented / (prevented + failed).
 * - Dispatch recall = physical faults with a dispatch in their window (at or
 *   before the failure when they failed) / physical faults.
 * - False dispatches per asset-day = false dispatches / ((to − from) / 86.4e6 × assetCount).
 * - A ratio whose denominator is 0 is null, never NaN.
 */
import type { AlertKind } from '../control/alert.js';
import type { Action } from '../control/contracts.js';
import type { FailureCause } from '../scoring/assetPhysics.js';
import { type Detection, timeToDetect } from './mttd.js';

export type PhysicalFaultKind = 'bearing-defect' | 'cooling-loss';
export type SensorFaultKind = 'sensor-dropout' | 'stuck-sensor' | 'spike';
export type TruthFaultKind = PhysicalFaultKind | SensorFaultKind;

/** An injected fault as the simulator's ground truth records it (endedAt absent while still active). */
export interface TruthFault {
  readonly assetId: string;
  readonly kind: TruthFaultKind;
  readonly severity?: number;
  readonly injectedAt: number;
  readonly endedAt?: number;
  readonly endedBy?: 'expired' | 'maintenance' | 'repair';
}

/** An asset failure from the ground truth. */
export interface TruthFailure {
  readonly assetId: string;
  readonly ts: number;
  readonly cause: FailureCause;
}

/** The part of an alert alarm quality needs. */
export interface ScoredAlert {
  readonly assetId: string;
  readonly ts: number;
  readonly kind: AlertKind;
}

/** The part of a command alarm quality needs. */
export interface ScoredCommand {
  readonly assetId: string;
  readonly decidedAt: number;
  readonly action: Action;
}

export interface AlarmQualityInput {
  readonly faults: readonly TruthFault[];
  readonly failures: readonly TruthFailure[];
  readonly alerts: readonly ScoredAlert[];
  readonly commands: readonly ScoredCommand[];
  /** The run's event-time span (epoch ms). */
  readonly from: number;
  readonly to: number;
  readonly assetCount: number;
}

export interface AlarmQualityOptions {
  /** How long after a fault ends its consequences still count (default 2 h). */
  readonly graceMs: number;
  /** How long before a failure a warning counts as true (default 12 h). */
  readonly failureLeadMs: number;
  /** A detection later than this after injection does not count (default 12 h). */
  readonly maxDetectionMs: number;
}

/** The defaults: 2 h grace, 12 h failure lead, 12 h detection window. */
export const DEFAULT_ALARM_QUALITY_OPTIONS: AlarmQualityOptions = {
  graceMs: 2 * 3_600_000,
  failureLeadMs: 12 * 3_600_000,
  maxDetectionMs: 12 * 3_600_000,
};

export type AlertVerdictKind = 'true-positive' | 'false-positive' | 'sensor-artefact' | 'excluded';
export type DispatchAction = 'DISPATCH_TECHNICIAN' | 'SCHEDULE_MAINTENANCE';
export type FaultOutcome = 'failed' | 'prevented' | 'ran-out';

/** What an alert or dispatch was matched to; flat so it fits a table row. */
export interface GroundTruthMatch {
  /** 'fault' or 'failure'; null when nothing matched. */
  readonly matchedSource: 'fault' | 'failure' | null;
  /** Index into the input's faults or failures. */
  readonly matchedIndex: number | null;
  /** The fault's kind or the failure's cause. */
  readonly matchedKind: string | null;
  /** The fault's injectedAt or the failure's ts. */
  readonly matchedAt: number | null;
}

export interface AlertVerdict extends GroundTruthMatch {
  /** Index into the input's alerts. */
  readonly index: number;
  readonly assetId: string;
  readonly ts: number;
  readonly kind: AlertKind;
  readonly verdict: AlertVerdictKind;
}

export interface DispatchVerdict extends GroundTruthMatch {
  /** Index into the input's commands. */
  readonly index: number;
  readonly assetId: string;
  readonly decidedAt: number;
  readonly action: DispatchAction;
  readonly verdict: 'true-positive' | 'false-positive';
}

export interface PhysicalFaultVerdict {
  /** Index into the input's faults. */
  readonly index: number;
  readonly assetId: string;
  readonly kind: PhysicalFaultKind;
  readonly injectedAt: number;
  readonly endedAt: number | null;
  readonly endedBy: 'expired' | 'maintenance' | 'repair' | null;
  readonly detectedAt: number | null;
  readonly ttdMs: number | null;
  /** E.g. 'alert:ANOMALY' or 'command:REDUCE_LOAD'. */
  readonly detectedBy: string | null;
  readonly outcome: FaultOutcome;
  /** The failure that made the outcome 'failed'. */
  readonly failureIndex: number | null;
  readonly failureAt: number | null;
  /** The first dispatch counted for dispatch recall. */
  readonly dispatchedAt: number | null;
  readonly dispatchAction: DispatchAction | null;
}

export interface AlertCounts {
  readonly count: number;
  readonly truePositive: number;
  readonly falsePositive: number;
  readonly sensorArtefact: number;
  /** COMMAND_IGNORED / COMMAND_TIMED_OUT: not part of precision. */
  readonly commandChannel: number;
  /** truePositive / (truePositive + falsePositive + sensorArtefact); null without counted alerts. */
  readonly precision: number | null;
}

export interface DispatchCounts {
  readonly count: number;
  readonly truePositive: number;
  readonly falsePositive: number;
  readonly precision: number | null;
}

export interface PhysicalFaultCounts {
  readonly count: number;
  readonly detected: number;
  readonly recall: number | null;
  readonly mttdMs: number | null;
  readonly failed: number;
  readonly prevented: number;
  readonly ranOut: number;
}

export interface SensorFaultCounts {
  readonly count: number;
  /** Faults with a sensor alert (or, for spike/stuck-sensor, a condition alert) in their window. */
  readonly seen: number;
}

export interface AlarmQualityReport {
  readonly physicalFaults: number;
  readonly detected: number;
  readonly recall: number | null;
  readonly mttdMs: number | null;
  /** Nearest-rank 90th percentile of time to detect over detected faults. */
  readonly p90TtdMs: number | null;
  readonly failed: number;
  readonly prevented: number;
  /** Left out of failuresPreventedRatio: nothing to prevent yet. */
  readonly ranOut: number;
  /** prevented / (prevented + failed). */
  readonly failuresPreventedRatio: number | null;
  readonly alerts: AlertCounts;
  readonly dispatches: DispatchCounts;
  readonly dispatchesByAction: Readonly<Record<DispatchAction, DispatchCounts>>;
  /** Physical faults with a dispatch in time / physical faults. */
  readonly dispatchRecall: number | null;
  readonly assetDays: number;
  readonly falseDispatchesPerAssetDay: number | null;
  readonly alertsByKind: Readonly<Record<AlertKind, AlertCounts>>;
  readonly physicalFaultsByKind: Readonly<Record<PhysicalFaultKind, PhysicalFaultCounts>>;
  readonly sensorFaultsByKind: Readonly<Record<SensorFaultKind, SensorFaultCounts>>;
  /** One per physical fault, in input order. */
  readonly faultVerdicts: readonly PhysicalFaultVerdict[];
  /** One per alert, in input order. */
  readonly alertVerdicts: readonly AlertVerdict[];
  /** One per dispatch command, in input order. */
  readonly dispatchVerdicts: readonly DispatchVerdict[];
}

/** Raised for input alarm quality cannot be scored from; names the list and index at fault. */
export class AlarmQualityInputError extends Error {
  readonly retriable = false;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AlarmQualityInputError';
  }
}

const PHYSICAL_FAULT_KINDS: readonly PhysicalFaultKind[] = ['bearing-defect', 'cooling-loss'];
const SENSOR_FAULT_KINDS: readonly SensorFaultKind[] = ['sensor-dropout', 'stuck-sensor', 'spike'];
const ALERT_KINDS: readonly AlertKind[] = [
  'RISK',
  'ANOMALY',
  'TEMPERATURE',
  'MODEL_FAILURE',
  'DATA_STALE',
  'DATA_RESUMED',
  'COMMAND_IGNORED',
  'COMMAND_TIMED_OUT',
];
const ACTIONS: readonly Action[] = [
  'CONTINUE',
  'REDUCE_LOAD',
  'RESTORE_LOAD',
  'SCHEDULE_MAINTENANCE',
  'DISPATCH_TECHNICIAN',
  'SHUTDOWN',
];
const DISPATCH_ACTIONS: readonly DispatchAction[] = ['DISPATCH_TECHNICIAN', 'SCHEDULE_MAINTENANCE'];
const CONDITION_ALERTS: ReadonlySet<AlertKind> = new Set<AlertKind>(['RISK', 'ANOMALY', 'TEMPERATURE']);
const SENSOR_ALERTS: ReadonlySet<AlertKind> = new Set<AlertKind>([
  'DATA_STALE',
  'DATA_RESUMED',
  'MODEL_FAILURE',
]);
/** Faults that distort readings rather than hide them, so they can raise condition alerts. */
const DISTORTING_SENSOR_FAULTS: ReadonlySet<TruthFaultKind> = new Set<TruthFaultKind>([
  'stuck-sensor',
  'spike',
]);
const NOT_A_DETECTION: ReadonlySet<Action> = new Set<Action>(['CONTINUE', 'RESTORE_LOAD']);
const MS_PER_DAY = 86_400_000;

/** A fault or failure window on one asset, with what to report when it matches. */
interface Window {
  readonly start: number;
  readonly end: number;
  readonly source: 'fault' | 'failure';
  readonly index: number;
  readonly kind: string;
  readonly at: number;
}

interface AssetWindows {
  readonly physical: Window[];
  readonly failures: Window[];
  readonly sensor: Window[];
  readonly distorting: Window[];
}

const NO_MATCH: GroundTruthMatch = {
  matchedSource: null,
  matchedIndex: null,
  matchedKind: null,
  matchedAt: null,
};

/**
 * Scores the twin's alerts and dispatches against the simulator's ground
 * truth: recall and MTTD of physical faults, failures prevented, alert and
 * dispatch precision, dispatch recall and false dispatches per asset-day,
 * with a verdict for every alert, dispatch and physical fault (see the
 * module comment for the definitions).
 *
 * @example
 * const r = scoreAlarmQuality({
 *   faults: [{ assetId: 'p1', kind: 'bearing-defect', injectedAt: 0, endedAt: 7_200_000, endedBy: 'maintenance' }],
 *   failures: [],
 *   alerts: [{ assetId: 'p1', ts: 600_000, kind: 'ANOMALY' }, { assetId: 'p2', ts: 0, kind: 'RISK' }],
 *   commands: [{ assetId: 'p1', decidedAt: 3_600_000, action: 'SCHEDULE_MAINTENANCE' }],
 *   from: 0, to: 86_400_000, assetCount: 2,
 * });
 * r.recall; // 1
 * r.mttdMs; // 600000
 * r.alerts.precision; // 0.5
 * r.failuresPreventedRatio; // 1
 */
export function scoreAlarmQuality(
  input: AlarmQualityInput,
  options: Partial<AlarmQualityOptions> = {},
): AlarmQualityReport {
  const opts = validateOptions({ ...DEFAULT_ALARM_QUALITY_OPTIONS, ...options });
  validateRun(input);
  const { faults, failures, alerts, commands, to } = input;

  const windows = new Map<string, AssetWindows>();
  const windowsOf = (assetId: string): AssetWindows => {
    let w = windows.get(assetId);
    if (w === undefined) {
      w = { physical: [], failures: [], sensor: [], distorting: [] };
      windows.set(assetId, w);
    }
    return w;
  };

  faults.forEach((f, i) => {
    checkTime(f.injectedAt, 'faults', i, `(${f.assetId}, ${f.kind}) has injectedAt`);
    if (f.endedAt !== undefined) {
      checkTime(f.endedAt, 'faults', i, `(${f.assetId}, ${f.kind}) has endedAt`);
      if (f.endedAt < f.injectedAt) {
        throw new AlarmQualityInputError(
          `scoreAlarmQuality: faults[${i}] (${f.assetId}, ${f.kind}) ends at ${f.endedAt}, before its injection at ${f.injectedAt}`,
        );
      }
    }
    const window: Window = {
      start: f.injectedAt,
      end: (f.endedAt ?? to) + opts.graceMs,
      source: 'fault',
      index: i,
      kind: f.kind,
      at: f.injectedAt,
    };
    const w = windowsOf(f.assetId);
    if (isPhysical(f.kind)) w.physical.push(window);
    else if (isSensor(f.kind)) {
      w.sensor.push(window);
      if (DISTORTING_SENSOR_FAULTS.has(f.kind)) w.distorting.push(window);
    } else {
      throw new AlarmQualityInputError(
        `scoreAlarmQuality: faults[${i}] (${f.assetId}) has unknown kind ${JSON.stringify(f.kind)}; ` +
          `expected one of ${[...PHYSICAL_FAULT_KINDS, ...SENSOR_FAULT_KINDS].join(', ')}`,
      );
    }
  });
  failures.forEach((f, i) => {
    checkTime(f.ts, 'failures', i, `(${f.assetId}, ${f.cause}) has ts`);
    windowsOf(f.assetId).failures.push({
      start: f.ts - opts.failureLeadMs,
      end: f.ts,
      source: 'failure',
      index: i,
      kind: f.cause,
      at: f.ts,
    });
  });
  // So a fault that failed is matched to its first failure.
  for (const w of windows.values()) w.failures.sort((a, b) => a.at - b.at);
  alerts.forEach((a, i) => {
    checkTime(a.ts, 'alerts', i, `(${a.assetId}, ${a.kind}) has ts`);
    if (!ALERT_KINDS.includes(a.kind)) {
      throw new AlarmQualityInputError(
        `scoreAlarmQuality: alerts[${i}] (${a.assetId}) has unknown kind ${JSON.stringify(a.kind)}`,
      );
    }
  });
  commands.forEach((c, i) => {
    checkTime(c.decidedAt, 'commands', i, `(${c.assetId}, ${c.action}) has decidedAt`);
    if (!ACTIONS.includes(c.action)) {
      throw new AlarmQualityInputError(
        `scoreAlarmQuality: commands[${i}] (${c.assetId}) has unknown action ${JSON.stringify(c.action)}`,
      );
    }
  });

  // Alerts.
  const alertVerdicts: AlertVerdict[] = alerts.map((a, index) => {
    const w = windows.get(a.assetId);
    let verdict: AlertVerdictKind;
    let match: Window | undefined;
    if (CONDITION_ALERTS.has(a.kind)) {
      match = w && (latestFault(w.physical, a.ts) ?? earliestFailure(w.failures, a.ts));
      verdict = 'true-positive';
      if (match === undefined) {
        match = w && latestFault(w.distorting, a.ts);
        verdict = match === undefined ? 'false-positive' : 'sensor-artefact';
      }
    } else if (SENSOR_ALERTS.has(a.kind)) {
      match = w && latestFault(w.sensor, a.ts);
      verdict = match === undefined ? 'false-positive' : 'true-positive';
    } else {
      verdict = 'excluded';
    }
    return { index, assetId: a.assetId, ts: a.ts, kind: a.kind, verdict, ...matchOf(match) };
  });

  // Dispatches.
  const dispatchVerdicts: DispatchVerdict[] = [];
  const dispatchesByAsset = new Map<string, DispatchVerdict[]>();
  commands.forEach((c, index) => {
    if (!isDispatch(c.action)) return;
    const w = windows.get(c.assetId);
    const match = w && (latestFault(w.physical, c.decidedAt) ?? earliestFailure(w.failures, c.decidedAt));
    const v: DispatchVerdict = {
      index,
      assetId: c.assetId,
      decidedAt: c.decidedAt,
      action: c.action,
      verdict: match === undefined ? 'false-positive' : 'true-positive',
      ...matchOf(match),
    };
    dispatchVerdicts.push(v);
    const list = dispatchesByAsset.get(c.assetId);
    if (list === undefined) dispatchesByAsset.set(c.assetId, [v]);
    else list.push(v);
  });
  for (const list of dispatchesByAsset.values()) list.sort((a, b) => a.decidedAt - b.decidedAt);

  // Physical faults: detection (as MTTD), outcome and dispatch.
  const physicalIndex: number[] = [];
  faults.forEach((f, i) => {
    if (isPhysical(f.kind)) physicalIndex.push(i);
  });
  const detections: Detection[] = [];
  for (const a of alerts) {
    if (CONDITION_ALERTS.has(a.kind))
      detections.push({ assetId: a.assetId, ts: a.ts, what: `alert:${a.kind}` });
  }
  for (const c of commands) {
    if (!NOT_A_DETECTION.has(c.action)) {
      detections.push({ assetId: c.assetId, ts: c.decidedAt, what: `command:${c.action}` });
    }
  }
  const mttd = timeToDetect(
    physicalIndex.map((i) => faults[i]),
    detections,
    { maxDetectionMs: opts.maxDetectionMs },
  );

  const faultVerdicts: PhysicalFaultVerdict[] = physicalIndex.map((index, k) => {
    const f = faults[index];
    const windowEnd = (f.endedAt ?? to) + opts.graceMs;
    const failure = windows
      .get(f.assetId)!
      .failures.find((fw) => fw.at >= f.injectedAt && fw.at <= windowEnd);
    const dispatches = dispatchesByAsset.get(f.assetId) ?? [];
    const dispatchBy = failure === undefined ? windowEnd : failure.at;
    const dispatch = dispatches.find((d) => d.decidedAt >= f.injectedAt && d.decidedAt <= dispatchBy);
    let outcome: FaultOutcome;
    if (failure !== undefined) outcome = 'failed';
    else if (f.endedBy === 'maintenance') outcome = 'prevented';
    else if (
      f.endedAt !== undefined &&
      f.endedBy !== 'expired' &&
      dispatches.some((d) => d.decidedAt >= f.injectedAt && d.decidedAt <= f.endedAt!)
    ) {
      outcome = 'prevented';
    } else outcome = 'ran-out';
    const detection = mttd.faults[k];
    return {
      index,
      assetId: f.assetId,
      kind: f.kind as PhysicalFaultKind,
      injectedAt: f.injectedAt,
      endedAt: f.endedAt ?? null,
      endedBy: f.endedBy ?? null,
      detectedAt: detection.detectedAt,
      ttdMs: detection.ttdMs,
      detectedBy: detection.detectedBy,
      outcome,
      failureIndex: failure?.index ?? null,
      failureAt: failure?.at ?? null,
      dispatchedAt: dispatch?.decidedAt ?? null,
      dispatchAction: dispatch?.action ?? null,
    };
  });

  // Sensor faults: seen by an alert of a kind they can cause.
  const sensorFaultsByKind = recordOf(SENSOR_FAULT_KINDS, () => ({ count: 0, seen: 0 }));
  const alertsByAsset = new Map<string, ScoredAlert[]>();
  for (const a of alerts) {
    const list = alertsByAsset.get(a.assetId);
    if (list === undefined) alertsByAsset.set(a.assetId, [a]);
    else list.push(a);
  }
  for (const f of faults) {
    if (!isSensor(f.kind)) continue;
    const end = (f.endedAt ?? to) + opts.graceMs;
    const canCause = (kind: AlertKind): boolean =>
      SENSOR_ALERTS.has(kind) || (DISTORTING_SENSOR_FAULTS.has(f.kind) && CONDITION_ALERTS.has(kind));
    const seen = (alertsByAsset.get(f.assetId) ?? []).some(
      (a) => a.ts >= f.injectedAt && a.ts <= end && canCause(a.kind),
    );
    const counts = sensorFaultsByKind[f.kind];
    counts.count++;
    if (seen) counts.seen++;
  }

  // Totals.
  const ttds = faultVerdicts.flatMap((v) => (v.ttdMs === null ? [] : [v.ttdMs]));
  const failed = faultVerdicts.filter((v) => v.outcome === 'failed').length;
  const prevented = faultVerdicts.filter((v) => v.outcome === 'prevented').length;
  const dispatches = dispatchCounts(dispatchVerdicts);
  const assetDays = ((input.to - input.from) / MS_PER_DAY) * input.assetCount;

  return {
    physicalFaults: faultVerdicts.length,
    detected: ttds.length,
    recall: ratio(ttds.length, faultVerdicts.length),
    mttdMs: mean(ttds),
    p90TtdMs: nearestRank(ttds, 0.9),
    failed,
    prevented,
    ranOut: faultVerdicts.length - failed - prevented,
    failuresPreventedRatio: ratio(prevented, prevented + failed),
    alerts: alertCounts(alertVerdicts),
    dispatches,
    dispatchesByAction: recordOf(DISPATCH_ACTIONS, (action) =>
      dispatchCounts(dispatchVerdicts.filter((v) => v.action === action)),
    ),
    dispatchRecall: ratio(faultVerdicts.filter((v) => v.dispatchedAt !== null).length, faultVerdicts.length),
    assetDays,
    falseDispatchesPerAssetDay: ratio(dispatches.falsePositive, assetDays),
    alertsByKind: recordOf(ALERT_KINDS, (kind) => alertCounts(alertVerdicts.filter((v) => v.kind === kind))),
    physicalFaultsByKind: recordOf(PHYSICAL_FAULT_KINDS, (kind) =>
      physicalFaultCounts(faultVerdicts.filter((v) => v.kind === kind)),
    ),
    sensorFaultsByKind,
    faultVerdicts,
    alertVerdicts,
    dispatchVerdicts,
  };
}

function validateOptions(opts: AlarmQualityOptions): AlarmQualityOptions {
  for (const name of ['graceMs', 'failureLeadMs', 'maxDetectionMs'] as const) {
    const v = opts[name];
    if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      throw new AlarmQualityInputError(
        `scoreAlarmQuality: options.${name} must be a finite number >= 0, got ${v}`,
      );
    }
  }
  return opts;
}

function validateRun(input: AlarmQualityInput): void {
  const { from, to, assetCount } = input;
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    throw new AlarmQualityInputError(
      `scoreAlarmQuality: from and to must be finite, got from ${from}, to ${to}`,
    );
  }
  if (from > to) {
    throw new AlarmQualityInputError(`scoreAlarmQuality: from (${from}) is after to (${to})`);
  }
  if (!(Number.isInteger(assetCount) && assetCount >= 0)) {
    throw new AlarmQualityInputError(
      `scoreAlarmQuality: assetCount must be an integer >= 0, got ${assetCount}`,
    );
  }
}

function checkTime(value: number, list: string, index: number, what: string): void {
  if (!Number.isFinite(value)) {
    throw new AlarmQualityInputError(`scoreAlarmQuality: ${list}[${index}] ${what} ${value}`);
  }
}

function isPhysical(kind: string): kind is PhysicalFaultKind {
  return (PHYSICAL_FAULT_KINDS as readonly string[]).includes(kind);
}

function isSensor(kind: string): kind is SensorFaultKind {
  return (SENSOR_FAULT_KINDS as readonly string[]).includes(kind);
}

function isDispatch(action: Action): action is DispatchAction {
  return (DISPATCH_ACTIONS as readonly Action[]).includes(action);
}

/** The fault window holding ts with the latest injection: the likeliest cause. */
function latestFault(list: readonly Window[], ts: number): Window | undefined {
  let best: Window | undefined;
  for (const w of list) {
    if (w.start <= ts && ts <= w.end && (best === undefined || w.start > best.start)) best = w;
  }
  return best;
}

/** The failure lead window holding ts with the earliest failure: the one the warning was ahead of. */
function earliestFailure(list: readonly Window[], ts: number): Window | undefined {
  let best: Window | undefined;
  for (const w of list) {
    if (w.start <= ts && ts <= w.end && (best === undefined || w.at < best.at)) best = w;
  }
  return best;
}

function matchOf(w: Window | undefined): GroundTruthMatch {
  if (w === undefined) return NO_MATCH;
  return { matchedSource: w.source, matchedIndex: w.index, matchedKind: w.kind, matchedAt: w.at };
}

function alertCounts(verdicts: readonly AlertVerdict[]): AlertCounts {
  let tp = 0;
  let fp = 0;
  let artefact = 0;
  let channel = 0;
  for (const v of verdicts) {
    if (v.verdict === 'true-positive') tp++;
    else if (v.verdict === 'false-positive') fp++;
    else if (v.verdict === 'sensor-artefact') artefact++;
    else channel++;
  }
  return {
    count: verdicts.length,
    truePositive: tp,
    falsePositive: fp,
    sensorArtefact: artefact,
    commandChannel: channel,
    precision: ratio(tp, tp + fp + artefact),
  };
}

function dispatchCounts(verdicts: readonly DispatchVerdict[]): DispatchCounts {
  const tp = verdicts.filter((v) => v.verdict === 'true-positive').length;
  return {
    count: verdicts.length,
    truePositive: tp,
    falsePositive: verdicts.length - tp,
    precision: ratio(tp, verdicts.length),
  };
}

function physicalFaultCounts(verdicts: readonly PhysicalFaultVerdict[]): PhysicalFaultCounts {
  const ttds = verdicts.flatMap((v) => (v.ttdMs === null ? [] : [v.ttdMs]));
  return {
    count: verdicts.length,
    detected: ttds.length,
    recall: ratio(ttds.length, verdicts.length),
    mttdMs: mean(ttds),
    failed: verdicts.filter((v) => v.outcome === 'failed').length,
    prevented: verdicts.filter((v) => v.outcome === 'prevented').length,
    ranOut: verdicts.filter((v) => v.outcome === 'ran-out').length,
  };
}

function recordOf<K extends string, V>(keys: readonly K[], value: (key: K) => V): Record<K, V> {
  const out = {} as Record<K, V>;
  for (const k of keys) out[k] = value(k);
  return out;
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator > 0 ? numerator / denominator : null;
}

function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Nearest-rank percentile: the smallest value with at least share q of values at or below it. */
function nearestRank(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}
