import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { ClickHouseClient } from '@clickhouse/client';
import { Subject, type Subscription } from 'rxjs';
import { AvroSerde } from '../../connectors/avro/avroSerde.js';
import { ConfluentSchemaRegistry } from '../../connectors/avro/confluentSchemaRegistry.js';
import { telemetrySchema } from '../../connectors/avro/contractSchemas.js';
import { AvroDecodeError } from '../../connectors/avro/errors.js';
import { loadCatalogue } from '../../connectors/catalogue/loadCatalogue.js';
import { scaleCatalogue } from '../../connectors/catalogue/scaleCatalogue.js';
import { migrate } from '../../connectors/clickhouse/migrations.js';
import { kafkaJavascript, newKafka } from '../../connectors/kafka/kafkaClient.js';
import { rdkafkaConfig } from '../../connectors/kafka/kafkaClientOptions.js';
import { PartitionWatermarks } from '../../connectors/kafka/partitionWatermarks.js';
import { OnnxSurrogate } from '../../connectors/onnx/onnxSurrogate.js';
import type { Telemetry } from '../../operators/control/contracts.js';
import { defaultPolicyConfig } from '../../operators/control/policy.js';
import { telemetryCheck } from '../../operators/control/telemetryCheck.js';
import { barrier, record, type StreamElement, watermark } from '../../operators/core/element.js';
import { throughSinks } from '../../operators/core/throughSinks.js';
import { boundedOutOfOrderness } from '../../operators/time/watermarkStrategy.js';
import {
  type ClickHouseConnection,
  describeClickHouseFailure,
  openClickHouse,
} from '../../runtime/cli/clickhouseConnection.js';
import { type CommandIo, processIo } from '../../runtime/cli/commandIo.js';
import { positiveInteger, UsageError } from '../../runtime/cli/flags.js';
import { ConfigError, type JobConfig, loadJobConfig } from '../../runtime/config/jobConfig.js';
import {
  type MachineHealthClickHouse,
  machineHealthClickHouse,
  type RowsWritten,
} from './clickhouseTables.js';
import { DEFAULT_CATALOGUE, DEFAULT_MODEL, machineHealthRiskModel } from './embeddedJob.js';
import { machineHealthOptionsOf } from './kafkaCli.js';
import type { MachineHealthKafkaOptions } from './kafkaJob.js';
import { type MachineHealthDeps, machineHealth, UnknownAssetError } from './machineHealth.js';
import { type MachineHealthSettings, machineHealthSettings } from './settings.js';

/**
 * Help text of `twinflow replay`.
 *
 * @example
 * console.log(REPLAY_USAGE);
 */
export const REPLAY_USAGE = `twinflow replay --config FILE --database NAME (--from-beginning | --from-time T | --from-offsets P:O,…) [options]
  re-runs the machine-health pipeline over the config's telemetry topic into a scratch ClickHouse
  database, for what-if analysis: the same operator graph as the job, in this process, with a
  consumer that joins no group and commits nothing; nothing is written to Kafka

Options:
  -c, --config FILE          the job config: Kafka, schema registry, topics, ClickHouse, pipeline
  -d, --database NAME        the ClickHouse database to write into (migrated first); must differ
                             from the config's own clickhouse.database
      --from-beginning       every partition from its first offset
      --from-time T          from event time T (ISO 8601 with a zone, e.g. 2026-01-05T06:00Z): each
                             partition from its first message timestamped at or after T; readings
                             before T are skipped
      --from-offsets P:O,…   partition P from offset O (e.g. 0:120,1:98); partitions not named are
                             not read
      --until-time T         stop at event time T (exclusive; ISO 8601 with a zone); default: the
                             topic's end offsets when the replay starts
      --assets N             assets of the catalogue (default: the config's pipeline.assets)
  -h, --help                 show this help

Operator state starts empty at the start point: no state is restored from the job's changelog.
The last KPI windows are closed at the end. Exit code: 0 done, 1 Kafka, the registry or ClickHouse
failed, 2 a mistake in the command line, 130 interrupted (Ctrl-C; what was read is flushed).`;

/**
 * Where a replay starts reading the telemetry topic.
 *
 * @example
 * const start: ReplayStart = { kind: 'offsets', offsets: new Map([[0, 120], [1, 98]]) };
 */
export type ReplayStart =
  | { readonly kind: 'beginning' }
  | { readonly kind: 'time'; readonly ts: number }
  | { readonly kind: 'offsets'; readonly offsets: ReadonlyMap<number, number> };

/**
 * A `twinflow replay` command line, validated.
 *
 * @example
 * const args: ReplayArgs = { configPath: 'job.yaml', database: 'whatif', from: { kind: 'beginning' } };
 */
export interface ReplayArgs {
  readonly configPath: string;
  readonly database: string;
  readonly from: ReplayStart;
  /** Event time (epoch ms) at which the replay stops, exclusive. */
  readonly untilTs?: number;
  readonly assets?: number;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SYSTEM_DATABASES = new Set(['system', 'information_schema', 'INFORMATION_SCHEMA']);

/**
 * Parses `twinflow replay` flags, or 'help' for -h/--help. Throws
 * UsageError naming the flag at fault: a missing --config or --database,
 * not exactly one of --from-beginning/--from-time/--from-offsets, a time
 * that is not ISO 8601 with a zone, a malformed offset list, --until-time
 * not after --from-time.
 *
 * @example
 * parseReplayArgs(['--config', 'job.yaml', '--database', 'whatif', '--from-offsets', '0:120,1:98']);
 * // { configPath: 'job.yaml', database: 'whatif', from: { kind: 'offsets', offsets: Map { 0 => 120, 1 => 98 } } }
 */
export function parseReplayArgs(argv: readonly string[]): ReplayArgs | 'help' {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(argv);
  } catch (error) {
    throw new UsageError(`replay: ${(error as Error).message}`, { cause: error });
  }
  const { values, positionals } = parsed;
  if (values.help === true) return 'help';
  if (positionals.length > 0) {
    throw new UsageError(`replay: unexpected argument "${positionals[0]}" (replay takes only options)`);
  }
  if (values.config === undefined) throw new UsageError('replay: --config FILE is required');
  const database = values.database;
  if (database === undefined) {
    throw new UsageError('replay: --database NAME is required (a scratch database to write into)');
  }
  if (!IDENTIFIER.test(database)) {
    throw new UsageError(
      `replay: --database must be an identifier (letters, digits, "_", not starting with a digit), got "${database}"`,
    );
  }
  if (SYSTEM_DATABASES.has(database)) {
    throw new UsageError(`replay: --database ${database} is ClickHouse's own; name a scratch database`);
  }
  const starts = (['from-beginning', 'from-time', 'from-offsets'] as const).filter(
    (flag) => values[flag] !== undefined && values[flag] !== false,
  );
  if (starts.length !== 1) {
    throw new UsageError(
      starts.length === 0
        ? 'replay: say where to start: --from-beginning, --from-time T or --from-offsets P:O,…'
        : `replay: give one start, not ${starts.map((f) => `--${f}`).join(' and ')}`,
    );
  }
  let from: ReplayStart;
  if (values['from-time'] !== undefined) {
    from = { kind: 'time', ts: parseInstant('from-time', values['from-time']) };
  } else if (values['from-offsets'] !== undefined) {
    from = { kind: 'offsets', offsets: parseOffsets(values['from-offsets']) };
  } else {
    from = { kind: 'beginning' };
  }
  const untilTs =
    values['until-time'] === undefined ? undefined : parseInstant('until-time', values['until-time']);
  if (untilTs !== undefined && from.kind === 'time' && untilTs <= from.ts) {
    throw new UsageError(
      `replay: --until-time (${values['until-time']}) must be after --from-time (${values['from-time']})`,
    );
  }
  return {
    configPath: values.config,
    database,
    from,
    ...(untilTs === undefined ? {} : { untilTs }),
    ...(values.assets === undefined ? {} : { assets: positiveInteger('assets', values.assets, 0) }),
  };
}

function parseFlags(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      config: { type: 'string', short: 'c' },
      database: { type: 'string', short: 'd' },
      'from-beginning': { type: 'boolean' },
      'from-time': { type: 'string' },
      'from-offsets': { type: 'string' },
      'until-time': { type: 'string' },
      assets: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
}

const ISO_INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * An ISO 8601 instant as epoch ms: a date (midnight UTC), or a date and
 * time with a zone (`Z` or `±hh:mm`). A time without a zone is refused: it
 * would mean the local time of whichever machine runs the command.
 */
function parseInstant(flag: string, raw: string): number {
  const m = ISO_INSTANT.exec(raw.trim());
  const bad = (why: string) =>
    new UsageError(`replay: --${flag} must be an ISO 8601 time with a zone, e.g. 2026-01-05T06:00Z; ${why}`);
  if (m === null) throw bad(`got "${raw}"`);
  const [, y, mo, d, h, mi, s, fraction, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) throw bad(`"${raw}" is not a calendar date`);
  if (h === undefined) return Date.UTC(year, month - 1, day);
  if (zone === undefined) throw bad(`"${raw}" has no zone (add Z for UTC)`);
  if (Number(h) > 23 || Number(mi) > 59 || Number(s ?? 0) > 59) throw bad(`"${raw}" is not a time of day`);
  const ms = (fraction ?? '').padEnd(3, '0').slice(0, 3);
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  return Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}.${ms}${offset}`);
}

/** `0:120,1:98` → partition → offset; each partition once, both non-negative integers. */
function parseOffsets(raw: string): Map<number, number> {
  const offsets = new Map<number, number>();
  const bad = (why: string) =>
    new UsageError(`replay: --from-offsets must be PARTITION:OFFSET pairs like 0:120,1:98; ${why}`);
  const nonNegative = /^\d+$/;
  for (const item of raw.split(',')) {
    const pair = item.trim();
    const [p, o, ...rest] = pair.split(':');
    if (
      p === undefined ||
      o === undefined ||
      rest.length > 0 ||
      !nonNegative.test(p) ||
      !nonNegative.test(o)
    ) {
      throw bad(`"${pair}" is not one`);
    }
    const partition = Number(p);
    const offset = Number(o);
    if (!Number.isSafeInteger(partition) || !Number.isSafeInteger(offset))
      throw bad(`"${pair}" is too large`);
    if (offsets.has(partition)) throw bad(`partition ${partition} is named twice`);
    offsets.set(partition, offset);
  }
  return offsets;
}

/**
 * A partition's offsets when the replay starts: `low` the first one still
 * in the log, `end` the read_committed end (the next offset to be written).
 *
 * @example
 * const marks: PartitionMarks = { partition: 0, low: 0, end: 2_400 };
 */
export interface PartitionMarks {
  readonly partition: number;
  readonly low: number;
  readonly end: number;
}

/**
 * The offsets of one partition a replay reads: `from` inclusive, `to`
 * exclusive (empty when equal).
 *
 * @example
 * const range: ReplayRange = { partition: 0, from: 1_200, to: 2_400 };
 */
export interface ReplayRange {
  readonly partition: number;
  readonly from: number;
  readonly to: number;
}

/**
 * The ranges a replay reads, from the topic's offsets at its start: each
 * partition up to its end then, from where `start` says. `byTime` is, for
 * --from-time, each partition's first offset timestamped at or after the
 * time (a partition missing from it has none: nothing to read). Starts
 * below a partition's first offset (removed by retention) move up to it,
 * with a note. Throws UsageError when --from-offsets names a partition the
 * topic does not have.
 *
 * @example
 * replayRanges('telemetry', { kind: 'beginning' }, [{ partition: 0, low: 0, end: 10 }]);
 * // { ranges: [{ partition: 0, from: 0, to: 10 }], notes: [] }
 */
export function replayRanges(
  topic: string,
  start: ReplayStart,
  marks: readonly PartitionMarks[],
  byTime: ReadonlyMap<number, number> = new Map(),
): { ranges: ReplayRange[]; notes: string[] } {
  const sorted = [...marks].sort((a, b) => a.partition - b.partition);
  const notes: string[] = [];
  if (start.kind === 'offsets') {
    const known = new Set(sorted.map((m) => m.partition));
    const unknown = [...start.offsets.keys()].filter((p) => !known.has(p));
    if (unknown.length > 0) {
      throw new UsageError(
        `replay: --from-offsets names partition ${unknown.join(', ')}, but topic ${topic} has partitions ${describePartitions(sorted)}`,
      );
    }
    const unnamed = sorted.filter((m) => !start.offsets.has(m.partition)).map((m) => m.partition);
    if (unnamed.length > 0) {
      notes.push(`partition ${unnamed.join(', ')} not named in --from-offsets: not read`);
    }
  }
  const ranges: ReplayRange[] = [];
  for (const { partition, low, end } of sorted) {
    let from: number;
    if (start.kind === 'beginning') from = low;
    else if (start.kind === 'time') from = byTime.get(partition) ?? end;
    else {
      const asked = start.offsets.get(partition);
      if (asked === undefined) continue;
      from = asked;
      if (asked < low) {
        notes.push(`partition ${partition}: offset ${asked} is gone (retention); starting at ${low}`);
      } else if (asked > end) {
        notes.push(`partition ${partition}: offset ${asked} is past the end (${end}); nothing to read`);
      }
    }
    ranges.push({ partition, from: Math.min(Math.max(from, low), end), to: end });
  }
  return { ranges, notes };
}

function describePartitions(marks: readonly PartitionMarks[]): string {
  if (marks.length === 0) return 'none';
  const ids = marks.map((m) => m.partition);
  const contiguous = ids.every((p, i) => p === ids[0]! + i);
  return contiguous && ids.length > 2 ? `${ids[0]}-${ids[ids.length - 1]}` : ids.join(', ');
}

/**
 * The watermark that closes every tumbling window holding a record up to
 * `maxTs` (a window fires at its end − 1), and no later: a watermark at
 * +Infinity would also fire every asset's silence timer, and the twin
 * would answer the end of the replay with DATA_STALE alerts and fail-safe
 * commands that the plant never caused.
 *
 * @example
 * closingWatermark(90_000, 60_000); // 119_999: the window [60 000, 120 000) fires
 */
export function closingWatermark(maxTs: number, windowMs: number): number {
  return Math.floor(maxTs / windowMs) * windowMs + windowMs - 1;
}

/**
 * What a replay runs against and where it writes. `clickhouse.database` is
 * the scratch database (see {@link replayOptionsOf}, which refuses the
 * job's own).
 *
 * @example
 * const options = replayOptionsOf(await loadJobConfig('job.yaml', process.env, machineHealthSettings), parseReplayArgs(argv) as ReplayArgs);
 */
export interface MachineHealthReplayOptions
  extends Pick<MachineHealthKafkaOptions, 'kafka' | 'registryUrl' | 'registryAuth' | 'pipeline'> {
  readonly topic: string;
  readonly from: ReplayStart;
  readonly untilTs?: number;
  readonly clickhouse: ClickHouseConnection;
  /** A barrier (ClickHouse flush) every this many records. */
  readonly barrierEvery: number;
  /** Called after every batch read (the CLI prints about once a second). */
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Things worth telling the user before reading starts (partitions skipped, starts moved). */
  readonly onNote?: (note: string) => void;
  /** Stops reading; what was read is still flushed. */
  readonly signal?: AbortSignal;
  /** No message and no progress for this long fails the replay (default 60 000 ms). */
  readonly stallTimeoutMs?: number;
}

/**
 * A replay's progress, after a batch.
 *
 * @example
 * const p: ReplayProgress = { records: 12_000, read: 12_000, total: 48_000, eventTs: 1_767_600_000_000,
 *   watermark: 1_767_599_000_000, elapsedMs: 3_000 };
 */
export interface ReplayProgress {
  /** Records handed to the operator graph. */
  readonly records: number;
  /** Messages read, of `total` in the ranges (markers and skipped ones count; --until-time may stop short of it). */
  readonly read: number;
  readonly total: number;
  /** The newest event time handed over (−Infinity before the first). */
  readonly eventTs: number;
  /** Event time up to which every partition has been read (−Infinity until each has delivered). */
  readonly watermark: number;
  readonly elapsedMs: number;
}

/**
 * What a replay did.
 *
 * @example
 * const { records, commands, rows } = await replayMachineHealth(options);
 */
export interface ReplayReport {
  readonly topic: string;
  readonly database: string;
  readonly ranges: readonly ReplayRange[];
  /** Records handed to the operator graph. */
  readonly records: number;
  /** Messages the job would dead-letter (undecodable, or without a valid event time); skipped. */
  readonly poison: number;
  /** Readings before --from-time or at/after --until-time; skipped. */
  readonly outsideTime: number;
  readonly commands: number;
  readonly alerts: number;
  readonly kpis: number;
  readonly rows: RowsWritten;
  /** Event time span of the records (undefined when there were none). */
  readonly firstTs?: number;
  readonly lastTs?: number;
  readonly elapsedMs: number;
  readonly interrupted: boolean;
}

/**
 * Which step of a replay failed: 'plan' (the topic's offsets), 'connect',
 * 'read' (consuming, or no progress for the stall timeout), 'decode' (the
 * registry, not the bytes).
 */
export type ReplayStage = 'plan' | 'connect' | 'read' | 'decode';

/**
 * A replay failed talking to Kafka or the schema registry. `retriable` is
 * the cause's own flag (true for a stall).
 *
 * @example
 * catch (e) { if (e instanceof ReplayError && e.retriable) console.error('try again'); }
 */
export class ReplayError extends Error {
  override readonly name = 'ReplayError';
  readonly retriable: boolean;

  constructor(
    readonly stage: ReplayStage,
    subject: string,
    options: { cause: unknown },
  ) {
    const cause = options.cause;
    super(
      `replay ${stage} failed for ${subject}: ${cause instanceof Error ? cause.message : String(cause)}`,
      options,
    );
    this.retriable = (cause as { retriable?: unknown } | undefined)?.retriable === true;
  }
}

/**
 * The replay's options from the job config and the command line: the
 * config's Kafka, registry, telemetry topic, pipeline settings and
 * ClickHouse server, with `args.database` as the database and a barrier
 * every `epochs.maxRecords` records. Throws UsageError when `args.database`
 * is the config's own `clickhouse.database`: a what-if never writes over
 * the job's facts.
 *
 * @example
 * const options = replayOptionsOf(config, { configPath: 'job.yaml', database: 'whatif', from: { kind: 'beginning' } });
 * options.clickhouse.database; // 'whatif'
 */
export function replayOptionsOf(
  config: JobConfig<MachineHealthSettings>,
  args: ReplayArgs,
  hooks: Pick<MachineHealthReplayOptions, 'onProgress' | 'onNote' | 'signal'> = {},
): MachineHealthReplayOptions {
  if (args.database === config.clickhouse.database) {
    throw new UsageError(
      `replay: --database ${args.database} is the job's own database (clickhouse.database in ${args.configPath}); ` +
        'a replay writes into a scratch database, never over the job’s facts: name another one',
    );
  }
  const job = machineHealthOptionsOf(config);
  const { url, username, password, tls } = config.clickhouse;
  return {
    kafka: { ...job.kafka, clientId: `${job.kafka.clientId ?? 'twinflow'}-replay` },
    registryUrl: job.registryUrl,
    registryAuth: job.registryAuth,
    pipeline: { ...job.pipeline, ...(args.assets === undefined ? {} : { assets: args.assets }) },
    topic: job.topics.telemetry,
    from: args.from,
    ...(args.untilTs === undefined ? {} : { untilTs: args.untilTs }),
    clickhouse: { url, database: args.database, username, password, tls },
    barrierEvery: job.epochs.maxRecords,
    ...hooks,
  };
}

const KPI_WINDOW_MS = 60_000;
const BATCH = 1_000;

interface ConsumedMessage {
  readonly partition: number;
  readonly offset: number;
  readonly key?: string | Buffer | null;
  readonly value: Buffer | null;
}

/**
 * Re-runs the machine-health operator graph over a finite stretch of the
 * telemetry topic, in this process, into `clickhouse.database` (migrated
 * first). Reads each partition of `ranges` with an assigned consumer (a
 * fresh group id, never joined, nothing committed, read_committed) up to
 * the end offsets found at the start, or until a reading lies
 * out-of-orderness past `untilTs`. Watermarks per partition, as the job's
 * source makes them (bounded out-of-orderness, no idleness: a finished
 * partition simply stops counting); a barrier every `barrierEvery` records
 * flushes the ClickHouse sinks; at the end a closing watermark fires the
 * last KPI windows. Nothing is written to Kafka.
 *
 * @example
 * const report = await replayMachineHealth(replayOptionsOf(config, args));
 * console.log(report.records, report.commands);
 */
export async function replayMachineHealth(options: MachineHealthReplayOptions): Promise<ReplayReport> {
  const { topic, pipeline } = options;
  const started = performance.now();
  const marks = await partitionMarks(options);
  const byTime = options.from.kind === 'time' ? await offsetsAtTime(options, options.from.ts) : undefined;
  const { ranges, notes } = replayRanges(topic, options.from, marks, byTime);
  for (const note of notes) options.onNote?.(note);

  const base = await loadCatalogue(pipeline.cataloguePath ?? DEFAULT_CATALOGUE);
  const catalogue =
    pipeline.assets === undefined || pipeline.assets === base.assets.length
      ? base
      : scaleCatalogue(base, pipeline.assets);
  const tickMs = pipeline.tickMs ?? 30_000;
  const outOfOrdernessMs = pipeline.outOfOrdernessMs ?? 5_000;
  const database = options.clickhouse.database;

  const client: ClickHouseClient = openClickHouse(options.clickhouse);
  let surrogate: OnnxSurrogate | undefined;
  let sinks: MachineHealthClickHouse | undefined;
  let graph: ReplayGraph | undefined;
  try {
    await migrate(client, { database });
    const before = await client.query({
      query: `SELECT count() AS n FROM ${database}.telemetry_enriched`,
      format: 'JSONEachRow',
    });
    const [held] = await before.json<{ n: string }>();
    if (Number(held?.n ?? 0) > 0) {
      options.onNote?.(
        `database ${database} already holds ${held!.n} telemetry rows; this replay's rows join them ` +
          '(identical facts collapse in the *_dedup views); use a new name for a clean what-if',
      );
    }
    surrogate = await OnnxSurrogate.load(pipeline.modelPath ?? DEFAULT_MODEL);
    sinks = machineHealthClickHouse(client, database, catalogue);
    graph = replayGraph(
      {
        catalogue,
        riskModel: machineHealthRiskModel(surrogate),
        policy: defaultPolicyConfig,
        outcomeTimeoutMs: pipeline.outcomeTimeoutMs ?? 10 * tickMs,
        kpiWindowMs: KPI_WINDOW_MS,
      },
      sinks,
    );
    const read = await readRanges(options, ranges, outOfOrdernessMs, graph, started);
    await sinks.close();
    return {
      topic,
      database,
      ranges,
      ...read,
      commands: graph.counts.commands,
      alerts: graph.counts.alerts,
      kpis: graph.counts.kpis,
      rows: { ...sinks.written },
      elapsedMs: performance.now() - started,
    };
  } finally {
    // After a failure: nothing may still call the model or the sinks while they close.
    graph?.stop();
    await sinks?.close().catch(() => undefined);
    await surrogate?.close();
    await client.close();
  }
}

/** The operator graph with its input, its sinks and what came out of it. */
interface ReplayGraph {
  readonly input: Subject<StreamElement<Telemetry>>;
  readonly counts: { commands: number; alerts: number; kpis: number };
  /** Resolves once barrier `epoch` has passed the sinks (its rows are in ClickHouse). */
  passed(epoch: number): Promise<void>;
  /** The graph's failure, if it failed. */
  failure(): unknown;
  readonly done: Promise<void>;
  /** Unsubscribes (no-op once complete). */
  stop(): void;
}

function replayGraph(deps: MachineHealthDeps, sinks: MachineHealthClickHouse): ReplayGraph {
  const input = new Subject<StreamElement<Telemetry>>();
  const counts = { commands: 0, alerts: 0, kpis: 0 };
  let passedEpoch = 0;
  let failed: { error: unknown } | undefined;
  let waiter: { epoch: number; resolve: () => void; reject: (error: unknown) => void } | undefined;
  let subscription: Subscription | undefined;
  const done = new Promise<void>((resolve, reject) => {
    subscription = machineHealth(input, deps)
      .pipe(throughSinks(sinks))
      .subscribe({
        next(e) {
          if (e.kind === 'record') {
            const type = e.value.type;
            if (type === 'command') counts.commands++;
            else if (type === 'alert') counts.alerts++;
            else if (type === 'kpi') counts.kpis++;
          } else if (e.kind === 'barrier') {
            passedEpoch = e.epoch;
            if (waiter !== undefined && passedEpoch >= waiter.epoch) {
              const w = waiter;
              waiter = undefined;
              w.resolve();
            }
          }
        },
        error(error) {
          failed = { error };
          waiter?.reject(error);
          waiter = undefined;
          reject(error);
        },
        complete: resolve,
      });
  });
  done.catch(() => undefined);
  return {
    input,
    counts,
    done,
    failure: () => failed?.error,
    stop: () => subscription?.unsubscribe(),
    passed(epoch) {
      if (failed !== undefined) return Promise.reject(failed.error);
      if (passedEpoch >= epoch) return Promise.resolve();
      return new Promise((resolve, reject) => {
        waiter = { epoch, resolve, reject };
      });
    },
  };
}

/** Per partition, the first offset in the log and the read_committed end, now. */
async function partitionMarks(options: MachineHealthReplayOptions): Promise<PartitionMarks[]> {
  const admin = newKafka(options.kafka).admin();
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(options.topic, {
      isolationLevel: kafkaJavascript().KafkaJS.IsolationLevel.READ_COMMITTED,
    });
    return offsets.map((o) => ({ partition: o.partition, low: Number(o.low), end: Number(o.offset) }));
  } catch (error) {
    throw new ReplayError(
      'plan',
      `topic ${options.topic} on ${options.kafka.brokers.join(',')} (its end offsets)`,
      { cause: error },
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Per partition, the first offset whose message timestamp is at or after
 * `ts` (the producer stamps readings with their event time). The admin
 * answers the end offset where there is none; that reads nothing.
 */
async function offsetsAtTime(options: MachineHealthReplayOptions, ts: number): Promise<Map<number, number>> {
  const admin = newKafka(options.kafka).admin();
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsetsByTimestamp(options.topic, ts, {
      isolationLevel: kafkaJavascript().KafkaJS.IsolationLevel.READ_COMMITTED,
    });
    return new Map(offsets.map((o) => [o.partition, Number(o.offset)]));
  } catch (error) {
    throw new ReplayError('plan', `topic ${options.topic} (offsets at ${new Date(ts).toISOString()})`, {
      cause: error,
    });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

type ReadSummary = Pick<
  ReplayReport,
  'records' | 'poison' | 'outsideTime' | 'firstTs' | 'lastTs' | 'interrupted'
>;

/** Consumes the ranges into the graph, closes the last windows, flushes, completes. */
async function readRanges(
  options: MachineHealthReplayOptions,
  ranges: readonly ReplayRange[],
  outOfOrdernessMs: number,
  graph: ReplayGraph,
  started: number,
): Promise<ReadSummary> {
  const { topic, untilTs } = options;
  const fromTs = options.from.kind === 'time' ? options.from.ts : Number.NEGATIVE_INFINITY;
  const serde = new AvroSerde<Telemetry>(
    new ConfluentSchemaRegistry({ host: options.registryUrl, auth: options.registryAuth }),
    telemetrySchema,
  );
  const { input } = graph;
  // No idleness: a partition is only ever behind because its messages are still being fetched,
  // and the replay knows when one is finished.
  const clocks = new PartitionWatermarks(boundedOutOfOrderness(outOfOrdernessMs), (ts) =>
    input.next(watermark(ts)),
  );
  const open = new Map<number, ReplayRange>();
  for (const r of ranges) if (r.to > r.from) open.set(r.partition, r);
  clocks.assign([...open.keys()].map((partition) => ({ topic, partition })));
  const total = ranges.reduce((sum, r) => sum + (r.to - r.from), 0);
  const positionOf = new Map<number, number>(ranges.map((r) => [r.partition, r.from]));
  const summary = { records: 0, poison: 0, outsideTime: 0 };
  let firstTs = Number.POSITIVE_INFINITY;
  let lastTs = Number.NEGATIVE_INFINITY;
  let epoch = 0;
  let sinceBarrier = 0;
  let interrupted = false;

  const read = () => {
    let n = 0;
    for (const r of ranges) n += (positionOf.get(r.partition) ?? r.from) - r.from;
    return n;
  };
  const checkGraph = () => {
    const failure = graph.failure();
    if (failure !== undefined) throw failure;
  };
  const finish = (partition: number): void => {
    if (!open.delete(partition)) return;
    clocks.revoke([{ topic, partition }]);
  };

  const consumer = new (kafkaJavascript().KafkaConsumer)({
    ...rdkafkaConfig(options.kafka),
    // Required by the client; the consumer is assigned its partitions, so it never joins this group.
    'group.id': `replay-${randomUUID()}`,
    'enable.auto.commit': false,
    'enable.auto.offset.store': false,
    'isolation.level': 'read_committed',
    'auto.offset.reset': 'earliest',
  });
  try {
    if (open.size > 0) {
      try {
        await new Promise<void>((done, fail) => consumer.connect({}, (err) => (err ? fail(err) : done())));
      } catch (error) {
        throw new ReplayError('connect', `topic ${topic} on ${options.kafka.brokers.join(',')}`, {
          cause: error,
        });
      }
      consumer.assign([...open.values()].map((r) => ({ topic, partition: r.partition, offset: r.from })));
      consumer.setDefaultConsumeTimeout(100);
    }
    const stallMs = options.stallTimeoutMs ?? 60_000;
    let lastProgress = performance.now();
    while (open.size > 0) {
      if (options.signal?.aborted) {
        interrupted = true;
        break;
      }
      let batch: ConsumedMessage[];
      try {
        batch = await new Promise<ConsumedMessage[]>((done, fail) =>
          consumer.consume(BATCH, (err, messages) => (err ? fail(err) : done(messages))),
        );
      } catch (error) {
        throw new ReplayError('read', `topic ${topic}`, { cause: error });
      }
      const kept = batch.filter((m) => {
        const range = open.get(m.partition);
        return range !== undefined && m.offset >= range.from && m.offset < range.to;
      });
      const decoded = await Promise.all(kept.map((m) => decode(serde, topic, m)));
      checkGraph();
      for (let i = 0; i < kept.length; i++) {
        const m = kept[i]!;
        const range = open.get(m.partition);
        if (range === undefined) continue;
        positionOf.set(m.partition, m.offset + 1);
        const value = decoded[i];
        if (value === undefined) summary.poison++;
        else {
          const ts = value.ts;
          if (untilTs !== undefined && ts > untilTs + outOfOrdernessMs) {
            // Past --until-time by more than the allowed disorder: nothing earlier can follow.
            summary.outsideTime++;
            finish(m.partition);
            consumer.pause([{ topic, partition: m.partition }]);
            continue;
          }
          if (ts < fromTs || (untilTs !== undefined && ts >= untilTs)) summary.outsideTime++;
          else {
            const pos = { topic, partition: m.partition, offset: String(m.offset) };
            const key = m.key === undefined || m.key === null ? undefined : m.key.toString();
            input.next(record(value, ts, key, pos));
            clocks.onRecord(clocks.partition(topic, m.partition), ts);
            summary.records++;
            if (ts < firstTs) firstTs = ts;
            if (ts > lastTs) lastTs = ts;
            if (++sinceBarrier >= options.barrierEvery) {
              sinceBarrier = 0;
              input.next(barrier(++epoch));
              // One epoch in flight: reading goes on while the previous one is flushed.
              await graph.passed(epoch - 1);
            }
          }
        }
        if (m.offset + 1 >= range.to) finish(m.partition);
      }
      // The end may lie past the last message (transaction markers): the position moves past those.
      if (open.size > 0) {
        for (const p of consumer.position([...open.keys()].map((partition) => ({ topic, partition })))) {
          if (p.offset === undefined) continue;
          if (p.offset > (positionOf.get(p.partition) ?? 0)) positionOf.set(p.partition, p.offset);
          const range = open.get(p.partition);
          if (range !== undefined && p.offset >= range.to) finish(p.partition);
        }
      }
      const now = performance.now();
      if (batch.length > 0) lastProgress = now;
      else if (now - lastProgress > stallMs) {
        throw new ReplayError('read', `topic ${topic}`, {
          cause: Object.assign(
            new Error(
              `no message for ${Math.round(stallMs / 1000)} s with partitions ${[...open.keys()].join(', ')} unfinished`,
            ),
            { retriable: true },
          ),
        });
      }
      options.onProgress?.({
        records: summary.records,
        read: Math.min(read(), total),
        total,
        eventTs: lastTs,
        watermark: clocks.watermark,
        elapsedMs: now - started,
      });
    }
  } finally {
    clocks.dispose();
    if (consumer.isConnected()) await new Promise<void>((done) => consumer.disconnect(() => done()));
  }

  // An interrupted replay leaves its windows open: it did not read to where they end.
  if (!interrupted && lastTs > Number.NEGATIVE_INFINITY) {
    const closing = closingWatermark(lastTs, KPI_WINDOW_MS);
    if (closing > clocks.watermark) input.next(watermark(closing));
  }
  input.next(barrier(++epoch));
  await graph.passed(epoch);
  input.complete();
  await graph.done;
  return {
    ...summary,
    interrupted,
    ...(summary.records === 0 ? {} : { firstTs, lastTs }),
  };
}

/** The reading, or undefined for bytes that are not one (the job would dead-letter them). */
async function decode(
  serde: AvroSerde<Telemetry>,
  topic: string,
  m: ConsumedMessage,
): Promise<Telemetry | undefined> {
  const pos = { topic, partition: m.partition, offset: String(m.offset) };
  if (m.value === null) return undefined;
  try {
    const { value } = await serde.decode(m.value, pos);
    return Number.isFinite(value.ts) && telemetryCheck(value) === undefined ? value : undefined;
  } catch (error) {
    if (error instanceof AvroDecodeError) return undefined;
    throw new ReplayError('decode', `${topic}[${m.partition}]@${m.offset}`, { cause: error });
  }
}

/** Progress lines at most this often. */
const PROGRESS_EVERY_MS = 1000;

/**
 * `twinflow replay`: parses flags, loads the config, refuses the job's own
 * database, replays, prints progress on `io.err` about once a second and a
 * summary with a query hint on `io.out`. Resolves to the exit code: 0
 * done, 1 when the config, Kafka, the registry or ClickHouse failed (the
 * message printed, passwords never), 130 when interrupted with Ctrl-C.
 * Throws UsageError for a mistake in the command line.
 *
 * @example
 * process.exitCode = await runReplayFromCli(['--config', 'job.yaml', '--database', 'whatif', '--from-beginning']);
 */
export async function runReplayFromCli(argv: string[], io: CommandIo = processIo()): Promise<number> {
  const args = parseReplayArgs(argv);
  if (args === 'help') {
    io.out(REPLAY_USAGE);
    return 0;
  }
  let config: JobConfig<MachineHealthSettings>;
  try {
    config = await loadJobConfig(args.configPath, io.env, machineHealthSettings);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`replay: ${error.message}`);
    return 1;
  }
  let lastPrinted = Number.NEGATIVE_INFINITY;
  const stop = new AbortController();
  const options = replayOptionsOf(config, args, {
    signal: stop.signal,
    onNote: (note) => io.err(`replay: ${note}`),
    onProgress: (p) => {
      if (p.elapsedMs - lastPrinted < PROGRESS_EVERY_MS) return;
      lastPrinted = p.elapsedMs;
      const rate = Math.round(p.records / (p.elapsedMs / 1000));
      // The watermark says how far the replay has got; the newest event time until every partition delivered.
      const at = Number.isFinite(p.watermark) ? p.watermark : p.eventTs;
      io.err(
        `  ${p.records} records (${p.read}/${p.total} offsets), ${rate} events/s, event time ${Number.isFinite(at) ? iso(at) : '—'}`,
      );
    },
  });
  const where = `${options.topic} → database ${options.clickhouse.database} at ${options.clickhouse.url}`;
  io.err(
    `replay: ${describeStart(args)}${args.untilTs === undefined ? '' : ` until ${iso(args.untilTs)}`}, ${where}`,
  );
  const onSigint = () => stop.abort();
  process.once('SIGINT', onSigint);
  let report: ReplayReport;
  try {
    report = await replayMachineHealth(options);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    io.err(`replay: ${describeClickHouseFailure(error, options.clickhouse)}`);
    if (inCauses(error, UnknownAssetError)) {
      io.err(
        'replay: the catalogue has fewer assets than the topic: pass --assets N (or set pipeline.assets) as the data was produced',
      );
    }
    return 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
  for (const line of summaryLines(report, args.configPath)) io.out(line);
  return report.interrupted ? 130 : 0;
}

/** Whether `error` or one of its causes is a `type`. */
function inCauses(error: unknown, type: new (...args: never[]) => Error): boolean {
  let e: unknown = error;
  for (let depth = 0; e instanceof Error && depth < 8; depth++) {
    if (e instanceof type) return true;
    e = (e as Error).cause;
  }
  return false;
}

function describeStart(args: ReplayArgs): string {
  const from = args.from;
  if (from.kind === 'beginning') return 'from the beginning';
  if (from.kind === 'time') return `from ${iso(from.ts)}`;
  return `from offsets ${[...from.offsets].map(([p, o]) => `${p}:${o}`).join(',')}`;
}

function iso(ts: number): string {
  return new Date(ts).toISOString();
}

/** A shell word: quoted when it holds anything a shell would split or expand. */
function shellWord(word: string): string {
  return /^[\w./:@%+=,-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`;
}

/**
 * The summary a replay prints: what was read, what came out, where it is,
 * and how to look at it.
 *
 * @example
 * for (const line of summaryLines(report, 'job.yaml')) console.log(line);
 */
export function summaryLines(report: ReplayReport, configPath: string): string[] {
  const seconds = report.elapsedMs / 1000;
  const ranges = report.ranges.map((r) => `${r.partition}:${r.from}→${r.to}`).join(' ');
  const span =
    report.firstTs === undefined || report.lastTs === undefined
      ? 'no readings in range'
      : `event time ${iso(report.firstTs)} → ${iso(report.lastTs)}`;
  const skipped = [
    report.poison > 0 ? `${report.poison} poison (the job dead-letters them)` : '',
    report.outsideTime > 0 ? `${report.outsideTime} outside the time range` : '',
  ].filter((s) => s !== '');
  const { rows } = report;
  return [
    `${report.interrupted ? 'interrupted after replaying' : 'replayed'} ${report.records} records of ${report.topic} ` +
      `(offsets ${ranges === '' ? 'none' : ranges}) in ${seconds.toFixed(1)} s: ` +
      `${Math.round(report.records / Math.max(seconds, 1e-3))} events/s` +
      (skipped.length > 0 ? `; skipped ${skipped.join(', ')}` : ''),
    span,
    `${report.commands} commands, ${report.alerts} alerts, ${report.kpis} KPI rows`,
    `into database ${report.database}: ${rows.telemetry} telemetry, ${rows.kpi} KPI, ${rows.commands} command, ` +
      `${rows.alerts} alert and ${rows.twinState} twin-state rows`,
    'query it (the *_dedup views hold one row per fact):',
    `  TWINFLOW__CLICKHOUSE__DATABASE=${report.database} twinflow sql --config ${shellWord(configPath)} ` +
      `"SELECT action, count() FROM commands_dedup GROUP BY action"`,
  ];
}
