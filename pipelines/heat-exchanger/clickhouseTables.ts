import { type AnyTableOutput, tableOutput } from 'twinflow/clickhouse';
import type { HxCatalogue } from './catalogue.js';
import type { HxOutput } from './outputs.js';

/** A row of hx_estimates (migrations/001_hx_estimates.sql). */
export interface HxEstimateRow {
  readonly estimate_id: string;
  readonly exchanger_id: string;
  readonly site: string;
  readonly ts: number;
  readonly status: string;
  readonly duty_kw: number;
  readonly heat_balance_mismatch: number;
  readonly ua_w_k: number | null;
  readonly fouling_m2k_w: number;
  readonly fouling_slope_per_day: number | null;
  readonly capacity_kw: number;
  readonly hours_to_contract_limit: number | null;
  readonly epoch: number;
}

/** A row of hx_kpi_hour and hx_kpi_day. */
export interface HxKpiRow {
  readonly kpi_id: string;
  readonly exchanger_id: string;
  readonly site: string;
  readonly window_start: number;
  readonly window_end: number;
  readonly readings: number;
  readonly energy_kwh: number;
  readonly mean_duty_kw: number;
  readonly mean_fouling_m2k_w: number;
  readonly min_capacity_kw: number;
  readonly out_of_service: number;
  readonly implausible: number;
  readonly late: boolean;
}

/** A row of hx_commands. */
export interface HxCommandRow {
  readonly command_id: string;
  readonly exchanger_id: string;
  readonly action: string;
  readonly valve_pct: number | null;
  readonly reason: string;
  readonly decided_at: number;
  readonly fouling_m2k_w: number;
  readonly hours_to_contract_limit: number | null;
}

/** A row of hx_alerts. */
export interface HxAlertRow {
  readonly alert_id: string;
  readonly exchanger_id: string;
  readonly ts: number;
  readonly kind: string;
  readonly severity: string;
  readonly message: string;
  readonly value: number;
}

/** A row of hx_outcomes. */
export interface HxOutcomeRow {
  readonly command_id: string;
  readonly exchanger_id: string;
  readonly action: string;
  readonly decided_at: number;
  readonly judged_at: number;
  readonly effective: boolean;
  readonly detail: string;
}

const finiteOrNull = (x: number | null) => (x !== null && Number.isFinite(x) ? x : null);

/**
 * The heat-exchanger job's tables, rows keyed by deterministic ids
 * (exchanger and reading time, window, command, alert) so a replayed epoch
 * converges to one row per fact. A late firing of a KPI window carries the
 * same id and replaces the earlier row.
 *
 * @example
 * const job = { …, clickhouseTables: hxClickHouseTables(catalogue) };
 */
export function hxClickHouseTables(catalogue: HxCatalogue): AnyTableOutput<HxOutput>[] {
  const siteOf = new Map(catalogue.exchangers.map((e) => [e.id, e.site]));
  const kpiTable = (name: string, table: string, window: 'hour' | 'day') =>
    tableOutput<HxOutput, HxKpiRow>({
      name,
      table,
      idOf: (r) => r.kpi_id,
      rowOf: (out) => {
        if (out.type !== 'kpi' || out.kpi.window !== window) return undefined;
        const k = out.kpi;
        return {
          kpi_id: `${k.exchangerId}@${k.start}`,
          exchanger_id: k.exchangerId,
          site: siteOf.get(k.exchangerId) ?? '',
          window_start: k.start,
          window_end: k.end,
          readings: k.readings,
          energy_kwh: k.energyKwh,
          mean_duty_kw: k.meanDutyKw,
          mean_fouling_m2k_w: k.meanFoulingM2KW,
          min_capacity_kw: k.minCapacityKw,
          out_of_service: k.outOfService,
          implausible: k.implausible,
          late: k.late,
        };
      },
    });
  return [
    tableOutput<HxOutput, HxEstimateRow>({
      name: 'estimates',
      table: 'hx_estimates',
      maxRows: 20_000,
      idOf: (r) => r.estimate_id,
      rowOf: (out, epoch) => {
        if (out.type !== 'estimate') return undefined;
        const e = out.estimate;
        return {
          estimate_id: `${e.exchangerId}@${e.ts}`,
          exchanger_id: e.exchangerId,
          site: siteOf.get(e.exchangerId) ?? '',
          ts: e.ts,
          status: e.status,
          duty_kw: e.dutyKw,
          heat_balance_mismatch: e.heatBalanceMismatch,
          ua_w_k: finiteOrNull(e.uaWK),
          fouling_m2k_w: e.foulingM2KW,
          fouling_slope_per_day: finiteOrNull(e.foulingSlopePerDay),
          capacity_kw: e.capacityKw,
          hours_to_contract_limit: finiteOrNull(e.hoursToContractLimit),
          epoch,
        };
      },
    }),
    kpiTable('kpiHour', 'hx_kpi_hour', 'hour'),
    kpiTable('kpiDay', 'hx_kpi_day', 'day'),
    tableOutput<HxOutput, HxCommandRow>({
      name: 'commands',
      table: 'hx_commands',
      idOf: (r) => r.command_id,
      rowOf: (out) => {
        if (out.type !== 'command') return undefined;
        const c = out.command;
        return {
          command_id: c.commandId,
          exchanger_id: c.exchangerId,
          action: c.action,
          valve_pct: c.valvePct,
          reason: c.reason,
          decided_at: c.decidedAt,
          fouling_m2k_w: c.foulingM2KW,
          hours_to_contract_limit: finiteOrNull(c.hoursToContractLimit),
        };
      },
    }),
    tableOutput<HxOutput, HxAlertRow>({
      name: 'alerts',
      table: 'hx_alerts',
      idOf: (r) => r.alert_id,
      rowOf: (out) => {
        if (out.type !== 'alert') return undefined;
        const a = out.alert;
        return {
          alert_id: a.alertId,
          exchanger_id: a.exchangerId,
          ts: a.ts,
          kind: a.kind,
          severity: a.severity,
          message: a.message,
          value: a.value,
        };
      },
    }),
    tableOutput<HxOutput, HxOutcomeRow>({
      name: 'outcomes',
      table: 'hx_command_outcomes',
      idOf: (r) => r.command_id,
      rowOf: (out) => {
        if (out.type !== 'outcome') return undefined;
        const o = out.outcome;
        return {
          command_id: o.commandId,
          exchanger_id: o.exchangerId,
          action: o.action,
          decided_at: o.decidedAt,
          judged_at: o.judgedAt,
          effective: o.effective,
          detail: o.detail,
        };
      },
    }),
  ];
}
