import { parseArgs } from 'node:util';
import { loadCatalogue } from '../../connectors/catalogue/loadCatalogue.js';
import { scaleCatalogue } from '../../connectors/catalogue/scaleCatalogue.js';
import { OnnxSurrogate } from '../../connectors/onnx/onnxSurrogate.js';
import { boundedOutOfOrderness } from '../../operators/time/watermarkStrategy.js';
import {
  type ClickHouseConnection,
  describeClickHouseFailure,
  openClickHouse,
} from '../../runtime/cli/clickhouseConnection.js';
import { type CommandIo, processIo } from '../../runtime/cli/commandIo.js';
import { positiveInteger, UsageError } from '../../runtime/cli/flags.js';
import { instantFlag } from '../../runtime/cli/instantFlag.js';
import { ConfigError, type JobConfig, loadJobConfig } from '../../runtime/config/jobConfig.js';
import { type ReplayJobProgress, type ReplayJobReport, replayJob } from '../../runtime/replay/replayJob.js';
import { closingWatermark, type ReplayStart } from '../../runtime/replay/replayRanges.js';
import type { RowsWritten } from './clickhouseTables.js';
import { machineHealthStreamingJob } from './definition.js';
import { DEFAULT_CATALOGUE, DEFAULT_MODEL, machineHealthRiskModel } from './embeddedJob.js';
import { machineHealthOptionsOf } from './kafkaCli.js';
import type { MachineHealthKafkaOptions } from './kafkaJob.js';
import { UnknownAssetError } from './machineHealth.js';
import { machineHealthPolicyConfig } from './machineHealthPolicy.js';
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
      --from-time T          from event time T (ISO 8601 with a zone, e.g. 2026-12-04T06:00Z): each
                             partition from its first message timestamped at or after T less the
                             pipeline's outOfOrdernessMs (twinflow produce stamps each message with
                             its event time); readings before T are skipped
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
    from = { kind: 'time', ts: instantFlag('replay', 'from-time', values['from-time']) };
  } else if (values['from-offsets'] !== undefined) {
    from = { kind: 'offsets', offsets: parseOffsets(values['from-offsets']) };
  } else {
    from = { kind: 'beginning' };
  }
  const untilTs =
    values['until-time'] === undefined
      ? undefined
      : instantFlag('replay', 'until-time', values['until-time']);
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

/** A replay's progress, after a batch (the runtime's, see ReplayJobProgress). */
export type ReplayProgress = ReplayJobProgress;

/**
 * What a machine-health replay did: the runtime's report, with the twin's
 * commands, alerts and KPI windows counted and its rows per table.
 *
 * @example
 * const { records, commands, rows } = await replayMachineHealth(options);
 */
export interface ReplayReport extends Omit<ReplayJobReport, 'rows'> {
  readonly commands: number;
  readonly alerts: number;
  readonly kpis: number;
  readonly rows: RowsWritten;
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

/**
 * Re-runs the machine-health job over a finite stretch of the telemetry
 * topic into `clickhouse.database`: the runtime's replay of any job
 * (replayJob: ranges read through connectors/kafka, the job's input check,
 * watermarks per partition without idleness, a barrier every `barrierEvery`
 * records, nothing written to Kafka) with the machine-health job's
 * definition; the last KPI windows are closed at the end. Operator state
 * starts empty.
 *
 * @example
 * const report = await replayMachineHealth(replayOptionsOf(config, args));
 * console.log(report.records, report.commands);
 */
export async function replayMachineHealth(options: MachineHealthReplayOptions): Promise<ReplayReport> {
  const { pipeline } = options;
  const base = await loadCatalogue(pipeline.cataloguePath ?? DEFAULT_CATALOGUE);
  const catalogue =
    pipeline.assets === undefined || pipeline.assets === base.assets.length
      ? base
      : scaleCatalogue(base, pipeline.assets);
  const tickMs = pipeline.tickMs ?? 30_000;
  const outOfOrdernessMs = pipeline.outOfOrdernessMs ?? 5_000;
  const database = options.clickhouse.database;
  await warnIfNotEmpty(options.clickhouse, options.onNote);
  const surrogate = await OnnxSurrogate.load(pipeline.modelPath ?? DEFAULT_MODEL);
  try {
    const definition = machineHealthStreamingJob(
      {
        catalogue,
        riskModel: machineHealthRiskModel(surrogate),
        policy: machineHealthPolicyConfig,
        outcomeTimeoutMs: pipeline.outcomeTimeoutMs ?? 10 * tickMs,
        kpiWindowMs: KPI_WINDOW_MS,
      },
      { commandsTopic: 'commands', outOfOrdernessMs },
    );
    const counts = { commands: 0, alerts: 0, kpis: 0 };
    const report = await replayJob(definition, {
      kafka: options.kafka,
      registry: { url: options.registryUrl, auth: options.registryAuth },
      topic: options.topic,
      from: options.from,
      untilTs: options.untilTs,
      clickhouse: options.clickhouse,
      barrierEvery: options.barrierEvery,
      watermarks: boundedOutOfOrderness(outOfOrdernessMs),
      outOfOrdernessMs,
      closeAt: (lastTs) => closingWatermark(lastTs, KPI_WINDOW_MS),
      onOutput: (out) => {
        if (out.type === 'command') counts.commands++;
        else if (out.type === 'alert') counts.alerts++;
        else if (out.type === 'kpi') counts.kpis++;
      },
      onProgress: options.onProgress,
      onNote: options.onNote,
      signal: options.signal,
      stallTimeoutMs: options.stallTimeoutMs,
    });
    return { ...report, database, ...counts, rows: report.rows as RowsWritten };
  } finally {
    await surrogate.close();
  }
}

/** A what-if into a database that already holds rows mixes with them: say so before reading. */
async function warnIfNotEmpty(
  clickhouse: ClickHouseConnection,
  onNote: ((note: string) => void) | undefined,
): Promise<void> {
  const client = openClickHouse(clickhouse);
  const { database } = clickhouse;
  try {
    const exists = await client.query({
      // The database name is an identifier (parseReplayArgs checks it), so it can be quoted as it is.
      query: `SELECT count() AS n FROM system.tables WHERE database = '${database}' AND name = 'telemetry_enriched'`,
      format: 'JSONEachRow',
    });
    const [table] = await exists.json<{ n: string }>();
    if (Number(table?.n ?? 0) === 0) return;
    const before = await client.query({
      query: `SELECT count() AS n FROM ${database}.telemetry_enriched`,
      format: 'JSONEachRow',
    });
    const [held] = await before.json<{ n: string }>();
    if (Number(held?.n ?? 0) > 0) {
      onNote?.(
        `database ${database} already holds ${held!.n} telemetry rows; this replay's rows join them ` +
          '(identical facts collapse in the *_dedup views); use a new name for a clean what-if',
      );
    }
  } finally {
    await client.close();
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
      `${Math.round(report.records / Math.max(seconds, 1e-3))} events/s; read ${report.read} messages` +
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
