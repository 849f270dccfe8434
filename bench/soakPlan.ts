/**
 * What one soak run does and when: how long it produces at what rate, the
 * plant that gives that rate with event time keeping pace with the wall
 * clock, and where the faults fall, in proportion to the duration so a
 * short smoke run goes through the same sequence.
 */
import { parseArgs } from 'node:util';

/** The soak of issue 13: at least 20 minutes at 5,000 events/s. */
export const SOAK_DEFAULTS = { minutes: 20, rate: 5_000 } as const;

/**
 * Assets of the simulated plant. Fixed, so a run at another rate keeps the
 * same keys and state; the tick is what follows the rate (250 assets every
 * 50 ms is 5,000 events/s), and 250 divides into a whole-millisecond tick
 * where 256 would not (Avro timestamps are whole milliseconds).
 */
export const SOAK_ASSETS = 250;

/** The ClickHouse outage of the full soak, and the run length from which it is given in full. */
const CLICKHOUSE_OUTAGE_MS = 120_000;
const FULL_OUTAGE_FROM_MINUTES = 6;
/** Where in the run each fault starts, as a share of the production time. */
const CLICKHOUSE_OUTAGE_AT = 0.3;
const BROKER_RESTART_AT = 0.65;
/** Memory before this share of the run is warm-up (JIT, caches, windows and state filling). */
const WARMUP_SHARE = 0.2;

/**
 * A fault the soak puts the stack through, where it falls in the run (ms
 * from the start of production).
 *
 * @example
 * const fault: PlannedFault = { kind: 'broker-restart', atMs: 780_000 };
 */
export type PlannedFault =
  | {
      readonly kind: 'clickhouse-outage';
      readonly atMs: number;
      readonly durationMs: number;
      /** Shorter than the full soak's 2 minutes, because the run is shorter than 6 minutes. */
      readonly shortened: boolean;
    }
  | { readonly kind: 'broker-restart'; readonly atMs: number };

/**
 * One soak run, planned.
 *
 * @example
 * const plan: SoakPlan = soakPlan({ minutes: 20, rate: 5_000 });
 * plan.events; // 6_000_000
 */
export interface SoakPlan {
  readonly minutes: number;
  /** Target events/s. */
  readonly rate: number;
  /** How long production lasts at the target rate: ticks × tick. */
  readonly durationMs: number;
  readonly assets: number;
  /** Simulated time per reading: the plant's event time advances as fast as the wall clock. */
  readonly tickMs: number;
  readonly ticks: number;
  readonly events: number;
  readonly warmupMs: number;
  readonly faults: readonly PlannedFault[];
}

/**
 * A soak command line that cannot run; the message names the flag and the
 * value at fault. Not retriable: the command line must change.
 *
 * @example
 * try { parseSoakArgs(['--minutes', 'long']); }
 * catch (e) { if (e instanceof SoakUsageError) console.error(e.message); } // --minutes must be a number > 0, got "long"
 */
export class SoakUsageError extends Error {
  override readonly name = 'SoakUsageError';
  readonly retriable = false;
}

/**
 * `npm run soak -- [--minutes N] [--rate N] [--keep]`: the run's length in
 * minutes (a number > 0, default 20), its target rate (events/s, a whole
 * number > 0, default 5,000), and whether to keep the run's topics and
 * database afterwards (default: dropped).
 *
 * @example
 * parseSoakArgs(['--minutes', '3']); // { minutes: 3, rate: 5000, keep: false }
 */
export function parseSoakArgs(argv: readonly string[]): { minutes: number; rate: number; keep: boolean } {
  let values: { minutes?: string; rate?: string; keep?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { minutes: { type: 'string' }, rate: { type: 'string' }, keep: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new SoakUsageError(
      `soak: ${(error as Error).message}; the flags are --minutes N, --rate N and --keep`,
      { cause: error },
    );
  }
  const minutes = values.minutes === undefined ? SOAK_DEFAULTS.minutes : Number(values.minutes);
  if (!Number.isFinite(minutes) || minutes <= 0 || values.minutes?.trim() === '') {
    throw new SoakUsageError(`--minutes must be a number > 0, got "${values.minutes}"`);
  }
  const rate = values.rate === undefined ? SOAK_DEFAULTS.rate : Number(values.rate);
  if (!Number.isInteger(rate) || rate <= 0 || values.rate?.trim() === '') {
    throw new SoakUsageError(`--rate must be a whole number of events/s > 0, got "${values.rate}"`);
  }
  return { minutes, rate, keep: values.keep === true };
}

/**
 * The run for `minutes` at `rate` events/s: a 2-minute ClickHouse outage
 * from 30 % of the run (shortened in proportion below 6 minutes, where 2
 * minutes would fill the run) and a broker restart at 65 %, the first 20 %
 * warm-up. The tick is chosen so that event time keeps pace with the wall
 * clock: readings are never far ahead of the job's clock (which refuses
 * them) nor older than the topic's retention.
 *
 * @example
 * soakPlan({ minutes: 3, rate: 5_000 }).faults[0]; // { kind: 'clickhouse-outage', atMs: 54_000, durationMs: 60_000, shortened: true }
 */
export function soakPlan(options: { readonly minutes: number; readonly rate: number }): SoakPlan {
  const { minutes, rate } = options;
  const tickMs = Math.round((SOAK_ASSETS * 1000) / rate);
  if (tickMs < 1) {
    throw new SoakUsageError(
      `--rate ${rate} is more than ${SOAK_ASSETS} assets can give at one reading per millisecond each`,
    );
  }
  // The producer takes the tick in seconds and the simulator multiplies back: that must give whole ms again.
  if ((tickMs / 1000) * 1000 !== tickMs) {
    throw new SoakUsageError(
      `--rate ${rate} gives a ${tickMs} ms tick, which is not a whole number of ms once in seconds; take a rate near it`,
    );
  }
  const ticks = Math.max(1, Math.round((minutes * 60_000) / tickMs));
  const durationMs = ticks * tickMs;
  const shortened = minutes < FULL_OUTAGE_FROM_MINUTES;
  const outageMs = shortened
    ? Math.round((CLICKHOUSE_OUTAGE_MS * minutes) / FULL_OUTAGE_FROM_MINUTES)
    : CLICKHOUSE_OUTAGE_MS;
  return {
    minutes,
    rate,
    durationMs,
    assets: SOAK_ASSETS,
    tickMs,
    ticks,
    events: ticks * SOAK_ASSETS,
    warmupMs: Math.round(durationMs * WARMUP_SHARE),
    faults: [
      {
        kind: 'clickhouse-outage',
        atMs: Math.round(durationMs * CLICKHOUSE_OUTAGE_AT),
        durationMs: outageMs,
        shortened,
      },
      { kind: 'broker-restart', atMs: Math.round(durationMs * BROKER_RESTART_AT) },
    ],
  };
}
