/**
 * `npm run bench`: runs every benchmark on one core, progress on stderr,
 * one JSON document with the figures on stdout.
 */
import { cpus } from 'node:os';
import { heapFlat } from './heapFlat.js';
import { type BenchResult, progress } from './measure.js';
import { processKeyedTimers } from './processKeyedTimers.js';
import { sessionWindows } from './sessionWindows.js';
import { slidingWindows } from './slidingWindows.js';
import { tumblingStats } from './tumblingStats.js';

const benchmarks: ReadonlyArray<readonly [string, () => BenchResult]> = [
  ['tumblingStats', tumblingStats],
  ['slidingWindows', slidingWindows],
  ['sessionWindows', sessionWindows],
  ['processKeyedTimers', processKeyedTimers],
];

const started = performance.now();
const results: BenchResult[] = [];
for (const [name, bench] of benchmarks) {
  progress(`${name}…`);
  const result = bench();
  progress(`${name}: ${result.eventsPerSec} events/s (median of 3), ${result.outputs} outputs`);
  results.push(result);
}
progress('heapFlat…');
const heap = heapFlat();
progress(`heapFlat: ratio ${heap.ratio}, ${heap.eventsPerSec} events/s`);

const report = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  totalSeconds: Math.round((performance.now() - started) / 100) / 10,
  results,
  heap,
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
