import { parseArgs } from 'node:util';
import { telemetrySchema } from '../../connectors/avro/contractSchemas.js';
import { loadCatalogue } from '../../connectors/catalogue/loadCatalogue.js';
import { scaleCatalogue } from '../../connectors/catalogue/scaleCatalogue.js';
import {
  ProduceConnectError,
  type PublishReport,
  publishTelemetry,
} from '../../connectors/kafka/publishTelemetry.js';
import type { ProduceProgress } from '../../connectors/kafka/telemetryProducer.js';
import { PlantSimulator } from '../../connectors/simulator/plantSimulator.js';
import { UsageError } from '../../runtime/cli/flags.js';
import { instantFlag } from '../../runtime/cli/instantFlag.js';
import { DEFAULT_CATALOGUE, DEFAULT_FAULT_RATES } from './embeddedJob.js';
import { anchoredStartTs, produceTimeWarnings } from './produceTimeline.js';
import { machineHealthSettings } from './settings.js';

/**
 * Help text of `twinflow produce`.
 *
 * @example
 * console.log(PRODUCE_USAGE);
 */
export const PRODUCE_USAGE = `twinflow produce [options]   publish simulated machine-health telemetry (Avro) to Kafka
  --brokers LIST    bootstrap brokers, comma-separated (default 127.0.0.1:19092)
  --registry URL    Confluent-compatible schema registry (default http://127.0.0.1:18081/apis/ccompat/v7)
  --topic NAME      topic, created with --partitions when missing (default telemetry)
  --partitions N    partitions of a created topic; an existing topic must have as many (default 4)
  --assets N        assets (the catalogue's are cloned round-robin; default 100)
  --days D          simulated days to publish (default 1), or
  --ticks N         readings per asset to publish
  --tick S          simulated seconds per reading (default 30)
  --start-time T    simulated time of the first reading (ISO 8601 with a zone, e.g. 2026-12-04T06:00Z);
                    default: the run ends now (now − the simulated span, to the minute). A record's
                    timestamp is its event time, so readings older than the topic's retention.ms
                    (Kafka's default 7 days) are deleted by the broker at once: a warning says so
  --rate R          events per second (default 0: as fast as possible)
  --seed S          plant seed (default 42)
  --catalogue FILE  asset catalogue (default pipelines/machine-health/catalogue.yaml)
  --config FILE     take brokers, registry, topic, partitions, assets and tick from a job config;
                    flags given as well override it`;

/**
 * A `twinflow produce` run, validated.
 *
 * @example
 * const config: ProduceConfig = parseProduceArgs(['--assets', '12', '--ticks', '3']) as ProduceConfig;
 */
export interface ProduceConfig {
  readonly brokers: readonly string[];
  readonly registry: string;
  readonly topic: string;
  readonly partitions: number;
  readonly assets: number;
  readonly ticks: number;
  readonly tickS: number;
  readonly rate: number;
  readonly seed: number;
  readonly cataloguePath: string;
  /**
   * Simulated time of the first reading (epoch ms). It is the record
   * timestamp of the first readings too (see produceTimeline.ts), so it
   * must lie within the topic's retention of now: the command line's
   * default anchors the run to end now ({@link anchoredStartTs}).
   */
  readonly startTs: number;
}

/**
 * A command line `twinflow produce` cannot run; the message names the flag
 * and the value at fault. A UsageError, so the CLI prints it with the usage
 * hint and exits 2 like every other command's.
 *
 * @example
 * parseProduceArgs(['--rate', 'fast']); // throws ProduceUsageError: --rate must be a number >= 0, got "fast"
 */
export class ProduceUsageError extends UsageError {
  override readonly name: string = 'ProduceUsageError';
}

function number(
  name: string,
  raw: string | undefined,
  fallback: number,
  rule: 'positive integer' | 'positive number' | 'number >= 0' | 'integer >= 0',
): number {
  if (raw === undefined) return fallback;
  const n = raw.trim() === '' ? Number.NaN : Number(raw);
  const ok =
    Number.isFinite(n) &&
    (rule.startsWith('positive') ? n > 0 : n >= 0) &&
    (!rule.includes('integer') || Number.isInteger(n));
  if (!ok)
    throw new ProduceUsageError(
      `--${name} must be ${rule.startsWith('i') ? 'an' : 'a'} ${rule}, got "${raw}"`,
    );
  return n;
}

/**
 * Parses `twinflow produce` flags into a ProduceConfig, or 'help' for
 * -h/--help. Without --start-time the run is anchored to end at `now`.
 * Throws ProduceUsageError for an unknown flag, a bad value, or --days
 * together with --ticks.
 *
 * @example
 * parseProduceArgs(['--topic', 'telemetry-test', '--ticks', '3', '--assets', '12']);
 * // { brokers: ['127.0.0.1:19092'], topic: 'telemetry-test', ticks: 3, assets: 12, partitions: 4, rate: 0, seed: 42, startTs: …, … }
 */
export function parseProduceArgs(args: readonly string[], now: number = Date.now()): ProduceConfig | 'help' {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...args],
      options: {
        brokers: { type: 'string' },
        registry: { type: 'string' },
        topic: { type: 'string' },
        partitions: { type: 'string' },
        assets: { type: 'string' },
        days: { type: 'string' },
        ticks: { type: 'string' },
        tick: { type: 'string' },
        'start-time': { type: 'string' },
        rate: { type: 'string' },
        seed: { type: 'string' },
        catalogue: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ProduceUsageError(`produce: ${(error as Error).message}`, { cause: error });
  }
  if (values.help === true) return 'help';
  const text = (name: string) => values[name] as string | undefined;

  const brokers = (text('brokers') ?? '127.0.0.1:19092')
    .split(',')
    .map((b) => b.trim())
    .filter((b) => b !== '');
  const badBroker = brokers.find((b) => !/^[^\s:/]+:\d{1,5}$/.test(b));
  if (brokers.length === 0 || badBroker !== undefined) {
    throw new ProduceUsageError(
      `--brokers must be host:port[,host:port…], got "${text('brokers')}"${badBroker === undefined ? '' : ` ("${badBroker}" is not host:port)`}`,
    );
  }
  const registry = text('registry') ?? 'http://127.0.0.1:18081/apis/ccompat/v7';
  if (!URL.canParse(registry) || !/^https?:$/.test(new URL(registry).protocol)) {
    throw new ProduceUsageError(`--registry must be an http(s) URL, got "${registry}"`);
  }
  const topic = text('topic') ?? 'telemetry';
  if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic) || topic === '.' || topic === '..') {
    throw new ProduceUsageError(
      `--topic must be a legal Kafka topic name (a-z A-Z 0-9 . _ -), got "${topic}"`,
    );
  }
  const tickS = number('tick', text('tick'), 30, 'positive number');
  if (text('days') !== undefined && text('ticks') !== undefined) {
    throw new ProduceUsageError('--days and --ticks both say how much to publish: give one of them');
  }
  const ticks =
    text('ticks') !== undefined
      ? number('ticks', text('ticks'), 0, 'positive integer')
      : Math.max(1, Math.round((number('days', text('days'), 1, 'positive number') * 86_400) / tickS));
  const startText = text('start-time');
  let startTs: number;
  try {
    startTs =
      startText === undefined
        ? anchoredStartTs(ticks, tickS * 1000, now)
        : instantFlag('produce', 'start-time', startText);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new ProduceUsageError(error.message, { cause: error });
  }

  return {
    brokers,
    registry,
    topic,
    partitions: number('partitions', text('partitions'), 4, 'positive integer'),
    assets: number('assets', text('assets'), 100, 'positive integer'),
    ticks,
    tickS,
    rate: number('rate', text('rate'), 0, 'number >= 0'),
    seed: number('seed', text('seed'), 42, 'integer >= 0'),
    cataloguePath: text('catalogue') ?? DEFAULT_CATALOGUE,
    startTs,
  };
}

/**
 * The seeded plant a produce run publishes: the catalogue scaled to
 * `assets`, the embedded run's random fault rates. The same config gives
 * the same readings, so a consumer can check what it got.
 *
 * @example
 * const sim = await machineHealthSimulator(config);
 * sim.step(); // the first tick's readings, one per asset
 */
export async function machineHealthSimulator(
  config: Pick<ProduceConfig, 'assets' | 'seed' | 'tickS' | 'cataloguePath' | 'startTs'>,
): Promise<PlantSimulator> {
  const base = await loadCatalogue(config.cataloguePath);
  const catalogue = config.assets === base.assets.length ? base : scaleCatalogue(base, config.assets);
  return new PlantSimulator({
    catalogue,
    seed: config.seed,
    startTs: config.startTs,
    tickMs: config.tickS * 1000,
    faults: { random: DEFAULT_FAULT_RATES },
  });
}

/**
 * What a produce run did: the producer's report plus what it found on the broker.
 *
 * @example
 * const { events, topics } = await produceMachineHealthTelemetry(config);
 */
export type ProduceRunReport = PublishReport;

/** Re-exported where it was: the produce command's callers catch it. */
export { ProduceConnectError };

/**
 * Publishes the seeded plant's telemetry to Kafka: ensures the topic (with
 * `partitions`), registers the telemetry contract under `<topic>-value`
 * (BACKWARD), and sends `ticks` readings per asset keyed by asset id
 * through an idempotent producer (acks=all), paced to `rate` events/s.
 * Every client is disconnected when it returns or throws.
 *
 * @example
 * const report = await produceMachineHealthTelemetry(parseProduceArgs(['--ticks', '10']) as ProduceConfig);
 * report.events; // 1000 (100 assets × 10 ticks)
 */
export async function produceMachineHealthTelemetry(
  config: ProduceConfig,
  onProgress?: (progress: ProduceProgress) => void,
  signal?: AbortSignal,
): Promise<ProduceRunReport> {
  return publishTelemetry({
    brokers: config.brokers,
    registry: config.registry,
    topic: config.topic,
    partitions: config.partitions,
    schema: telemetrySchema,
    source: await machineHealthSimulator(config),
    // Kafka's convention, CreateTime = event time: a replay seeks by it (offsetsForTimes).
    timestampOf: (reading) => reading.ts,
    ticks: config.ticks,
    rate: config.rate,
    onProgress,
    signal,
  });
}

/**
 * Where `twinflow produce` writes: the summary on `out` (stdout), progress
 * on `err` (stderr), so the summary can be piped.
 *
 * @example
 * await runProduceFromCli(['--ticks', '3'], { out: console.log, err: (l) => process.stderr.write(`${l}\n`) });
 */
export interface ProduceCliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const STD_IO: ProduceCliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Progress lines at most this often, so a fast run does not flood the terminal. */
const PROGRESS_EVERY_MS = 1000;

/**
 * `twinflow produce`: parses flags, publishes, reports progress (events/s)
 * on stderr about once a second and a summary on stdout; resolves to the
 * exit code. Ctrl-C stops after the tick in progress, with everything sent
 * acknowledged. Bad flags throw ProduceUsageError (the CLI prints it with
 * the usage hint).
 *
 * @example
 * process.exitCode = await runProduceFromCli(['--assets', '12', '--ticks', '100', '--rate', '500']);
 */
export async function runProduceFromCli(
  args: string[],
  io: ProduceCliIo = STD_IO,
  now: () => number = Date.now,
): Promise<number> {
  const config = parseProduceArgs(await withJobConfigFlags(args), now());
  if (config === 'help') {
    io.out(PRODUCE_USAGE);
    return 0;
  }
  const lastTs = config.startTs + (config.ticks - 1) * config.tickS * 1000;
  io.err(
    `twinflow produce: ${config.assets} assets × ${config.ticks} ticks (${config.tickS} s each), seed ${config.seed}, ` +
      `event time ${new Date(config.startTs).toISOString()} → ${new Date(lastTs).toISOString()}, ` +
      `to ${config.topic} on ${config.brokers.join(',')}${config.rate > 0 ? ` at ${config.rate} events/s` : ''}`,
  );
  for (const warning of produceTimeWarnings(config.startTs, config.ticks, config.tickS * 1000, now())) {
    io.err(`twinflow produce: warning: ${warning}`);
  }
  let lastPrinted = Number.NEGATIVE_INFINITY;
  const onProgress = (p: ProduceProgress) => {
    if (p.elapsedMs - lastPrinted < PROGRESS_EVERY_MS && p.ticks < p.totalTicks) return;
    lastPrinted = p.elapsedMs;
    io.err(`  tick ${p.ticks}/${p.totalTicks}, ${p.events} events, ${Math.round(p.eventsPerSec)} events/s`);
  };
  const stop = new AbortController();
  const onSigint = () => stop.abort();
  process.once('SIGINT', onSigint);
  try {
    const report = await produceMachineHealthTelemetry(config, onProgress, stop.signal);
    const created = report.topics.created.includes(report.topic) ? ' (created)' : '';
    io.out(
      `produced ${report.events} events (${report.ticks} ticks × ${config.assets} assets) to ${report.topic}${created} ` +
        `in ${(report.elapsedMs / 1000).toFixed(1)} s: ${Math.round(report.eventsPerSec)} events/s`,
    );
    return 0;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

/**
 * `--config FILE` turned into the flags it stands for, placed before the
 * others so that flags given explicitly win (the last occurrence counts).
 */
async function withJobConfigFlags(args: readonly string[]): Promise<string[]> {
  const at = args.indexOf('--config');
  if (at < 0) return [...args];
  const file = args[at + 1];
  if (file === undefined || file.startsWith('--')) throw new ProduceUsageError('--config needs a file');
  const { loadJobConfig } = await import('../../runtime/config/jobConfig.js');
  const config = await loadJobConfig(file, process.env, machineHealthSettings);
  if (config.kafka.sasl !== undefined || config.kafka.tls !== undefined) {
    throw new ProduceUsageError(
      `produce: ${file} asks for Kafka SASL/TLS, which twinflow produce does not support yet (it is a load and demo tool)`,
    );
  }
  const flags = [
    '--brokers',
    config.kafka.brokers.join(','),
    '--registry',
    config.schemaRegistry.url,
    '--topic',
    config.topics.input,
    '--partitions',
    String(config.topics.partitions),
    '--tick',
    String(config.pipeline.tickMs / 1000),
  ];
  if (config.pipeline.assets !== undefined) flags.push('--assets', String(config.pipeline.assets));
  if (config.pipeline.catalogue !== undefined) flags.push('--catalogue', config.pipeline.catalogue);
  return [...flags, ...args.slice(0, at), ...args.slice(at + 2)];
}
