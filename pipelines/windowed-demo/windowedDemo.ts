import type { Observable } from 'rxjs';
import type { SyntheticReading } from '../../connectors/synthetic/syntheticTelemetry.js';
import {
  aggregate,
  boundedOutOfOrderness,
  count,
  keyBy,
  mapRecords,
  quantiles,
  type StreamElement,
  stats,
  tumbling,
  windowAggregate,
  withEventTime,
} from '../../operators/index.js';

/** What the demo reports per asset and minute of event time. */
export interface MinuteHealth {
  readonly assetId: string;
  readonly minute: number;
  readonly readings: number;
  readonly meanTemperature: number;
  readonly maxTemperature: number;
  readonly vibrationP95: number;
  /** A re-firing caused by a late reading. */
  readonly late: boolean;
}

/**
 * The demo pipeline: per asset and minute of event time, temperature
 * statistics and the 95th percentile of vibration, tolerating readings up to
 * `maxDelayMs` out of order and late ones for another minute.
 */
export function windowedDemo(
  readings: Observable<SyntheticReading>,
  maxDelayMs: number,
  onTooLate: (r: SyntheticReading) => void,
): Observable<StreamElement<MinuteHealth>> {
  return readings.pipe(
    withEventTime((r) => r.ts, boundedOutOfOrderness(maxDelayMs)),
    keyBy((r) => r.assetId),
    windowAggregate(
      tumbling(60_000),
      aggregate({
        readings: count<SyntheticReading>(),
        temperature: stats((r: SyntheticReading) => r.temperature),
        vibration: quantiles((r: SyntheticReading) => r.vibration, [0.95]),
      }),
      { allowedLatenessMs: 60_000, lateOutput: { next: (r) => onTooLate(r.value) } },
    ),
    mapRecords((w) => ({
      assetId: w.key,
      minute: w.start,
      readings: w.value.readings,
      meanTemperature: w.value.temperature.mean,
      maxTemperature: w.value.temperature.max,
      vibrationP95: w.value.vibration[0],
      late: w.late,
    })),
  );
}
