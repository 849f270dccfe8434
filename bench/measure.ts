/** Timing and heap sampling for the benchmarks. */

import type { Observable } from 'rxjs';
import type { StreamElement } from '../index.js';

export interface BenchResult {
  readonly name: string;
  readonly pipeline: string;
  readonly events: number;
  readonly outputs: number;
  /** Median of the measured runs. */
  readonly ms: number;
  readonly eventsPerSec: number;
  readonly bestMs: number;
  readonly bestEventsPerSec: number;
  readonly runsMs: number[];
  readonly target: number | null;
  /** Judged on the median, not the best run. */
  readonly meetsTarget: boolean | null;
}

export interface BenchSpec {
  readonly name: string;
  readonly pipeline: string;
  readonly events: number;
  readonly target: number | null;
  /** Runs the pipeline to completion, synchronously, and returns how many records it emitted. */
  readonly run: () => number;
}

const RUNS = 3;

/** Forces a full collection, so one run's garbage is not collected on the next run's clock. */
export function collectGarbage(): void {
  if (globalThis.gc === undefined) throw new Error('bench: run node with --expose-gc (npm run bench does)');
  globalThis.gc();
}

export function heapUsed(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

export function progress(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** One warm-up run (JIT, inline caches), then RUNS measured ones; reports the median and the best. */
export function measure(spec: BenchSpec): BenchResult {
  collectGarbage();
  const expected = spec.run();
  const runsMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    collectGarbage();
    const t0 = performance.now();
    const outputs = spec.run();
    const ms = performance.now() - t0;
    if (outputs !== expected) {
      throw new Error(`bench ${spec.name}: run ${i + 1} emitted ${outputs} records, the warm-up ${expected}`);
    }
    runsMs.push(ms);
    progress(`  ${spec.name} run ${i + 1}/${RUNS}: ${ms.toFixed(0)} ms, ${perSec(spec.events, ms)} events/s`);
  }
  const sorted = [...runsMs].sort((a, b) => a - b);
  const ms = sorted[Math.floor(RUNS / 2)];
  const bestMs = sorted[0];
  const eventsPerSec = perSec(spec.events, ms);
  return {
    name: spec.name,
    pipeline: spec.pipeline,
    events: spec.events,
    outputs: expected,
    ms: round(ms),
    eventsPerSec,
    bestMs: round(bestMs),
    bestEventsPerSec: perSec(spec.events, bestMs),
    runsMs: runsMs.map(round),
    target: spec.target,
    meetsTarget: spec.target === null ? null : eventsPerSec >= spec.target,
  };
}

export function perSec(events: number, ms: number): number {
  return Math.round((events * 1000) / ms);
}

export function round(x: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(x * scale) / scale;
}

/** Repeated measurements of one figure, in the order they were taken, with min, median and max. */
export interface Spread {
  readonly runs: readonly number[];
  readonly min: number;
  readonly median: number;
  readonly max: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('bench: a spread of no measurements');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { runs: [...values], min: sorted[0], median: round(median), max: sorted[sorted.length - 1] };
}

/**
 * Subscribes with a plain counting subscriber (collecting into an array would
 * be measured too) and runs a synchronous pipeline to completion.
 */
export function countRecords(stream: Observable<StreamElement<unknown>>): number {
  let records = 0;
  let completed = false;
  let failure: unknown;
  stream.subscribe({
    next(element) {
      if (element.kind === 'record') records++;
    },
    error(err) {
      failure = err;
    },
    complete() {
      completed = true;
    },
  });
  if (failure !== undefined) throw failure;
  if (!completed) throw new Error('bench: pipeline did not complete synchronously');
  return records;
}
