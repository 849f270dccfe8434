import { runEmbedded } from 'twinflow/runtime';
import { runBaselineSite } from './baselineMaintenance.js';
import type { HxCatalogue } from './catalogue.js';
import { heatExchangerStreamingJob } from './definition.js';
import { siteSource } from './embeddedRun.js';
import { HeatExchangerSimulator, type HxGroundTruth } from './exchangerSimulator.js';
import type { HxFault } from './faultSchedule.js';
import type { MaintenancePolicyConfig } from './maintenancePolicy.js';
import type { HxOutput } from './outputs.js';

export interface InMemoryRunOptions {
  readonly catalogue: HxCatalogue;
  readonly seed: number;
  readonly days: number;
  /** Between readings (default 10 min). */
  readonly tickMs?: number;
  /** A barrier (epoch end, snapshot) every this many ticks (default 36: six hours). */
  readonly barrierEvery?: number;
  readonly policy?: MaintenancePolicyConfig;
  /** Default: the simulator's seeded schedule, one fault of each kind. */
  readonly faults?: readonly HxFault[];
}

/** Both runs' ground truth and what the twin did. */
export interface InMemoryRunResult {
  readonly seed: number;
  readonly days: number;
  readonly baseline: HxGroundTruth;
  readonly twin: HxGroundTruth;
  readonly outputs: readonly HxOutput[];
  readonly deadLetters: number;
}

/**
 * Baseline and twin on the same seeded site, closed loop and in memory: the
 * baseline is the simulator with its calendar-and-complaints maintenance;
 * the twin is the job definition on the runtime's embedded mode without
 * sinks: each tick's readings in, the watermark at the tick, the tick's
 * outputs applied to the site, a barrier every `barrierEvery` ticks.
 * Figures without Kafka or ClickHouse.
 *
 * @example
 * const r = await runHeatExchangerInMemory({ catalogue, seed: 1, days: 60 });
 * heatExchangerReport(r.baseline, r.twin).forEach((l) => console.log(l));
 */
export async function runHeatExchangerInMemory(options: InMemoryRunOptions): Promise<InMemoryRunResult> {
  const { catalogue, seed, days } = options;
  const tickMs = options.tickMs ?? 600_000;
  const ticks = Math.round((days * 86_400_000) / tickMs);
  const simulatorOptions = { seed, days, tickMs, faults: options.faults };

  const baseline = runBaselineSite(catalogue, simulatorOptions, ticks);

  const site = new HeatExchangerSimulator(catalogue, simulatorOptions);
  const outputs: HxOutput[] = [];
  const result = await runEmbedded(
    heatExchangerStreamingJob({ catalogue, policy: options.policy }, { commandsTopic: 'hx-commands' }),
    {
      source: siteSource(site, ticks),
      maxTicks: ticks,
      onOutput: (out) => void outputs.push(out),
      epochTicks: options.barrierEvery ?? 36,
    },
  );
  return { seed, days, baseline, twin: site.groundTruth(), outputs, deadLetters: result.deadLetters.length };
}
