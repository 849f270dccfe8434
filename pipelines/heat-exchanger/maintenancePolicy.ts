import type { HxAction } from './contracts.js';

/**
 * The guarded control of the twin, as numbers: when to clean ahead of the
 * contract limit, the low-demand hours cleaning is moved into, the bounds
 * (minimum time between cleanings, valve stroke range), and where a heat
 * balance mismatch means a leak or a drifting sensor.
 *
 * @example
 * const config: MaintenancePolicyConfig = { ...defaultMaintenancePolicy, horizonH: 48 };
 */
export interface MaintenancePolicyConfig {
  /** Clean in the next low-demand window once the contract limit is predicted within this many hours. */
  readonly horizonH: number;
  /** Clean at once (not waiting for the window) once it is this close, or already past. */
  readonly urgentH: number;
  /** Hours of the day (UTC, the sites' time) when demand is low and cleaning costs least heat: [start, end). */
  readonly lowDemandStartHour: number;
  readonly lowDemandEndHour: number;
  /** Bound: never two cleanings of one exchanger closer than this. */
  readonly minCleaningIntervalH: number;
  /** Hysteresis: after a cleaning, fouling must fall below this share of the limit before another is considered. */
  readonly rearmShare: number;
  /** Heat balance mismatch (smoothed) at which the hot side is losing water: a leak. */
  readonly leakMismatch: number;
  /** …at which it is losing so much that the exchanger is isolated at once. */
  readonly severeLeakMismatch: number;
  /** A mismatch below minus this is the cold outlet thermometer drifting (the estimate does not use it). */
  readonly driftMismatch: number;
  /** How far a stroke moves a stuck valve, percentage points, kept within [0, 100]. */
  readonly strokePct: number;
}

/**
 * Defaults: clean within three days of the limit, at night, never twice in three days.
 *
 * @example
 * defaultMaintenancePolicy.horizonH; // 72
 */
export const defaultMaintenancePolicy: MaintenancePolicyConfig = {
  horizonH: 72,
  urgentH: 12,
  lowDemandStartHour: 0,
  lowDemandEndHour: 5,
  minCleaningIntervalH: 72,
  rearmShare: 0.5,
  leakMismatch: 0.05,
  severeLeakMismatch: 0.12,
  driftMismatch: 0.05,
  strokePct: 15,
};

/** What the policy remembers of an exchanger between readings (plain JSON). */
export interface PolicyMemory {
  /** Hysteresis: whether a cleaning for fouling may be decided. */
  armed: boolean;
  lastCleanAt: number | null;
  /** Whether the valve has been stroked in the current stuck episode. */
  stroked: boolean;
  /** A stroke had no effect: the valve needs a maintenance visit. */
  valveSeized: boolean;
}

/**
 * A fresh memory: armed, never cleaned.
 *
 * @example
 * const memory = initialPolicyMemory();
 */
export function initialPolicyMemory(): PolicyMemory {
  return { armed: true, lastCleanAt: null, stroked: false, valveSeized: false };
}

/** What the policy decides from: the estimate and the exchanger's condition as the twin sees it. */
export interface PolicyInput {
  readonly ts: number;
  readonly foulingM2KW: number;
  readonly foulingLimitM2KW: number;
  readonly hoursToLimit: number | null;
  readonly mismatch: number;
  readonly valvePct: number;
  readonly valveStuck: boolean;
  readonly bypassed: boolean;
  /** Stale or implausible data: nothing is commanded on it. */
  readonly failSafe: boolean;
}

/** A decision: the action, its set-point and why. */
export interface MaintenanceDecision {
  readonly action: HxAction;
  readonly valvePct: number | null;
  readonly reason: string;
}

const HOUR_MS = 3_600_000;

/**
 * The twin's maintenance decision for one exchanger at one reading, or
 * undefined to do nothing. In order: nothing on untrustworthy data
 * (fail-safe); a severe leak is isolated (BYPASS); a leak, a seized valve
 * or fouling predicted to break the contract within the horizon is cleaned
 * in the next low-demand window, or at once when it is urgent (a seized
 * valve always is); a stuck valve is stroked once. Cleaning is bounded (never twice within
 * `minCleaningIntervalH`) and, for fouling, has hysteresis (armed again only
 * once fouling fell well below the limit), so a noisy estimate around the
 * threshold cannot make it clean twice.
 *
 * @example
 * decideMaintenance({ ts, foulingM2KW: 7e-5, foulingLimitM2KW: 7e-5, hoursToLimit: 0, … }, memory, defaultMaintenancePolicy)?.action; // 'CLEAN'
 */
export function decideMaintenance(
  input: PolicyInput,
  memory: PolicyMemory,
  config: MaintenancePolicyConfig,
): MaintenanceDecision | undefined {
  if (input.failSafe) return undefined;
  const hour = Math.floor((((input.ts % 86_400_000) + 86_400_000) % 86_400_000) / HOUR_MS);
  const lowDemand = hour >= config.lowDemandStartHour && hour < config.lowDemandEndHour;
  const cooling =
    memory.lastCleanAt !== null && input.ts - memory.lastCleanAt < config.minCleaningIntervalH * HOUR_MS;
  const mismatch = `${(100 * input.mismatch).toFixed(1)} %`;

  if (input.mismatch >= config.severeLeakMismatch && !input.bypassed)
    return {
      action: 'BYPASS',
      valvePct: null,
      reason: `severe leak: hot side loses ${mismatch} of its heat balance`,
    };
  if (cooling) return undefined;
  const leaking = input.mismatch >= config.leakMismatch || input.bypassed;
  if (leaking && (lowDemand || input.bypassed))
    return {
      action: 'CLEAN',
      valvePct: null,
      reason: `leak: heat balance off by ${mismatch}; reseal in the low-demand window`,
    };
  // A seized valve starves the customers at every peak: it cannot wait for the night.
  if (memory.valveSeized)
    return {
      action: 'CLEAN',
      valvePct: null,
      reason: 'stuck valve did not respond to a stroke: maintenance visit',
    };
  const h = input.hoursToLimit;
  if (memory.armed && h !== null) {
    const why = `fouling ${input.foulingM2KW.toExponential(2)} m²K/W, contract limit ${input.foulingLimitM2KW.toExponential(2)}`;
    if (h <= config.urgentH)
      return { action: 'CLEAN', valvePct: null, reason: `${why}: reached in ${h.toFixed(0)} h, urgent` };
    if (h <= config.horizonH && lowDemand)
      return {
        action: 'CLEAN',
        valvePct: null,
        reason: `${why}: reached in ${h.toFixed(0)} h; cleaning at low demand`,
      };
  }
  if (input.valveStuck && !memory.stroked && !memory.valveSeized) {
    const up = input.valvePct + config.strokePct <= 100;
    const target = Math.min(100, Math.max(0, input.valvePct + (up ? config.strokePct : -config.strokePct)));
    return {
      action: 'SET_VALVE',
      valvePct: target,
      reason: `valve has not moved from ${input.valvePct} %: stroke test`,
    };
  }
  return undefined;
}

/**
 * The memory after a reading and the decision taken on it (none: undefined):
 * a cleaning disarms and starts the interval bound; fouling well below the
 * limit arms again; a stroke is remembered until the valve moves.
 *
 * @example
 * memory = nextPolicyMemory(memory, input, decision, defaultMaintenancePolicy);
 */
export function nextPolicyMemory(
  memory: PolicyMemory,
  input: PolicyInput,
  decision: MaintenanceDecision | undefined,
  config: MaintenancePolicyConfig,
): PolicyMemory {
  const next = { ...memory };
  if (decision?.action === 'CLEAN') {
    next.armed = false;
    next.lastCleanAt = input.ts;
    next.valveSeized = false;
    next.stroked = false;
  } else if (!memory.armed && input.foulingM2KW < config.rearmShare * input.foulingLimitM2KW)
    next.armed = true;
  if (decision?.action === 'SET_VALVE') next.stroked = true;
  else if (!input.valveStuck && !memory.valveSeized) next.stroked = false;
  return next;
}
