import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalogue } from '../../connectors/catalogue/catalogue.js';
import { loadCatalogue } from '../../connectors/catalogue/loadCatalogue.js';
import { scaleCatalogue } from '../../connectors/catalogue/scaleCatalogue.js';
import { OnnxSurrogate } from '../../connectors/onnx/onnxSurrogate.js';
import type { FaultPlan } from '../../connectors/simulator/faultPlan.js';
import type { GroundTruth } from '../../connectors/simulator/groundTruth.js';
import { PlantSimulator } from '../../connectors/simulator/plantSimulator.js';
import type { Alert } from '../../operators/control/alert.js';
import type { Command } from '../../operators/control/contracts.js';
import { type AlarmQualityReport, scoreAlarmQuality } from '../../operators/kpi/alarmQuality.js';
import { type MttdReport, timeToDetect } from '../../operators/kpi/mttd.js';
import {
  type HybridCounters,
  type HybridRiskModel,
  hybridRiskModel,
} from '../../operators/scoring/hybridRiskModel.js';
import { physicsRiskModel } from '../../operators/scoring/physicsRiskModel.js';
import type { SurrogateRiskModel } from '../../operators/scoring/surrogateMetadata.js';
import { startEmbeddedClickHouse } from '../../runtime/embedded/embeddedClickHouse.js';
import { type EmbeddedProgress, runEmbedded } from '../../runtime/embedded/runEmbedded.js';
import { writeAlarmQuality } from './alarmQualityTables.js';
import { machineHealthClickHouse, type RowsWritten } from './clickhouseTables.js';
import { machineHealthStreamingJob } from './definition.js';
import type { MachineHealthOutput } from './machineHealth.js';
import { machineHealthPolicyConfig } from './machineHealthPolicy.js';
import { type PlantCosts, plantCosts, type RunSavings, runSavings } from './plantCosts.js';
import { type PlantKpis, plantKpis } from './plantKpis.js';
import { type PlantSeries, plantSeriesRecorder } from './plantSeries.js';
import { plantSource, runBaseline } from './plantSource.js';
import { writeCostBaseline, writeCostRates } from './roiTables.js';

/** The repository root, from this module in the source tree or in dist/ (which mirrors it one level down). */
function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'pipelines/machine-health/catalogue.yaml'))) return dir;
    dir = dirname(dir);
  }
  throw new Error(
    `cannot find pipelines/machine-health/catalogue.yaml above ${fileURLToPath(import.meta.url)}`,
  );
}

const repoRoot = findRepoRoot();

export const DEFAULT_CATALOGUE = join(repoRoot, 'pipelines/machine-health/catalogue.yaml');
export const DEFAULT_MODEL = join(repoRoot, 'models/machine-health-surrogate.onnx');

/** The embedded run's progress, with the twin's commands and alerts so far. */
export type MachineHealthProgress = EmbeddedProgress & { readonly commands: number; readonly alerts: number };

/** The KPI window, closed at the end of an embedded run. */
const KPI_WINDOW_MS = 60_000;

export interface EmbeddedRunOptions {
  readonly assets: number;
  readonly days: number;
  readonly seed: number;
  /** Simulated seconds per reading (default 30). */
  readonly tickS?: number;
  /** Simulated time per wall time; 0 = as fast as possible. */
  readonly speed?: number;
  readonly baselineOnly?: boolean;
  /** Embedded ClickHouse HTTP port while the job runs (default 0: a free one, so a running local stack on 18123 does not clash). */
  readonly port?: number;
  readonly dataDir?: string;
  readonly database?: string;
  readonly cataloguePath?: string;
  readonly modelPath?: string;
  /** Injected faults per asset and simulated day, by kind. */
  readonly faultRates?: FaultPlan['random'];
  readonly startTs?: number;
  readonly onProgress?: (p: MachineHealthProgress) => void;
  /** Each output of the twin's run as it leaves the graph (the live operator view). */
  readonly onOutput?: (out: MachineHealthOutput) => void;
}

export interface EmbeddedRunReport {
  readonly assets: number;
  readonly days: number;
  readonly seed: number;
  readonly baseline: PlantKpis;
  readonly twin?: PlantKpis;
  /** What each run cost by the catalogue's cost table, and the twin's net saving. */
  readonly costs: {
    readonly baseline: PlantCosts;
    readonly twin?: PlantCosts;
    readonly savings?: RunSavings;
  };
  readonly readings?: number;
  /** Readings the simulated plant produced (what the job was given). */
  readonly readingsProduced?: number;
  /** Readings the input contract refused (the dead-letter topic on Kafka). */
  readonly deadLetters?: number;
  readonly eventsPerSec?: number;
  readonly commandsByAction?: Record<string, number>;
  readonly commandsIgnored?: number;
  readonly alerts?: number;
  readonly mttd?: MttdReport;
  /** Alerts and dispatches scored against ground truth (operators/kpi/alarmQuality.ts for the definitions). */
  readonly alarmQuality?: AlarmQualityReport;
  readonly scoring?: HybridCounters;
  readonly rowsWritten?: RowsWritten;
  readonly clickhouse?: { readonly url: string; readonly database: string; readonly dataDir: string };
  readonly truth?: GroundTruth;
  readonly baselineTruth: GroundTruth;
  readonly catalogue: Catalogue;
  /** Per-line production per simulated hour of each run (plantSeries.ts), for charts over time. */
  readonly series?: { readonly baseline: PlantSeries; readonly twin?: PlantSeries };
}

/**
 * The job's hybrid risk model around a loaded surrogate. Physics uses fewer
 * samples and a coarser look-ahead than the surrogate's training labels:
 * cross-checks tolerate Monte Carlo noise, and the job scores every reading.
 *
 * @example
 * const riskModel = machineHealthRiskModel(await OnnxSurrogate.load(DEFAULT_MODEL));
 */
export function machineHealthRiskModel(surrogate: SurrogateRiskModel): HybridRiskModel {
  return hybridRiskModel({
    surrogate,
    physics: physicsRiskModel({ seed: 1, samples: 128, lookaheadHours: 72, lookaheadStepS: 3600 }),
    crossCheckEvery: 64,
  });
}

export const DEFAULT_FAULT_RATES: NonNullable<FaultPlan['random']> = {
  perAssetDay: {
    'bearing-defect': 0.25,
    'cooling-loss': 0.15,
    'sensor-dropout': 0.2,
    'stuck-sensor': 0.1,
    spike: 1,
  },
};

/**
 * The reference twin on the embedded default: the seeded plant runs once
 * without the twin (baseline) and once with it, closed loop, through Avro,
 * the machine-health job and an embedded ClickHouse on 127.0.0.1; the report
 * compares the two runs and says how to query the results.
 *
 * @example
 * const report = await runMachineHealthEmbedded({ assets: 100, days: 2, seed: 42 });
 * report.twin!.failures < report.baseline.failures;
 */
export async function runMachineHealthEmbedded(options: EmbeddedRunOptions): Promise<EmbeddedRunReport> {
  const base = await loadCatalogue(options.cataloguePath ?? DEFAULT_CATALOGUE);
  const catalogue = options.assets === base.assets.length ? base : scaleCatalogue(base, options.assets);
  const tickMs = (options.tickS ?? 30) * 1000;
  const ticks = Math.round((options.days * 86_400_000) / tickMs);
  const startTs = options.startTs ?? Date.UTC(2026, 0, 5);
  const faults: FaultPlan = { random: options.faultRates ?? DEFAULT_FAULT_RATES };
  const plantOptions = { catalogue, seed: options.seed, startTs, tickMs, faults };

  const baselineSeries = plantSeriesRecorder(catalogue);
  const baselineTruth = runBaseline(new PlantSimulator(plantOptions), ticks, baselineSeries);
  const baseline = plantKpis(baselineTruth, catalogue);
  const common = {
    assets: catalogue.assets.length,
    days: options.days,
    seed: options.seed,
    baseline,
    baselineTruth,
    catalogue,
    costs: { baseline: plantCosts(baselineTruth, catalogue) },
    series: { baseline: baselineSeries.series() },
  };
  if (options.baselineOnly) return common;

  const clickhouse = await startEmbeddedClickHouse({
    dataDir: options.dataDir,
    port: options.port,
    database: options.database ?? 'twinflow',
  });
  const { client, database } = clickhouse;
  await writeCostRates(client, database, catalogue);
  await writeCostBaseline(
    client,
    database,
    common.costs.baseline,
    options.days,
    `simulated baseline, seed ${options.seed}`,
  );
  const surrogate = await OnnxSurrogate.load(options.modelPath ?? DEFAULT_MODEL);
  try {
    const riskModel = machineHealthRiskModel(surrogate);
    const sinks = machineHealthClickHouse(client, database, catalogue);
    const plant = new PlantSimulator(plantOptions);
    const commands: Command[] = [];
    const alerts: Alert[] = [];
    const twinSeries = plantSeriesRecorder(catalogue);
    const source = plantSource(plant, ticks, twinSeries);
    let readingsProduced = 0;
    const result = await runEmbedded(
      machineHealthStreamingJob(
        { catalogue, riskModel, policy: machineHealthPolicyConfig, outcomeTimeoutMs: 10 * tickMs },
        { commandsTopic: 'commands' },
      ),
      {
        source: {
          ...source,
          step: () => {
            const readings = source.step();
            readingsProduced += readings?.length ?? 0;
            return readings;
          },
        },
        maxTicks: ticks,
        topic: 'telemetry',
        sinks,
        onOutput: (out) => {
          options.onOutput?.(out);
          if (out.type === 'command') commands.push(out.command);
          else if (out.type === 'alert') alerts.push(out.alert);
        },
        epochTicks: 120,
        // Fire the last KPI window, but not silence timers: the plant did not go quiet, the run ended.
        closingWatermark: (lastTs) => lastTs + KPI_WINDOW_MS - 1,
        progressEvery: Math.max(1, Math.round(ticks / 20)),
        speedup: options.speed,
        onProgress: (p) => options.onProgress?.({ ...p, commands: commands.length, alerts: alerts.length }),
      },
    );
    await sinks.close();
    const truth = plant.groundTruth();
    const detections = [
      ...commands.map((c: Command) => ({
        assetId: c.assetId,
        ts: c.decidedAt,
        what: `command:${c.action}`,
      })),
    ];
    const alertRows = await client.query({
      query: `SELECT asset_id, toUnixTimestamp64Milli(ts) AS ts, kind FROM ${database}.alerts_dedup`,
      format: 'JSONEachRow',
    });
    for (const a of await alertRows.json<{ asset_id: string; ts: number | string; kind: string }>()) {
      detections.push({ assetId: a.asset_id, ts: Number(a.ts), what: `alert:${a.kind}` });
    }
    const physicalFaults = truth.faults.filter(
      (f) => f.kind === 'bearing-defect' || f.kind === 'cooling-loss',
    );
    const mttd = timeToDetect(physicalFaults, detections, { maxDetectionMs: 12 * 3_600_000 });
    const commandsByAction: Record<string, number> = {};
    for (const c of commands) commandsByAction[c.action] = (commandsByAction[c.action] ?? 0) + 1;
    const twinCosts = plantCosts(truth, catalogue, commands);
    const alarmQuality = scoreAlarmQuality({
      faults: truth.faults,
      failures: truth.failures,
      alerts,
      commands,
      from: truth.from,
      to: truth.to,
      assetCount: catalogue.assets.length,
    });
    await writeAlarmQuality(client, database, alarmQuality, catalogue, `embedded, seed ${options.seed}`);
    return {
      ...common,
      costs: {
        baseline: common.costs.baseline,
        twin: twinCosts,
        savings: runSavings(common.costs.baseline, twinCosts, catalogue, options.days),
      },
      twin: plantKpis(truth, catalogue),
      readings: result.records,
      readingsProduced,
      deadLetters: result.deadLetters.length,
      eventsPerSec: result.records / (result.elapsedMs / 1000),
      commandsByAction,
      commandsIgnored: truth.commands.filter((c) => c.outcome === 'IGNORED').length,
      alerts: alerts.length,
      mttd,
      alarmQuality,
      scoring: riskModel.counters(),
      rowsWritten: sinks.written,
      clickhouse: { url: clickhouse.url, database, dataDir: clickhouse.dataDir },
      truth,
      series: { baseline: common.series.baseline, twin: twinSeries.series() },
    };
  } finally {
    await surrogate.close();
    await clickhouse.close();
  }
}
