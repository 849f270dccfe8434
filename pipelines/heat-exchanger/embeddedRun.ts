import { ClickHouseOutputs } from 'twinflow/clickhouse';
import {
  type ClosedLoopSource,
  type EmbeddedProgress,
  runEmbedded,
  startEmbeddedClickHouse,
} from 'twinflow/runtime';
import { runBaselineSite } from './baselineMaintenance.js';
import type { HxCatalogue } from './catalogue.js';
import type { HxTelemetry } from './contracts.js';
import { heatExchangerStreamingJob } from './definition.js';
import { HeatExchangerSimulator, type HxGroundTruth, type HxSimulatorOptions } from './exchangerSimulator.js';
import type { HxOutput } from './outputs.js';

export interface HeatExchangerEmbeddedOptions {
  readonly catalogue: HxCatalogue;
  readonly seed: number;
  readonly days: number;
  /** Between readings (default 10 min). */
  readonly tickMs?: number;
  /** Embedded ClickHouse data directory (default .twinflow/clickhouse) and HTTP port (default: a free one). */
  readonly dataDir?: string;
  readonly port?: number;
  readonly database?: string;
  readonly onProgress?: (progress: EmbeddedProgress) => void;
}

export interface HeatExchangerEmbeddedReport {
  readonly baseline: HxGroundTruth;
  readonly twin: HxGroundTruth;
  readonly readings: number;
  readonly eventsPerSec: number;
  readonly commands: Readonly<Record<string, number>>;
  readonly deadLetters: number;
  readonly rowsWritten: Readonly<Record<string, number>>;
  readonly clickhouse: { readonly url: string; readonly database: string; readonly dataDir: string };
}

/**
 * The simulated site as the embedded run's source: each tick's readings to
 * the job, the job's commands back to the site before the next tick.
 *
 * @example
 * await runEmbedded(definition, { source: siteSource(new HeatExchangerSimulator(catalogue, options), ticks) });
 */
export function siteSource(
  site: HeatExchangerSimulator,
  ticks: number,
): ClosedLoopSource<HxTelemetry, HxOutput> {
  let tick = 0;
  return {
    step: () => (tick++ < ticks ? site.step() : undefined),
    apply: (outputs) => site.apply(outputs),
  };
}

/**
 * `twinflow run heat-exchanger`: the seeded site once with its calendar
 * maintenance (the baseline) and once closed loop with the twin, through
 * Avro, the job and an embedded ClickHouse, on the runtime's embedded mode.
 *
 * @example
 * const report = await runHeatExchangerEmbedded({ catalogue, seed: 1, days: 60 });
 */
export async function runHeatExchangerEmbedded(
  options: HeatExchangerEmbeddedOptions,
): Promise<HeatExchangerEmbeddedReport> {
  const { catalogue, seed, days } = options;
  const tickMs = options.tickMs ?? 600_000;
  const ticks = Math.round((days * 86_400_000) / tickMs);
  const simulatorOptions: HxSimulatorOptions = { seed, days, tickMs };

  const baseline = runBaselineSite(catalogue, simulatorOptions, ticks);

  const definition = heatExchangerStreamingJob({ catalogue }, { commandsTopic: 'hx-commands' });
  const clickhouse = await startEmbeddedClickHouse({
    dataDir: options.dataDir,
    port: options.port,
    database: options.database ?? 'heat_exchangers',
    migrations: definition.migrations,
  });
  try {
    const tables = new ClickHouseOutputs(
      clickhouse.client,
      clickhouse.database,
      definition.clickhouseTables ?? [],
    );
    const site = new HeatExchangerSimulator(catalogue, simulatorOptions);
    const commands: Record<string, number> = {};
    const result = await runEmbedded(definition, {
      source: siteSource(site, ticks),
      maxTicks: ticks,
      topic: 'hx-telemetry',
      sinks: tables,
      onOutput: (out) => {
        if (out.type === 'command') commands[out.command.action] = (commands[out.command.action] ?? 0) + 1;
      },
      // Six hours of readings per epoch, as the in-memory comparison closes them.
      epochTicks: 36,
      progressEvery: Math.max(1, Math.round(ticks / 10)),
      onProgress: options.onProgress,
    });
    await tables.close();
    return {
      baseline,
      twin: site.groundTruth(),
      readings: result.records,
      eventsPerSec: result.records / (result.elapsedMs / 1000),
      commands,
      deadLetters: result.deadLetters.length,
      rowsWritten: { ...tables.written },
      clickhouse: { url: clickhouse.url, database: clickhouse.database, dataDir: clickhouse.dataDir },
    };
  } finally {
    await clickhouse.close();
  }
}
