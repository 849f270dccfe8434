import { JobTestDriver } from 'twinflow/testing';
import { runBaselineSite } from './baselineMaintenance.js';
import type { HxCatalogue } from './catalogue.js';
import type { HxTelemetry } from './contracts.js';
import { heatExchangerStreamingJob } from './definition.js';
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
 * the twin is the job definition run by JobTestDriver, each tick's readings
 * piped in, the watermark advanced to the tick, the tick's new outputs
 * applied to the simulator, and a barrier every `barrierEvery` ticks.
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

  const plant = new HeatExchangerSimulator(catalogue, simulatorOptions);
  const driver = new JobTestDriver<HxTelemetry, HxOutput>(
    heatExchangerStreamingJob({ catalogue, policy: options.policy }, { commandsTopic: 'hx-commands' }),
  );
  const barrierEvery = options.barrierEvery ?? 36;
  let seen = 0;
  try {
    for (let i = 0; i < ticks; i++) {
      await driver.pipeAll(plant.step());
      await driver.advanceWatermark(plant.now());
      const all = driver.outputs();
      plant.apply(all.slice(seen));
      seen = all.length;
      if ((i + 1) % barrierEvery === 0) await driver.barrier();
    }
    return {
      seed,
      days,
      baseline,
      twin: plant.groundTruth(),
      outputs: driver.outputs(),
      deadLetters: driver.deadLetters().length,
    };
  } finally {
    driver.close();
  }
}
