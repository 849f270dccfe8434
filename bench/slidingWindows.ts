import { from } from 'rxjs';
import { boundedOutOfOrderness, keyBy, sliding, stats, windowAggregate, withEventTime } from '../index.js';
import { type BenchResult, countRecords, measure } from './measure.js';
import { JITTER_MS, KEYS, steadyTelemetry } from './telemetry.js';

const EVENTS = 1_000_000;
const SLIDE_MS = 10_000;

/**
 * keyBy + sliding stats, each record in 5 windows. The slide is short enough
 * that windows fire all along the 100 s of event time the input spans, not
 * only at the final watermark.
 */
export function slidingWindows(): BenchResult {
  const input = steadyTelemetry(EVENTS, 2);
  return measure({
    name: 'slidingWindows',
    pipeline: `${KEYS} keys, 1 event/s/key, keyBy + sliding(50s, 10s) stats`,
    events: EVENTS,
    target: null,
    run: () =>
      countRecords(
        from(input).pipe(
          withEventTime((v) => v.ts, boundedOutOfOrderness(JITTER_MS)),
          keyBy((v) => v.assetId),
          windowAggregate(
            sliding(5 * SLIDE_MS, SLIDE_MS),
            stats((v) => v.temperature),
          ),
        ),
      ),
  });
}
