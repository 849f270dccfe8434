import type { Command } from '../../operators/control/contracts.js';
import { ControlConfigError } from '../../operators/control/controlConfigError.js';

/**
 * Plant-wide limits on the load (speed) limit a command may set, in percent
 * of rated load. Wider than any asset's own bounds (operators/control
 * guardrails enforce those when deciding): these catch a decision path that
 * skipped or broke them.
 *
 * @example
 * const bounds: CommandGuardBounds = { minSpeedPct: 40, maxSpeedPct: 110, maxSpeedDeltaPct: 50 };
 */
export interface CommandGuardBounds {
  /**
   * Largest change of an asset's limit from the previous one it was sent, in
   * percentage points, either way: it must cover the largest fail-safe
   * reduction (maxLoadLimitPct − failSafe.loadLimitPct), which jumps in one
   * command, or that reduction is rejected.
   */
  readonly maxSpeedDeltaPct: number;
  readonly minSpeedPct: number;
  readonly maxSpeedPct: number;
}

/**
 * Whether a command may leave the job; if not, why (naming the asset, the
 * command id, the value and the bound it breaks).
 */
export type CommandGuardVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * The check of one command against the bounds, given the limit last sent to
 * its asset (undefined when unknown).
 */
export type CommandGuardCheck = (
  command: Command,
  previousLimitPct: number | undefined,
) => CommandGuardVerdict;

/**
 * The last line of defence before a command leaves the job: rejects a
 * command whose `loadLimitPct` is not a finite number, lies outside
 * [minSpeedPct, maxSpeedPct], or moves more than maxSpeedDeltaPct from the
 * asset's previous limit. It never corrects a command (operators/control
 * guardrails do that, where the decision is made): a command that gets here
 * broken points at a bug, and sending a different set-point than was decided
 * would hide it. A command without a limit (null: SHUTDOWN,
 * SCHEDULE_MAINTENANCE, DISPATCH_TECHNICIAN, CONTINUE) passes, as does a
 * limit with no finite previous one to compare with. A value exactly at a
 * bound passes. The bounds are checked once, here.
 *
 * @example
 * const guard = commandGuard({ minSpeedPct: 40, maxSpeedPct: 110, maxSpeedDeltaPct: 50 });
 * guard({ ...command, loadLimitPct: 120 }, 100);
 * // { ok: false, reason: 'command pump-1@1000:RESTORE_LOAD for asset pump-1: load limit 120% above maxSpeedPct 110%' }
 */
export function commandGuard(bounds: CommandGuardBounds): CommandGuardCheck {
  validateGuardBounds(bounds);
  const { minSpeedPct: min, maxSpeedPct: max, maxSpeedDeltaPct: maxDelta } = bounds;
  return (command, previousLimitPct) => {
    const limit = command.loadLimitPct;
    if (limit === null) return PASS;
    const what = () => `command ${command.commandId} for asset ${command.assetId}: load limit`;
    if (typeof limit !== 'number' || !Number.isFinite(limit)) {
      return { ok: false, reason: `${what()} ${String(limit)} is not a finite number in [${min}, ${max}]%` };
    }
    if (limit < min) return { ok: false, reason: `${what()} ${limit}% below minSpeedPct ${min}%` };
    if (limit > max) return { ok: false, reason: `${what()} ${limit}% above maxSpeedPct ${max}%` };
    if (previousLimitPct !== undefined && Number.isFinite(previousLimitPct)) {
      const delta = Math.abs(limit - previousLimitPct);
      if (delta > maxDelta + DELTA_TOLERANCE) {
        return {
          ok: false,
          reason: `${what()} ${limit}% moves ${round(delta)} points from the previous ${previousLimitPct}%, more than maxSpeedDeltaPct ${maxDelta}`,
        };
      }
    }
    return PASS;
  };
}

/**
 * commandGuard with its own memory of the last limit accepted per asset, for
 * a sink that sees every command of its assets. After a restart the memory
 * is empty (the first limit per asset is checked against the bounds only)
 * unless it is seeded with `remember`, e.g. from the restored twin states'
 * desired limits.
 *
 * @example
 * const guardrail = new CommandGuardrail({ minSpeedPct: 40, maxSpeedPct: 110, maxSpeedDeltaPct: 50 });
 * guardrail.remember('pump-1', twin.desired.loadLimitPct ?? 100);
 * const verdict = guardrail.check(command);
 * if (!verdict.ok) throw new Error(verdict.reason);
 */
export class CommandGuardrail {
  private readonly guard: CommandGuardCheck;
  private readonly lastLimits = new Map<string, number>();

  constructor(bounds: CommandGuardBounds) {
    this.guard = commandGuard(bounds);
  }

  /** Checks a command against the bounds and the asset's last accepted limit; remembers its limit if accepted. */
  check(command: Command): CommandGuardVerdict {
    const verdict = this.guard(command, this.lastLimits.get(command.assetId));
    if (verdict.ok && command.loadLimitPct !== null)
      this.lastLimits.set(command.assetId, command.loadLimitPct);
    return verdict;
  }

  /** Sets the limit the next command of an asset is compared with (e.g. after a restore). */
  remember(assetId: string, loadLimitPct: number): void {
    this.lastLimits.set(assetId, loadLimitPct);
  }

  /** The last limit accepted (or remembered) for an asset. */
  lastLimitPct(assetId: string): number | undefined {
    return this.lastLimits.get(assetId);
  }
}

const PASS: CommandGuardVerdict = { ok: true };

/**
 * Limits are decimals held as doubles, so a change of exactly
 * maxSpeedDeltaPct can come out a few ulps above it (64.4 − 44.4 =
 * 20.000000000000007); that must pass.
 */
const DELTA_TOLERANCE = 1e-9;

function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

function validateGuardBounds(bounds: CommandGuardBounds): void {
  const { minSpeedPct: min, maxSpeedPct: max, maxSpeedDeltaPct: delta } = bounds;
  if (!(Number.isFinite(min) && min >= 0))
    throw new ControlConfigError('commandGuard.minSpeedPct', min, 'must be a number >= 0');
  if (!(Number.isFinite(max) && max >= min))
    throw new ControlConfigError('commandGuard.maxSpeedPct', max, `must be a number >= minSpeedPct (${min})`);
  if (!(Number.isFinite(delta) && delta >= 0))
    throw new ControlConfigError('commandGuard.maxSpeedDeltaPct', delta, 'must be a number >= 0');
}
