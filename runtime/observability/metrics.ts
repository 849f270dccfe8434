import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * How an asset's risk was scored: by the physics model, by the ONNX
 * surrogate inside its trust region, or by the fail-safe when neither could.
 *
 * @example
 * metrics.scoringTotal.inc({ model: 'surrogate' satisfies ScoringModel });
 */
export type ScoringModel = 'physics' | 'surrogate' | 'failsafe';

const SCORING_MODELS: readonly ScoringModel[] = ['physics', 'surrogate', 'failsafe'];

/** Seconds, from a few milliseconds (a healthy epoch commit or insert) to half a minute (a broker failover). */
const IO_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Seconds per scoring call, from one physics evaluation to a slow ONNX batch. */
const SCORING_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
/** Seconds to restore state from the changelog: from an empty topic to a large one replayed. */
const RESTORE_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

/**
 * A job's Prometheus metrics, in a registry of their own (not prom-client's
 * global one, so two jobs in one process or a test never share counters),
 * with Node's default process metrics. Each metric is a typed field named
 * after the metric (`twinflow_records_in_total` is `recordsInTotal`).
 *
 * @example
 * const metrics = new JobMetrics();
 * metrics.recordsInTotal.inc({ topic: 'telemetry', partition: 3 });
 * metrics.epochCommitSeconds.observe(0.012);
 * const body = await metrics.text(); // Prometheus text format
 */
export class JobMetrics {
  readonly registry: Registry;

  /** Records read from Kafka. */
  readonly recordsInTotal: Counter<'topic' | 'partition'>;
  /** Records written to Kafka (commands, changelog, dead letters). */
  readonly recordsOutTotal: Counter<'topic'>;
  /** Messages between the consumer's position and the partition's high watermark. */
  readonly consumerLag: Gauge<'topic' | 'partition'>;
  /** Wall clock minus the combined event-time watermark. */
  readonly watermarkLagSeconds: Gauge;
  readonly windowFiringsTotal: Counter<'operator'>;
  /** Records too late for every window they belong to (past allowed lateness). */
  readonly lateRecordsDroppedTotal: Counter<'operator'>;
  readonly stateKeys: Gauge<'operator'>;
  /** Size of an operator's last snapshot, serialised. */
  readonly stateBytes: Gauge<'operator'>;
  /** Barrier-to-commit time of one epoch's Kafka transaction. */
  readonly epochCommitSeconds: Histogram;
  readonly epochsCommittedTotal: Counter;
  /** Epochs whose transaction was aborted, by reason (rebalance, fenced, error, shutdown). */
  readonly epochAbortsTotal: Counter<'reason'>;
  readonly deadLettersTotal: Counter<'topic'>;
  readonly eventTimeRefusedTotal: Counter<'bound'>;
  readonly scoringSeconds: Histogram;
  readonly scoringTotal: Counter<'model'>;
  readonly clickhouseSinkSeconds: Histogram<'table'>;
  readonly clickhouseRowsTotal: Counter<'table'>;
  readonly clickhouseRetriesTotal: Counter<'table'>;
  readonly clickhouseRowsRejectedTotal: Counter<'table'>;
  readonly commandsTotal: Counter<'action'>;
  readonly stateRestoreSeconds: Histogram;
  readonly stateRestoreKeys: Gauge;

  constructor(options: { readonly defaultLabels?: Readonly<Record<string, string>> } = {}) {
    this.registry = new Registry();
    if (options.defaultLabels !== undefined) this.registry.setDefaultLabels({ ...options.defaultLabels });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];

    this.recordsInTotal = new Counter({
      name: 'twinflow_records_in_total',
      help: 'Records read from Kafka.',
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.recordsOutTotal = new Counter({
      name: 'twinflow_records_out_total',
      help: 'Records written to Kafka (commands, changelog, dead letters).',
      labelNames: ['topic'],
      registers,
    });
    this.consumerLag = new Gauge({
      name: 'twinflow_consumer_lag',
      help: "Messages between the consumer's position and the partition's high watermark.",
      labelNames: ['topic', 'partition'],
      registers,
    });
    this.watermarkLagSeconds = new Gauge({
      name: 'twinflow_watermark_lag_seconds',
      help: 'Wall-clock time minus the combined event-time watermark, in seconds.',
      registers,
    });
    this.windowFiringsTotal = new Counter({
      name: 'twinflow_window_firings_total',
      help: 'Windows fired (on time and late firings).',
      labelNames: ['operator'],
      registers,
    });
    this.lateRecordsDroppedTotal = new Counter({
      name: 'twinflow_late_records_dropped_total',
      help: 'Records too late for every window they belong to.',
      labelNames: ['operator'],
      registers,
    });
    this.stateKeys = new Gauge({
      name: 'twinflow_state_keys',
      help: 'Keys held in an operator state.',
      labelNames: ['operator'],
      registers,
    });
    this.stateBytes = new Gauge({
      name: 'twinflow_state_bytes',
      help: "Bytes of an operator's last state snapshot.",
      labelNames: ['operator'],
      registers,
    });
    this.epochCommitSeconds = new Histogram({
      name: 'twinflow_epoch_commit_seconds',
      help: "Time from an epoch's barrier to its committed Kafka transaction, in seconds.",
      buckets: IO_BUCKETS,
      registers,
    });
    this.epochsCommittedTotal = new Counter({
      name: 'twinflow_epochs_committed_total',
      help: 'Epochs whose Kafka transaction committed.',
      registers,
    });
    this.epochAbortsTotal = new Counter({
      name: 'twinflow_epoch_aborts_total',
      help: 'Epochs whose Kafka transaction was aborted, by reason.',
      labelNames: ['reason'],
      registers,
    });
    this.deadLettersTotal = new Counter({
      name: 'twinflow_dead_letters_total',
      help: 'Records sent to a dead-letter topic.',
      labelNames: ['topic'],
      registers,
    });
    this.eventTimeRefusedTotal = new Counter({
      name: 'twinflow_event_time_refused_total',
      help: 'Records dead-lettered because their event time was out of bounds: ahead of processing time or behind their partition watermark.',
      labelNames: ['bound'],
      registers,
    });
    this.scoringSeconds = new Histogram({
      name: 'twinflow_scoring_seconds',
      help: 'Time to score one batch of assets, in seconds.',
      buckets: SCORING_BUCKETS,
      registers,
    });
    this.scoringTotal = new Counter({
      name: 'twinflow_scoring_total',
      help: 'Assets scored, by the model that gave the score (physics, surrogate, failsafe).',
      labelNames: ['model'],
      registers,
    });
    // Zero series for every model from the start, so a rate() over the fail-safe exists before it first fires.
    for (const model of SCORING_MODELS) this.scoringTotal.inc({ model }, 0);
    this.clickhouseSinkSeconds = new Histogram({
      name: 'twinflow_clickhouse_sink_seconds',
      help: 'Time of one ClickHouse insert, retries included, in seconds.',
      labelNames: ['table'],
      buckets: IO_BUCKETS,
      registers,
    });
    this.clickhouseRowsTotal = new Counter({
      name: 'twinflow_clickhouse_rows_total',
      help: 'Rows inserted into ClickHouse.',
      labelNames: ['table'],
      registers,
    });
    this.clickhouseRetriesTotal = new Counter({
      name: 'twinflow_clickhouse_retries_total',
      help: 'ClickHouse inserts retried after a retriable error.',
      labelNames: ['table'],
      registers,
    });
    this.clickhouseRowsRejectedTotal = new Counter({
      name: 'twinflow_clickhouse_rows_rejected_total',
      help: 'Rows ClickHouse refused for a value their column cannot take; the rest of their batch was written.',
      labelNames: ['table'],
      registers,
    });
    this.commandsTotal = new Counter({
      name: 'twinflow_commands_total',
      help: 'Commands issued to assets, by action.',
      labelNames: ['action'],
      registers,
    });
    this.stateRestoreSeconds = new Histogram({
      name: 'twinflow_state_restore_seconds',
      help: 'Time to restore state from the changelog after an assignment, in seconds.',
      buckets: RESTORE_BUCKETS,
      registers,
    });
    this.stateRestoreKeys = new Gauge({
      name: 'twinflow_state_restore_keys',
      help: 'Keys restored from the changelog by the last restore.',
      registers,
    });
  }

  /** The Content-Type header for `text()`. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Every metric in Prometheus' text exposition format. */
  text(): Promise<string> {
    return this.registry.metrics();
  }
}
