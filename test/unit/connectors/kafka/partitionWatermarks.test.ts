import fc from 'fast-check';
import { VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { PartitionWatermarks } from '../../../../connectors/kafka/partitionWatermarks.js';
import { boundedOutOfOrderness } from '../../../../operators/time/watermarkStrategy.js';

/** The per-partition event time of kafkaSource (connectors/kafka/partitionWatermarks.ts), without a broker. */

const tp = (partition: number, topic = 't') => ({ topic, partition });

function harness(boundMs = 0, idleTimeoutMs?: number) {
  const scheduler = new VirtualTimeScheduler();
  const watermarks: number[] = [];
  const wm = new PartitionWatermarks(
    boundedOutOfOrderness(boundMs, { idleTimeoutMs }),
    (ts) => watermarks.push(ts),
    scheduler,
  );
  const at = (time: number, partition: number, ts: number) =>
    scheduler.schedule(() => wm.onRecord(wm.partition('t', partition), ts), time);
  return { scheduler, watermarks, wm, at };
}

describe('PartitionWatermarks', () => {
  it('holds the watermark from assignment on: an assigned partition that has not delivered holds it at −∞', () => {
    const h = harness(1_000);
    h.wm.assign([tp(0), tp(1)]);
    h.wm.onRecord(h.wm.partition('t', 0), 10_000);
    h.wm.onRecord(h.wm.partition('t', 0), 20_000);
    expect(h.watermarks).toEqual([]);
    h.wm.onRecord(h.wm.partition('t', 1), 5_000);
    expect(h.watermarks).toEqual([3_999]);
    expect(h.wm.watermark).toBe(3_999);
  });

  it('emits only when the combined watermark advances', () => {
    const h = harness(0);
    h.wm.assign([tp(0), tp(1)]);
    h.wm.onRecord(h.wm.partition('t', 0), 100);
    h.wm.onRecord(h.wm.partition('t', 1), 100);
    h.wm.onRecord(h.wm.partition('t', 1), 50); // out of order: no change
    h.wm.onRecord(h.wm.partition('t', 1), 300); // partition 0 still at 99
    h.wm.onRecord(h.wm.partition('t', 0), 200);
    expect(h.watermarks).toEqual([99, 199]);
  });

  it('lets an idle partition stop holding the watermark after idleTimeoutMs of processing time', () => {
    const h = harness(0, 1_000);
    h.wm.assign([tp(0), tp(1)]);
    h.at(0, 0, 500);
    h.at(900, 0, 600);
    h.at(1_500, 0, 800);
    h.scheduler.flush();
    // Partition 1 never delivered: idle from 1 000 on (partition 0 is not), so partition 0 alone decides.
    expect(h.watermarks).toEqual([599, 799]);
    h.wm.dispose();
  });

  it('stops counting a revoked partition, and never goes back when a partition is assigned again', () => {
    const h = harness(0);
    h.wm.assign([tp(0), tp(1)]);
    h.wm.onRecord(h.wm.partition('t', 0), 1_000);
    h.wm.onRecord(h.wm.partition('t', 1), 100);
    expect(h.watermarks).toEqual([99]);
    h.wm.revoke([tp(1)]);
    expect(h.watermarks).toEqual([99, 999]);
    expect(h.wm.assigned().map((c) => c.id)).toEqual(['t:0']);
    // Reassigned (a rebalance): it holds again from scratch, and nothing below 999 is emitted.
    h.wm.assign([tp(1)]);
    h.wm.onRecord(h.wm.partition('t', 1), 500);
    h.wm.onRecord(h.wm.partition('t', 0), 2_000);
    expect(h.watermarks).toEqual([99, 999]);
    h.wm.onRecord(h.wm.partition('t', 1), 1_500);
    expect(h.watermarks).toEqual([99, 999, 1_499]);
  });

  it('does not emit +Infinity when every partition is revoked', () => {
    const h = harness(0);
    h.wm.assign([tp(0)]);
    h.wm.onRecord(h.wm.partition('t', 0), 1_000);
    h.wm.revoke([tp(0)]);
    h.wm.assign([tp(0)]);
    h.wm.onRecord(h.wm.partition('t', 0), 2_000);
    expect(h.watermarks).toEqual([999, 1_999]);
  });

  it('keeps partitions of different topics apart and counts a partition it was not told of from its first record', () => {
    const h = harness(0);
    h.wm.assign([tp(0, 'a')]);
    h.wm.onRecord(h.wm.partition('b', 0), 100); // not assigned yet: a record racing the rebalance callback
    expect(h.watermarks).toEqual([]);
    h.wm.onRecord(h.wm.partition('a', 0), 50);
    expect(h.watermarks).toEqual([49]);
    expect(h.wm.assigned().map((c) => c.id)).toEqual(['a:0', 'b:0']);
  });

  it('property: watermarks strictly increase and stay at or below min over partitions of (max ts − bound − 1)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 50 }),
        fc.array(fc.record({ p: fc.integer({ min: 0, max: 2 }), ts: fc.integer({ min: 0, max: 1_000 }) }), {
          maxLength: 60,
        }),
        (bound, events) => {
          const h = harness(bound);
          h.wm.assign([tp(0), tp(1), tp(2)]);
          const maxTs = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
          let checked = 0;
          for (const { p, ts } of events) {
            maxTs[p] = Math.max(maxTs[p], ts);
            h.wm.onRecord(h.wm.partition('t', p), ts);
            for (; checked < h.watermarks.length; checked++) {
              const w = h.watermarks[checked];
              if (checked > 0 && !(w > h.watermarks[checked - 1])) return false;
              if (w > Math.min(...maxTs) - bound - 1) return false;
            }
          }
          // Without idleness the last watermark is exactly that bound once every partition delivered.
          const expected = Math.min(...maxTs) - bound - 1;
          return expected === Number.NEGATIVE_INFINITY
            ? h.watermarks.length === 0
            : h.wm.watermark === expected;
        },
      ),
    );
  });
});
