import { describe, expect, it } from 'vitest';
import {
  defaultMaintenancePolicy as config,
  decideMaintenance,
  initialPolicyMemory,
  nextPolicyMemory,
  type PolicyInput,
} from '../../../../pipelines/heat-exchanger/maintenancePolicy.js';

const NIGHT = 2 * 3_600_000;
const NOON = 12 * 3_600_000;
const base: PolicyInput = {
  ts: NIGHT,
  foulingM2KW: 5e-5,
  foulingLimitM2KW: 7e-5,
  hoursToLimit: 40,
  mismatch: 0,
  valvePct: 60,
  valveStuck: false,
  bypassed: false,
  failSafe: false,
};

describe('decideMaintenance', () => {
  it('cleans ahead of the contract limit in the low-demand window, not at noon', () => {
    expect(decideMaintenance(base, initialPolicyMemory(), config)?.action).toBe('CLEAN');
    expect(decideMaintenance({ ...base, ts: NOON }, initialPolicyMemory(), config)).toBeUndefined();
  });

  it('cleans at once when the limit is urgent', () => {
    expect(
      decideMaintenance({ ...base, ts: NOON, hoursToLimit: 5 }, initialPolicyMemory(), config)?.action,
    ).toBe('CLEAN');
  });

  it('commands nothing on stale or implausible data (fail-safe)', () => {
    expect(
      decideMaintenance({ ...base, hoursToLimit: 0, failSafe: true }, initialPolicyMemory(), config),
    ).toBeUndefined();
  });

  it('has hysteresis: after a cleaning it is disarmed until fouling falls well below the limit', () => {
    const decision = decideMaintenance(base, initialPolicyMemory(), config);
    let memory = nextPolicyMemory(initialPolicyMemory(), base, decision, config);
    const later = { ...base, ts: base.ts + 100 * 3_600_000, hoursToLimit: 1 };
    expect(decideMaintenance(later, memory, config)).toBeUndefined();
    memory = nextPolicyMemory(memory, { ...later, foulingM2KW: 1e-5 }, undefined, config);
    expect(memory.armed).toBe(true);
    expect(decideMaintenance(later, memory, config)?.action).toBe('CLEAN');
  });

  it('never cleans twice within the minimum interval (bound), even for a leak', () => {
    const memory = { ...initialPolicyMemory(), lastCleanAt: NIGHT - 3_600_000 };
    expect(decideMaintenance({ ...base, hoursToLimit: 0, mismatch: 0.08 }, memory, config)).toBeUndefined();
  });

  it('isolates a severe leak at once, whatever the hour', () => {
    expect(
      decideMaintenance({ ...base, ts: NOON, mismatch: 0.15 }, initialPolicyMemory(), config)?.action,
    ).toBe('BYPASS');
  });

  it('strokes a stuck valve once, within [0, 100] %', () => {
    const stuck = { ...base, hoursToLimit: null, valveStuck: true, valvePct: 95 };
    const decision = decideMaintenance(stuck, initialPolicyMemory(), config);
    expect(decision).toMatchObject({ action: 'SET_VALVE', valvePct: 80 });
    const memory = nextPolicyMemory(initialPolicyMemory(), stuck, decision, config);
    expect(decideMaintenance(stuck, memory, config)).toBeUndefined();
  });
});
