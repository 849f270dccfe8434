import { type JobConfig, loadJobConfig, runOnKafka } from 'twinflow/runtime';
import { DEFAULT_HX_CATALOGUE, loadHxCatalogue } from './catalogue.js';
import { heatExchangerStreamingJob } from './definition.js';
import { defaultMaintenancePolicy } from './maintenancePolicy.js';
import type { HxOutput } from './outputs.js';
import { type HeatExchangerSettings, heatExchangerSettings } from './settings.js';

/** The commands output's topic in a config: `topics.outputs.commands`, else "hx-commands". */
export function hxCommandsTopicOf(config: Pick<JobConfig<unknown>, 'topics'>): string {
  return config.topics.outputs.commands ?? 'hx-commands';
}

/**
 * The heat-exchanger job as its config says: the catalogue, the policy's
 * horizon and interval, the watermark and staleness timings.
 *
 * @example
 * const definition = await heatExchangerJobOf(await loadJobConfig('hx.yaml', process.env, heatExchangerSettings));
 */
export async function heatExchangerJobOf(config: JobConfig<HeatExchangerSettings>) {
  const { pipeline } = config;
  const catalogue = await loadHxCatalogue(pipeline.catalogue ?? DEFAULT_HX_CATALOGUE);
  return heatExchangerStreamingJob(
    {
      catalogue,
      policy: {
        ...defaultMaintenancePolicy,
        horizonH: pipeline.horizonH,
        minCleaningIntervalH: pipeline.minCleaningIntervalH,
      },
      staleAfterMs: pipeline.staleAfterMs,
    },
    {
      commandsTopic: hxCommandsTopicOf(config),
      outOfOrdernessMs: pipeline.outOfOrdernessMs,
      idleTimeoutMs: pipeline.idleTimeoutMs,
    },
  );
}

/**
 * `twinflow run heat-exchanger --config FILE`: the job on Kafka
 * exactly-once, on the runtime's `runOnKafka` like any job; the twin adds
 * its commands by action to the metrics.
 *
 * @example
 * process.exitCode = await runHeatExchangerOnKafka('hx.yaml');
 */
export async function runHeatExchangerOnKafka(configPath: string): Promise<number> {
  const config = await loadJobConfig(configPath, process.env, heatExchangerSettings);
  const commandsTopic = hxCommandsTopicOf(config);
  return runOnKafka(config, async ({ metrics }) => ({
    definition: await heatExchangerJobOf(config),
    onCommitted: (_epoch: number, outputs: readonly HxOutput[]) => {
      for (const out of outputs) {
        if (out.type !== 'command') continue;
        metrics.commandsTotal.inc({ action: out.command.action });
        metrics.recordsOutTotal.inc({ topic: commandsTopic });
      }
    },
  }));
}
