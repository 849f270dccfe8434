import { describe, expect, it } from 'vitest';
import { EpochTrigger } from '../../../../runtime/exactlyOnce/epochTrigger.js';

/** A clock the test moves by hand. */
function manualClock(start = 1_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('EpochTrigger', () => {
  it('refuses a record limit that is not a positive integer, naming the option', () => {
    for (const maxRecords of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new EpochTrigger({ maxRecords, intervalMs: 1_000 })).toThrow(RangeError);
    }
    expect(() => new EpochTrigger({ maxRecords: 0, intervalMs: 1_000 })).toThrow(
      /epochs\.maxRecords must be a positive integer, got 0/,
    );
  });

  it('refuses an interval that is not a positive finite number of ms, naming the option', () => {
    for (const intervalMs of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new EpochTrigger({ maxRecords: 10, intervalMs })).toThrow(RangeError);
    }
    expect(() => new EpochTrigger({ maxRecords: 10, intervalMs: -5 })).toThrow(
      /epochs\.intervalMs must be a positive number of ms, got -5/,
    );
    // A fractional interval is a valid number of ms.
    expect(() => new EpochTrigger({ maxRecords: 1, intervalMs: 0.5 })).not.toThrow();
  });

  it('says the epoch is full at the maxRecords-th record, and stays full until reset', () => {
    const trigger = new EpochTrigger({ maxRecords: 3, intervalMs: 60_000 }, manualClock().now);
    expect(trigger.onRecord()).toBe(false);
    expect(trigger.onRecord()).toBe(false);
    expect(trigger.onRecord()).toBe(true);
    expect(trigger.onRecord()).toBe(true);
    trigger.reset();
    expect(trigger.onRecord()).toBe(false);
  });

  it('closes an epoch of one record at once when maxRecords is 1', () => {
    const trigger = new EpochTrigger({ maxRecords: 1, intervalMs: 60_000 }, manualClock().now);
    expect(trigger.onRecord()).toBe(true);
  });

  it('never falls due while the epoch is empty, however long it stays open', () => {
    const clock = manualClock();
    const trigger = new EpochTrigger({ maxRecords: 10, intervalMs: 100 }, clock.now);
    expect(trigger.due()).toBe(false);
    clock.advance(1_000_000);
    expect(trigger.due()).toBe(false);
    expect(trigger.pending).toBe(false);
  });

  it('falls due intervalMs after the first record of the epoch, not after later ones', () => {
    const clock = manualClock();
    const trigger = new EpochTrigger({ maxRecords: 10, intervalMs: 100 }, clock.now);
    clock.advance(500); // idle time before the first record does not count
    trigger.onRecord();
    expect(trigger.due()).toBe(false);
    clock.advance(60);
    trigger.onRecord();
    clock.advance(39);
    expect(trigger.due()).toBe(false);
    clock.advance(1);
    expect(trigger.due()).toBe(true);
  });

  it('reports whether the open epoch has anything in it', () => {
    const trigger = new EpochTrigger({ maxRecords: 10, intervalMs: 100 }, manualClock().now);
    expect(trigger.pending).toBe(false);
    trigger.onRecord();
    expect(trigger.pending).toBe(true);
    trigger.reset();
    expect(trigger.pending).toBe(false);
  });

  it('starts the next epoch empty after reset: not due, counting and timing from its own first record', () => {
    const clock = manualClock();
    const trigger = new EpochTrigger({ maxRecords: 2, intervalMs: 100 }, clock.now);
    trigger.onRecord();
    clock.advance(150);
    expect(trigger.due()).toBe(true);
    trigger.reset();
    expect(trigger.due()).toBe(false);
    clock.advance(1_000);
    trigger.onRecord();
    expect(trigger.due()).toBe(false);
    clock.advance(99);
    expect(trigger.due()).toBe(false);
    clock.advance(1);
    expect(trigger.due()).toBe(true);
    expect(trigger.onRecord()).toBe(true);
  });

  it('uses the monotonic clock by default', () => {
    const trigger = new EpochTrigger({ maxRecords: 10, intervalMs: 3_600_000 });
    trigger.onRecord();
    expect(trigger.due()).toBe(false);
    expect(trigger.pending).toBe(true);
  });
});
