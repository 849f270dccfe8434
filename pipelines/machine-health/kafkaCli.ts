import { type JobConfig, loadJobConfig } from '../../runtime/config/jobConfig.js';
import { kafkaClientOptionsOf } from '../../runtime/launcher/kafkaClientOptionsOf.js';
import { launchJob } from '../../runtime/launcher/launchJob.js';
import { type MachineHealthKafkaOptions, startMachineHealthOnKafka } from './kafkaJob.js';
import type { MachineHealthOutput } from './machineHealth.js';
import { type MachineHealthSettings, machineHealthSettings } from './settings.js';

/**
 * The machine-health job's options from a job config file.
 *
 * @example
 * const options = machineHealthOptionsOf(await loadJobConfig('job.yaml', process.env, machineHealthSettings), { log: console.log });
 */
export function machineHealthOptionsOf(
  config: JobConfig<MachineHealthSettings>,
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
 * (Kafka, schema registry, ClickHouse) with exactly-once epochs, run by the
 * runtime's launcher (JSON logs, /metrics, /healthz, /readyz, SIGTERM and
 * SIGINT commit the open epoch and exit 0). What is added here is the
 * twin's own telemetry: commands by action, KPI firings, scoring, late
 * readings, and commands or ClickHouse rows refused.
 *
 * @example
 * process.exitCode = await runOnKafkaFromConfig('infra/local/machine-health.yaml');
 */
export async function runOnKafkaFromConfig(configPath: string): Promise<number> {
  return launchJob(
    await loadJobConfig(configPath, process.env, machineHealthSettings),
    async ({ config, logger, metrics, onJobEvent }) => {
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
      const tableOf = (table: string) => table.slice(table.indexOf('.') + 1);
      const running = await startMachineHealthOnKafka({
        ...machineHealthOptionsOf(config, { log: onJobEvent, onCommitted }),
        onScored: (seconds) => metrics.scoringSeconds.observe(seconds),
        onLateReading: () => metrics.lateRecordsDroppedTotal.inc({ operator: 'kpi-minute' }),
        onCommandRejected: (rejected) => logger.warn(rejected, 'command refused by the sink bounds'),
        clickhouseObserver: {
          onWritten: ({ table, rows, latencyMs }) => {
            metrics.clickhouseRowsTotal.inc({ table: tableOf(table) }, rows);
            metrics.clickhouseSinkSeconds.observe({ table: tableOf(table) }, latencyMs / 1000);
          },
          onRetry: ({ table }) => metrics.clickhouseRetriesTotal.inc({ table: tableOf(table) }),
          onRejected: ({ table, id, reason }) => {
            metrics.clickhouseRowsRejectedTotal.inc({ table: tableOf(table) });
            logger.warn(
              { table, id, reason },
              'row refused by ClickHouse; the rest of its batch was written',
            );
          },
        },
      });
      return { job: running.job, close: () => running.close() };
    },
  );
}

function scoringModelOf(model: string): 'physics' | 'surrogate' | 'failsafe' {
  if (model === 'SURROGATE') return 'surrogate';
  if (model === 'PHYSICS') return 'physics';
  return 'failsafe';
}
