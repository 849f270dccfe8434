import type { AssetSpec } from '../scoring/assetPhysics.js';
import type { KeyedContext, KeyedProcessFunction } from '../state/processKeyed.js';
import { type Alert, type AlertKind, type AlertSeverity, alertIdOf } from './alert.js';
import type { Action, Command, RunState, TwinMode, TwinState } from './contracts.js';
import { ControlConfigError } from './controlConfigError.js';
import { type ControlBounds, validateBounds } from './guardrails.js';
import {
  type Decision,
  type DesiredState,
  decide,
  decideOnSilence,
  initialPolicyMemory,
  isAnomalyActive,
  isModelFailure,
  nextPolicyMemory,
  type PolicyConfig,
  type PolicyMemory,
  validatePolicyConfig,
} from './policy.js';
import type { ScoredReading } from './scoredReading.js';

/** What the twin controller emits: commands for the plant, alerts for people, twin state for the changelog. */
export type TwinOutput =
  | { readonly type: 'command'; readonly command: Command }
  | { readonly type: 'alert'; readonly alert: Alert }
  | { readonly type: 'state'; readonly state: TwinState };

/** Where the controller finds each asset's catalogue data, and its policy. */
export interface TwinControllerDeps {
  specOf(assetId: string): AssetSpec;
  boundsOf(assetId: string): ControlBounds;
  readonly policy: PolicyConfig;
  /** Event time after a command at which its outcome is judged (obeyed, ignored or timed out). */
  readonly outcomeTimeoutMs: number;
}

/** A command whose outcome is not known yet. */
export interface PendingCommand {
  readonly commandId: string;
  readonly action: Action;
  readonly decidedAt: number;
  /** Event time of the outcome check: decidedAt + outcomeTimeoutMs. */
  readonly due: number;
  readonly loadLimitPct: number | null;
  /** Readings that arrived after the command (none by the due time: timed out). */
  readings: number;
}

/** Alert episodes in progress: each kind is raised once per episode. */
export interface AlertEpisodes {
  risk: boolean;
  anomaly: boolean;
  temperature: boolean;
  modelFailure: boolean;
}

/**
 * All the controller keeps per asset (JSON-serialisable, so it snapshots and
 * restores with processKeyed). `twin` is the contract (TwinState, emitted as
 * is); the rest is control memory the Avro contract has no place for.
 */
export interface TwinControllerState {
  /** Replaced, never mutated: emitted states stay as they were. */
  twin: TwinState;
  memory: PolicyMemory;
  pending: PendingCommand[];
  episodes: AlertEpisodes;
}

/** A reported load limit within this many percent of the commanded one counts as applied. */
const LIMIT_TOLERANCE_PCT = 0.5;

/**
 * The digital twin of each asset as a keyed process function (for
 * processKeyed over a stream keyed by assetId, with event time =
 * telemetry.ts). Per reading it updates the twin (reported values, health,
 * mode), raises alerts once per episode (risk, anomaly, temperature, model
 * failure), asks the policy for a decision, and emits alerts, the command and
 * the new state, in that order.
 *
 * Event-time timers follow up: at decidedAt + outcomeTimeoutMs a command
 * that readings never showed applied counts as ignored (readings arrived) or
 * timed out (none did), with an alert; one that was applied counts as
 * obeyed as soon as a reading shows it. After staleAfterMs without a reading
 * the asset is STALE: an alert and the fail-safe command.
 *
 * Out-of-order readings (event time before the last one) are counted and
 * otherwise ignored: stale data never drives a decision.
 *
 * @example
 * scored$.pipe(
 *   keyBy((r) => r.telemetry.assetId),
 *   processKeyed(twinController({ specOf, boundsOf, policy: defaultPolicyConfig, outcomeTimeoutMs: 60_000 }),
 *     { id: 'twin', snapshots }),
 * );
 */
export function twinController(
  deps: TwinControllerDeps,
): KeyedProcessFunction<ScoredReading, TwinControllerState, TwinOutput> {
  validatePolicyConfig(deps.policy);
  const timeout = deps.outcomeTimeoutMs;
  if (!(Number.isFinite(timeout) && timeout > 0)) {
    throw new ControlConfigError('twinController.outcomeTimeoutMs', timeout, 'must be a number of ms > 0');
  }
  const policy = deps.policy;
  const staleMs = policy.staleAfterMs;

  function apply(
    s: TwinControllerState,
    decision: Decision,
    ctx: KeyedContext<TwinControllerState, TwinOutput>,
  ): void {
    const c = decision.command;
    if (isTracked(c.action)) {
      // A newer command on the same set-point supersedes an unresolved one: only the latest can be judged.
      const setPoint = setPointOf(c.action);
      for (let i = s.pending.length - 1; i >= 0; i--) {
        const p = s.pending[i];
        if (setPointOf(p.action) !== setPoint) continue;
        s.pending.splice(i, 1);
        dropTimer(s, p.due, ctx);
      }
      const due = c.decidedAt + timeout;
      s.pending.push({
        commandId: c.commandId,
        action: c.action,
        decidedAt: c.decidedAt,
        due,
        loadLimitPct: c.loadLimitPct,
        readings: 0,
      });
      ctx.registerEventTimeTimer(due);
    }
    ctx.emit({ type: 'command', command: c });
  }

  /** Deletes a timer unless another follow-up (silence, another command) shares its time. */
  function dropTimer(s: TwinControllerState, ts: number, ctx: KeyedContext<TwinControllerState, TwinOutput>) {
    if (s.twin.readings > 0 && ts === s.twin.lastSeen + staleMs) return;
    if (!hasDue(s.pending, ts)) ctx.deleteEventTimeTimer(ts);
  }

  return {
    init(assetId) {
      validateBounds(assetId, deps.boundsOf(assetId));
      return {
        twin: initialTwin(assetId),
        memory: initialPolicyMemory,
        pending: [],
        episodes: { risk: false, anomaly: false, temperature: false, modelFailure: false },
      };
    },

    onRecord(reading, ctx) {
      const s = ctx.state;
      const prev = s.twin;
      const at = ctx.timestamp;
      if (prev.readings > 0 && at < prev.lastSeen) {
        s.twin = withCounters(prev, prev.ts, prev.mode, prev.commandsIgnored, prev.commandsTimedOut, 1);
        ctx.emit({ type: 'state', state: s.twin });
        return;
      }
      const assetId = ctx.key;
      const spec = deps.specOf(assetId);
      const bounds = deps.boundsOf(assetId);
      const t = reading.telemetry;

      if (prev.readings > 0) {
        const old = prev.lastSeen + staleMs;
        if (old !== at + staleMs && !hasDue(s.pending, old)) ctx.deleteEventTimeTimer(old);
      }
      ctx.registerEventTimeTimer(at + staleMs);

      const reported: TwinState['reported'] = {
        temperatureC: t.temperatureC,
        vibrationMmS: t.vibrationMmS,
        loadPct: t.loadPct,
        loadLimitPct: t.loadLimitPct,
        runState: t.runState,
      };

      let obeyed = 0;
      for (let i = 0; i < s.pending.length; ) {
        const p = s.pending[i];
        // Only readings between the command and its deadline judge it; later ones are past the deadline.
        if (p.decidedAt >= at || at > p.due) {
          i++;
          continue;
        }
        p.readings++;
        if (applied(p, reported, bounds)) {
          obeyed++;
          s.pending.splice(i, 1);
          if (p.due !== at + staleMs && !hasDue(s.pending, p.due)) ctx.deleteEventTimeTimer(p.due);
        } else i++;
      }

      let desired: DesiredState = prev.desired as DesiredState;
      // Maintenance the twin asked for is happening: the request is fulfilled.
      if (t.runState === 'MAINTENANCE' && desired.runState === 'MAINTENANCE') {
        desired = { loadLimitPct: desired.loadLimitPct, runState: null };
      }

      const risk = reading.risk;
      const score = reading.anomaly.score;
      const health: TwinState['health'] = {
        risk: Number.isFinite(risk.risk) ? risk.risk : prev.health.risk,
        rulHours: risk.rulHours !== null && Number.isFinite(risk.rulHours) ? risk.rulHours : null,
        anomalyScore: Number.isFinite(score) ? score : prev.health.anomalyScore,
        wearEstimate: reading.features?.wearEstimate ?? prev.health.wearEstimate,
        model: risk.model,
      };

      const twin: TwinState = {
        assetId,
        ts: at,
        lastSeen: at,
        mode: modeOf(t.runState, desired, bounds),
        reported,
        desired,
        health,
        lastCommandId: prev.lastCommandId,
        lastCommandAt: prev.lastCommandAt,
        commandsObeyed: prev.commandsObeyed + obeyed,
        commandsIgnored: prev.commandsIgnored,
        commandsTimedOut: prev.commandsTimedOut,
        readings: prev.readings + 1,
      };
      s.twin = twin;

      if (prev.mode === 'STALE') {
        raise(
          ctx,
          at,
          'info',
          'DATA_RESUMED',
          `readings again after ${at - prev.lastSeen} ms of silence`,
          at - prev.lastSeen,
        );
      }
      episodeAlerts(s.episodes, reading, spec, policy, ctx, at);

      const decision = decide({ spec, bounds, twin, reading, config: policy, memory: s.memory });
      s.memory = nextPolicyMemory(s.memory, reading, decision, policy);
      if (decision !== undefined) {
        twin.desired = decision.desired;
        twin.lastCommandId = decision.command.commandId;
        twin.lastCommandAt = decision.command.decidedAt;
        twin.mode = modeOf(t.runState, decision.desired, bounds);
        apply(s, decision, ctx);
      }
      ctx.emit({ type: 'state', state: twin });
    },

    onTimer(timer, ctx) {
      if (timer.domain !== 'event') return;
      const s = ctx.state;
      const at = timer.ts;
      let twin = s.twin;
      let ignored = 0;
      let timedOut = 0;
      for (let i = 0; i < s.pending.length; ) {
        const p = s.pending[i];
        if (p.due !== at) {
          i++;
          continue;
        }
        s.pending.splice(i, 1);
        const what = p.loadLimitPct === null ? p.action : `${p.action} to ${p.loadLimitPct}%`;
        const severity: AlertSeverity = p.action === 'SHUTDOWN' ? 'critical' : 'warning';
        if (p.readings > 0) {
          ignored++;
          const r = twin.reported;
          raise(
            ctx,
            at,
            severity,
            'COMMAND_IGNORED',
            `${what} (${p.commandId}) not applied after ${p.readings} readings in ${timeout} ms: reported load limit ${r.loadLimitPct ?? 'none'}, run state ${r.runState}`,
            p.readings,
            p.commandId,
          );
        } else {
          timedOut++;
          raise(
            ctx,
            at,
            severity,
            'COMMAND_TIMED_OUT',
            `${what} (${p.commandId}): no reading in the ${timeout} ms after it`,
            timeout,
            p.commandId,
          );
        }
      }

      const silent = twin.readings > 0 && at === twin.lastSeen + staleMs && twin.mode !== 'STALE';
      if (ignored + timedOut === 0 && !silent) return;
      twin = withCounters(
        twin,
        at,
        silent ? 'STALE' : twin.mode,
        twin.commandsIgnored + ignored,
        twin.commandsTimedOut + timedOut,
        0,
      );
      s.twin = twin;
      if (silent) {
        raise(
          ctx,
          at,
          'critical',
          'DATA_STALE',
          `no reading for ${staleMs} ms (last at ${twin.lastSeen}, run state ${twin.reported.runState})`,
          staleMs,
        );
        const decision = decideOnSilence({ bounds: deps.boundsOf(ctx.key), twin, config: policy, at });
        if (decision !== undefined) {
          twin.desired = decision.desired;
          twin.lastCommandId = decision.command.commandId;
          twin.lastCommandAt = decision.command.decidedAt;
          apply(s, decision, ctx);
        }
      }
      ctx.emit({ type: 'state', state: twin });
    },
  };
}

function initialTwin(assetId: string): TwinState {
  return {
    assetId,
    ts: 0,
    lastSeen: 0,
    mode: 'NORMAL',
    reported: { temperatureC: null, vibrationMmS: null, loadPct: null, loadLimitPct: null, runState: null },
    desired: { loadLimitPct: null, runState: null },
    health: { risk: 0, rulHours: null, anomalyScore: 0, wearEstimate: 0, model: 'RULE' },
    lastCommandId: null,
    lastCommandAt: null,
    commandsObeyed: 0,
    commandsIgnored: 0,
    commandsTimedOut: 0,
    readings: 0,
  };
}

/** A copy of the twin with new time, mode and counters (nested values are shared: they are never mutated). */
function withCounters(
  t: TwinState,
  ts: number,
  mode: TwinMode,
  ignored: number,
  timedOut: number,
  readings: number,
): TwinState {
  return {
    assetId: t.assetId,
    ts,
    lastSeen: t.lastSeen,
    mode,
    reported: t.reported,
    desired: t.desired,
    health: t.health,
    lastCommandId: t.lastCommandId,
    lastCommandAt: t.lastCommandAt,
    commandsObeyed: t.commandsObeyed,
    commandsIgnored: ignored,
    commandsTimedOut: timedOut,
    readings: t.readings + readings,
  };
}

function modeOf(runState: RunState, desired: DesiredState, bounds: ControlBounds): TwinMode {
  if (runState === 'FAILED') return 'FAILED';
  if (runState === 'MAINTENANCE') return 'MAINTENANCE';
  if (runState === 'STOPPED' || desired.runState === 'STOPPED') return 'SHUTDOWN';
  if (desired.loadLimitPct !== null && desired.loadLimitPct < bounds.maxLoadLimitPct) return 'DERATED';
  return 'NORMAL';
}

/** Whether a pending command's outcome check shares timer time `ts` (timers are kept per time, not per purpose). */
function hasDue(pending: readonly PendingCommand[], ts: number): boolean {
  for (let i = 0; i < pending.length; i++) if (pending[i].due === ts) return true;
  return false;
}

function isTracked(action: Action): boolean {
  return action !== 'CONTINUE' && action !== 'DISPATCH_TECHNICIAN';
}

function setPointOf(action: Action): 'load' | 'run' {
  return action === 'REDUCE_LOAD' || action === 'RESTORE_LOAD' ? 'load' : 'run';
}

/** Whether the asset's report shows the command applied. */
function applied(p: PendingCommand, reported: TwinState['reported'], bounds: ControlBounds): boolean {
  switch (p.action) {
    case 'REDUCE_LOAD': {
      // A limit at or below the commanded one meets a reduction's intent.
      const limit = reported.loadLimitPct;
      return limit !== null && p.loadLimitPct !== null && limit <= p.loadLimitPct + LIMIT_TOLERANCE_PCT;
    }
    case 'RESTORE_LOAD': {
      const limit = reported.loadLimitPct;
      if (p.loadLimitPct === null) return false;
      // An asset reporting no limit runs unlimited, which is what a restore to the maximum asks.
      if (limit === null) return p.loadLimitPct >= bounds.maxLoadLimitPct;
      return Math.abs(limit - p.loadLimitPct) <= LIMIT_TOLERANCE_PCT;
    }
    case 'SHUTDOWN':
      return reported.runState === 'STOPPED' || reported.runState === 'MAINTENANCE';
    case 'SCHEDULE_MAINTENANCE':
      return reported.runState === 'MAINTENANCE';
    default:
      return true;
  }
}

function raise(
  ctx: KeyedContext<TwinControllerState, TwinOutput>,
  ts: number,
  severity: AlertSeverity,
  kind: AlertKind,
  reason: string,
  value: number | null,
  subject?: string,
): void {
  const assetId = ctx.key;
  ctx.emit({
    type: 'alert',
    alert: { alertId: alertIdOf(assetId, ts, kind, subject), assetId, ts, severity, kind, reason, value },
  });
}

/** Raises risk, anomaly, temperature and model-failure alerts once per episode, with hysteresis. */
function episodeAlerts(
  ep: AlertEpisodes,
  reading: ScoredReading,
  spec: AssetSpec,
  policy: PolicyConfig,
  ctx: KeyedContext<TwinControllerState, TwinOutput>,
  at: number,
): void {
  const failed = isModelFailure(reading);
  if (failed && !ep.modelFailure) {
    const r = reading.risk;
    const why =
      reading.features === null ? 'data unusable (sensor drop-out)' : `model ${r.model}, risk ${r.risk}`;
    raise(
      ctx,
      at,
      'warning',
      'MODEL_FAILURE',
      `cannot assess risk: ${why}${r.note ? ` (${r.note})` : ''}`,
      null,
    );
  }
  ep.modelFailure = failed;

  if (!failed) {
    const risk = reading.risk.risk;
    if (risk >= policy.reduceAt && !ep.risk) {
      ep.risk = true;
      const severity: AlertSeverity = risk >= policy.shutdownAt ? 'critical' : 'warning';
      raise(
        ctx,
        at,
        severity,
        'RISK',
        `failure risk ${risk.toFixed(2)} over ${reading.risk.horizonHours} h (${reading.risk.model}) >= ${policy.reduceAt}`,
        risk,
      );
    } else if (risk < policy.restoreBelow) ep.risk = false;
  }

  const anomaly = reading.anomaly;
  if (isAnomalyActive(anomaly, policy)) {
    if (!ep.anomaly) {
      ep.anomaly = true;
      const severity: AlertSeverity = anomaly.score >= policy.anomaly.dispatchAt ? 'critical' : 'warning';
      const on = anomaly.signals.length > 0 ? ` on ${anomaly.signals.join(', ')}` : '';
      raise(ctx, at, severity, 'ANOMALY', `anomaly score ${anomaly.score.toFixed(2)}${on}`, anomaly.score);
    }
  } else if (anomaly.score < policy.anomaly.clearBelow) ep.anomaly = false;

  const temp = reading.telemetry.temperatureC;
  if (temp !== null && Number.isFinite(temp)) {
    if (temp >= spec.temperatureAlarmC && !ep.temperature) {
      ep.temperature = true;
      const trip = spec.temperatureLimitC - policy.temperatureMarginC;
      raise(
        ctx,
        at,
        temp >= trip ? 'critical' : 'warning',
        'TEMPERATURE',
        `temperature ${temp.toFixed(1)} °C >= alarm ${spec.temperatureAlarmC} °C (limit ${spec.temperatureLimitC} °C)`,
        temp,
      );
    } else if (temp < spec.temperatureAlarmC - policy.temperatureMarginC) ep.temperature = false;
  }
}
