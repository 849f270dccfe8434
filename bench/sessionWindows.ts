import { from } from 'rxjs';
import { boundedOutOfOrderness, keyBy, session, stats, windowAggregate, withEventTime } from '../index.js';
import { type BenchResult, countRecords, measure } from './measure.js';
import { BURST_S, burstyTelemetry, JITTER_MS, KEYS, SILENCE_S } from './telemetry.js';

const EVENTS = 1_000_000;
/** Longer than the 1 s between readings of a burst, shorter than the silence between bursts. */
const GAP_MS = 10_000;

/** keyBy + session stats: every burst of an asset merges into one session, fired after the gap. */
export function sessionWindows(): BenchResult {
  const input = burstyTelemetry(EVENTS, 3);
  return measure({
    name: 'sessionWindows',
    pipeline: `${KEYS} keys, ${BURST_S}s bursts at 1 event/s, ${SILENCE_S}s silent, keyBy + session(10s) stats`,
    events: EVENTS,
    target: 300_000,
    run: () =>
      countRecords(
        from(input).pipe(
          withEventTime((v) => v.ts, boundedOutOfOrderness(JITTER_MS)),
          keyBy((v) => v.assetId),
          windowAggregate(
            session(GAP_MS),
            stats((v) => v.temperature),
          ),
        ),
      ),
  });
}
