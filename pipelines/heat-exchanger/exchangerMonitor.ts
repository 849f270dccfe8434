import type { KeyedContext, KeyedProcessFunction } from 'twinflow';
import type { ExchangerSpec } from './catalogue.js';
import { type HxAction, type HxCommand, type HxTelemetry, hxCommandIdOf } from './contracts.js';
import { capacityKw, foulingLimit } from './fouling.js';
import { estimateFouling } from './foulingEstimator.js';
import { addTrendSample, hoursUntilLimit, type TrendSamples, trendSlopePerDay } from './foulingTrend.js';
import {
  decideMaintenance,
  initialPolicyMemory,
  type MaintenancePolicyConfig,
  nextPolicyMemory,
  type PolicyMemory,
} from './maintenancePolicy.js';
import type { HxAlert, HxAlertKind, HxOutput } from './outputs.js';

const HOUR_MS = 3_600_000;
/** Smoothing of the per-reading fouling estimate and of the heat balance. */
const FOULING_ALPHA = 0.05;
const MISMATCH_ALPHA = 0.1;
/** Out of service this long (a cleaning, a long stop): the fouling is estimated afresh afterwards. */
const RESET_AFTER_MS = 2 * HOUR_MS;
/** Readings in a row with the valve exactly still, part-open, before it counts as stuck. */
const STUCK_READINGS = 6;
/** Implausible readings in a row before the twin stops trusting the exchanger's data. */
const IMPLAUSIBLE_READINGS = 3;
const TREND = { sampleMs: HOUR_MS, maxSamples: 48 } as const;
const MIN_TREND_SAMPLES = 12;

/** A command waiting for its effect to show in the readings. */
interface PendingOutcome {
  readonly commandId: string;
  readonly action: HxAction;
  readonly decidedAt: number;
  readonly judgeAt: number;
  readonly foulingAtDecision: number;
}

/** What the twin keeps per exchanger (plain JSON, so it snapshots and restores). */
export interface MonitorState {
  lastTs: number | null;
  lastValvePct: number | null;
  stillValveReadings: number;
  implausibleReadings: number;
  outOfServiceSince: number | null;
  fouling: number | null;
  mismatch: number;
  trend: TrendSamples;
  stale: boolean;
  /** Alert kinds whose episode is open: raised once, closed when the condition clears. */
  open: HxAlertKind[];
  bypassed: boolean;
  memory: PolicyMemory;
  pending: PendingOutcome[];
}

export interface MonitorOptions {
  readonly policy: MaintenancePolicyConfig;
  /** No reading for this long (event time) raises STALE_DATA, and the twin commands nothing until the next one. */
  readonly staleAfterMs: number;
}

/**
 * The twin of one exchanger, as a keyed process function: estimates
 * fouling from each reading (ε-NTU on the hot side), smooths it and its
 * trend, predicts when the capacity will break the contract, watches the
 * heat balance (leak, drifting thermometer) and the valve (stuck), decides
 * maintenance under the guarded policy, and judges whether each command's
 * effect showed up. A timer per exchanger raises STALE_DATA when readings
 * stop; stale or implausible data holds every command back (fail-safe).
 *
 * @example
 * telemetry$.pipe(keyBy((t) => t.exchangerId), processKeyed(exchangerMonitor(specOf, { policy: defaultMaintenancePolicy, staleAfterMs: 1_800_000 }), { id: 'hx-monitor', snapshots }))
 */
export function exchangerMonitor(
  specOf: (id: string) => ExchangerSpec,
  options: MonitorOptions,
): KeyedProcessFunction<HxTelemetry, MonitorState, HxOutput> {
  const limits = new Map<string, number>();
  const limitOf = (spec: ExchangerSpec) => {
    let limit = limits.get(spec.id);
    if (limit === undefined) {
      limit = foulingLimit(spec, spec.contractMinDutyKw);
      limits.set(spec.id, limit);
    }
    return limit;
  };
  const { policy } = options;

  return {
    init: () => ({
      lastTs: null,
      lastValvePct: null,
      stillValveReadings: 0,
      implausibleReadings: 0,
      outOfServiceSince: null,
      fouling: null,
      mismatch: 0,
      trend: [],
      stale: false,
      open: [],
      bypassed: false,
      memory: initialPolicyMemory(),
      pending: [],
    }),
    onRecord(t, ctx) {
      const s = ctx.state;
      const spec = specOf(t.exchangerId);
      if (s.lastTs !== null) ctx.deleteEventTimeTimer(s.lastTs + options.staleAfterMs);
      ctx.registerEventTimeTimer(t.ts + options.staleAfterMs);
      const dtS = s.lastTs === null ? 0 : Math.max(0, (t.ts - s.lastTs) / 1000);
      s.lastTs = t.ts;
      if (s.stale) {
        s.stale = false;
        close(s, 'STALE_DATA');
      }

      const est = estimateFouling(t, spec);
      if (est.status === 'out-of-service') s.outOfServiceSince ??= t.ts;
      else {
        // Back from a cleaning or a long stop: what was learnt before no longer describes the surfaces.
        if (s.outOfServiceSince !== null && t.ts - s.outOfServiceSince >= RESET_AFTER_MS) {
          s.fouling = null;
          s.trend = [];
          s.mismatch = 0;
          s.bypassed = false;
        }
        s.outOfServiceSince = null;
      }
      if (est.status === 'implausible') s.implausibleReadings++;
      else s.implausibleReadings = 0;
      if (est.status === 'ok' || est.status === 'ill-conditioned')
        s.mismatch += MISMATCH_ALPHA * (est.heatBalanceMismatch - s.mismatch);
      if (est.status === 'ok') {
        s.fouling =
          s.fouling === null ? est.foulingM2KW : s.fouling + FOULING_ALPHA * (est.foulingM2KW - s.fouling);
        addTrendSample(s.trend, t.ts, s.fouling, TREND);
      }
      const inService = est.status !== 'out-of-service';
      const partOpen = t.valvePct > 2 && t.valvePct < 98;
      s.stillValveReadings =
        inService && partOpen && s.lastValvePct !== null && Math.abs(t.valvePct - s.lastValvePct) < 0.005
          ? s.stillValveReadings + 1
          : 0;
      s.lastValvePct = t.valvePct;

      const limit = limitOf(spec);
      const fouling = Math.max(0, s.fouling ?? 0);
      const slope = trendSlopePerDay(s.trend, MIN_TREND_SAMPLES);
      const hoursToLimit = s.fouling === null ? null : hoursUntilLimit(fouling, slope, limit);
      ctx.emit({
        type: 'estimate',
        estimate: {
          exchangerId: t.exchangerId,
          ts: t.ts,
          dtS,
          status: est.status === 'ill-conditioned' ? 'ok' : est.status,
          note: est.note,
          dutyKw: est.dutyKw,
          heatBalanceMismatch: est.heatBalanceMismatch,
          uaWK: est.status === 'ok' ? est.uaWK : Number.NaN,
          foulingM2KW: fouling,
          foulingSlopePerDay: slope,
          capacityKw: capacityKw(spec, fouling),
          hoursToContractLimit: hoursToLimit,
        },
      });

      judgeOutcomes(s, ctx, est.status === 'out-of-service', limit);
      const valveStuck = s.stillValveReadings >= STUCK_READINGS;
      raiseAlerts(s, ctx, { limit, hoursToLimit, valveStuck, valvePct: t.valvePct, policy });

      const input = {
        ts: t.ts,
        foulingM2KW: fouling,
        foulingLimitM2KW: limit,
        hoursToLimit,
        mismatch: s.mismatch,
        valvePct: t.valvePct,
        valveStuck,
        bypassed: s.bypassed,
        failSafe:
          s.implausibleReadings >= IMPLAUSIBLE_READINGS ||
          est.status === 'implausible' ||
          (!inService && !s.bypassed),
      };
      const decision = decideMaintenance(input, s.memory, policy);
      s.memory = nextPolicyMemory(s.memory, input, decision, policy);
      if (decision === undefined) return;
      const command: HxCommand = {
        commandId: hxCommandIdOf(t.exchangerId, t.ts, decision.action),
        exchangerId: t.exchangerId,
        action: decision.action,
        valvePct: decision.valvePct,
        reason: decision.reason,
        decidedAt: t.ts,
        foulingM2KW: fouling,
        hoursToContractLimit: hoursToLimit,
      };
      if (decision.action === 'BYPASS') s.bypassed = true;
      const settleMs = decision.action === 'CLEAN' ? (spec.cleaningDowntimeH + 3) * HOUR_MS : HOUR_MS;
      s.pending.push({
        commandId: command.commandId,
        action: command.action,
        decidedAt: t.ts,
        judgeAt: t.ts + settleMs,
        foulingAtDecision: fouling,
      });
      ctx.emit({ type: 'command', command });
    },
    onTimer(timer, ctx) {
      const s = ctx.state;
      if (s.lastTs === null || timer.ts !== s.lastTs + options.staleAfterMs) return;
      s.stale = true;
      open(
        s,
        ctx,
        'STALE_DATA',
        'warning',
        `no reading for ${options.staleAfterMs / 60_000} min; commands held`,
        0,
      );
    },
  };
}

function judgeOutcomes(
  s: MonitorState,
  ctx: KeyedContext<MonitorState, HxOutput>,
  outOfService: boolean,
  limit: number,
): void {
  if (s.pending.length === 0) return;
  const due = s.pending.filter((p) => p.judgeAt <= ctx.timestamp);
  if (due.length === 0) return;
  s.pending = s.pending.filter((p) => p.judgeAt > ctx.timestamp);
  for (const p of due) {
    // A cleaning is judged on a fouling estimate of the cleaned surfaces: wait for one (night readings
    // are too close to ε = 1 to give one), up to two days.
    if (p.action === 'CLEAN' && s.fouling === null && ctx.timestamp < p.decidedAt + 48 * HOUR_MS) {
      s.pending.push(p);
      continue;
    }
    let effective: boolean;
    let detail: string;
    if (p.action === 'CLEAN') {
      effective =
        !outOfService && s.fouling !== null && s.fouling < Math.max(0.3 * p.foulingAtDecision, 0.1 * limit);
      detail = `fouling ${p.foulingAtDecision.toExponential(2)} before, ${s.fouling === null ? 'not estimated' : s.fouling.toExponential(2)} after`;
    } else if (p.action === 'BYPASS') {
      effective = outOfService;
      detail = outOfService ? 'no flow through the exchanger' : 'the exchanger still carries flow';
    } else {
      effective = s.stillValveReadings === 0;
      detail = effective ? 'the valve moves again' : 'the valve still has not moved';
      if (!effective) s.memory = { ...s.memory, valveSeized: true };
    }
    ctx.emit({
      type: 'outcome',
      outcome: {
        commandId: p.commandId,
        exchangerId: ctx.key,
        action: p.action,
        decidedAt: p.decidedAt,
        judgedAt: ctx.timestamp,
        effective,
        detail,
      },
    });
    if (!effective)
      open(s, ctx, 'COMMAND_NO_EFFECT', 'warning', `${p.action} of ${p.decidedAt}: ${detail}`, 0);
  }
}

function raiseAlerts(
  s: MonitorState,
  ctx: KeyedContext<MonitorState, HxOutput>,
  c: {
    limit: number;
    hoursToLimit: number | null;
    valveStuck: boolean;
    valvePct: number;
    policy: MaintenancePolicyConfig;
  },
): void {
  const pct = `${Math.abs(100 * s.mismatch).toFixed(1)} %`;
  const m = s.mismatch;
  const { leakMismatch, driftMismatch, horizonH } = c.policy;
  // Each episode closes well inside its threshold (hysteresis), so noise around it raises one alert, not many.
  episode(
    s,
    ctx,
    'LEAK',
    m >= leakMismatch,
    m < 0.6 * leakMismatch,
    'critical',
    `hot side loses ${pct} more heat than the cold side gains`,
    m,
  );
  episode(
    s,
    ctx,
    'SENSOR_DRIFT',
    m <= -driftMismatch,
    m > -0.6 * driftMismatch,
    'warning',
    `cold side gains ${pct} more heat than the hot side gives: cold outlet thermometer drifting`,
    m,
  );
  episode(
    s,
    ctx,
    'VALVE_STUCK',
    c.valveStuck,
    s.stillValveReadings === 0,
    'warning',
    `valve still at ${c.valvePct} %`,
    c.valvePct,
  );
  const implausible = s.implausibleReadings >= IMPLAUSIBLE_READINGS;
  episode(
    s,
    ctx,
    'IMPLAUSIBLE_DATA',
    implausible,
    s.implausibleReadings === 0,
    'warning',
    'readings implausible; commands held',
    s.implausibleReadings,
  );
  const h = c.hoursToLimit;
  episode(
    s,
    ctx,
    'CONTRACT_AT_RISK',
    h !== null && h <= horizonH,
    h === null || h > 1.5 * horizonH,
    'warning',
    `capacity below the contract minimum in ${h?.toFixed(0)} h`,
    h ?? 0,
  );
  if (!c.valveStuck && s.open.includes('COMMAND_NO_EFFECT') && !s.memory.valveSeized)
    close(s, 'COMMAND_NO_EFFECT');
}

function episode(
  s: MonitorState,
  ctx: KeyedContext<MonitorState, HxOutput>,
  kind: HxAlertKind,
  opens: boolean,
  closes: boolean,
  severity: HxAlert['severity'],
  message: string,
  value: number,
): void {
  if (opens) open(s, ctx, kind, severity, message, value);
  else if (closes) close(s, kind);
}

function open(
  s: MonitorState,
  ctx: KeyedContext<MonitorState, HxOutput>,
  kind: HxAlertKind,
  severity: HxAlert['severity'],
  message: string,
  value: number,
): void {
  if (s.open.includes(kind)) return;
  s.open.push(kind);
  ctx.emit({
    type: 'alert',
    alert: {
      alertId: `${ctx.key}@${ctx.timestamp}:${kind}`,
      exchangerId: ctx.key,
      ts: ctx.timestamp,
      kind,
      severity,
      message,
      value,
    },
  });
}

function close(s: MonitorState, kind: HxAlertKind): void {
  const i = s.open.indexOf(kind);
  if (i >= 0) s.open.splice(i, 1);
}
