import { describe, expect, it } from 'vitest';
import {
  anchoredStartTs,
  KAFKA_DEFAULT_RETENTION_MS,
  produceTimeWarnings,
} from '../../../../pipelines/machine-health/produceTimeline.js';

const NOW = Date.parse('2026-12-04T20:26:41.250Z');
const TICK = 30_000;

describe('anchoredStartTs', () => {
  it('ends the run just before now: the newest reading within a minute and a tick of now, never after it', () => {
    for (const ticks of [1, 7, 120, 720, 2880]) {
      const start = anchoredStartTs(ticks, TICK, NOW);
      const newest = start + (ticks - 1) * TICK;
      expect(start % 60_000).toBe(0);
      expect(newest).toBeLessThan(NOW);
      expect(NOW - newest).toBeLessThanOrEqual(60_000 + TICK);
    }
  });

  it('starts a day of 30 s readings a day before now, to the minute', () => {
    expect(anchoredStartTs(2880, TICK, NOW)).toBe(Date.parse('2026-12-03T20:26:00Z'));
  });
});

describe('produceTimeWarnings', () => {
  it('says nothing for a run anchored at now, even one of six days', () => {
    const ticks = 6 * 2880;
    expect(produceTimeWarnings(anchoredStartTs(ticks, TICK, NOW), ticks, TICK, NOW)).toEqual([]);
  });

  it('warns that readings older than the retention are deleted at once, naming the part that is', () => {
    const ticks = 10 * 2880;
    const [warning, ...rest] = produceTimeWarnings(anchoredStartTs(ticks, TICK, NOW), ticks, TICK, NOW);
    expect(rest).toEqual([]);
    expect(warning).toContain(`to ${new Date(NOW - KAFKA_DEFAULT_RETENTION_MS).toISOString()} are older`);
    expect(warning).toContain('retention.ms 604800000, 7 days');
  });

  it('warns about a run wholly in the past month, January, as the old default produced it', () => {
    const warnings = produceTimeWarnings(Date.UTC(2026, 0, 5), 2880, TICK, NOW);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('readings from 2026-01-05T00:00:00.000Z to 2026-01-05T23:59:30.000Z');
  });

  it('takes another retention when told one', () => {
    expect(produceTimeWarnings(Date.UTC(2026, 0, 5), 2880, TICK, NOW, 400 * 86_400_000)).toEqual([]);
  });

  it('warns about readings more than an hour ahead of now, which the job dead-letters', () => {
    const warnings = produceTimeWarnings(NOW, 240, TICK, NOW);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('more than an hour ahead of now');
    expect(produceTimeWarnings(NOW, 120, TICK, NOW)).toEqual([]);
  });
});
