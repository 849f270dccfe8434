import { describe, expect, it } from 'vitest';
import { CommandGuardrail, commandGuard } from '../../../../connectors/kafka/commandGuard.js';
import type { Action, Command } from '../../../../operators/control/contracts.js';
import { ControlConfigError } from '../../../../operators/control/controlConfigError.js';

const bounds = { minSpeedPct: 40, maxSpeedPct: 110, maxSpeedDeltaPct: 20 };

function command(
  action: Action,
  loadLimitPct: number | null,
  assetId = 'pump-1',
  decidedAt = 1_000,
): Command {
  return {
    commandId: `${assetId}@${decidedAt}:${action}`,
    assetId,
    action,
    loadLimitPct,
    risk: 0.4,
    horizonHours: 6,
    reason: 'test',
    model: 'SURROGATE',
    decidedAt,
    source: null,
  };
}

describe('commandGuard', () => {
  const guard = commandGuard(bounds);

  it('passes a limit inside the bounds, and one exactly at either bound', () => {
    expect(guard(command('REDUCE_LOAD', 70), undefined)).toEqual({ ok: true });
    expect(guard(command('REDUCE_LOAD', 40), undefined)).toEqual({ ok: true });
    expect(guard(command('RESTORE_LOAD', 110), undefined)).toEqual({ ok: true });
  });

  it('rejects a limit below minSpeedPct, naming the asset, command, value and bound', () => {
    expect(guard(command('REDUCE_LOAD', 39.5), undefined)).toEqual({
      ok: false,
      reason: 'command pump-1@1000:REDUCE_LOAD for asset pump-1: load limit 39.5% below minSpeedPct 40%',
    });
  });

  it('rejects a limit above maxSpeedPct', () => {
    expect(guard(command('RESTORE_LOAD', 110.01), undefined)).toEqual({
      ok: false,
      reason: 'command pump-1@1000:RESTORE_LOAD for asset pump-1: load limit 110.01% above maxSpeedPct 110%',
    });
  });

  it('rejects a non-finite limit, whatever the previous one', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const verdict = guard(command('REDUCE_LOAD', bad), 70);
      expect(verdict).toEqual({
        ok: false,
        reason: `command pump-1@1000:REDUCE_LOAD for asset pump-1: load limit ${bad} is not a finite number in [40, 110]%`,
      });
    }
  });

  it('rejects a change of more than maxSpeedDeltaPct either way, and passes one of exactly that much', () => {
    expect(guard(command('RESTORE_LOAD', 90), 70)).toEqual({ ok: true });
    expect(guard(command('REDUCE_LOAD', 50), 70)).toEqual({ ok: true });
    expect(guard(command('RESTORE_LOAD', 90.5), 70)).toEqual({
      ok: false,
      reason:
        'command pump-1@1000:RESTORE_LOAD for asset pump-1: load limit 90.5% moves 20.5 points from the previous 70%, more than maxSpeedDeltaPct 20',
    });
    expect(guard(command('REDUCE_LOAD', 49), 70)).toMatchObject({ ok: false });
  });

  it('passes a change of exactly maxSpeedDeltaPct that floating point puts a few ulps above it', () => {
    // 44.4% -> 64.4% is a 20-point step, but the difference of the doubles is 20.000000000000007.
    expect(Math.abs(64.4 - 44.4)).toBeGreaterThan(20);
    expect(guard(command('RESTORE_LOAD', 64.4), 44.4)).toEqual({ ok: true });
    expect(guard(command('RESTORE_LOAD', 64.400001), 44.4)).toMatchObject({ ok: false });
  });

  it('checks only the bounds when there is no finite previous limit', () => {
    expect(guard(command('RESTORE_LOAD', 110), undefined)).toEqual({ ok: true });
    expect(guard(command('RESTORE_LOAD', 110), Number.NaN)).toEqual({ ok: true });
  });

  it('passes commands without a limit, whatever the previous one', () => {
    const actions: Action[] = ['SHUTDOWN', 'SCHEDULE_MAINTENANCE', 'DISPATCH_TECHNICIAN', 'CONTINUE'];
    for (const action of actions) expect(guard(command(action, null), 100)).toEqual({ ok: true });
  });

  it('checks a limit carried by any action, not only load actions', () => {
    expect(guard(command('SHUTDOWN', 500), undefined)).toMatchObject({ ok: false });
  });

  it('accepts a zero delta bound (only repeats of the previous limit pass)', () => {
    const strict = commandGuard({ ...bounds, maxSpeedDeltaPct: 0 });
    expect(strict(command('REDUCE_LOAD', 70), 70)).toEqual({ ok: true });
    expect(strict(command('REDUCE_LOAD', 69), 70)).toMatchObject({ ok: false });
  });

  it('refuses inconsistent bounds when built, naming the setting', () => {
    expect(() => commandGuard({ ...bounds, minSpeedPct: -1 })).toThrow(ControlConfigError);
    expect(() => commandGuard({ ...bounds, maxSpeedPct: 30 })).toThrow(
      'commandGuard.maxSpeedPct = 30: must be a number >= minSpeedPct (40)',
    );
    expect(() => commandGuard({ ...bounds, maxSpeedDeltaPct: Number.NaN })).toThrow(
      'commandGuard.maxSpeedDeltaPct = NaN: must be a number >= 0',
    );
    expect(() => commandGuard({ ...bounds, maxSpeedPct: Number.POSITIVE_INFINITY })).toThrow(
      ControlConfigError,
    );
  });
});

describe('CommandGuardrail', () => {
  it('compares each asset with the last limit accepted for it', () => {
    const guardrail = new CommandGuardrail(bounds);
    expect(guardrail.check(command('REDUCE_LOAD', 100, 'pump-1'))).toEqual({ ok: true });
    expect(guardrail.check(command('REDUCE_LOAD', 50, 'pump-2'))).toEqual({ ok: true });
    expect(guardrail.check(command('REDUCE_LOAD', 80, 'pump-1', 2_000))).toEqual({ ok: true });
    expect(guardrail.check(command('RESTORE_LOAD', 70, 'pump-2', 2_000))).toEqual({ ok: true });
    expect(guardrail.lastLimitPct('pump-1')).toBe(80);
    expect(guardrail.lastLimitPct('pump-2')).toBe(70);
  });

  it('does not remember a rejected limit', () => {
    const guardrail = new CommandGuardrail(bounds);
    guardrail.check(command('REDUCE_LOAD', 100));
    expect(guardrail.check(command('REDUCE_LOAD', 60, 'pump-1', 2_000))).toEqual({
      ok: false,
      reason:
        'command pump-1@2000:REDUCE_LOAD for asset pump-1: load limit 60% moves 40 points from the previous 100%, more than maxSpeedDeltaPct 20',
    });
    expect(guardrail.lastLimitPct('pump-1')).toBe(100);
    expect(guardrail.check(command('REDUCE_LOAD', 80, 'pump-1', 3_000))).toEqual({ ok: true });
  });

  it('keeps the last limit across commands without one', () => {
    const guardrail = new CommandGuardrail(bounds);
    guardrail.check(command('REDUCE_LOAD', 60));
    expect(guardrail.check(command('DISPATCH_TECHNICIAN', null, 'pump-1', 2_000))).toEqual({ ok: true });
    expect(guardrail.lastLimitPct('pump-1')).toBe(60);
    expect(guardrail.check(command('RESTORE_LOAD', 100, 'pump-1', 3_000))).toMatchObject({ ok: false });
  });

  it('rejects out-of-bounds limits with no history', () => {
    const guardrail = new CommandGuardrail(bounds);
    expect(guardrail.check(command('REDUCE_LOAD', 10))).toMatchObject({ ok: false });
    expect(guardrail.lastLimitPct('pump-1')).toBeUndefined();
  });

  it('compares with a remembered limit, e.g. one restored after a restart', () => {
    const guardrail = new CommandGuardrail(bounds);
    guardrail.remember('pump-1', 100);
    expect(guardrail.check(command('REDUCE_LOAD', 60))).toMatchObject({ ok: false });
    expect(guardrail.check(command('REDUCE_LOAD', 85))).toEqual({ ok: true });
  });
});
