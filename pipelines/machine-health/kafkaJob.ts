import type { Catalogue } from '../../connectors/catalogue/catalogue.js';
import { loadCatalogue } from '../../connectors/catalogue/loadCatalogue.js';
import { scaleCatalogue } from '../../connectors/catalogue/scaleCatalogue.js';
import type { ClickHouseSinkObserver } from '../../connectors/clickhouse/sinkObserver.js';
import type { KafkaClientOptions } from '../../connectors/kafka/kafkaClientOptions.js';
import { OnnxSurrogate } from '../../connectors/onnx/onnxSurrogate.js';
import type { Telemetry } from '../../operators/control/contracts.js';
import type { RiskModel } from '../../operators/scoring/riskModel.js';
import type { ClickHouseConnection } from '../../runtime/cli/clickhouseConnection.js';
import type { ExactlyOnceJob, JobEvent } from '../../runtime/exactlyOnce/exactlyOnceJob.js';
import { exactlyOnceJobFor, type JobOnKafka } from '../../runtime/exactlyOnce/exactlyOnceJobFor.js';
import type { StreamingJob } from '../../runtime/job/streamingJob.js';
import { type MachineHealthCommandOptions, machineHealthStreamingJob } from './definition.js';
import { DEFAULT_CATALOGUE, DEFAULT_MODEL, machineHealthRiskModel } from './embeddedJob.js';
import type { MachineHealthOutput } from './machineHealth.js';
import { machineHealthPolicyConfig } from './machineHealthPolicy.js';

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
  readonly commands?: MachineHealthCommandOptions;
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
 * The machine-health job for Kafka, built: the catalogue and the surrogate
 * loaded, the definition around them; `close()` releases the surrogate.
 */
export interface MachineHealthBuilt {
  readonly definition: StreamingJob<Telemetry, MachineHealthOutput>;
  readonly catalogue: Catalogue;
  close(): Promise<void>;
}

/**
 * Loads what the machine-health job needs on the real stack (the catalogue,
 * scaled to the configured assets, and the surrogate) and builds its
 * definition: what the runtime's `runOnKafka` runs.
 *
 * @example
 * const { definition, close } = await machineHealthOnKafka(options);
 */
export async function machineHealthOnKafka(
  options: Pick<
    MachineHealthKafkaOptions,
    'pipeline' | 'topics' | 'commands' | 'onScored' | 'onLateReading' | 'onCommandRejected'
  >,
): Promise<MachineHealthBuilt> {
  const base = await loadCatalogue(options.pipeline.cataloguePath ?? DEFAULT_CATALOGUE);
  const assets = options.pipeline.assets;
  const catalogue =
    assets === undefined || assets === base.assets.length ? base : scaleCatalogue(base, assets);
  const tickMs = options.pipeline.tickMs ?? 30_000;
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
  const definition = machineHealthStreamingJob(
    {
      catalogue,
      riskModel,
      policy: machineHealthPolicyConfig,
      outcomeTimeoutMs: options.pipeline.outcomeTimeoutMs ?? 10 * tickMs,
      onLateReading: options.onLateReading,
    },
    {
      commandsTopic: options.topics.commands,
      outOfOrdernessMs: options.pipeline.outOfOrdernessMs,
      idleTimeoutMs: options.pipeline.idleTimeoutMs,
      commands: options.commands,
      onCommandRejected: options.onCommandRejected,
    },
  );
  return { definition, catalogue, close: () => surrogate.close() };
}

/**
 * Prepares the machine-health job on the real stack from options (tests and
 * benchmarks build them directly): the job built, then the runtime's set-up
 * of any job (topics, contracts, ClickHouse schema); returns the
 * exactly-once job, not yet running.
 */
export async function startMachineHealthOnKafka(
  options: MachineHealthKafkaOptions,
): Promise<MachineHealthOnKafka> {
  const { topics } = options;
  const built = await machineHealthOnKafka(options);
  let running: JobOnKafka<Telemetry, MachineHealthOutput>;
  try {
    running = await exactlyOnceJobFor(built.definition, {
      kafka: options.kafka,
      registry: { url: options.registryUrl, auth: options.registryAuth },
      groupId: options.groupId,
      instanceId: options.instanceId,
      topics: {
        input: topics.telemetry,
        changelog: topics.changelog,
        deadLetter: topics.deadLetter,
        partitions: topics.partitions,
        replicationFactor: topics.replicationFactor,
      },
      clickhouse: options.clickhouse,
      clickhouseObserver: options.clickhouseObserver,
      epochs: options.epochs,
      sessionTimeoutMs: options.sessionTimeoutMs,
      guarantee: options.guarantee,
      log: options.log,
      onCommitted: options.onCommitted,
    });
  } catch (error) {
    await built.close();
    throw error;
  }
  return {
    job: running.job,
    catalogue: built.catalogue,
    async close() {
      await running.close();
      await built.close();
    },
  };
}
