import { Subject, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  boundedOutOfOrderness,
  type StreamElement,
  withPartitionedEventTime,
} from '../../../../operators/index.js';

interface Msg {
  p: number;
  ts: number;
}

function harness(idleTimeoutMs?: number, partitions?: number[]) {
  const scheduler = new VirtualTimeScheduler();
  const input = new Subject<Msg>();
  const watermarks: number[] = [];
  const emittedAt = new Map<number, number>();
  let records = 0;
  input
    .pipe(
      withPartitionedEventTime(
        (m: Msg) => m.p,
        (m) => m.ts,
        boundedOutOfOrderness(0, { idleTimeoutMs }),
        { scheduler, partitions },
      ),
    )
    .subscribe((e: StreamElement<Msg>) => {
      if (e.kind === 'watermark') {
        watermarks.push(e.ts);
        emittedAt.set(e.ts, scheduler.now());
      } else if (e.kind === 'record') records++;
    });
  /** Sends `msg` at virtual processing time `at`. */
  const sendAt = (at: number, msg: Msg) => scheduler.schedule(() => input.next(msg), at);
  return { scheduler, input, watermarks, emittedAt, sendAt, records: () => records };
}

describe('withPartitionedEventTime', () => {
  it('holds the watermark at the slowest of the partitions named up front', () => {
    const h = harness(undefined, [0, 1]);
    h.sendAt(0, { p: 0, ts: 100 });
    h.sendAt(1, { p: 1, ts: 10 });
    h.sendAt(2, { p: 0, ts: 200 });
    h.sendAt(3, { p: 1, ts: 50 });
    h.scheduler.flush();
    expect(h.watermarks).toEqual([9, 49]);
  });

  it('counts a partition not named up front from its first record on', () => {
    const h = harness();
    h.sendAt(0, { p: 0, ts: 100 });
    h.sendAt(1, { p: 1, ts: 10 });
    h.sendAt(2, { p: 0, ts: 300 });
    h.sendAt(3, { p: 1, ts: 250 });
    h.scheduler.flush();
    expect(h.watermarks).toEqual([99, 249]);
  });

  it('stops waiting for a partition idle for idleTimeoutMs, and counts it again when it resumes', () => {
    const h = harness(1_000, [0, 1]);
    h.sendAt(0, { p: 0, ts: 100 });
    h.sendAt(0, { p: 1, ts: 10 });
    for (let t = 100; t <= 3_000; t += 100) h.sendAt(t, { p: 0, ts: 100 + t });
    h.sendAt(3_500, { p: 1, ts: 3_050 });
    h.sendAt(3_600, { p: 0, ts: 3_200 });
    h.sendAt(3_700, { p: 1, ts: 3_300 });
    h.scheduler.flush();
    // Partition 1 holds the watermark at 9 until it is idle (t = 1000), then partition 0 alone drives it.
    expect(h.watermarks[0]).toBe(9);
    expect(h.watermarks).toContain(1_099);
    expect(h.emittedAt.get(1_099)).toBe(1_000);
    expect(h.emittedAt.get(3_099)).toBe(3_000);
    // Partition 1 rejoined at 3500: partition 0's reading at 3600 (ts 3200) no longer moves the
    // watermark alone; it moves when partition 1 catches up at 3700.
    expect(h.emittedAt.get(3_199)).toBe(3_700);
    // Then partition 0 falls silent (idle at 4600) and partition 1 alone moves it.
    expect(h.watermarks.at(-1)).toBe(3_299);
    expect(h.emittedAt.get(3_299)).toBe(4_600);
    expect(h.records()).toBe(35);
  });

  it('never lets the watermark go backwards when an idle partition rejoins behind', () => {
    const h = harness(500);
    h.sendAt(0, { p: 0, ts: 1_000 });
    h.sendAt(0, { p: 1, ts: 1_000 });
    h.sendAt(100, { p: 0, ts: 2_000 });
    h.sendAt(1_000, { p: 1, ts: 1_100 });
    h.scheduler.flush();
    expect(h.watermarks).toEqual([999, 1_999]);
  });

  it('emits +Infinity on completion', () => {
    const h = harness();
    h.sendAt(0, { p: 0, ts: 5 });
    h.scheduler.flush();
    h.input.complete();
    expect(h.watermarks).toEqual([4, Number.POSITIVE_INFINITY]);
  });
});
