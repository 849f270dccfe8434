import type { ClickHouseClient } from '@clickhouse/client';
import type { Catalogue } from '../../connectors/catalogue/catalogue.js';
import {
  type AnyTableOutput,
  ClickHouseOutputs,
  tableOutput,
} from '../../connectors/clickhouse/clickhouseOutputs.js';
import {
  type AlertRow,
  type CommandRow,
  commandRow,
  type KpiMinuteRow,
  Tables,
  type TelemetryEnrichedRow,
  type TwinStateRow,
  telemetryEnrichedRow,
  twinStateRow,
} from '../../connectors/clickhouse/rows.js';
import type { ClickHouseSinkObserver } from '../../connectors/clickhouse/sinkObserver.js';
import type { Alert } from '../../operators/control/alert.js';
import type { MachineHealthOutput } from './machineHealth.js';

/** Rows written per output, for the report and metrics. */
export type RowsWritten = Record<'telemetry' | 'twinState' | 'kpi' | 'commands' | 'alerts', number>;

/**
 * The machine-health job's ClickHouse outputs: a table per kind of output,
 * rows keyed by deterministic ids (reading, window, command, alert) so a
 * replayed epoch converges to one row per fact. Twin states are coalesced
 * per epoch to the latest per asset, as the Kafka changelog is. The rows
 * carry the asset's site and line from the catalogue.
 *
 * @example
 * const sinks = new ClickHouseOutputs(client, 'twinflow', machineHealthTables(catalogue));
 * await runEmbedded(definition, { source: plantSource(plant, ticks), sinks });
 * await sinks.close();
 */
export function machineHealthTables(catalogue: Catalogue): AnyTableOutput<MachineHealthOutput>[] {
  const placeOf = new Map(catalogue.assets.map((a) => [a.id, { site: a.site, line: a.line }]));
  return [
    tableOutput<MachineHealthOutput, TelemetryEnrichedRow>({
      name: 'telemetry',
      table: Tables.telemetryEnriched,
      maxRows: 20_000,
      idOf: (r) => r.event_id,
      rowOf: (out, epoch) => {
        if (out.type !== 'enriched') return undefined;
        const r = out.reading;
        return telemetryEnrichedRow(
          r.telemetry,
          {
            risk: Number.isFinite(r.risk.risk) ? r.risk.risk : 1,
            rulHours: r.risk.rulHours,
            anomalyScore: r.anomaly.score,
            wearEstimate: r.features?.wearEstimate ?? 0,
            model: r.risk.model,
          },
          epoch,
        );
      },
    }),
    tableOutput<MachineHealthOutput, TwinStateRow>({
      name: 'twinState',
      table: Tables.twinState,
      idOf: (r) => `${r.asset_id}@${r.version}`,
      latestPerEpochBy: (r) => r.asset_id,
      rowOf: (out) => (out.type === 'state' ? twinStateRow(out.state) : undefined),
    }),
    tableOutput<MachineHealthOutput, KpiMinuteRow>({
      name: 'kpi',
      table: Tables.kpiMinute,
      maxRows: 20_000,
      idOf: (r) => `${r.asset_id}@${r.minute}#${r.late_firings}`,
      rowOf: (out) => {
        if (out.type !== 'kpi') return undefined;
        const k = out.kpi;
        const place = placeOf.get(out.assetId) ?? { site: '', line: '' };
        return {
          asset_id: out.assetId,
          site: place.site,
          line: place.line,
          minute: out.start,
          availability: k.availability ?? 0,
          performance: k.performance ?? 0,
          quality: k.quality ?? 1,
          oee: k.oee ?? 0,
          downtime_s: k.downtimeS,
          planned_s: k.plannedS,
          running_s: k.runningS,
          ideal_s: k.idealS,
          good_units: k.goodUnits,
          rejected_units: k.rejectedUnits,
          energy_kwh: k.energyKwh,
          energy_per_unit_kwh: k.energyPerUnitKwh,
          readings: k.readings,
          late: out.late,
          late_firings: out.late ? 1 : 0,
        };
      },
    }),
    tableOutput<MachineHealthOutput, CommandRow>({
      name: 'commands',
      table: Tables.commands,
      idOf: (r) => r.command_id,
      rowOf: (out) => (out.type === 'command' ? commandRow(out.command) : undefined),
    }),
    tableOutput<MachineHealthOutput, AlertRow>({
      name: 'alerts',
      table: Tables.alerts,
      idOf: (r) => r.alert_id,
      rowOf: (out) => (out.type === 'alert' ? alertRow(out.alert) : undefined),
    }),
  ];
}

/** The machine-health job's ClickHouse sinks, with its rows written per output. */
export type MachineHealthClickHouse = ClickHouseOutputs<MachineHealthOutput> & {
  readonly written: RowsWritten;
};

/**
 * The machine-health job's ClickHouse sinks: its tables through the generic outputs.
 *
 * @example
 * const sinks = machineHealthClickHouse(client, 'twinflow', catalogue);
 */
export function machineHealthClickHouse(
  client: ClickHouseClient,
  database: string,
  catalogue: Catalogue,
  observer?: ClickHouseSinkObserver,
): MachineHealthClickHouse {
  return new ClickHouseOutputs(
    client,
    database,
    machineHealthTables(catalogue),
    observer,
  ) as MachineHealthClickHouse;
}

function alertRow(a: Alert): AlertRow {
  return {
    alert_id: a.alertId,
    asset_id: a.assetId,
    ts: a.ts,
    severity: a.severity.toUpperCase() as AlertRow['severity'],
    kind: a.kind,
    reason: a.reason,
    value: a.value,
  };
}
