import type { AssetSpec } from '../scoring/assetPhysics.js';
import type { AnomalyScore } from '../scoring/riskModel.js';
import type { Action, Command, ModelUsedSymbol, RunState, TwinState } from './contracts.js';
import { ControlConfigError } from './controlConfigError.js';
import { type ControlBounds, enforceGuardrails } from './guardrails.js';
import type { ScoredReading } from './scoredReading.js';

export type { ControlBounds, GuardrailContext, GuardrailVerdict } from './guardrails.js';
export { enforceGuardrails, validateBounds } from './guardrails.js';

/** Anomaly-score levels (normalised: 1 = a detector's threshold). */
export interface AnomalyThresholds {
  /** Score from which anomalies count as active (restores are held back). */
  readonly activeAt: number;
  /** Score from which a technician is dispatched, once per anomaly episode. */
  readonly dispatchAt: number;
  /** An episode ends when the score falls below this and no signal is flagged. */
  readonly clearBelow: number;
  /**
   * Signals that are evidence of a physical fault (e.g. 'cooling:residual').
   * When given, a technician is dispatched only while one of them is
   * flagged (and the score is at dispatchAt): a spike, a stuck sensor or a
   * raw signal following the load is seen and alerted, but is no reason to
   * send someone. Absent: any anomaly at dispatchAt dispatches.
   */
  readonly dispatchOn?: readonly string[];
}

/** What the twin does when it cannot trust its inputs. */
export interface FailSafeConfig {
  /** Load limit of a fail-safe reduction (clamped to the asset's bounds). */
  readonly loadLimitPct: number;
  /** On silence (no reading for staleAfterMs of event time). */
  readonly onStale: 'REDUCE_LOAD' | 'SHUTDOWN';
  /** On a reading the risk model could not score: hold the set-points, or reduce to the fail-safe limit. */
  readonly onModelFailure: 'HOLD' | 'REDUCE_LOAD';
}

/**
 * Thresholds of the control policy. Risk thresholds rise in order
 * restoreBelow < reduceAt <= maintenanceAt <= shutdownAt; the gap between
 * restoreBelow and reduceAt is the hysteresis that stops reduce/restore
 * flapping.
 *
 * @example
 * const config: PolicyConfig = { ...defaultPolicyConfig, cooldownMs: 60_000 };
 */
export interface PolicyConfig {
  /** Risk from which load is reduced one step (e.g. 0.3). */
  readonly reduceAt: number;
  /** Risk from which maintenance is scheduled (e.g. 0.6). */
  readonly maintenanceAt: number;
  /** Risk from which the asset is shut down (e.g. 0.9). */
  readonly shutdownAt: number;
  /** The asset is also shut down at temperatureLimitC − this margin (°C), whatever the model says. */
  readonly temperatureMarginC: number;
  /** Load is restored, a step at a time, only below this risk (e.g. 0.1). */
  readonly restoreBelow: number;
  /** A further reduce step needs the risk to have risen this much since the previous one. */
  readonly reduceAgainDelta: number;
  /** Minimum event time between two commands to one asset; shutdowns and fail-safe reductions ignore it. */
  readonly cooldownMs: number;
  readonly anomaly: AnomalyThresholds;
  /** No reading for this long (event time) makes the asset STALE and triggers the fail-safe. */
  readonly staleAfterMs: number;
  readonly failSafe: FailSafeConfig;
}

/**
 * Defaults for a plant reporting about once a second.
 *
 * @example
 * decide({ spec, bounds, twin, reading, config: defaultPolicyConfig });
 */
export const defaultPolicyConfig: PolicyConfig = {
  reduceAt: 0.3,
  maintenanceAt: 0.6,
  shutdownAt: 0.9,
  temperatureMarginC: 5,
  restoreBelow: 0.1,
  reduceAgainDelta: 0.1,
  cooldownMs: 300_000,
  anomaly: { activeAt: 1, dispatchAt: 3, clearBelow: 0.5 },
  staleAfterMs: 120_000,
  failSafe: { loadLimitPct: 60, onStale: 'REDUCE_LOAD', onModelFailure: 'REDUCE_LOAD' },
};

/**
 * Checks a policy configuration once, where it is built.
 *
 * @example
 * validatePolicyConfig({ ...defaultPolicyConfig, restoreBelow: 0.5 }); // throws ControlConfigError
 */
export function validatePolicyConfig(config: PolicyConfig): void {
  const need = (ok: boolean, field: string, value: unknown, rule: string) => {
    if (!ok) throw new ControlConfigError(`policy.${field}`, value, rule);
  };
  const num = (x: number) => typeof x === 'number' && !Number.isNaN(x);
  const c = config;
  need(num(c.restoreBelow) && c.restoreBelow >= 0, 'restoreBelow', c.restoreBelow, 'must be a number >= 0');
  need(
    num(c.reduceAt) && c.reduceAt > c.restoreBelow,
    'reduceAt',
    c.reduceAt,
    `must be above restoreBelow (${c.restoreBelow})`,
  );
  need(
    num(c.maintenanceAt) && c.maintenanceAt >= c.reduceAt,
    'maintenanceAt',
    c.maintenanceAt,
    `must be >= reduceAt (${c.reduceAt})`,
  );
  need(
    num(c.shutdownAt) && c.shutdownAt >= c.maintenanceAt,
    'shutdownAt',
    c.shutdownAt,
    `must be >= maintenanceAt (${c.maintenanceAt})`,
  );
  need(
    num(c.reduceAgainDelta) && c.reduceAgainDelta >= 0,
    'reduceAgainDelta',
    c.reduceAgainDelta,
    'must be >= 0',
  );
  need(
    num(c.temperatureMarginC) && c.temperatureMarginC >= 0,
    'temperatureMarginC',
    c.temperatureMarginC,
    'must be >= 0',
  );
  need(num(c.cooldownMs) && c.cooldownMs >= 0, 'cooldownMs', c.cooldownMs, 'must be a number of ms >= 0');
  need(
    Number.isFinite(c.staleAfterMs) && c.staleAfterMs > 0,
    'staleAfterMs',
    c.staleAfterMs,
    'must be a number of ms > 0',
  );
  const a = c.anomaly;
  need(num(a.clearBelow) && a.clearBelow >= 0, 'anomaly.clearBelow', a.clearBelow, 'must be a number >= 0');
  need(
    num(a.activeAt) && a.activeAt >= a.clearBelow,
    'anomaly.activeAt',
    a.activeAt,
    `must be >= anomaly.clearBelow (${a.clearBelow})`,
  );
  need(
    num(a.dispatchAt) && a.dispatchAt >= a.activeAt,
    'anomaly.dispatchAt',
    a.dispatchAt,
    `must be >= anomaly.activeAt (${a.activeAt})`,
  );
  need(
    Number.isFinite(c.failSafe.loadLimitPct) && c.failSafe.loadLimitPct >= 0,
    'failSafe.loadLimitPct',
    c.failSafe.loadLimitPct,
    'must be a number >= 0',
  );
}

/**
 * What the policy remembers of an asset beyond its twin state: the hysteresis
 * of repeated reductions and of technician dispatches. JSON-serialisable.
 */
export interface PolicyMemory {
  /** Risk at the last risk-driven reduce step; null once risk has fallen below restoreBelow. */
  readonly reducedAtRisk: number | null;
  /** Whether a technician was dispatched for the anomaly episode in progress. */
  readonly dispatched: boolean;
}

/**
 * Memory of an asset the policy has not acted on yet.
 *
 * @example
 * decide({ spec, bounds, twin, reading, config, memory: initialPolicyMemory });
 */
export const initialPolicyMemory: PolicyMemory = { reducedAtRisk: null, dispatched: false };

/** Set-points the twin asks of the asset (TwinState.desired). */
export interface DesiredState {
  readonly loadLimitPct: number | null;
  readonly runState: RunState | null;
}

/** A command, already through the guardrails, and what the twin desires once it is sent. */
export interface Decision {
  readonly command: Command;
  readonly desired: DesiredState;
}

/** Everything one decision depends on; nothing else (no clock, no I/O). */
export interface PolicyInput {
  readonly spec: AssetSpec;
  readonly bounds: ControlBounds;
  /** The twin after the reading was applied to it (reported = this reading). */
  readonly twin: TwinState;
  readonly reading: ScoredReading;
  readonly config: PolicyConfig;
  /** Default: initialPolicyMemory. */
  readonly memory?: PolicyMemory;
}

/**
 * The deterministic id of a command: a replay reproduces it.
 *
 * @example
 * commandIdOf('pump-1', 1_000, 'REDUCE_LOAD'); // 'pump-1@1000:REDUCE_LOAD'
 */
export function commandIdOf(assetId: string, decidedAt: number, action: Action): string {
  return `${assetId}@${decidedAt}:${action}`;
}

/**
 * Whether a reading cannot be trusted for risk: the model fell back to
 * FAILSAFE, its risk is not a finite number, or the data was unusable.
 *
 * @example
 * isModelFailure({ ...reading, risk: { ...reading.risk, model: 'FAILSAFE' } }); // true
 */
export function isModelFailure(reading: ScoredReading): boolean {
  return (
    reading.risk.model === 'FAILSAFE' || !Number.isFinite(reading.risk.risk) || reading.features === null
  );
}

/**
 * Whether anomaly detectors flag the asset: any signal, or a score at activeAt.
 *
 * @example
 * isAnomalyActive({ score: 0.2, signals: ['vibrationMmS:cusum'] }, config); // true
 */
export function isAnomalyActive(anomaly: AnomalyScore, config: PolicyConfig): boolean {
  return anomaly.signals.length > 0 || anomaly.score >= config.anomaly.activeAt;
}

/**
 * The control policy for one reading: at most one command, already through
 * the guardrails, or undefined to continue as is. In order of precedence:
 *
 * 1. asset stopped by the twin's own shutdown: schedule maintenance (after cooldown);
 * 2. temperature at limit − margin (raw telemetry, any model) or risk at
 *    shutdownAt: SHUTDOWN, ignoring cooldown (repeated after cooldown if the
 *    asset keeps running);
 * 3. model failure: hold, or reduce to the fail-safe limit, ignoring cooldown;
 *    never anything that raises load;
 * 4. risk at maintenanceAt: SCHEDULE_MAINTENANCE (once until it happens);
 * 5. risk at reduceAt: REDUCE_LOAD one step, again only if risk rose by
 *    reduceAgainDelta since the last step (so risk hovering at the threshold
 *    gives one command);
 * 6. anomaly score at dispatchAt (with a dispatchOn signal flagged, when
 *    configured): DISPATCH_TECHNICIAN, once per episode;
 * 7. risk below restoreBelow, no anomaly, model sound: RESTORE_LOAD one step.
 *
 * Readings of a FAILED asset or one in maintenance lead to no command.
 *
 * @example
 * const d = decide({ spec, bounds, twin, reading, config: defaultPolicyConfig, memory });
 * if (d) send(d.command);
 */
export function decide(input: PolicyInput): Decision | undefined {
  const { spec, bounds, twin, reading, config } = input;
  const memory = input.memory ?? initialPolicyMemory;
  const t = reading.telemetry;
  const at = t.ts;
  const runState = t.runState;
  if (runState === 'FAILED' || runState === 'MAINTENANCE') return undefined;

  const current = currentLimit(twin, bounds);
  const cooled = twin.lastCommandAt === null || at - twin.lastCommandAt >= config.cooldownMs;
  const modelFailed = isModelFailure(reading);
  const risk = reading.risk.risk;
  const shutdownRequested = twin.desired.runState === 'STOPPED';
  const ctx: Ctx = {
    twin,
    bounds,
    reading,
    at,
    current,
    anomalyActive: isAnomalyActive(reading.anomaly, config),
  };

  if (runState === 'STOPPED') {
    if (!shutdownRequested || !cooled) return undefined;
    return act(
      ctx,
      'SCHEDULE_MAINTENANCE',
      null,
      'RULE',
      `stopped by the twin's shutdown at ${twin.lastCommandAt}: maintenance before it runs again`,
    );
  }

  const temp = t.temperatureC;
  const tripC = spec.temperatureLimitC - config.temperatureMarginC;
  // A reading the detectors flag as a temperature spike is a sensor glitch, not heat: real
  // temperature follows the thermal time constant, so an overheat never arrives as a spike.
  const spike = reading.anomaly.signals.includes('temperatureC:spike');
  const hot = temp !== null && Number.isFinite(temp) && temp >= tripC && !spike;
  const critical = !modelFailed && risk >= config.shutdownAt;
  if (hot || critical) {
    if (shutdownRequested && !cooled) return undefined;
    const again = shutdownRequested ? ' (repeated: the asset still runs)' : '';
    return hot
      ? act(
          ctx,
          'SHUTDOWN',
          null,
          'RULE',
          `temperature ${fmt(temp)} °C >= trip ${fmt(tripC)} °C (limit ${fmt(spec.temperatureLimitC)} − margin ${fmt(config.temperatureMarginC)})${again}`,
        )
      : act(
          ctx,
          'SHUTDOWN',
          null,
          reading.risk.model,
          `risk ${fmt2(risk)} >= shutdown threshold ${fmt2(config.shutdownAt)} (${reading.risk.model}, ${reading.risk.horizonHours} h)${again}`,
        );
  }

  if (modelFailed) {
    const safe = clampToBounds(config.failSafe.loadLimitPct, bounds);
    if (config.failSafe.onModelFailure === 'REDUCE_LOAD' && current > safe) {
      return act(
        ctx,
        'REDUCE_LOAD',
        safe,
        'FAILSAFE',
        `cannot assess risk (${failureWhy(reading)}): load limit ${fmt(current)}% -> fail-safe ${fmt(safe)}%`,
      );
    }
  } else if (cooled) {
    if (risk >= config.maintenanceAt && twin.desired.runState !== 'MAINTENANCE') {
      return act(
        ctx,
        'SCHEDULE_MAINTENANCE',
        null,
        reading.risk.model,
        `risk ${fmt2(risk)} >= maintenance threshold ${fmt2(config.maintenanceAt)} (${reading.risk.model}, ${reading.risk.horizonHours} h${rul(reading)})`,
      );
    }
    const again = memory.reducedAtRisk;
    if (
      risk >= config.reduceAt &&
      current > bounds.minLoadLimitPct &&
      (again === null || risk >= again + config.reduceAgainDelta)
    ) {
      const target = clampToBounds(current - bounds.reduceStepPct, bounds);
      const why =
        again === null
          ? `risk ${fmt2(risk)} >= reduce threshold ${fmt2(config.reduceAt)}`
          : `risk ${fmt2(risk)} still rising (${fmt2(again)} at the last step)`;
      return act(
        ctx,
        'REDUCE_LOAD',
        target,
        reading.risk.model,
        `${why} (${reading.risk.model}, ${reading.risk.horizonHours} h): load limit ${fmt(current)}% -> ${fmt(target)}%`,
      );
    }
  }

  if (!cooled) return undefined;
  const anomaly = reading.anomaly;
  if (
    anomaly.score >= config.anomaly.dispatchAt &&
    !memory.dispatched &&
    isDispatchEvidence(anomaly, config)
  ) {
    const signals = anomaly.signals.length > 0 ? ` on ${anomaly.signals.join(', ')}` : '';
    return act(
      ctx,
      'DISPATCH_TECHNICIAN',
      null,
      'RULE',
      `anomaly score ${fmt2(anomaly.score)} >= ${fmt2(config.anomaly.dispatchAt)}${signals}`,
    );
  }

  if (
    !modelFailed &&
    !ctx.anomalyActive &&
    !shutdownRequested &&
    risk < config.restoreBelow &&
    current < bounds.maxLoadLimitPct
  ) {
    const target = clampToBounds(current + bounds.reduceStepPct, bounds);
    return act(
      ctx,
      'RESTORE_LOAD',
      target,
      reading.risk.model,
      `risk ${fmt2(risk)} < restore threshold ${fmt2(config.restoreBelow)}, no anomaly: load limit ${fmt(current)}% -> ${fmt(target)}%`,
    );
  }
  return undefined;
}

/** Whether the flagged signals justify a dispatch (see AnomalyThresholds.dispatchOn). */
function isDispatchEvidence(anomaly: AnomalyScore, config: PolicyConfig): boolean {
  const on = config.anomaly.dispatchOn;
  return on === undefined || anomaly.signals.some((s) => on.includes(s));
}

/** What decideOnSilence depends on. */
export interface SilenceInput {
  readonly bounds: ControlBounds;
  readonly twin: TwinState;
  readonly config: PolicyConfig;
  /** Event time of the silence timer (lastSeen + staleAfterMs). */
  readonly at: number;
}

/**
 * The fail-safe when an asset has been silent for staleAfterMs of event time:
 * reduce to the fail-safe limit, or shut down, per config (ignoring cooldown).
 * Nothing when the asset was last seen not running or is already safe.
 *
 * @example
 * decideOnSilence({ bounds, twin, config, at: twin.lastSeen + config.staleAfterMs });
 */
export function decideOnSilence(input: SilenceInput): Decision | undefined {
  const { bounds, twin, config, at } = input;
  const runState = twin.reported.runState;
  if (runState !== null && runState !== 'RUNNING' && runState !== 'IDLE') return undefined;
  const silence = `no reading for ${at - twin.lastSeen} ms (last at ${twin.lastSeen})`;
  const ctx: Ctx = {
    twin,
    bounds,
    reading: undefined,
    at,
    current: currentLimit(twin, bounds),
    anomalyActive: false,
  };
  if (config.failSafe.onStale === 'SHUTDOWN') {
    if (twin.desired.runState === 'STOPPED') return undefined;
    return act(ctx, 'SHUTDOWN', null, 'FAILSAFE', `${silence}: fail-safe shutdown`);
  }
  const safe = clampToBounds(config.failSafe.loadLimitPct, bounds);
  if (ctx.current <= safe) return undefined;
  return act(
    ctx,
    'REDUCE_LOAD',
    safe,
    'FAILSAFE',
    `${silence}: load limit ${fmt(ctx.current)}% -> fail-safe ${fmt(safe)}%`,
  );
}

/**
 * The policy's memory after a reading and the decision taken on it (the
 * same object when nothing changed).
 *
 * @example
 * memory = nextPolicyMemory(memory, reading, decision, config);
 */
export function nextPolicyMemory(
  memory: PolicyMemory,
  reading: ScoredReading,
  decision: Decision | undefined,
  config: PolicyConfig,
): PolicyMemory {
  const action = decision?.command.action;
  let reducedAtRisk = memory.reducedAtRisk;
  if (action === 'REDUCE_LOAD' && decision?.command.model !== 'FAILSAFE') reducedAtRisk = reading.risk.risk;
  else if (
    action === 'RESTORE_LOAD' ||
    reading.telemetry.runState === 'MAINTENANCE' ||
    (!isModelFailure(reading) && reading.risk.risk < config.restoreBelow)
  )
    reducedAtRisk = null;
  let dispatched = memory.dispatched;
  if (action === 'DISPATCH_TECHNICIAN') dispatched = true;
  else if (
    config.anomaly.dispatchOn === undefined
      ? reading.anomaly.score < config.anomaly.clearBelow && reading.anomaly.signals.length === 0
      : // Evidence gone is the end of the episode: raw signals flickering on must not hide the next fault.
        !isDispatchEvidence(reading.anomaly, config)
  )
    dispatched = false;
  if (reducedAtRisk === memory.reducedAtRisk && dispatched === memory.dispatched) return memory;
  return { reducedAtRisk, dispatched };
}

/** What every command of one decision shares. */
interface Ctx {
  readonly twin: TwinState;
  readonly bounds: ControlBounds;
  /** Undefined for timer-driven decisions. */
  readonly reading: ScoredReading | undefined;
  readonly at: number;
  readonly current: number;
  readonly anomalyActive: boolean;
}

function act(
  ctx: Ctx,
  action: Action,
  loadLimitPct: number | null,
  model: ModelUsedSymbol,
  reason: string,
): Decision | undefined {
  const { twin, bounds, reading } = ctx;
  const risk = reading === undefined ? twin.health.risk : reading.risk.risk;
  const horizon = reading?.risk.horizonHours;
  const proposed: Command = {
    commandId: commandIdOf(twin.assetId, ctx.at, action),
    assetId: twin.assetId,
    action,
    loadLimitPct,
    // An unknown risk is reported as the worst case rather than as NaN, which Avro and JSON consumers mishandle.
    risk: Number.isFinite(risk) ? Math.min(1, Math.max(0, risk)) : 1,
    horizonHours: horizon !== undefined && Number.isFinite(horizon) ? horizon : 0,
    reason,
    model,
    decidedAt: ctx.at,
    source: reading?.source ?? null,
  };
  const { command } = enforceGuardrails(proposed, bounds, {
    currentLoadLimitPct: ctx.current,
    anomalyActive: ctx.anomalyActive,
  });
  if (command === null) return undefined;
  return { command, desired: desiredAfter(twin.desired, command) };
}

function desiredAfter(desired: TwinState['desired'], command: Command): DesiredState {
  const runState = desired.runState as RunState | null;
  switch (command.action) {
    case 'REDUCE_LOAD':
    case 'RESTORE_LOAD':
      return { loadLimitPct: command.loadLimitPct, runState };
    case 'SHUTDOWN':
      return { loadLimitPct: desired.loadLimitPct, runState: 'STOPPED' };
    case 'SCHEDULE_MAINTENANCE':
      return { loadLimitPct: desired.loadLimitPct, runState: 'MAINTENANCE' };
    default:
      return { loadLimitPct: desired.loadLimitPct, runState };
  }
}

function currentLimit(twin: TwinState, bounds: ControlBounds): number {
  const desired = twin.desired.loadLimitPct;
  return desired === null || !Number.isFinite(desired)
    ? bounds.maxLoadLimitPct
    : clampToBounds(desired, bounds);
}

function clampToBounds(pct: number, bounds: ControlBounds): number {
  return Math.min(bounds.maxLoadLimitPct, Math.max(bounds.minLoadLimitPct, pct));
}

function failureWhy(reading: ScoredReading): string {
  if (reading.features === null) return 'data unusable';
  const note = reading.risk.note === undefined ? '' : `: ${reading.risk.note}`;
  if (!Number.isFinite(reading.risk.risk))
    return `risk ${reading.risk.risk} from ${reading.risk.model}${note}`;
  return `model ${reading.risk.model}${note}`;
}

function rul(reading: ScoredReading): string {
  const h = reading.risk.rulHours;
  return h === null ? '' : `, RUL ${fmt(h)} h`;
}

function fmt(x: number | null): string {
  return x === null ? 'null' : String(Math.round(x * 10) / 10);
}

function fmt2(x: number): string {
  return x.toFixed(2);
}
