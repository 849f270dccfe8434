import type { DestinationStream, Logger } from 'pino';
import type { KafkaClientOptions } from '../../connectors/kafka/kafkaClientOptions.js';
import type { JobConfig } from '../config/jobConfig.js';
import { redactedConfig } from '../config/jobConfig.js';
import type { JobEvent, JobInputStats } from '../exactlyOnce/exactlyOnceJob.js';
import type { LiveView } from '../liveView/liveView.js';
import { liveViewRoutes } from '../liveView/liveViewRoutes.js';
import { combineRoutes, type RouteSet } from '../liveView/routeSet.js';
import { startHealthServer } from '../observability/healthServer.js';
import { createLogger } from '../observability/logger.js';
import { JobMetrics } from '../observability/metrics.js';
import { startMetricsSampler } from '../observability/metricsSampler.js';
import { kafkaClientOptionsOf } from './kafkaClientOptionsOf.js';

/**
 * What the launcher runs: a streaming job that runs until stopped and
 * reports its input and state for metrics. `ExactlyOnceJob` is one.
 *
 * @example
 * const runnable: RunnableJob = new ExactlyOnceJob({ … });
 */
export interface RunnableJob {
  run(): Promise<void>;
  stop(signal?: string): Promise<void>;
  /** Partitions assigned and state restored: what /readyz answers. */
  isReady(): boolean;
  inputStats(): JobInputStats;
  stateStats(): readonly { operatorId: string; keys: number; bytes: number }[];
  readonly epochsCommitted: number;
}

/**
 * A job the launcher has started: the runnable job, the job's own gauges
 * to sample with the runtime's, and what to release when it has stopped.
 */
export interface LaunchedJob {
  readonly job: RunnableJob;
  /** Called at every metrics sample, for the job's own metrics. */
  sample?(): void;
  /**
   * The job's live operator view, served on the health server's port (the
   * page at /, JSON at /api/v1/view and /api/v1/events). A job feeds it
   * from committed epochs only, so it never shows an aborted epoch's output.
   */
  readonly view?: LiveView;
  /** The job's own GET routes on the same server (e.g. a what-if endpoint), read-only like the view. */
  readonly routes?: RouteSet;
  /** Releases models, clients and sinks after run() has ended. */
  close(): Promise<void>;
}

/**
 * What a job's start function gets from the launcher: the validated config,
 * the logger, the metrics registry and the handler of the runtime's job
 * events (it logs them and counts epochs, restores, restarts, fencing).
 */
export interface LaunchContext<S = Record<string, unknown>> {
  readonly config: JobConfig<S>;
  readonly kafka: KafkaClientOptions;
  readonly logger: Logger;
  readonly metrics: JobMetrics;
  readonly onJobEvent: (event: JobEvent) => void;
}

/**
 * Runs a job as a production process: JSON logs on stdout (config logged
 * with secrets redacted), Prometheus /metrics, /healthz and /readyz (and the
 * job's live view, when it has one) on `observability.host:port`, the
 * runtime's job events as logs and metrics, SIGTERM and SIGINT finishing
 * the open epoch before it leaves (`logDestination`: where the JSON lines go
 * instead of stdout). Resolves to the exit code: 0 after a
 * clean stop, 1 when the job failed (logged as fatal). The same for every
 * job: `start` builds the job from the context, the launcher does the rest.
 *
 * @example
 * process.exitCode = await launchJob(await loadJobConfig(path), async ({ config, kafka, onJobEvent }) => ({
 *   job: new ExactlyOnceJob({ kafka, groupId: config.job.groupId, log: onJobEvent, … }),
 *   close: async () => undefined,
 * }));
 */
export async function launchJob<S = Record<string, unknown>>(
  config: JobConfig<S>,
  start: (context: LaunchContext<S>) => Promise<LaunchedJob>,
  options: { readonly logDestination?: DestinationStream } = {},
): Promise<number> {
  const logger = createLogger({
    job: config.job.name,
    instanceId: config.job.instanceId,
    level: config.observability.logLevel,
    destination: options.logDestination,
  });
  logger.info({ config: redactedConfig(config) }, 'starting');
  const metrics = new JobMetrics();
  const kafka = kafkaClientOptionsOf(config);
  const launched = await start({
    config,
    kafka,
    logger,
    metrics,
    onJobEvent: jobEventHandler(logger, metrics),
  });
  const { job } = launched;
  const stopSampler = startMetricsSampler({
    stats: () => job.inputStats(),
    state: () => job.stateStats(),
    metrics,
    kafka,
    deadLetterTopic: config.topics.deadLetter,
    alsoSample: launched.sample,
  });
  const view = launched.view === undefined ? undefined : liveViewRoutes(launched.view);
  const extra =
    view === undefined && launched.routes === undefined ? undefined : combineRoutes(view, launched.routes);
  const server = await startHealthServer({
    host: config.observability.host,
    port: config.observability.port,
    metrics,
    ready: () =>
      job.isReady() ? true : { ready: false, reason: 'partitions not assigned or state not restored yet' },
    routes: extra?.routes,
    routePaths: extra?.paths,
  });
  // The address it listens on beside the URL: 0.0.0.0 is reachable from off the machine, the URL would not say so.
  logger.info({ url: server.url, host: config.observability.host }, 'serving /metrics, /healthz and /readyz');
  if (view !== undefined)
    logger.info({ url: `${server.url}/` }, 'serving the live view at / and /api/v1/view');
  const onTerm = () => void job.stop('SIGTERM');
  const onInt = () => void job.stop('SIGINT');
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
    // Open event streams get the last document, then end: otherwise they would hold close() open.
    view?.close();
    await server.close();
    await launched.close();
  }
}

/** The runtime's job events as log lines and metrics. */
function jobEventHandler(logger: Logger, metrics: JobMetrics): (event: JobEvent) => void {
  return (event) => {
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
}
