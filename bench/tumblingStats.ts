import { from } from 'rxjs';
import { boundedOutOfOrderness, keyBy, stats, tumbling, windowAggregate, withEventTime } from '../index.js';
import { type BenchResult, countRecords, measure } from './measure.js';
import { JITTER_MS, KEYS, steadyTelemetry } from './telemetry.js';

const EVENTS = 1_000_000;

/** keyBy + one-minute tumbling stats: the engine's bread-and-butter pipeline. */
export function tumblingStats(): BenchResult {
  const input = steadyTelemetry(EVENTS, 1);
  return measure({
    name: 'tumblingStats',
    pipeline: `${KEYS} keys, 1 event/s/key, keyBy + tumbling(60s) stats`,
    events: EVENTS,
    target: 1_000_000,
    run: () =>
      countRecords(
        from(input).pipe(
          withEventTime((v) => v.ts, boundedOutOfOrderness(JITTER_MS)),
          keyBy((v) => v.assetId),
          windowAggregate(
            tumbling(60_000),
            stats((v) => v.temperature),
          ),
        ),
      ),
  });
}
