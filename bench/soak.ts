/**
 * `npm run soak [-- --minutes N] [--rate N] [--keep]`: the machine-health
 * job on the local stack for 20 minutes (by default) at 5,000 events/s,
 * with a 2-minute ClickHouse outage and a broker restart inside the run;
 * progress on stderr, one JSON document with the figures on stdout (lag
 * recovery after each fault, heap and RSS slope after warm-up, job
 * restarts, lost and doubled counts, `meetsTarget`). Not part of `npm test`
 * nor of `npm run bench`: it takes the length of the run and the whole
 * machine. The local stack is started when it is not up and stopped again
 * at the end (a stack already up is left up); Ctrl-C stops the run with
 * the stack as it was found. `--keep` leaves the run's topics and database
 * for a look; otherwise they are dropped.
 */
import { benchConfigPath, benchStack } from './benchStack.js';
import { progress } from './measure.js';
import { parseSoakArgs, soakPlan } from './soakPlan.js';
import { runSoak, SoakInterruptedError } from './soakRun.js';

const flags = parseSoakArgs(process.argv.slice(2));
const plan = soakPlan(flags);
if (benchConfigPath([]) !== undefined) {
  throw new Error(
    "soak: it runs on the local stack only (its faults signal the stack's processes through .stack/run/*.pid); unset BENCH_CONFIG",
  );
}

const interrupt = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (!interrupt.signal.aborted) {
    progress(`soak: ${signal}: stopping the job, thawing ClickHouse, leaving the stack as it was found…`);
    interrupt.abort();
    return;
  }
  // Exit handlers still thaw ClickHouse and kill the job; a stack this run started is left up.
  progress(
    `soak: ${signal} again: exiting now; check the stack with bash infra/local/stack.sh status (one this run started stays up)`,
  );
  process.exit(130);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

const stack = await benchStack();
try {
  const figures = await runSoak(stack, plan, { keep: flags.keep, signal: interrupt.signal });
  // Indented, but an array of plain values (a series row) on one line: hundreds of rows stay readable.
  const text = JSON.stringify(figures, null, 2).replace(
    /\[\s+([^[\]{}]*?)\s+\]/g,
    (_, items: string) => `[${items.split(/,\s+/).join(', ')}]`,
  );
  process.stdout.write(`${text}\n`);
} catch (error) {
  if (!(error instanceof SoakInterruptedError)) throw error;
  progress(error.message);
  process.exitCode = 130;
} finally {
  stack.release();
}
