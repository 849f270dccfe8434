import type { Command } from './contracts.js';
import { ControlConfigError } from './controlConfigError.js';

/**
 * Load-limit bounds of one asset, in percent of rated load, from the asset
 * catalogue: the only set-points the twin may ever command.
 *
 * @example
 * const b: ControlBounds = { minLoadLimitPct: 50, maxLoadLimitPct: 105, reduceStepPct: 15 };
 */
export interface ControlBounds {
  readonly minLoadLimitPct: number;
  readonly maxLoadLimitPct: number;
  /** How far one reduce (or restore) step moves the load limit. */
  readonly reduceStepPct: number;
}

/** What the guardrails know of the asset besides the command (optional; more context, stricter checks). */
export interface GuardrailContext {
  /** The load limit in force (desired); null means none, i.e. the maximum. */
  readonly currentLoadLimitPct?: number | null;
  /** Whether anomaly detectors flag the asset right now. */
  readonly anomalyActive?: boolean;
}

/** A command after the guardrails: possibly corrected, or null when it must not be sent. */
export interface GuardrailVerdict {
  readonly command: Command | null;
  /** What was corrected or why the command was blocked; empty when it passed unchanged. */
  readonly violations: readonly string[];
}

/**
 * The last line of defence between any decision (a policy, an experimental
 * model) and the plant, applied by the policy and again by the command sink:
 *
 * - a load limit is always within the asset's bounds (a non-finite one
 *   becomes the minimum, the safe end);
 * - REDUCE_LOAD always carries a limit and never raises the one in force;
 * - nothing raises load (RESTORE_LOAD, or a limit above the one in force)
 *   when the deciding model is FAILSAFE, its risk is not a finite number, or
 *   anomalies are active: such a command is blocked.
 *
 * A command that passes is returned as is (same object).
 *
 * @example
 * enforceGuardrails({ ...cmd, action: 'RESTORE_LOAD', loadLimitPct: 140, model: 'SURROGATE' }, bounds).command?.loadLimitPct; // 105
 * enforceGuardrails({ ...cmd, action: 'RESTORE_LOAD', model: 'FAILSAFE' }, bounds).command; // null
 */
export function enforceGuardrails(
  command: Command,
  bounds: ControlBounds,
  context: GuardrailContext = {},
): GuardrailVerdict {
  const { minLoadLimitPct: min, maxLoadLimitPct: max } = bounds;
  const current =
    context.currentLoadLimitPct === undefined ? undefined : (context.currentLoadLimitPct ?? max);
  let violations: string[] | undefined;
  const note = (v: string) => {
    violations ??= [];
    violations.push(v);
  };

  let limit = command.loadLimitPct;
  if (limit === null) {
    if (command.action === 'REDUCE_LOAD') {
      note(`REDUCE_LOAD without a load limit: set to the minimum ${min}%`);
      limit = min;
    } else if (command.action === 'RESTORE_LOAD') {
      note(`RESTORE_LOAD without a load limit: set to the maximum ${max}%`);
      limit = max;
    }
  } else if (!Number.isFinite(limit)) {
    note(`load limit ${limit} is not a number: set to the minimum ${min}%`);
    limit = min;
  } else if (limit < min || limit > max) {
    const clamped = Math.min(max, Math.max(min, limit));
    note(`load limit ${limit}% outside [${min}, ${max}]%: clamped to ${clamped}%`);
    limit = clamped;
  }

  const raises =
    command.action === 'RESTORE_LOAD' || (limit !== null && current !== undefined && limit > current);
  if (raises) {
    if (command.action === 'REDUCE_LOAD' && current !== undefined) {
      note(`REDUCE_LOAD to ${limit}% would raise the limit in force (${current}%): kept at ${current}%`);
      limit = current;
    } else {
      const why =
        command.model === 'FAILSAFE'
          ? 'the deciding model is FAILSAFE'
          : !Number.isFinite(command.risk)
            ? `its risk ${command.risk} is not a number`
            : context.anomalyActive === true
              ? 'anomalies are active'
              : undefined;
      if (why !== undefined) {
        note(`${command.action} would raise load while ${why}: blocked`);
        return { command: null, violations: violations ?? [] };
      }
    }
  }

  if (violations === undefined) return { command, violations: [] };
  return { command: { ...command, loadLimitPct: limit }, violations };
}

/**
 * Checks an asset's bounds once, where they are read (not per decision).
 *
 * @example
 * validateBounds('pump-1', { minLoadLimitPct: 50, maxLoadLimitPct: 105, reduceStepPct: 15 });
 */
export function validateBounds(assetId: string, bounds: ControlBounds): void {
  const at = (f: string) => `bounds of ${assetId}.${f}`;
  const { minLoadLimitPct: min, maxLoadLimitPct: max, reduceStepPct: step } = bounds;
  if (!(Number.isFinite(min) && min >= 0))
    throw new ControlConfigError(at('minLoadLimitPct'), min, 'must be a number >= 0');
  if (!(Number.isFinite(max) && max >= min))
    throw new ControlConfigError(at('maxLoadLimitPct'), max, `must be a number >= minLoadLimitPct (${min})`);
  if (!(Number.isFinite(step) && step > 0))
    throw new ControlConfigError(at('reduceStepPct'), step, 'must be a number > 0');
}
