import { filter, type Observable } from 'rxjs';
import { AvroSerde } from '../../connectors/avro/avroSerde.js';
import { AvroDecodeError } from '../../connectors/avro/errors.js';
import { LocalSchemaRegistry } from '../../connectors/avro/localSchemaRegistry.js';
import { barrier, type StreamElement, type StreamRecord, watermark } from '../../operators/core/element.js';
import { mapAsyncBatch } from '../../operators/core/mapAsyncBatch.js';
import { type EpochSinks, throughSinks } from '../../operators/core/throughSinks.js';
import { GraphRun } from '../epochs/graphRun.js';
import { type DeadLetter, inputRefusal } from '../job/inputRefusal.js';
import type { GraphContext, StreamingJob } from '../job/streamingJob.js';

/**
 * The input of an embedded run, tick by tick, and what closes the loop: a
 * simulated plant gives each tick's readings and takes the outputs the job
 * derived from them (its commands) before the next tick, as the real plant
 * would act on commands from Kafka.
 *
 * @example
 * const source: ClosedLoopSource<Reading, Output> = {
 *   step: () => (plant.now < end ? plant.step() : undefined),
 *   apply: (outputs) => { for (const o of outputs) if (o.type === 'command') plant.apply(o.command); },
 * };
 */
export interface ClosedLoopSource<In, Out> {
  /** The next tick's input values (none is a tick without readings); undefined ends the input. */
  step(): readonly In[] | undefined;
  /** The outputs of the tick, once the job's watermark shows every reading of it was processed. */
  apply?(outputs: readonly Out[]): void;
}

/**
 * How far an embedded run has got: ticks and records in, the event time of
 * the newest tick and how far the job's output watermark is behind it.
 */
export interface EmbeddedProgress {
  readonly tick: number;
  /** The ticks the run was given (`maxTicks`), when it was given a number. */
  readonly ticks?: number;
  readonly records: number;
  readonly eventTs: number;
  /** Newest event time in minus the job's output watermark: how far the job is behind its input. */
  readonly watermarkLagMs: number;
  readonly outputs: number;
  readonly elapsedMs: number;
}

export interface EmbeddedRunOptions<In, Out> {
  readonly source: ClosedLoopSource<In, Out>;
  /** Stops after this many ticks even if the source has more. */
  readonly maxTicks?: number;
  /** Where the outputs go before an epoch counts as done, e.g. `new ClickHouseOutputs(client, db, definition.clickhouseTables)`. */
  readonly sinks?: EpochSinks<Out>;
  /** Each output record as it leaves the graph (before the sinks). */
  readonly onOutput?: (out: Out) => void;
  /** The input topic the values are framed for and their positions name (default 'input'). */
  readonly topic?: string;
  /** An epoch (barrier, sinks flushed) every this many ticks (default 60). */
  readonly epochTicks?: number;
  /**
   * The watermark the run ends with, from the last tick's event time
   * (default: that time). A job whose windows should fire at the end gives
   * their end; a run that ends is not a plant gone quiet, so it should not
   * reach silence timers.
   */
  readonly closingWatermark?: (lastTs: number) => number;
  /** Simulated ms per wall ms (accelerated time); 0 or absent runs as fast as the job can. */
  readonly speedup?: number;
  readonly onProgress?: (progress: EmbeddedProgress) => void;
  /** Progress every this many ticks (default 100), and after the last. */
  readonly progressEvery?: number;
}

export interface EmbeddedRunResult<In> {
  readonly ticks: number;
  readonly records: number;
  /** What the source refused (would be on the dead-letter topic on Kafka), in order. */
  readonly deadLetters: readonly DeadLetter<In>[];
  /** Records too late for their windows, by operator (the late side output). */
  readonly late: Readonly<Record<string, number>>;
  /** Messages each Kafka output received (name → count): what would have been produced. */
  readonly kafkaMessages: Readonly<Record<string, number>>;
  readonly elapsedMs: number;
  /** The event time of the last tick (-Infinity when there was none). */
  readonly lastTs: number;
}

/**
 * Runs a job definition in this process against a closed-loop source: the
 * embedded mode of the one runtime, what `npm start` runs. Each tick's
 * values go through the input contract's Avro schema (encoded and decoded
 * in the Confluent frame, as through Kafka) and its check (a refused value
 * is a dead letter, and the run goes on); once the job's output watermark
 * has reached the tick, the tick's outputs go back to the source; every
 * `epochTicks` a barrier closes an epoch, and its flush to the sinks runs
 * while the source goes on (closing epoch n waits only for epoch n-1, as
 * Flink completes checkpoints asynchronously). Deterministic: outputs do not
 * depend on the epoch size or the machine's speed. Nothing is restored: an
 * embedded run starts empty.
 *
 * @example
 * const result = await runEmbedded(definition, { source, sinks: tables, epochTicks: 120 });
 * result.records; result.deadLetters.length;
 */
export async function runEmbedded<In, Out>(
  definition: StreamingJob<In, Out>,
  options: EmbeddedRunOptions<In, Out>,
): Promise<EmbeddedRunResult<In>> {
  const { source } = options;
  const topic = options.topic ?? 'input';
  const epochTicks = options.epochTicks ?? 60;
  const progressEvery = options.progressEvery ?? 100;
  const maxTicks = options.maxTicks ?? Number.POSITIVE_INFINITY;
  const serde = new AvroSerde<In>(new LocalSchemaRegistry(), definition.input.schema);
  const kafkaOutputs = definition.kafkaOutputs ?? [];
  const kafkaMessages: Record<string, number> = {};
  for (const o of kafkaOutputs) kafkaMessages[o.name] = 0;
  const deadLetters: DeadLetter<In>[] = [];
  const tickOutputs: Out[] = [];
  let outputs = 0;

  // Bytes in, as from Kafka: decoded and refused as the Kafka source does, then the graph.
  const decode = (input$: Observable<StreamElement<Uint8Array>>): Observable<StreamElement<In>> =>
    input$.pipe(
      mapAsyncBatch(
        async (bytes: Uint8Array[], records: StreamRecord<Uint8Array>[]): Promise<(In | undefined)[]> =>
          Promise.all(
            bytes.map((b, i) =>
              serde.decode(b, records[i].pos).then(
                (m): In | undefined => {
                  const refused = inputRefusal(definition.input, m.value, records[i].ts);
                  if (refused === undefined) return m.value;
                  deadLetters.push(refused);
                  return undefined;
                },
                (error: unknown) => {
                  if (!(error instanceof AvroDecodeError)) throw error;
                  deadLetters.push({ reason: 'undecodable', message: error.message });
                  return undefined;
                },
              ),
            ),
          ),
        { maxBatch: 256 },
      ),
      filter((e): e is StreamElement<In> => e.kind !== 'record' || e.value !== undefined),
    );
  const late: Record<string, number> = {};
  const context: GraphContext = {
    late: (operator) => {
      late[operator] = (late[operator] ?? 0) + 1;
    },
  };
  const run = new GraphRun<Uint8Array, Out>(
    (input$) => definition.graph(decode(input$), undefined, context),
    {
      beforeSinks: (out) => {
        outputs++;
        tickOutputs.push(out);
        for (const o of kafkaOutputs) kafkaMessages[o.name] += o.messages(out).length;
        options.onOutput?.(out);
      },
      sinks: options.sinks === undefined ? undefined : throughSinks(options.sinks),
    },
  );
  const { input } = run;
  const closeEpoch = async (epoch: number) => {
    input.next(barrier(epoch));
    await run.passed(epoch - 1);
  };

  const started = performance.now();
  let firstTs: number | undefined;
  let lastTs = Number.NEGATIVE_INFINITY;
  let records = 0;
  let offset = 0;
  let tick = 0;
  try {
    while (tick < maxTicks) {
      const values = source.step();
      if (values === undefined) break;
      tick++;
      const encoded = await Promise.all(values.map((v) => serde.encode(topic, v)));
      let tickTs = lastTs;
      for (let i = 0; i < values.length; i++) {
        const ts = definition.input.eventTime(values[i]);
        if (ts > tickTs) tickTs = ts;
        input.next({
          kind: 'record',
          value: encoded[i],
          ts,
          pos: { topic, partition: 0, offset: String(offset++) },
        });
      }
      records += values.length;
      lastTs = tickTs;
      firstTs ??= Number.isFinite(tickTs) ? tickTs : undefined;
      if (Number.isFinite(tickTs)) {
        // Every value of the tick is in: nothing at or before tickTs is still to come.
        const processed = run.untilWatermark(tickTs);
        input.next(watermark(tickTs));
        await processed;
      }
      source.apply?.(tickOutputs.splice(0));
      if (tick % epochTicks === 0) await closeEpoch(tick / epochTicks);
      if (options.speedup && firstTs !== undefined) {
        const ahead = (tickTs - firstTs) / options.speedup - (performance.now() - started);
        if (ahead > 1) await new Promise((resolve) => setTimeout(resolve, ahead));
      }
      if (options.onProgress && (tick % progressEvery === 0 || tick === maxTicks)) {
        options.onProgress({
          tick,
          ticks: Number.isFinite(maxTicks) ? maxTicks : undefined,
          records,
          eventTs: tickTs,
          watermarkLagMs: Math.max(0, tickTs - run.watermark),
          outputs,
          elapsedMs: performance.now() - started,
        });
      }
    }
    if (Number.isFinite(lastTs)) input.next(watermark(options.closingWatermark?.(lastTs) ?? lastTs));
    const last = Math.floor(tick / epochTicks) + 1;
    input.next(barrier(last));
    await run.passed(last);
    input.complete();
    await run.done;
  } finally {
    run.stop();
  }
  return {
    ticks: tick,
    records,
    deadLetters,
    late,
    kafkaMessages,
    elapsedMs: performance.now() - started,
    lastTs,
  };
}
