import type { ClickHouseClient } from '@clickhouse/client';
import type { Catalogue } from '../../connectors/catalogue/catalogue.js';
import { ClickHouseSink } from '../../connectors/clickhouse/clickhouseSink.js';
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
import type { TwinState } from '../../operators/control/contracts.js';
import type { MachineHealthOutput } from './machineHealth.js';
import type { MachineHealthSinks } from './plantLoop.js';

/** Rows written per table, for the report and metrics. */
export type RowsWritten = Record<'telemetry' | 'twinState' | 'kpi' | 'commands' | 'alerts', number>;

/**
 * The machine-health job's ClickHouse output: one batching sink per table,
 * rows keyed by deterministic ids (reading, window, command, alert) so a
 * replayed epoch converges to one row per fact. Twin states are coalesced
 * per epoch to the latest per asset, as the Kafka changelog is.
 *
 * @example
 * const sinks = new MachineHealthClickHouseSinks(client, 'twinflow', catalogue);
 * await runPlantLoop({ ..., sinks });
 * await sinks.close();
 */
export class MachineHealthClickHouseSinks implements MachineHealthSinks {
  readonly written: RowsWritten = { telemetry: 0, twinState: 0, kpi: 0, commands: 0, alerts: 0 };
  private readonly telemetry: ClickHouseSink<TelemetryEnrichedRow>;
  private readonly twinStates: ClickHouseSink<TwinStateRow>;
  private readonly kpis: ClickHouseSink<KpiMinuteRow>;
  private readonly commands: ClickHouseSink<CommandRow>;
  private readonly alerts: ClickHouseSink<AlertRow>;
  private readonly latestStates = new Map<string, TwinState>();
  private readonly placeOf: Map<string, { site: string; line: string }>;
  private epoch = 1;

  /** `observer`: every table's batches written, retries and rows ClickHouse refused (the rest of their batch is written). */
  constructor(
    client: ClickHouseClient,
    database: string,
    catalogue: Catalogue,
    observer: ClickHouseSinkObserver = {},
  ) {
    const table = (name: string) => `${database}.${name}`;
    this.telemetry = new ClickHouseSink({
      client,
      ...observer,
      table: table(Tables.telemetryEnriched),
      maxRows: 20_000,
      idOf: (r) => r.event_id,
    });
    this.twinStates = new ClickHouseSink({
      client,
      ...observer,
      table: table(Tables.twinState),
      idOf: (r) => `${r.asset_id}@${r.version}`,
    });
    this.kpis = new ClickHouseSink({
      client,
      ...observer,
      table: table(Tables.kpiMinute),
      maxRows: 20_000,
      idOf: (r) => `${r.asset_id}@${r.minute}#${r.late_firings}`,
    });
    this.commands = new ClickHouseSink({
      client,
      ...observer,
      table: table(Tables.commands),
      idOf: (r) => r.command_id,
    });
    this.alerts = new ClickHouseSink({
      client,
      ...observer,
      table: table(Tables.alerts),
      idOf: (r) => r.alert_id,
    });
    this.placeOf = new Map(catalogue.assets.map((a) => [a.id, { site: a.site, line: a.line }]));
  }

  write(out: MachineHealthOutput): void | Promise<void> {
    switch (out.type) {
      case 'enriched': {
        const r = out.reading;
        this.written.telemetry++;
        return this.telemetry.write(
          telemetryEnrichedRow(
            r.telemetry,
            {
              risk: Number.isFinite(r.risk.risk) ? r.risk.risk : 1,
              rulHours: r.risk.rulHours,
              anomalyScore: r.anomaly.score,
              wearEstimate: r.features?.wearEstimate ?? 0,
              model: r.risk.model,
            },
            this.epoch,
          ),
        );
      }
      case 'state':
        this.latestStates.set(out.state.assetId, out.state);
        return;
      case 'kpi': {
        this.written.kpi++;
        const k = out.kpi;
        const place = this.placeOf.get(out.assetId) ?? { site: '', line: '' };
        return this.kpis.write({
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
        });
      }
      case 'command':
        this.written.commands++;
        return this.commands.write(commandRow(out.command));
      case 'alert':
        this.written.alerts++;
        return this.alerts.write(alertRow(out.alert));
    }
  }

  async flush(epoch: number): Promise<void> {
    for (const state of this.latestStates.values()) {
      this.written.twinState++;
      const w = this.twinStates.write(twinStateRow(state));
      if (w) await w;
    }
    this.latestStates.clear();
    await Promise.all([
      this.telemetry.flush(),
      this.twinStates.flush(),
      this.kpis.flush(),
      this.commands.flush(),
      this.alerts.flush(),
    ]);
    this.epoch = epoch + 1;
  }

  async close(): Promise<void> {
    await Promise.all([
      this.telemetry.close(),
      this.twinStates.close(),
      this.kpis.close(),
      this.commands.close(),
      this.alerts.close(),
    ]);
  }
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
