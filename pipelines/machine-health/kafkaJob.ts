import type { ClickHouseClient } from '@clickhouse/client';
import { AvroSerde } from '../../connectors/avro/avroSerde.js';
import { ConfluentSchemaRegistry } from '../../connectors/avro/confluentSchemaRegistry.js';
import { commandSchema, telemetrySchema } from '../../connectors/avro/contractSchemas.js';
import type { Catalogue } from '../../connectors/catalogue/catalogue.js';
import { loadCatalogue } from '../../connectors/catalogue/loadCatalogue.js';
import { scaleCatalogue } from '../../connectors/catalogue/scaleCatalogue.js';
import { migrate } from '../../connectors/clickhouse/migrations.js';
import type { ClickHouseSinkObserver } from '../../connectors/clickhouse/sinkObserver.js';
import { type CommandGuardBounds, commandGuard } from '../../connectors/kafka/commandGuard.js';
import { commandSigner } from '../../connectors/kafka/commandSigning.js';
import { newKafka } from '../../connectors/kafka/kafkaClient.js';
import type { KafkaClientOptions } from '../../connectors/kafka/kafkaClientOptions.js';
import { changelogTopicSpec, ensureTopics, type TopicSpec } from '../../connectors/kafka/topicAdmin.js';
import type { SinkMessage } from '../../connectors/kafka/transactionalSink.js';
import { OnnxSurrogate } from '../../connectors/onnx/onnxSurrogate.js';
import type { Command, Telemetry } from '../../operators/control/contracts.js';
import { defaultPolicyConfig } from '../../operators/control/policy.js';
import { telemetryCheck } from '../../operators/control/telemetryCheck.js';
import type { StreamRecord } from '../../operators/core/element.js';
import { throughSinks } from '../../operators/core/throughSinks.js';
import type { RiskModel } from '../../operators/scoring/riskModel.js';
import { boundedOutOfOrderness } from '../../operators/time/watermarkStrategy.js';
import { type ClickHouseConnection, openClickHouse } from '../../runtime/cli/clickhouseConnection.js';
import { ExactlyOnceJob, type JobEvent } from '../../runtime/exactlyOnce/exactlyOnceJob.js';
import { type MachineHealthClickHouse, machineHealthClickHouse } from './clickhouseTables.js';
import { DEFAULT_CATALOGUE, DEFAULT_MODEL, machineHealthRiskModel } from './embeddedJob.js';
import { type MachineHealthOutput, machineHealth } from './machineHealth.js';

/**
 * Where and how the machine-health job runs on Kafka. The CLI builds it from
 * the job config file; tests build it directly.
 *
 * @example
 * const options: MachineHealthKafkaOptions = {
 *   kafka: { brokers: ['127.0.0.1:19092'] }, registryUrl: 'http://127.0.0.1:18081/apis/ccompat/v7',
 *   groupId: 'machine-health', instanceId: 'machine-health-0',
 *   topics: { telemetry: 'telemetry', commands: 'commands', changelog: 'machine-health-state', deadLetter: 'telemetry-dlq', partitions: 4 },
 *   clickhouse: { url: 'http://127.0.0.1:18123', database: 'twinflow' },
 *   epochs: { intervalMs: 1_000, maxRecords: 5_000 }, pipeline: {},
 * };
 */
export interface MachineHealthKafkaOptions {
  readonly kafka: KafkaClientOptions;
  readonly registryUrl: string;
  /** Basic auth of the schema registry. */
  readonly registryAuth?: { readonly username: string; readonly password: () => string };
  readonly groupId: string;
  readonly instanceId: string;
  readonly topics: {
    readonly telemetry: string;
    readonly commands: string;
    readonly changelog: string;
    readonly deadLetter: string;
    /** Partitions of topics this job creates (the telemetry topic, when it does not exist yet). */
    readonly partitions: number;
    readonly replicationFactor?: number;
  };
  /** Without it, nothing goes to ClickHouse (commands and state still go to Kafka). */
  readonly clickhouse?: ClickHouseConnection;
  readonly epochs: { readonly intervalMs: number; readonly maxRecords: number };
  readonly pipeline: {
    readonly cataloguePath?: string;
    readonly assets?: number;
    readonly modelPath?: string;
    readonly tickMs?: number;
    readonly outOfOrdernessMs?: number;
    readonly idleTimeoutMs?: number;
    readonly outcomeTimeoutMs?: number;
  };
  readonly sessionTimeoutMs?: number;
  /**
   * Commands: signed (HMAC-SHA256 over the Avro body, key id in a header)
   * when `signing` is set; checked against absolute `bounds` at the sink as
   * a last line. The rate-of-change bound is the twin's own guardrail,
   * upstream: a stateful check here would forget its memory on restart and
   * make replays differ. A rejected command is not written, and counted.
   */
  readonly commands?: {
    readonly signing?: { readonly keyId: string; readonly key: { reveal(): string } };
    readonly bounds?: CommandGuardBounds;
  };
  /** See ExactlyOnceJobOptions.guarantee (at-least-once exists for comparison). */
  readonly guarantee?: 'exactly-once' | 'at-least-once';
  readonly log?: (event: JobEvent) => void;
  /** Each reading too late for its KPI window (metrics). */
  readonly onLateReading?: () => void;
  /** Each risk-model call: its duration and how many readings it scored (metrics). */
  readonly onScored?: (seconds: number, readings: number) => void;
  /** Batches written, retries, and rows ClickHouse refused for a value its column cannot take (the job goes on). */
  readonly clickhouseObserver?: ClickHouseSinkObserver;
  /** Each command the sink's bounds refused, with the reason; it is not written. */
  readonly onCommandRejected?: (rejected: { readonly commandId: string; readonly reason: string }) => void;
  /** The outputs of every committed epoch (tests, metrics). */
  readonly onCommitted?: (epoch: number, outputs: readonly MachineHealthOutput[]) => void;
}

/**
 * A started machine-health job on Kafka: `run()` until `stop()`; `close()`
 * releases the model and the ClickHouse client afterwards.
 *
 * @example
 * const running = await startMachineHealthOnKafka(options);
 * process.once('SIGTERM', () => void running.job.stop('SIGTERM'));
 * try { await running.job.run(); } finally { await running.close(); }
 */
export interface MachineHealthOnKafka {
  readonly job: ExactlyOnceJob<Telemetry, MachineHealthOutput>;
  readonly catalogue: Catalogue;
  close(): Promise<void>;
}

/**
 * Prepares the machine-health job on the real stack: topics (telemetry as
 * given, the changelog compacted and partitioned like it, commands, dead
 * letters), the contracts in the schema registry, the ClickHouse schema,
 * the surrogate; returns the exactly-once job, not yet running.
 */
export async function startMachineHealthOnKafka(
  options: MachineHealthKafkaOptions,
): Promise<MachineHealthOnKafka> {
  const { topics } = options;
  const base = await loadCatalogue(options.pipeline.cataloguePath ?? DEFAULT_CATALOGUE);
  const assets = options.pipeline.assets;
  const catalogue =
    assets === undefined || assets === base.assets.length ? base : scaleCatalogue(base, assets);
  const tickMs = options.pipeline.tickMs ?? 30_000;

  const input: TopicSpec = {
    topic: topics.telemetry,
    partitions: topics.partitions,
    replicationFactor: topics.replicationFactor,
  };
  const admin = newKafka(options.kafka).admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [
      input,
      changelogTopicSpec(topics.changelog, input),
      { topic: topics.commands, partitions: topics.partitions, replicationFactor: topics.replicationFactor },
      { topic: topics.deadLetter, partitions: 1, replicationFactor: topics.replicationFactor },
    ]);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }

  const registry = new ConfluentSchemaRegistry({ host: options.registryUrl, auth: options.registryAuth });
  const telemetrySerde = new AvroSerde(registry, telemetrySchema);
  const commandSerde = new AvroSerde(registry, commandSchema);
  // Contracts are registered (and checked BACKWARD) at start-up, not on the first command.
  await commandSerde.prepare(topics.commands);

  let client: ClickHouseClient | undefined;
  let sinks: MachineHealthClickHouse | undefined;
  let newSinks: (() => MachineHealthClickHouse) | undefined;
  if (options.clickhouse !== undefined) {
    const ch = options.clickhouse;
    const chClient = openClickHouse(ch);
    client = chClient;
    await migrate(chClient, { database: ch.database });
    // Fresh sinks for every operator graph: a sink that failed (ClickHouse down) stays failed,
    // and the restarted graph must not inherit it. Rows the old sinks still flush on close are
    // harmless: whoever replays that epoch derives the very same rows.
    newSinks = () => {
      void sinks?.close().catch(() => undefined);
      sinks = machineHealthClickHouse(chClient, ch.database, catalogue, options.clickhouseObserver);
      return sinks;
    };
  }

  const surrogate = await OnnxSurrogate.load(options.pipeline.modelPath ?? DEFAULT_MODEL);
  const hybrid = machineHealthRiskModel(surrogate);
  const onScored = options.onScored;
  const riskModel: RiskModel =
    onScored === undefined
      ? hybrid
      : {
          name: hybrid.name,
          assess: async (items) => {
            const started = performance.now();
            const out = await hybrid.assess(items);
            onScored((performance.now() - started) / 1000, items.length);
            return out;
          },
        };
  const deps = {
    catalogue,
    riskModel,
    policy: defaultPolicyConfig,
    outcomeTimeoutMs: options.pipeline.outcomeTimeoutMs ?? 10 * tickMs,
    onLateReading: options.onLateReading,
  };
  const sign = commandSigner(options.commands?.signing);
  const guard = options.commands?.bounds === undefined ? undefined : commandGuard(options.commands.bounds);
  const route = (record: StreamRecord<MachineHealthOutput>): readonly SinkMessage[] => {
    if (record.value.type !== 'command') return [];
    const command = record.value.command;
    const verdict = guard?.(command, undefined);
    if (verdict !== undefined && !verdict.ok) {
      options.onCommandRejected?.({ commandId: command.commandId, reason: verdict.reason });
      return [];
    }
    return [sign(commandMessage(commandSerde, topics.commands, command))];
  };

  const job = new ExactlyOnceJob<Telemetry, MachineHealthOutput>({
    kafka: options.kafka,
    groupId: options.groupId,
    instanceId: options.instanceId,
    source: {
      topics: [topics.telemetry],
      serde: telemetrySerde,
      tsOf: (t) => t.ts,
      check: telemetryCheck,
      watermarks: boundedOutOfOrderness(options.pipeline.outOfOrdernessMs ?? 5_000, {
        idleTimeoutMs: options.pipeline.idleTimeoutMs ?? 60_000,
      }),
      deadLetter: { topic: topics.deadLetter },
      sessionTimeoutMs: options.sessionTimeoutMs,
    },
    changelogTopic: topics.changelog,
    epochs: options.epochs,
    graph: (input$, snapshots) => machineHealth(input$, { ...deps, snapshots }),
    route,
    beforeCommit:
      newSinks === undefined ? undefined : () => throughSinks((newSinks as () => MachineHealthClickHouse)()),
    onCommitted: options.onCommitted,
    log: options.log,
    guarantee: options.guarantee,
  });
  return {
    job,
    catalogue,
    async close() {
      await sinks?.close().catch(() => undefined);
      await surrogate.close();
      await client?.close();
    },
  };
}

/** A command on the commands topic: keyed by asset (its commands stay in order), Avro in the Confluent frame. */
function commandMessage(serde: AvroSerde<Command>, topic: string, command: Command): SinkMessage {
  return {
    topic,
    key: command.assetId,
    value: serde.encodeSync(topic, command),
    headers: { 'twinflow-command-id': command.commandId },
  };
}
