import { Subject } from 'rxjs';
import type { AvroSerde } from '../../connectors/avro/avroSerde.js';
import { AvroDecodeError } from '../../connectors/avro/errors.js';
import type { GroundTruth } from '../../connectors/simulator/groundTruth.js';
import type { PlantSimulator } from '../../connectors/simulator/plantSimulator.js';
import type { Command, Telemetry } from '../../operators/control/contracts.js';
import type { EpochSinks } from '../../operators/core/throughSinks.js';
import { mapAsyncBatch, type StreamElement, type StreamRecord } from '../../operators/index.js';
import type { StreamingJob } from '../../runtime/job/streamingJob.js';
import type { MachineHealthOutput } from './machineHealth.js';

/** Where the job's outputs go; `flush` runs at every epoch boundary and must make them durable. */
export type MachineHealthSinks = EpochSinks<MachineHealthOutput>;

export interface PlantLoopProgress {
  readonly tick: number;
  readonly ticks: number;
  readonly readings: number;
  readonly eventTs: number;
  /** Newest event time in minus the job's output watermark: how far the job is behind the plant. */
  readonly watermarkLagMs: number;
  readonly commands: number;
  readonly alerts: number;
  readonly elapsedMs: number;
}

export interface PlantLoopOptions {
  readonly plant: PlantSimulator;
  readonly ticks: number;
  /** Telemetry goes plant → Avro (Confluent wire format) → job, as it would through Kafka. */
  readonly serde: AvroSerde<Telemetry>;
  readonly topic?: string;
  /** The job's definition: its graph and its input check run here as on Kafka. */
  readonly definition: StreamingJob<Telemetry, MachineHealthOutput>;
  /** The KPI window, closed at the end of the run (default 60 000 ms). */
  readonly kpiWindowMs?: number;
  readonly sinks: MachineHealthSinks;
  /** An epoch (barrier, sink flush) every this many ticks (default 60). */
  readonly epochTicks?: number;
  readonly onProgress?: (p: PlantLoopProgress) => void;
  /** Progress every this many ticks (default 100). */
  readonly progressEvery?: number;
  /** Simulated ms per wall ms (accelerated time); 0 or absent runs as fast as the job can. */
  readonly speedup?: number;
}

export interface PlantLoopResult {
  readonly readings: number;
  readonly commands: Command[];
  readonly alerts: number;
  /** Records whose bytes did not decode (would go to the dead-letter topic on Kafka). */
  readonly deadLetters: number;
  readonly elapsedMs: number;
  readonly truth: GroundTruth;
}

/**
 * Runs the machine-health job against the simulated plant, closing the loop:
 * each tick's readings go through Avro into the job; when the job's
 * watermark shows the tick is fully processed, its commands are applied to
 * the plant before the next tick. Deterministic: the same seed gives the
 * same commands and the same plant.
 *
 * @example
 * const result = await runPlantLoop({ plant, ticks: 8640, serde, definition: machineHealthStreamingJob(deps, { commandsTopic: 'commands' }), sinks });
 * result.truth.totals.failures;
 */
export async function runPlantLoop(options: PlantLoopOptions): Promise<PlantLoopResult> {
  const { plant, serde, sinks } = options;
  const topic = options.topic ?? 'telemetry';
  const epochTicks = options.epochTicks ?? 60;
  const progressEvery = options.progressEvery ?? 100;
  const windowMs = options.kpiWindowMs ?? 60_000;
  const { definition } = options;
  const input = new Subject<StreamElement<Uint8Array>>();
  const pendingCommands: Command[] = [];
  const commands: Command[] = [];
  let alerts = 0;
  let deadLetters = 0;
  let offset = 0;
  let readings = 0;
  let outputWatermark = Number.NEGATIVE_INFINITY;
  let waiter: { until: number; resolve: () => void } | undefined;
  let barrierWaiter: { epoch: number; resolve: () => void } | undefined;
  let failure: unknown;
  let pendingWrites: Promise<void>[] = [];

  const decoded = input.pipe(
    mapAsyncBatch(
      async (bytes: Uint8Array[], records: StreamRecord<Uint8Array>[]) =>
        Promise.all(
          bytes.map((b, i) =>
            serde.decode(b, records[i].pos).then(
              (m) => {
                // The same contract check as the Kafka source: a refused reading is a dead letter.
                if (definition.input.check?.(m.value) === undefined) return m.value;
                deadLetters++;
                return undefined;
              },
              (err: unknown) => {
                if (err instanceof AvroDecodeError) {
                  deadLetters++;
                  return undefined;
                }
                throw err;
              },
            ),
          ),
        ),
      { maxBatch: 256 },
    ),
  );
  const telemetry$ = new Subject<StreamElement<Telemetry>>();
  decoded.subscribe({
    next(e) {
      if (e.kind !== 'record') telemetry$.next(e);
      else if (e.value !== undefined) telemetry$.next(e as StreamRecord<Telemetry>);
    },
    error: (err) => telemetry$.error(err),
    complete: () => telemetry$.complete(),
  });

  const done = new Promise<void>((resolve, reject) => {
    // Nothing is restored in the embedded run: the operators keep no snapshots.
    definition.graph(telemetry$, undefined).subscribe({
      next(e) {
        if (e.kind === 'record') {
          const out = e.value;
          if (out.type === 'command') {
            pendingCommands.push(out.command);
            commands.push(out.command);
          } else if (out.type === 'alert') alerts++;
          const w = sinks.write(out, e);
          if (w) pendingWrites.push(w);
        } else if (e.kind === 'watermark') {
          outputWatermark = e.ts;
          if (waiter && outputWatermark >= waiter.until) {
            const w = waiter;
            waiter = undefined;
            w.resolve();
          }
        } else if (barrierWaiter && e.epoch === barrierWaiter.epoch) {
          const w = barrierWaiter;
          barrierWaiter = undefined;
          w.resolve();
        }
      },
      error(err) {
        failure = err;
        waiter?.resolve();
        barrierWaiter?.resolve();
        reject(err);
      },
      complete: resolve,
    });
  });
  done.catch(() => {});

  const untilWatermark = (ts: number) =>
    outputWatermark >= ts
      ? Promise.resolve()
      : new Promise<void>((resolve) => (waiter = { until: ts, resolve }));
  const untilBarrier = (epoch: number) =>
    new Promise<void>((resolve) => (barrierWaiter = { epoch, resolve }));
  const check = () => {
    if (failure !== undefined) throw failure;
  };
  const drainWrites = async () => {
    const writes = pendingWrites;
    pendingWrites = [];
    await Promise.all(writes);
  };
  // An epoch's flush runs while the plant goes on (as Flink completes checkpoints
  // asynchronously); the next epoch waits for it before flushing its own rows.
  let flushing: Promise<void> = Promise.resolve();
  const closeEpoch = async (epoch: number) => {
    const passed = untilBarrier(epoch);
    input.next({ kind: 'barrier', epoch });
    await passed;
    check();
    await drainWrites();
    await flushing;
    flushing = sinks.flush(epoch);
    flushing.catch(() => {});
  };

  const started = performance.now();
  const startTs = plant.now;
  let lastTs = plant.now;
  for (let tick = 1; tick <= options.ticks; tick++) {
    const batch = plant.step();
    const encoded = await Promise.all(batch.map((t) => serde.encode(topic, t)));
    let tickTs = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < batch.length; i++) {
      const ts = batch[i].ts;
      if (ts > tickTs) tickTs = ts;
      input.next({
        kind: 'record',
        value: encoded[i],
        ts,
        pos: { topic, partition: 0, offset: String(offset++) },
      });
    }
    readings += batch.length;
    lastTs = tickTs;
    // Every reading of the tick is in: nothing at or before tickTs is still to come.
    const processed = untilWatermark(tickTs);
    input.next({ kind: 'watermark', ts: tickTs });
    await processed;
    check();
    await drainWrites();
    for (const c of pendingCommands) plant.apply(c, c.decidedAt);
    pendingCommands.length = 0;
    if (tick % epochTicks === 0) await closeEpoch(tick / epochTicks);
    if (options.speedup) {
      const ahead = (tickTs - startTs) / options.speedup - (performance.now() - started);
      if (ahead > 1) await new Promise((resolve) => setTimeout(resolve, ahead));
    }
    if (options.onProgress && (tick % progressEvery === 0 || tick === options.ticks)) {
      options.onProgress({
        tick,
        ticks: options.ticks,
        readings,
        eventTs: tickTs,
        watermarkLagMs: Math.max(0, tickTs - outputWatermark),
        commands: commands.length,
        alerts,
        elapsedMs: performance.now() - started,
      });
    }
  }
  // Fire the last KPI window, but not silence timers: the plant did not go quiet, the run ended.
  input.next({ kind: 'watermark', ts: lastTs + windowMs - 1 });
  await closeEpoch(Math.floor(options.ticks / epochTicks) + 1);
  await flushing;
  input.complete();
  await done;
  await drainWrites();
  return {
    readings,
    commands,
    alerts,
    deadLetters,
    elapsedMs: performance.now() - started,
    truth: plant.groundTruth(),
  };
}

/**
 * The baseline: the same seeded plant for the same time, without the twin
 * (no commands). What the twin's run is compared with.
 *
 * @example
 * const baseline = runBaseline(new PlantSimulator({ catalogue, seed, startTs, faults }), ticks);
 */
export function runBaseline(plant: PlantSimulator, ticks: number): GroundTruth {
  for (let tick = 0; tick < ticks; tick++) plant.step();
  return plant.groundTruth();
}
