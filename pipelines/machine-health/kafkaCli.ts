import { type JobConfig, loadJobConfig } from '../../runtime/config/jobConfig.js';
import { kafkaPlacementOf } from '../../runtime/launcher/kafkaPlacementOf.js';
import { runOnKafka } from '../../runtime/launcher/runOnKafka.js';
import type { JobMetrics } from '../../runtime/observability/metrics.js';
import { type MachineHealthKafkaOptions, machineHealthOnKafka } from './kafkaJob.js';
import type { MachineHealthOutput } from './machineHealth.js';
import { machineHealthOperatorView } from './operatorView.js';
import { type MachineHealthSettings, machineHealthSettings } from './settings.js';
import { whatIfJobState } from './whatIfJobState.js';
import { whatIfRoutes } from './whatIfRoute.js';

/** The commands output's topic in a config: `topics.outputs.commands`, else "commands". */
export function commandsTopicOf(config: JobConfig<unknown>): string {
  return config.topics.outputs.commands ?? 'commands';
}

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
  const placement = kafkaPlacementOf(config as JobConfig<unknown>);
  const { pipeline } = config;
  return {
    kafka: placement.kafka,
    registryUrl: placement.registry.url,
    registryAuth: placement.registry.auth,
    groupId: placement.groupId,
    instanceId: placement.instanceId,
    topics: {
      ...config.topics,
      telemetry: config.topics.input,
      commands: commandsTopicOf(config as JobConfig<unknown>),
    },
    clickhouse: placement.clickhouse,
    epochs: config.epochs,
    commands: pipeline.commands,
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
 * (Kafka, schema registry, ClickHouse) with exactly-once epochs, on the
 * runtime's `runOnKafka` like any job. What is added here is the twin's own
 * telemetry: commands by action, KPI firings, scoring, late readings, and
 * commands the sink's bounds refused; and its live operator view, beside
 * /metrics, fed from committed epochs only.
 *
 * @example
 * process.exitCode = await runOnKafkaFromConfig('infra/local/machine-health.yaml');
 */
export async function runOnKafkaFromConfig(configPath: string): Promise<number> {
  const config = await loadJobConfig(configPath, process.env, machineHealthSettings);
  const commandsTopic = commandsTopicOf(config as JobConfig<unknown>);
  return runOnKafka(config, async ({ metrics, logger }) => {
    const built = await machineHealthOnKafka({
      ...machineHealthOptionsOf(config),
      onScored: (seconds) => metrics.scoringSeconds.observe(seconds),
      onLateReading: () => metrics.lateRecordsDroppedTotal.inc({ operator: 'kpi-minute' }),
      onCommandRejected: (rejected) => logger.warn(rejected, 'command refused by the sink bounds'),
    });
    const view = machineHealthOperatorView(built.catalogue);
    // What-if answers from the committed twin states, as the view shows them.
    const states = whatIfJobState(built.catalogue);
    const fed = {
      observe(out: MachineHealthOutput) {
        view.observe(out);
        states.observe(out);
      },
    };
    return {
      definition: built.definition,
      close: built.close,
      view,
      routes: whatIfRoutes({ catalogue: built.catalogue, subjectOf: states.subjectOf }),
      onCommitted: machineHealthOnCommitted({ metrics, commandsTopic, view: fed }),
    };
  });
}

/**
 * What machine-health does with each committed epoch's outputs on Kafka:
 * counts commands, KPI firings and scorings, and folds the outputs into the
 * operator view. Only committed epochs come here: an epoch in flight may
 * still be aborted and replayed, and the page must never show a command
 * that was not sent.
 *
 * @example
 * const view = machineHealthOperatorView(catalogue);
 * const onCommitted = machineHealthOnCommitted({ metrics, commandsTopic: 'commands', view });
 * onCommitted(7, outputs); // view.snapshot() now shows them
 */
export function machineHealthOnCommitted(hooks: {
  readonly metrics: JobMetrics;
  readonly commandsTopic: string;
  readonly view: { observe(out: MachineHealthOutput): void };
}): (epoch: number, outputs: readonly MachineHealthOutput[]) => void {
  const { metrics, commandsTopic, view } = hooks;
  return (_epoch, outputs) => {
    for (const out of outputs) {
      if (out.type === 'command') {
        metrics.commandsTotal.inc({ action: out.command.action });
        metrics.recordsOutTotal.inc({ topic: commandsTopic });
      } else if (out.type === 'kpi') metrics.windowFiringsTotal.inc({ operator: 'kpi-minute' });
      else if (out.type === 'enriched') {
        metrics.scoringTotal.inc({ model: scoringModelOf(out.reading.risk.model) });
      }
      view.observe(out);
    }
  };
}

function scoringModelOf(model: string): 'physics' | 'surrogate' | 'failsafe' {
  if (model === 'SURROGATE') return 'surrogate';
  if (model === 'PHYSICS') return 'physics';
  return 'failsafe';
}
