import type { Observable } from 'rxjs';
import type { AvroSchema, TypedAvroSchema } from '../../connectors/avro/schemaRegistry.js';
import type { AnyTableOutput } from '../../connectors/clickhouse/clickhouseOutputs.js';
import type { Migration } from '../../connectors/clickhouse/migrations.js';
import type { SinkMessage } from '../../connectors/kafka/transactionalSink.js';
import type { StreamElement, StreamRecord } from '../../operators/core/element.js';
import type { ValueCheck } from '../../operators/core/fieldRanges.js';
import type { SnapshotStore } from '../../operators/state/snapshots.js';
import type { WatermarkStrategy } from '../../operators/time/watermarkStrategy.js';
import type { LateOutput } from '../../operators/windows/windowAggregate.js';

/**
 * What a job is, apart from where it runs: its input contract, its operator
 * graph and its named outputs. The runtime runs one on Kafka exactly-once
 * (`exactlyOnceJobFor`); the job itself holds no client, no topic admin and
 * no sink code.
 *
 * @example
 * const pumps: StreamingJob<Reading, PumpOutput> = {
 *   input: { schema: readingSchema, eventTime: (r) => r.ts, watermarks: boundedOutOfOrderness(5_000) },
 *   graph: (input$, snapshots) => pumpHealth(input$, { snapshots }),
 *   kafkaOutputs: [{ name: 'commands', topic: 'pump-commands', schema: commandSchema,
 *     messages: (out) => (out.type === 'command' ? [{ key: out.pumpId, value: out.command }] : []) }],
 *   clickhouseTables: [pumpKpiTable],
 * };
 */
export interface StreamingJob<In, Out> {
  readonly input: InputContract<In>;
  /**
   * The operator graph: input elements (records, watermarks, barriers) to
   * output elements. Keyed state goes through `snapshots`, so the runtime
   * can restore it (undefined where nothing is restored: a replay starts
   * empty); every barrier must come out after the records before it.
   */
  readonly graph: (
    input$: Observable<StreamElement<In>>,
    snapshots: SnapshotStore | undefined,
    context?: GraphContext,
  ) => Observable<StreamElement<Out>>;
  /** Topics the outputs go to, committed in the epoch's transaction. */
  readonly kafkaOutputs?: readonly KafkaOutput<Out>[];
  /** Tables the outputs go to, durable before the epoch commits. */
  readonly clickhouseTables?: readonly AnyTableOutput<Out>[];
  /** The ClickHouse migrations its tables need (default: twinflow's schemas/clickhouse). */
  readonly migrations?: readonly Migration[];
}

/**
 * What the runtime gives a graph besides its input and state: the late
 * side output. A record too late for every window it belongs to goes
 * there (`windowAggregate`'s `lateOutput`) instead of vanishing: the test
 * driver keeps it for the test to read, the embedded run and the Kafka
 * runtime count it per operator (`twinflow_late_records_dropped_total`).
 *
 * @example
 * graph: (input$, snapshots, context) => input$.pipe(keyBy((r) => r.pumpId),
 *   windowAggregate(tumbling(60_000), sum((r: Reading) => r.kwh), { id: 'kwh', snapshots, lateOutput: lateTo(context, 'kwh') })),
 */
export interface GraphContext {
  late(operator: string, record: StreamRecord<unknown>): void;
}

/**
 * A window's `lateOutput` into the context's late side output under the
 * operator's name (nothing without a context).
 *
 * @example
 * windowAggregate(tumbling(60_000), count(), { id: 'n', snapshots, lateOutput: lateTo(context, 'n') });
 */
export function lateTo<T>(context: GraphContext | undefined, operator: string): LateOutput<T> | undefined {
  return context === undefined ? undefined : { next: (record) => context.late(operator, record) };
}

/**
 * The input side of a job: the Avro contract of the input topic's values
 * (registered and checked for compatibility at start), the event time of a
 * value, the watermark strategy, and the check a decoded value must pass
 * (a refused value is dead-lettered with the reason, and the job goes on).
 *
 * @example
 * const input: InputContract<Telemetry> = { schema: telemetrySchema, eventTime: (t) => t.ts, check: telemetryCheck, watermarks: boundedOutOfOrderness(5_000) };
 */
export interface InputContract<In> {
  readonly schema: TypedAvroSchema<In> | AvroSchema;
  readonly eventTime: (value: In) => number;
  readonly watermarks: WatermarkStrategy;
  readonly check?: ValueCheck<In>;
}

/**
 * A Kafka topic a job writes: its Avro contract, the messages each output
 * produces there (none for outputs not meant for it), and an optional
 * `seal` applied to the encoded message (e.g. a signature over the Avro
 * body).
 *
 * @example
 * const commands: KafkaOutput<Output> = { name: 'commands', topic: 'commands', schema: commandSchema,
 *   messages: (out) => (out.type === 'command' ? [{ key: out.command.assetId, value: out.command }] : []) };
 */
export interface KafkaOutput<Out> {
  readonly name: string;
  readonly topic: string;
  readonly schema: AvroSchema;
  readonly messages: (out: Out) => readonly OutputMessage[];
  readonly seal?: (message: SinkMessage) => SinkMessage;
}

/**
 * One message of an output, before encoding: the key (it picks the
 * partition, so one key's messages stay in order), the value and headers.
 *
 * @example
 * const message: OutputMessage = { key: 'pump-1', value: command, headers: { 'twinflow-command-id': command.commandId } };
 */
export interface OutputMessage {
  readonly key: string;
  readonly value: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}
