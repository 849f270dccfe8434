/**
 * `npm run bench [-- SECTION…] [--config FILE]`: runs the benchmarks,
 * progress on stderr, one JSON document with the figures on stdout.
 * Sections, in order (all when none is named):
 * - operators: the operator pipelines on one core, and heap flatness;
 * - embedded: scoring cost, the embedded job with counting sinks and with
 *   ClickHouse, the ClickHouse sink's rows/s;
 * - epoch: snapshot + changelog cost of an epoch against the size of state;
 * - kafka: machine-health through the broker (exactly-once, at-least-once,
 *   with ClickHouse, latency at a fixed rate), BENCH_RUNS times (default 3);
 * - framework: a job of framework parts only, exactly-once through the broker;
 * - restore: state restore from the changelog.
 * The Kafka sections run on the job config's cluster (`--config FILE` or
 * BENCH_CONFIG) or else on the local stack, started and stopped here when
 * it was not up.
 */
import { cpus } from 'node:os';
import { benchStack } from './benchStack.js';
import { changelogEpochBench } from './changelogEpoch.js';
import { changelogRestoreBench } from './changelogRestore.js';
import { clickhouseSinkBench } from './clickhouseSink.js';
import { embeddedJobBench, plantLoopBench } from './embeddedJob.js';
import { frameworkJobBench } from './frameworkJob.js';
import { heapFlat } from './heapFlat.js';
import { kafkaJobBench } from './kafkaJob.js';
import { type BenchResult, progress } from './measure.js';
import { processKeyedTimers } from './processKeyedTimers.js';
import { scoringCostBench } from './scoringCost.js';
import { sessionWindows } from './sessionWindows.js';
import { slidingWindows } from './slidingWindows.js';
import { tumblingStats } from './tumblingStats.js';

const SECTIONS = ['operators', 'embedded', 'epoch', 'kafka', 'framework', 'restore'] as const;
type Section = (typeof SECTIONS)[number];

function sectionsOf(argv: readonly string[]): Set<Section> {
  const named: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--config') i++;
    else named.push(argv[i]);
  }
  const unknown = named.filter((n) => !(SECTIONS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new Error(`bench: unknown section ${unknown.join(', ')}; the sections are ${SECTIONS.join(', ')}`);
  }
  return new Set((named.length === 0 ? SECTIONS : named) as Section[]);
}

function runsOf(env: NodeJS.ProcessEnv): number {
  const runs = Number(env.BENCH_RUNS ?? 3);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`bench: BENCH_RUNS must be a whole number ≥ 1, got ${env.BENCH_RUNS}`);
  return runs;
}

const operatorBenchmarks: ReadonlyArray<readonly [string, () => BenchResult]> = [
  ['tumblingStats', tumblingStats],
  ['slidingWindows', slidingWindows],
  ['sessionWindows', sessionWindows],
  ['processKeyedTimers', processKeyedTimers],
];

const sections = sectionsOf(process.argv.slice(2));
const runs = runsOf(process.env);
const started = performance.now();
const report: Record<string, unknown> = {
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
};

if (sections.has('operators')) {
  const results: BenchResult[] = [];
  for (const [name, bench] of operatorBenchmarks) {
    progress(`${name}…`);
    const result = bench();
    progress(`${name}: ${result.eventsPerSec} events/s (median of 3), ${result.outputs} outputs`);
    results.push(result);
  }
  progress('heapFlat…');
  const heap = heapFlat();
  progress(`heapFlat: ratio ${heap.ratio}, ${heap.eventsPerSec} events/s`);
  report.results = results;
  report.heap = heap;
}
if (sections.has('embedded')) {
  progress('scoring…');
  report.scoring = await scoringCostBench();
  progress('embedded job, closed loop with counting sinks…');
  const plantLoop = await plantLoopBench();
  progress('embedded job with ClickHouse…');
  const withClickHouse = await embeddedJobBench();
  report.embedded = { plantLoop, withClickHouse };
  progress('ClickHouse sink…');
  report.clickhouseSink = await clickhouseSinkBench();
}
if (sections.has('epoch')) {
  progress('epoch cost against state size…');
  report.epoch = changelogEpochBench();
}
if (sections.has('kafka') || sections.has('framework') || sections.has('restore')) {
  const stack = await benchStack();
  try {
    if (sections.has('kafka')) report.kafka = await kafkaJobBench(stack, runs);
    if (sections.has('framework')) report.framework = await frameworkJobBench(stack, runs);
    if (sections.has('restore')) report.restore = await changelogRestoreBench(stack, runs);
  } finally {
    stack.release();
  }
}
report.totalSeconds = Math.round((performance.now() - started) / 100) / 10;
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
