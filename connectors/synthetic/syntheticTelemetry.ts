import { Observable } from 'rxjs';
import { uniformSource } from '../../operators/scoring/seededRandom.js';

/** One reading of the synthetic plant used by the demo (the full simulator comes with the twin pipeline). */
export interface SyntheticReading {
  readonly assetId: string;
  readonly ts: number;
  readonly temperature: number;
  readonly vibration: number;
}

export interface SyntheticTelemetryOptions {
  readonly assets: number;
  readonly startTs: number;
  readonly durationMs: number;
  readonly intervalMs: number;
  /** Readings arrive up to this much late (event-time disorder). */
  readonly maxDelayMs: number;
  /** Share of readings delayed past the bound (they arrive late for their window). */
  readonly lateFraction: number;
  readonly seed: number;
}

/**
 * Deterministic telemetry for `assets` assets, one reading per asset every
 * `intervalMs`, with bounded event-time disorder; one asset in ten runs hot.
 * Produced lazily, so long runs need no memory for the input.
 */
export function syntheticTelemetry(options: SyntheticTelemetryOptions): Observable<SyntheticReading> {
  return new Observable<SyntheticReading>((subscriber) => {
    const random = uniformSource(options.seed);
    const ids = Array.from({ length: options.assets }, (_, i) => `asset-${String(i).padStart(4, '0')}`);
    const end = options.startTs + options.durationMs;
    // Held-back readings with the time (of the plant's clock) they are released at.
    const held: Array<{ at: number; reading: SyntheticReading }> = [];
    for (let t = options.startTs; t < end && !subscriber.closed; t += options.intervalMs) {
      for (let i = 0; i < ids.length; i++) {
        const hot = i % 10 === 0;
        const reading: SyntheticReading = {
          assetId: ids[i],
          ts: t + Math.floor(random() * options.intervalMs),
          temperature: (hot ? 85 : 60) + random() * 10,
          vibration: (hot ? 4 : 1.5) + random(),
        };
        const roll = random();
        if (options.maxDelayMs > 0 && roll < options.lateFraction) {
          // Beyond the out-of-orderness bound: late, and rarely too late for any lateness.
          held.push({ at: t + options.maxDelayMs * (roll < options.lateFraction / 20 ? 60 : 4), reading });
        } else if (options.maxDelayMs > 0 && roll < 0.05) {
          held.push({ at: t + Math.floor(random() * options.maxDelayMs), reading });
        } else subscriber.next(reading);
      }
      for (let j = 0; j < held.length; j++) {
        if (held[j].at <= t) {
          subscriber.next(held[j].reading);
          held.splice(j--, 1);
        }
      }
    }
    for (const h of held) subscriber.next(h.reading);
    subscriber.complete();
  });
}
