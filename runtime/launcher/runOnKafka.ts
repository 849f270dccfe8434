import type { DestinationStream } from 'pino';
import type { ClickHouseSinkObserver } from '../../connectors/clickhouse/sinkObserver.js';
import type { JobConfig } from '../config/jobConfig.js';
import { exactlyOnceJobFor } from '../exactlyOnce/exactlyOnceJobFor.js';
import type { StreamingJob } from '../job/streamingJob.js';
import type { LiveView } from '../liveView/liveView.js';
import type { RouteSet } from '../liveView/routeSet.js';
import type { JobMetrics } from '../observability/metrics.js';
import { kafkaPlacementOf } from './kafkaPlacementOf.js';
import { type LaunchContext, launchJob } from './launchJob.js';

/**
 * What a job's start function builds for the Kafka runtime: its definition
 * (with whatever it loaded: models, catalogues), its own metrics of each
 * committed epoch, and what to release when it has stopped.
 *
 * @example
 * const built: JobOnKafkaBuild<Reading, Output> = { definition: pumps, close: () => model.close() };
 */
export interface JobOnKafkaBuild<In, Out> {
  readonly definition: StreamingJob<In, Out>;
  /** The outputs of every committed epoch: the job's own counters (commands by action, …). */
  readonly onCommitted?: (epoch: number, outputs: readonly Out[]) => void;
  /** Called at every metrics sample, for the job's own gauges. */
  readonly sample?: () => void;
  /**
   * The job's live operator view, served beside /metrics. Feed it from
   * `onCommitted`: an epoch not yet committed may still be aborted and
   * replayed, and the page must not show outputs that never happened.
   */
  readonly view?: LiveView;
  /** The job's own read-only GET routes beside the view (e.g. machine-health's what-if). */
  readonly routes?: RouteSet;
  /** Releases what the build loaded, after the job and its sinks have stopped. */
  readonly close?: () => Promise<void>;
}

/**
 * `twinflow run <job> --config FILE` for any job: the definition `build`
 * makes from the config, set up on Kafka exactly-once where the config
 * places it (topics, registry, ClickHouse, epochs) and run by the launcher
 * (JSON logs, /metrics, /healthz, /readyz, SIGTERM and SIGINT finish the
 * open epoch). Every ClickHouse table's rows, batches, retries and refused
 * rows are counted and refused rows logged, the same for every job.
 * Resolves to the exit code.
 *
 * @example
 * process.exitCode = await runOnKafka(await loadJobConfig(path, process.env, pumpSettings), async ({ config }) => ({
 *   definition: pumpJob(config.pipeline),
 * }));
 */
export async function runOnKafka<S, In, Out>(
  config: JobConfig<S>,
  build: (context: LaunchContext<S>) => Promise<JobOnKafkaBuild<In, Out>>,
  options: { readonly logDestination?: DestinationStream } = {},
): Promise<number> {
  return launchJob(
    config,
    async (context) => {
      const built = await build(context);
      try {
        const running = await exactlyOnceJobFor(built.definition, {
          ...kafkaPlacementOf<Out>(config as JobConfig<unknown>),
          clickhouseObserver: clickhouseMetrics(context.metrics, (fields, message) =>
            context.logger.warn(fields, message),
          ),
          log: context.onJobEvent,
          onCommitted: built.onCommitted,
          onLate: (operator) => context.metrics.lateRecordsDroppedTotal.inc({ operator }),
        });
        return {
          job: running.job,
          sample: built.sample,
          view: built.view,
          routes: built.routes,
          async close() {
            await running.close();
            await built.close?.();
          },
        };
      } catch (error) {
        await built.close?.();
        throw error;
      }
    },
    options,
  );
}

/** ClickHouse sink events as metrics per table (without its database), refused rows also as warnings. */
function clickhouseMetrics(
  metrics: JobMetrics,
  warn: (fields: object, message: string) => void,
): ClickHouseSinkObserver {
  const tableOf = (table: string) => table.slice(table.indexOf('.') + 1);
  return {
    onWritten: ({ table, rows, latencyMs }) => {
      metrics.clickhouseRowsTotal.inc({ table: tableOf(table) }, rows);
      metrics.clickhouseSinkSeconds.observe({ table: tableOf(table) }, latencyMs / 1000);
    },
    onRetry: ({ table }) => metrics.clickhouseRetriesTotal.inc({ table: tableOf(table) }),
    onRejected: ({ table, id, reason }) => {
      metrics.clickhouseRowsRejectedTotal.inc({ table: tableOf(table) });
      warn({ table, id, reason }, 'row refused by ClickHouse; the rest of its batch was written');
    },
  };
}
