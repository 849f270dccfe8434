/**
 * Row types of the ClickHouse tables in schemas/clickhouse, as the sink
 * writes them (JSONEachRow): snake_case columns, timestamps as epoch ms
 * (DateTime64(3) reads an integer as milliseconds), nullable columns as null.
 * Keep in step with the migrations: a test inserts one row of each type.
 */
import type { Command, Telemetry, TwinState } from '../../operators/control/contracts.js';

/** Table names of the migrations, with their deduplicated views. */
export const Tables = {
  telemetryEnriched: 'telemetry_enriched',
  twinState: 'twin_state',
  kpiMinute: 'kpi_minute',
  commands: 'commands',
  alerts: 'alerts',
} as const;

/** `telemetry_enriched`: a reading with the twin's scoring. */
export interface TelemetryEnrichedRow {
  /** Deterministic: {@link telemetryEventId}. */
  event_id: string;
  asset_id: string;
  site: string;
  line: string;
  ts: number;
  seq: number;
  temperature_c: number | null;
  vibration_mm_s: number | null;
  load_pct: number;
  pressure_bar: number | null;
  power_kw: number;
  rpm: number;
  run_state: string;
  good_units: number;
  rejected_units: number;
  load_limit_pct: number | null;
  risk: number;
  rul_hours: number | null;
  anomaly_score: number;
  wear_estimate: number;
  model: string;
  /** Runtime epoch that wrote the row (the ReplacingMergeTree version). */
  epoch: number;
}

/** `twin_state`: the twin of one asset, flattened; `version` = `ts`. */
export interface TwinStateRow {
  asset_id: string;
  ts: number;
  last_seen: number;
  mode: string;
  reported_temperature_c: number | null;
  reported_vibration_mm_s: number | null;
  reported_load_pct: number | null;
  reported_load_limit_pct: number | null;
  reported_run_state: string | null;
  desired_load_limit_pct: number | null;
  desired_run_state: string | null;
  health_risk: number;
  health_rul_hours: number | null;
  health_anomaly_score: number;
  health_wear_estimate: number;
  health_model: string;
  last_command_id: string | null;
  last_command_at: number | null;
  commands_obeyed: number;
  commands_ignored: number;
  commands_timed_out: number;
  readings: number;
  version: number;
}

/** `kpi_minute`: KPIs of one asset over one minute; a late firing has a higher `late_firings`. */
export interface KpiMinuteRow {
  asset_id: string;
  site: string;
  line: string;
  /** Window start, epoch ms. */
  minute: number;
  availability: number;
  performance: number;
  quality: number;
  oee: number;
  downtime_s: number;
  /** Planned production time in the minute (running or failed), seconds. */
  planned_s: number;
  running_s: number;
  /** Ideal time of the units made (units × ideal cycle time), seconds. */
  ideal_s: number;
  good_units: number;
  rejected_units: number;
  energy_kwh: number;
  energy_per_unit_kwh: number | null;
  readings: number;
  late: boolean;
  late_firings: number;
}

/** `commands`: a control command as sent, source position flattened. */
export interface CommandRow {
  command_id: string;
  asset_id: string;
  action: string;
  load_limit_pct: number | null;
  risk: number;
  horizon_hours: number;
  reason: string;
  model: string;
  decided_at: number;
  source_topic: string | null;
  source_partition: number | null;
  source_offset: string | null;
}

/** `alerts`: something an operator should look at. */
export interface AlertRow {
  alert_id: string;
  asset_id: string;
  ts: number;
  severity: 'INFO' | 'WARNING' | 'CRITICAL';
  kind: string;
  reason: string;
  value: number | null;
}

/** The scoring part of an enriched reading. */
export interface TelemetryScores {
  readonly risk: number;
  readonly rulHours: number | null;
  readonly anomalyScore: number;
  readonly wearEstimate: number;
  readonly model: string;
}

/**
 * The deterministic id of a reading: asset and sequence number, so a replay
 * writes the same id.
 *
 * @example
 * telemetryEventId('pump-1', 42); // 'pump-1:42'
 */
export function telemetryEventId(assetId: string, seq: number): string {
  return `${assetId}:${seq}`;
}

/**
 * Builds a `telemetry_enriched` row from a reading and its scores.
 *
 * @example
 * telemetryEnrichedRow(reading, { risk: 0.1, rulHours: 400, anomalyScore: 0.2, wearEstimate: 0.3, model: 'SURROGATE' }, 7);
 */
export function telemetryEnrichedRow(t: Telemetry, s: TelemetryScores, epoch: number): TelemetryEnrichedRow {
  return {
    event_id: telemetryEventId(t.assetId, t.seq),
    asset_id: t.assetId,
    site: t.site,
    line: t.line,
    ts: t.ts,
    seq: t.seq,
    temperature_c: t.temperatureC,
    vibration_mm_s: t.vibrationMmS,
    load_pct: t.loadPct,
    pressure_bar: t.pressureBar,
    power_kw: t.powerKw,
    rpm: t.rpm,
    run_state: t.runState,
    good_units: t.goodUnits,
    rejected_units: t.rejectedUnits,
    load_limit_pct: t.loadLimitPct,
    risk: s.risk,
    rul_hours: s.rulHours,
    anomaly_score: s.anomalyScore,
    wear_estimate: s.wearEstimate,
    model: s.model,
    epoch,
  };
}

/**
 * Builds a `twin_state` row (version = ts).
 *
 * @example
 * twinStateRow(state).version === state.ts; // true
 */
export function twinStateRow(s: TwinState): TwinStateRow {
  return {
    asset_id: s.assetId,
    ts: s.ts,
    last_seen: s.lastSeen,
    mode: s.mode,
    reported_temperature_c: s.reported.temperatureC,
    reported_vibration_mm_s: s.reported.vibrationMmS,
    reported_load_pct: s.reported.loadPct,
    reported_load_limit_pct: s.reported.loadLimitPct,
    reported_run_state: s.reported.runState,
    desired_load_limit_pct: s.desired.loadLimitPct,
    desired_run_state: s.desired.runState,
    health_risk: s.health.risk,
    health_rul_hours: s.health.rulHours,
    health_anomaly_score: s.health.anomalyScore,
    health_wear_estimate: s.health.wearEstimate,
    health_model: s.health.model,
    last_command_id: s.lastCommandId,
    last_command_at: s.lastCommandAt,
    commands_obeyed: s.commandsObeyed,
    commands_ignored: s.commandsIgnored,
    commands_timed_out: s.commandsTimedOut,
    readings: s.readings,
    version: s.ts,
  };
}

/**
 * Builds a `commands` row.
 *
 * @example
 * commandRow(cmd).command_id === cmd.commandId; // true
 */
export function commandRow(c: Command): CommandRow {
  return {
    command_id: c.commandId,
    asset_id: c.assetId,
    action: c.action,
    load_limit_pct: c.loadLimitPct,
    risk: c.risk,
    horizon_hours: c.horizonHours,
    reason: c.reason,
    model: c.model,
    decided_at: c.decidedAt,
    source_topic: c.source?.topic ?? null,
    source_partition: c.source?.partition ?? null,
    source_offset: c.source?.offset ?? null,
  };
}
