/**
 * `npm run bench`: runs every benchmark, progress on stderr, one JSON
 * document with the figures on stdout: the operator pipelines on one core,
 * then the twin's figures (scoring cost, embedded job end to end, ClickHouse
 * sink rows/s), then the job through the real broker (exactly-once vs
 * at-least-once, latency at a fixed rate, restore time).
 */
import { cpus } from 'node:os';
import { clickhouseSinkBench } from './clickhouseSink.js';
import { embeddedJobBench, plantLoopBench } from './embeddedJob.js';
import { heapFlat } from './heapFlat.js';
import { kafkaJobBench } from './kafkaJob.js';
import { type BenchResult, progress } from './measure.js';
import { processKeyedTimers } from './processKeyedTimers.js';
import { scoringCostBench } from './scoringCost.js';
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

progress('scoring…');
const scoring = await scoringCostBench();
progress('embedded job, closed loop with counting sinks…');
const plantLoop = await plantLoopBench();
progress('embedded job with ClickHouse…');
const embeddedJob = await embeddedJobBench();
progress('ClickHouse sink…');
const clickhouseSink = await clickhouseSinkBench();
progress('machine-health on Kafka (local stack)…');
const kafka = await kafkaJobBench();

const report = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  totalSeconds: Math.round((performance.now() - started) / 100) / 10,
  results,
  heap,
  scoring,
  embedded: { plantLoop, withClickHouse: embeddedJob },
  clickhouseSink,
  kafka,
};
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
