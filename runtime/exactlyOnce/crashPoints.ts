/**
 * Fault injection for crash tests: kills the process with SIGKILL at a named
 * point of the exactly-once protocol, so a test can crash a job exactly
 * where a random kill only rarely lands — between the ClickHouse flush and
 * the Kafka commit, or with the state restored but not yet used. Off unless
 * the variable is set; read once, when the job starts, so a running job pays
 * one function call per point.
 *
 * `TWINFLOW_CRASH_AT=<point>:<n>` kills the process the n-th time (from 1)
 * it reaches `<point>`.
 *
 * @example
 * // TWINFLOW_CRASH_AT=before-commit:3 node dist/runtime/cli/main.js run machine-health --config …
 * const crashAt = crashPoints(process.env[CRASH_AT_VARIABLE]);
 * crashAt('before-commit'); // the third call never returns
 */

/** The environment variable that arms a crash point. */
export const CRASH_AT_VARIABLE = 'TWINFLOW_CRASH_AT';

/**
 * Where a crash can be injected.
 * - `restore`: the owned partitions' state was read back from the changelog,
 *   the graph has not started on it (a crash inside the restore, as far as
 *   anything outside the process can tell);
 * - `before-commit`: the epoch's ClickHouse rows are written and its Kafka
 *   transaction holds its messages and offsets, not yet committed.
 */
export const CRASH_POINTS = ['restore', 'before-commit'] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

/** A crash point spec that cannot be read; names the variable and what is accepted. */
export class CrashPointSpecError extends Error {
  override readonly name = 'CrashPointSpecError';
}

/**
 * The crash hook for `spec` (the variable's value): a no-op when it is
 * undefined or empty. Throws CrashPointSpecError on a spec that names no
 * known point or no positive count, so a mistyped test fails at start
 * instead of never crashing.
 */
export function crashPoints(
  spec: string | undefined,
  kill: () => void = () => process.kill(process.pid, 'SIGKILL'),
): (point: CrashPoint) => void {
  if (spec === undefined || spec.trim() === '') return () => undefined;
  const match = /^([a-z-]+):(\d+)$/.exec(spec.trim());
  const point = match?.[1];
  const nth = Number(match?.[2]);
  if (match === null || !(CRASH_POINTS as readonly string[]).includes(point!) || !(nth >= 1)) {
    throw new CrashPointSpecError(
      `${CRASH_AT_VARIABLE}=${JSON.stringify(spec)} is not <point>:<n> with <point> one of ${CRASH_POINTS.join(', ')} and n ≥ 1`,
    );
  }
  let reached = 0;
  return (at) => {
    if (at === point && ++reached === nth) kill();
  };
}
