import { Observable } from 'rxjs';
import { boundedOutOfOrderness, keyBy, stats, tumbling, windowAggregate, withEventTime } from '../index.js';
import { countRecords, heapUsed, perSec, progress, round } from './measure.js';
import { JITTER_MS, KEYS, seededRandom, steadyReading, type Telemetry } from './telemetry.js';

const EVENTS = 10_000_000;
const SAMPLE_EVERY = 1_000_000;
/** The first million events fill every key's window state and warm up the JIT. */
const WARMUP_EVENTS = SAMPLE_EVERY;
/** last / first-after-warm-up at most this: heap bounded by open windows, not by events seen. */
const FLAT_RATIO = 1.1;

export interface HeapSample {
  readonly events: number;
  readonly heapUsedMB: number;
}

export interface HeapResult {
  readonly name: string;
  readonly pipeline: string;
  readonly events: number;
  readonly outputs: number;
  /** Excludes the forced collections of the samples. */
  readonly ms: number;
  readonly eventsPerSec: number;
  readonly samples: HeapSample[];
  readonly afterCompleteMB: number;
  readonly firstAfterWarmupMB: number;
  readonly lastMB: number;
  readonly ratio: number;
  readonly target: string;
  readonly meetsTarget: boolean;
}

/**
 * 10M events through keyBy + tumbling stats, generated as they are
 * consumed (no array), with the live heap sampled after a full collection
 * every million events, in the middle of the stream.
 */
export function heapFlat(): HeapResult {
  const samples: HeapSample[] = [];
  let samplingMs = 0;
  const sample = (events: number): void => {
    const t0 = performance.now();
    const heapUsedMB = round(heapUsed() / 1_048_576);
    samples.push({ events, heapUsedMB });
    samplingMs += performance.now() - t0;
    progress(`  heapFlat ${events / 1_000_000}M events: ${heapUsedMB} MB`);
  };
  const readings = new Observable<Telemetry>((subscriber) => {
    const random = seededRandom(5);
    for (let i = 0; i < EVENTS && !subscriber.closed; i++) {
      if (i % SAMPLE_EVERY === 0) sample(i);
      subscriber.next(steadyReading(i, random));
    }
    sample(EVENTS);
    subscriber.complete();
  });
  const t0 = performance.now();
  const outputs = countRecords(
    readings.pipe(
      withEventTime((v) => v.ts, boundedOutOfOrderness(JITTER_MS)),
      keyBy((v) => v.assetId),
      windowAggregate(
        tumbling(60_000),
        stats((v) => v.temperature),
      ),
    ),
  );
  const ms = performance.now() - t0 - samplingMs;
  const afterCompleteMB = round(heapUsed() / 1_048_576);
  const first = samples.find((s) => s.events === WARMUP_EVENTS)!;
  const last = samples[samples.length - 1];
  const ratio = Math.round((last.heapUsedMB / first.heapUsedMB) * 1000) / 1000;
  return {
    name: 'heapFlat',
    pipeline: `${KEYS} keys, 1 event/s/key, generated lazily, keyBy + tumbling(60s) stats`,
    events: EVENTS,
    outputs,
    ms: round(ms),
    eventsPerSec: perSec(EVENTS, ms),
    samples,
    afterCompleteMB,
    firstAfterWarmupMB: first.heapUsedMB,
    lastMB: last.heapUsedMB,
    ratio,
    target: `heapUsed at ${EVENTS / 1_000_000}M / at ${WARMUP_EVENTS / 1_000_000}M <= ${FLAT_RATIO}`,
    meetsTarget: ratio <= FLAT_RATIO,
  };
}
