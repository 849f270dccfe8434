import { describe, expect, it } from 'vitest';
import {
  DEFAULT_EVENT_TIME_BOUNDS,
  eventTimeOutOfBounds,
} from '../../../../operators/time/eventTimeBounds.js';

const NOW = Date.UTC(2026, 11, 4, 12);
const bounds = { maxAheadMs: 3_600_000, maxBehindMs: 86_400_000 };

describe('eventTimeOutOfBounds', () => {
  it('accepts event times up to the bounds, ends included', () => {
    expect(eventTimeOutOfBounds(NOW + 3_600_000, NOW, NOW, bounds)).toBeUndefined();
    expect(eventTimeOutOfBounds(NOW - 86_400_000, NOW, NOW, bounds)).toBeUndefined();
    // Old data in order (a replay) is not behind its own partition's history.
    expect(
      eventTimeOutOfBounds(Date.UTC(2026, 0, 5), NOW, Date.UTC(2026, 0, 5) - 5_000, bounds),
    ).toBeUndefined();
  });

  it('refuses a clock far ahead of processing time, naming both times and the bound', () => {
    const out = eventTimeOutOfBounds(
      Date.UTC(2100, 0, 1),
      NOW,
      Number.NEGATIVE_INFINITY,
      DEFAULT_EVENT_TIME_BOUNDS,
    );
    expect(out?.bound).toBe('ahead');
    expect(out?.message).toBe(
      'event time 2100-01-01T00:00:00.000Z is 73 years ahead of processing time 2026-12-04T12:00:00.000Z (at most 1 h)',
    );
    expect(eventTimeOutOfBounds(NOW + 3_600_001, NOW, NOW, bounds)?.bound).toBe('ahead');
  });

  it("refuses an event time far behind its partition's watermark, but not before the partition has one", () => {
    const wm = Date.UTC(2026, 0, 10);
    const out = eventTimeOutOfBounds(Date.UTC(2025, 0, 1), NOW, wm, bounds);
    expect(out).toEqual({
      bound: 'behind',
      message:
        "event time 2025-01-01T00:00:00.000Z is 1 years behind its partition's watermark 2026-01-10T00:00:00.000Z (at most 1 days)",
    });
    expect(eventTimeOutOfBounds(Date.UTC(1970, 0, 1), NOW, Number.NEGATIVE_INFINITY, bounds)).toBeUndefined();
  });
});
