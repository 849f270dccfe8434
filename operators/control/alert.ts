/**
 * Alerts the twin raises for people (operators, reliability engineers): why
 * it is worried, with the figures. Commands are for machines; alerts are
 * for humans and for measuring time to detect.
 */

export type AlertSeverity = 'info' | 'warning' | 'critical';

export type AlertKind =
  /** Failure risk rose to the reduce threshold (episode; closes below the restore threshold). */
  | 'RISK'
  /** Anomaly detectors flagged a signal (episode; closes when the score falls back). */
  | 'ANOMALY'
  /** Temperature reached the asset's alarm level. */
  | 'TEMPERATURE'
  /** The risk model could not score the reading (or the data was unusable). */
  | 'MODEL_FAILURE'
  /** No reading for the stale period of event time. */
  | 'DATA_STALE'
  /** Readings arrive again after a stale period. */
  | 'DATA_RESUMED'
  /** Readings arrived after a command but never showed it applied. */
  | 'COMMAND_IGNORED'
  /** No reading arrived after a command before its outcome timeout. */
  | 'COMMAND_TIMED_OUT';

/**
 * One alert about one asset.
 *
 * @example
 * const a: Alert = {
 *   alertId: 'pump-1@1767225600000:ANOMALY', assetId: 'pump-1', ts: 1767225600000,
 *   severity: 'warning', kind: 'ANOMALY', reason: 'anomaly score 3.40 on vibrationMmS:cusum', value: 3.4,
 * };
 */
export interface Alert {
  /** Deterministic (asset, event time, kind[, subject]): a replay reproduces the same id. */
  readonly alertId: string;
  readonly assetId: string;
  /** Event time of the reading or timer that raised it. */
  readonly ts: number;
  readonly severity: AlertSeverity;
  readonly kind: AlertKind;
  /** Human-readable why, with the figures. */
  readonly reason: string;
  /** The figure that triggered it (risk, score, °C, ms of silence), null when there is none. */
  readonly value: number | null;
}

/**
 * The deterministic id of an alert; `subject` tells apart alerts of one kind
 * at one time (e.g. the command whose outcome is reported).
 *
 * @example
 * alertIdOf('pump-1', 1_000, 'COMMAND_IGNORED', 'pump-1@0:REDUCE_LOAD'); // 'pump-1@1000:COMMAND_IGNORED:pump-1@0:REDUCE_LOAD'
 */
export function alertIdOf(assetId: string, ts: number, kind: AlertKind, subject?: string): string {
  const id = `${assetId}@${ts}:${kind}`;
  return subject === undefined ? id : `${id}:${subject}`;
}
