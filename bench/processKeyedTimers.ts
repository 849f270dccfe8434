import { from } from 'rxjs';
import {
  boundedOutOfOrderness,
  type KeyedProcessFunction,
  keyBy,
  processKeyed,
  withEventTime,
} from '../index.js';
import { type BenchResult, countRecords, measure } from './measure.js';
import { BURST_S, burstyTelemetry, JITTER_MS, KEYS, SILENCE_S, type Telemetry } from './telemetry.js';

const EVENTS = 1_000_000;
const SILENCE_TIMEOUT_MS = 30_000;

interface SilenceState {
  lastTs: number;
}

interface SilenceAlert {
  readonly assetId: string;
  readonly silentSince: number;
}

/**
 * One event-time timer per key: an asset silent for SILENCE_TIMEOUT_MS
 * raises an alert. Each newer reading deletes the pending timer and
 * registers a later one; a reading older than the newest does not move it.
 */
const silenceDetector: KeyedProcessFunction<Telemetry, SilenceState, SilenceAlert> = {
  init: () => ({ lastTs: Number.NEGATIVE_INFINITY }),
  onRecord(_reading, ctx) {
    const state = ctx.state;
    if (ctx.timestamp <= state.lastTs) return;
    if (state.lastTs !== Number.NEGATIVE_INFINITY)
      ctx.deleteEventTimeTimer(state.lastTs + SILENCE_TIMEOUT_MS);
    state.lastTs = ctx.timestamp;
    ctx.registerEventTimeTimer(ctx.timestamp + SILENCE_TIMEOUT_MS);
  },
  onTimer(_timer, ctx) {
    ctx.emit({ assetId: ctx.key, silentSince: ctx.state.lastTs });
  },
};

export function processKeyedTimers(): BenchResult {
  const input = burstyTelemetry(EVENTS, 4);
  return measure({
    name: 'processKeyedTimers',
    pipeline: `${KEYS} keys, ${BURST_S}s bursts at 1 event/s, ${SILENCE_S}s silent, keyBy + processKeyed silence timer (30s)`,
    events: EVENTS,
    target: null,
    run: () =>
      countRecords(
        from(input).pipe(
          withEventTime((v) => v.ts, boundedOutOfOrderness(JITTER_MS)),
          keyBy((v) => v.assetId),
          processKeyed(silenceDetector),
        ),
      ),
  });
}
