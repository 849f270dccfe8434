import type { RejectedRow } from '../../connectors/clickhouse/sinkError.js';
import type { KafkaClientOptions } from '../../connectors/kafka/kafkaClientOptions.js';
import { type JobConfig, loadJobConfig, redactedConfig } from '../../runtime/config/jobConfig.js';
import type { JobEvent } from '../../runtime/exactlyOnce/exactlyOnceJob.js';
import { startHealthServer } from '../../runtime/observability/healthServer.js';
import { createLogger } from '../../runtime/observability/logger.js';
import { JobMetrics } from '../../runtime/observability/metrics.js';
import { startMetricsSampler } from '../../runtime/observability/metricsSampler.js';
import { type MachineHealthKafkaOptions, startMachineHealthOnKafka } from './kafkaJob.js';
import type { MachineHealthOutput } from './machineHealth.js';

/**
 * The Kafka client options of a job config: secrets stay behind functions
 * until a client is built.
 *
 * @example
 * const kafka = kafkaClientOptionsOf(await loadJobConfig('job.yaml'));
 */
export function kafkaClientOptionsOf(config: JobConfig): KafkaClientOptions {
  const { kafka } = config;
  const sasl = kafka.sasl;
  const tls = kafka.tls;
  return {
    brokers: kafka.brokers,
    clientId: kafka.clientId,
    ...(sasl === undefined
      ? {}
      : {
          sasl: {
            mechanism: sasl.mechanism,
            username: sasl.username,
            password: () => sasl.password.reveal(),
          },
        }),
    ...(tls === undefined || !tls.enabled
      ? {}
      : {
          tls: {
            caFile: tls.caFile,
            certFile: tls.certFile,
            keyFile: tls.keyFile,
            rejectUnauthorized: tls.rejectUnauthorized,
          },
        }),
  };
}

/**
 * The machine-health job's options from a job config file.
 *
 * @example
 * const options = machineHealthOptionsOf(await loadJobConfig('job.yaml'), { log: console.log });
 */
export function machineHealthOptionsOf(
  config: JobConfig,
  hooks: Pick<MachineHealthKafkaOptions, 'log' | 'onCommitted'> = {},
): MachineHealthKafkaOptions {
  const { schemaRegistry: registry, clickhouse, pipeline } = config;
  const registryPassword = registry.password;
  return {
    kafka: kafkaClientOptionsOf(config),
    registryUrl: registry.url,
    registryAuth:
      registry.username === undefined
        ? undefined
        : { username: registry.username, password: () => registryPassword?.reveal() ?? '' },
    groupId: config.job.groupId,
    instanceId: config.job.instanceId,
    topics: config.topics,
    clickhouse: {
      url: clickhouse.url,
      database: clickhouse.database,
      username: clickhouse.username,
      password: clickhouse.password,
      tls: clickhouse.tls,
    },
    epochs: config.epochs,
    commands: { signing: config.commands.signing, bounds: config.commands.bounds },
    pipeline: {
      cataloguePath: pipeline.catalogue,
      assets: pipeline.assets,
      modelPath: pipeline.model,
      tickMs: pipeline.tickMs,
      outOfOrdernessMs: pipeline.outOfOrdernessMs,
      idleTimeoutMs: pipeline.idleTimeoutMs,
      outcomeTimeoutMs: pipeline.outcomeTimeoutMs,
    },
    ...hooks,
  };
}

/**
 * `twinflow run machine-health --config <file>`: the job on the real stack
 * (Kafka, schema registry, ClickHouse) with exactly-once epochs, JSON logs
 * on stdout, /metrics, /healthz and /readyz; SIGTERM or SIGINT finishes the
 * open epoch, commits it, leaves and exits 0.
 *
 * @example
 * process.exitCode = await runOnKafkaFromConfig('infra/local/machine-health.yaml');
 */
export async function runOnKafkaFromConfig(configPath: string): Promise<number> {
  const config = await loadJobConfig(configPath);
  const logger = createLogger({
    job: config.job.name,
    instanceId: config.job.instanceId,
    level: config.observability.logLevel,
  });
  logger.info({ config: redactedConfig(config) }, 'starting');
  const metrics = new JobMetrics();
  const log = (event: JobEvent): void => {
    switch (event.event) {
      case 'committed':
        metrics.epochsCommittedTotal.inc();
        metrics.epochCommitSeconds.observe(event.latencyMs / 1000);
        logger.debug(event, 'epoch committed');
        return;
      case 'restored':
        metrics.stateRestoreSeconds.observe(event.durationMs / 1000);
        metrics.stateRestoreKeys.set(event.keys);
        logger.info(event, `state restored in ${Math.round(event.durationMs)} ms: ${event.keys} keys`);
        return;
      case 'restarting':
        metrics.epochAbortsTotal.inc({ reason: 'restart' });
        logger.warn(event, 'restarting after a failure');
        return;
      case 'fenced':
        metrics.epochAbortsTotal.inc({ reason: 'fenced' });
        logger.warn(event, 'fenced: another instance took over; dropping state and rejoining');
        return;
      default:
        logger.info(event, event.event);
    }
  };
  const onCommitted = (_epoch: number, outputs: readonly MachineHealthOutput[]): void => {
    for (const out of outputs) {
      if (out.type === 'command') {
        metrics.commandsTotal.inc({ action: out.command.action });
        metrics.recordsOutTotal.inc({ topic: config.topics.commands });
      } else if (out.type === 'kpi') metrics.windowFiringsTotal.inc({ operator: 'kpi-minute' });
      else if (out.type === 'enriched') {
        metrics.scoringTotal.inc({ model: scoringModelOf(out.reading.risk.model) });
      }
    }
  };
  const options = {
    ...machineHealthOptionsOf(config, { log, onCommitted }),
    onScored: (seconds: number) => metrics.scoringSeconds.observe(seconds),
    onLateReading: () => metrics.lateRecordsDroppedTotal.inc({ operator: 'kpi-minute' }),
    onRejectedRow: ({ table, id, reason }: RejectedRow) => {
      metrics.clickhouseRowsRejectedTotal.inc({ table });
      logger.warn({ table, id, reason }, 'row refused by ClickHouse; the rest of its batch was written');
    },
  };
  const running = await startMachineHealthOnKafka(options);
  const { job } = running;
  const rowsSeen: Record<string, number> = {};
  let rejectedSeen = 0;
  const sinkSeen = new Map<string, { batches: number; retries: number }>();
  const stopSampler = startMetricsSampler({
    stats: () => job.inputStats(),
    state: () => job.stateStats(),
    metrics,
    kafka: options.kafka,
    deadLetterTopic: config.topics.deadLetter,
    alsoSample: () => {
      const rejected = running.commandsRejected();
      for (const r of rejected.slice(rejectedSeen)) logger.warn(r, 'command refused by the sink bounds');
      rejectedSeen = rejected.length;
      for (const [table, m] of Object.entries(running.clickhouseMetrics())) {
        const seen = sinkSeen.get(table);
        // The counters restart with every operator graph's fresh sinks.
        const restarted = seen === undefined || m.batchesWritten < seen.batches || m.retries < seen.retries;
        const retries = restarted ? m.retries : m.retries - seen.retries;
        if (retries > 0) metrics.clickhouseRetriesTotal.inc({ table }, retries);
        if (m.batchesWritten > 0 && (restarted || m.batchesWritten > seen.batches)) {
          metrics.clickhouseSinkSeconds.observe({ table }, m.lastLatencyMs / 1000);
        }
        sinkSeen.set(table, { batches: m.batchesWritten, retries: m.retries });
      }
      for (const [table, rows] of Object.entries(running.rowsWritten())) {
        const delta = rows - (rowsSeen[table] ?? 0);
        if (delta > 0) metrics.clickhouseRowsTotal.inc({ table }, delta);
        rowsSeen[table] = rows;
      }
    },
  });
  const server = await startHealthServer({
    port: config.observability.port,
    metrics,
    ready: () =>
      job.isReady() ? true : { ready: false, reason: 'partitions not assigned or state not restored yet' },
  });
  logger.info({ url: server.url }, 'serving /metrics, /healthz and /readyz');
  const onSignal = (signal: string) => () => void job.stop(signal);
  const onTerm = onSignal('SIGTERM');
  const onInt = onSignal('SIGINT');
  process.once('SIGTERM', onTerm);
  process.once('SIGINT', onInt);
  try {
    await job.run();
    logger.info({ epochs: job.epochsCommitted }, 'stopped cleanly');
    return 0;
  } catch (error) {
    logger.fatal({ err: error }, 'job failed');
    return 1;
  } finally {
    process.off('SIGTERM', onTerm);
    process.off('SIGINT', onInt);
    await stopSampler();
    await server.close();
    await running.close();
  }
}

function scoringModelOf(model: string): 'physics' | 'surrogate' | 'failsafe' {
  if (model === 'SURROGATE') return 'surrogate';
  if (model === 'PHYSICS') return 'physics';
  return 'failsafe';
}
