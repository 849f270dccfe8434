import { filter, type Observable } from 'rxjs';
import type { AvroSerde } from '../../connectors/avro/avroSerde.js';
import { AvroDecodeError } from '../../connectors/avro/errors.js';
import type { GroundTruth } from '../../connectors/simulator/groundTruth.js';
import type { PlantSimulator } from '../../connectors/simulator/plantSimulator.js';
import type { Command, Telemetry } from '../../operators/control/contracts.js';
import { barrier, type StreamElement, type StreamRecord, watermark } from '../../operators/core/element.js';
import { mapAsyncBatch } from '../../operators/core/mapAsyncBatch.js';
import { type EpochSinks, throughSinks } from '../../operators/core/throughSinks.js';
import { GraphRun } from '../../runtime/epochs/graphRun.js';
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
  const pendingCommands: Command[] = [];
  const commands: Command[] = [];
  let alerts = 0;
  let deadLetters = 0;
  let offset = 0;
  let readings = 0;

  // Bytes in, as from Kafka: decoded and checked as the Kafka source does (a reading that does
  // not decode, or that the input contract refuses, is a dead letter), then the job's graph.
  const decode = (input$: Observable<StreamElement<Uint8Array>>): Observable<StreamElement<Telemetry>> =>
    input$.pipe(
      mapAsyncBatch(
        async (bytes: Uint8Array[], records: StreamRecord<Uint8Array>[]) =>
          Promise.all(
            bytes.map((b, i) =>
              serde.decode(b, records[i].pos).then(
                (m) => {
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
      filter((e): e is StreamElement<Telemetry> => e.kind !== 'record' || e.value !== undefined),
    );
  // The loop acts on outputs as they leave the graph; the sinks write them behind it, and a
  // barrier passes once its epoch's rows are durable. The embedded run restores nothing.
  const run = new GraphRun<Uint8Array, MachineHealthOutput>(
    (input$) => definition.graph(decode(input$), undefined),
    {
      beforeSinks: (out) => {
        if (out.type === 'command') {
          pendingCommands.push(out.command);
          commands.push(out.command);
        } else if (out.type === 'alert') alerts++;
      },
      sinks: throughSinks(sinks),
    },
  );
  const { input } = run;
  // An epoch's flush runs while the plant goes on (as Flink completes checkpoints
  // asynchronously): closing epoch n waits only for epoch n-1 to be durable.
  const closeEpoch = async (epoch: number) => {
    input.next(barrier(epoch));
    await run.passed(epoch - 1);
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
    const processed = run.untilWatermark(tickTs);
    input.next(watermark(tickTs));
    await processed;
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
        watermarkLagMs: Math.max(0, tickTs - run.watermark),
        commands: commands.length,
        alerts,
        elapsedMs: performance.now() - started,
      });
    }
  }
  // Fire the last KPI window, but not silence timers: the plant did not go quiet, the run ended.
  input.next(watermark(lastTs + windowMs - 1));
  const last = Math.floor(options.ticks / epochTicks) + 1;
  input.next(barrier(last));
  await run.passed(last);
  input.complete();
  await run.done;
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
