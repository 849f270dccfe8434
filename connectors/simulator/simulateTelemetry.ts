import { setTimeout as sleep } from 'node:timers/promises';
import type { Telemetry } from '../../operators/control/contracts.js';
import type { PlantSimulator } from './plantSimulator.js';

/**
 * How long to run and how fast. Without `speedup` the plant runs as fast as
 * the consumer pulls (accelerated time); with it, one tick of simulated time
 * takes `tickMs / speedup` wall-clock ms (speedup 60: an hour per minute).
 *
 * @example
 * const options: SimulateTelemetryOptions = { untilTs: start + 86_400_000, speedup: 3600 };
 */
export interface SimulateTelemetryOptions {
  /** Number of ticks to run; stops at whichever of `ticks` and `untilTs` comes first. */
  readonly ticks?: number;
  /** Stop once the simulated clock reaches this time (epoch ms). */
  readonly untilTs?: number;
  readonly speedup?: number;
  readonly signal?: AbortSignal;
}

/**
 * The simulator's readings as an async iterable, one array per tick (one
 * reading per asset). The consumer decides the pace by pulling, so commands
 * applied between two pulls (`sim.apply`) take effect from the next tick:
 * that is how a pipeline closes the loop. RxJS: `from(simulateTelemetry(sim, …))`.
 *
 * @example
 * for await (const readings of simulateTelemetry(sim, { ticks: 360 })) {
 *   for (const r of readings) produce(r);
 * }
 */
export async function* simulateTelemetry(
  sim: PlantSimulator,
  options: SimulateTelemetryOptions,
): AsyncGenerator<Telemetry[], void, undefined> {
  const ticks = options.ticks ?? Number.POSITIVE_INFINITY;
  const untilTs = options.untilTs ?? Number.POSITIVE_INFINITY;
  const pauseMs = options.speedup !== undefined && options.speedup > 0 ? sim.tickMs / options.speedup : 0;
  for (let n = 0; n < ticks && sim.now < untilTs; n++) {
    if (options.signal?.aborted) return;
    if (pauseMs > 0 && n > 0) {
      try {
        await sleep(pauseMs, undefined, { signal: options.signal });
      } catch (error) {
        if (options.signal?.aborted) return;
        throw error;
      }
    }
    yield sim.step();
  }
}
