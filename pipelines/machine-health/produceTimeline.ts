/**
 * Where a produced run's simulated time lies relative to now. The record
 * timestamp of produced telemetry is its event time (Kafka's CreateTime
 * convention: offsetsForTimes then finds readings by event time, so a
 * replay from a time reads only what it needs). Kafka's time retention
 * counts from that timestamp too: a run simulated months in the past is
 * deleted as soon as it is written (what once made whole runs vanish
 * within minutes). So a produce run is anchored to end just before now
 * unless the user names a start.
 */

/** Kafka's default retention.ms (7 days), what a topic created without one keeps. */
export const KAFKA_DEFAULT_RETENTION_MS = 7 * 86_400_000;

/** How far ahead of processing time the job accepts an event time by default (eventTime.maxAheadMs). */
const JOB_DEFAULT_MAX_AHEAD_MS = 3_600_000;

const MINUTE_MS = 60_000;

/**
 * The simulated time of the first reading of a run of `ticks` readings
 * `tickMs` apart that ends just before `now`: `now` minus the run's span,
 * rounded down to the whole minute (readable times, KPI minutes aligned).
 * The newest reading then lies at most a minute and a tick before `now`,
 * never after it (the job dead-letters readings too far ahead).
 *
 * @example
 * anchoredStartTs(120, 30_000, Date.parse('2026-12-04T20:30:40Z')); // Date.parse('2026-12-04T19:30Z')
 */
export function anchoredStartTs(ticks: number, tickMs: number, now: number): number {
  return Math.floor((now - ticks * tickMs) / MINUTE_MS) * MINUTE_MS;
}

/**
 * What a user should hear before producing the run `[startTs, startTs +
 * (ticks − 1) × tickMs]` at `now`: that readings older than
 * `retentionMs` would be deleted by the broker as soon as they are
 * written, or that readings far ahead of now would be dead-lettered by the
 * job. Empty when the run is safe. The client cannot read a topic's
 * retention.ms (@confluentinc/kafka-javascript's admin has no
 * describeConfigs), so Kafka's default is assumed.
 *
 * @example
 * produceTimeWarnings(Date.UTC(2026, 0, 5), 2880, 30_000, Date.parse('2026-12-04T20:00Z'));
 * // ['readings from 2026-01-05T00:00:00.000Z to 2026-01-05T23:59:30.000Z are older than …']
 */
export function produceTimeWarnings(
  startTs: number,
  ticks: number,
  tickMs: number,
  now: number,
  retentionMs: number = KAFKA_DEFAULT_RETENTION_MS,
): string[] {
  const lastTs = startTs + (ticks - 1) * tickMs;
  const warnings: string[] = [];
  const retainedFrom = now - retentionMs;
  if (startTs < retainedFrom) {
    const expiredUntil = Math.min(lastTs, retainedFrom);
    warnings.push(
      `readings from ${iso(startTs)} to ${iso(expiredUntil)} are older than Kafka's default retention ` +
        `(retention.ms ${retentionMs}, ${retentionMs / 86_400_000} days): their record timestamp is their event ` +
        'time, so a topic with that retention deletes them as soon as they are written; give a later ' +
        "--start-time (or none: the run then ends now), fewer --days, or raise the topic's retention.ms",
    );
  }
  if (lastTs > now + JOB_DEFAULT_MAX_AHEAD_MS) {
    warnings.push(
      `readings up to ${iso(lastTs)} lie more than an hour ahead of now: the job dead-letters readings further ` +
        'ahead of its clock than eventTime.maxAheadMs (default 1 h), and a broker whose ' +
        'log.message.timestamp.after.max.ms is smaller refuses them',
    );
  }
  return warnings;
}

function iso(ts: number): string {
  return new Date(ts).toISOString();
}
