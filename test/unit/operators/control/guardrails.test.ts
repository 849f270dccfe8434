import { describe, expect, it } from 'vitest';
import type { Command } from '../../../../operators/control/contracts.js';
import { ControlConfigError } from '../../../../operators/control/controlConfigError.js';
import { enforceGuardrails, validateBounds } from '../../../../operators/control/guardrails.js';
import { bounds } from './fixtures.js';

const base: Command = {
  commandId: 'a@0:RESTORE_LOAD',
  assetId: 'a',
  action: 'RESTORE_LOAD',
  loadLimitPct: 100,
  risk: 0.05,
  horizonHours: 6,
  reason: 'test',
  model: 'SURROGATE',
  decidedAt: 0,
  source: null,
};

describe('enforceGuardrails', () => {
  it('passes a sound command unchanged (same object)', () => {
    const v = enforceGuardrails(base, bounds, { currentLoadLimitPct: 80 });
    expect(v.command).toBe(base);
    expect(v.violations).toEqual([]);
  });

  it('clamps a load limit above the maximum, whatever model proposed it', () => {
    const v = enforceGuardrails({ ...base, loadLimitPct: 140 }, bounds);
    expect(v.command?.loadLimitPct).toBe(100);
    expect(v.violations).toEqual(['load limit 140% outside [40, 100]%: clamped to 100%']);
  });

  it('turns a non-finite or missing reduce limit into the minimum', () => {
    const reduce = { ...base, action: 'REDUCE_LOAD' as const };
    expect(enforceGuardrails({ ...reduce, loadLimitPct: Number.NaN }, bounds).command?.loadLimitPct).toBe(40);
    expect(enforceGuardrails({ ...reduce, loadLimitPct: null }, bounds).command?.loadLimitPct).toBe(40);
    expect(enforceGuardrails({ ...reduce, loadLimitPct: 10 }, bounds).command?.loadLimitPct).toBe(40);
  });

  it('blocks anything that raises load from a FAILSAFE model, a non-finite risk, or with anomalies active', () => {
    expect(enforceGuardrails({ ...base, model: 'FAILSAFE' }, bounds).command).toBeNull();
    expect(enforceGuardrails({ ...base, risk: Number.NaN }, bounds).command).toBeNull();
    const v = enforceGuardrails(base, bounds, { anomalyActive: true });
    expect(v.command).toBeNull();
    expect(v.violations).toEqual(['RESTORE_LOAD would raise load while anomalies are active: blocked']);
  });

  it('keeps a REDUCE_LOAD from raising the limit in force', () => {
    const v = enforceGuardrails({ ...base, action: 'REDUCE_LOAD', loadLimitPct: 90 }, bounds, {
      currentLoadLimitPct: 60,
    });
    expect(v.command?.loadLimitPct).toBe(60);
  });

  it('never blocks a shutdown', () => {
    const shutdown = { ...base, action: 'SHUTDOWN' as const, loadLimitPct: null, model: 'FAILSAFE' as const };
    expect(enforceGuardrails(shutdown, bounds, { anomalyActive: true }).command).toBe(shutdown);
  });
});

describe('validateBounds', () => {
  it('names the asset and field at fault', () => {
    expect(() => validateBounds('p1', { ...bounds, maxLoadLimitPct: 30 })).toThrow(ControlConfigError);
    expect(() => validateBounds('p1', { ...bounds, maxLoadLimitPct: 30 })).toThrow(
      'bounds of p1.maxLoadLimitPct = 30: must be a number >= minLoadLimitPct (40)',
    );
    expect(() => validateBounds('p1', { ...bounds, reduceStepPct: 0 })).toThrow(/p1\.reduceStepPct/);
  });
});
