import { from, Subject, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { mergeWatermarks, type StreamElement } from '../../../../operators/index.js';
import { bar, collect, rec, wm } from '../elements.js';

describe('mergeWatermarks', () => {
  it('emits the minimum watermark over inputs, only when it advances', () => {
    const a = new Subject<StreamElement<string>>();
    const b = new Subject<StreamElement<string>>();
    const out: Array<StreamElement<string>> = [];
    mergeWatermarks([a, b]).subscribe((e) => out.push(e));
    a.next(rec('a1', 10));
    a.next(wm(10));
    b.next(rec('b1', 5));
    b.next(wm(5));
    b.next(wm(20));
    a.next(wm(12));
    expect(out).toEqual([rec('a1', 10), rec('b1', 5), wm(5), wm(10), wm(12)]);
  });

  it('completes with +Infinity once every input has completed', async () => {
    const out = await collect(
      mergeWatermarks([
        from([rec('a', 1), wm(Number.POSITIVE_INFINITY)]),
        from([rec('b', 2), wm(Number.POSITIVE_INFINITY)]),
      ]),
    );
    expect(out.filter((e) => e.kind === 'watermark')).toEqual([wm(Number.POSITIVE_INFINITY)]);
    expect(out.filter((e) => e.kind === 'record')).toHaveLength(2);
  });

  it('treats a completed input as no longer holding the watermark', () => {
    const a = new Subject<StreamElement<string>>();
    const b = new Subject<StreamElement<string>>();
    const out: Array<StreamElement<string>> = [];
    mergeWatermarks([a, b]).subscribe((e) => out.push(e));
    a.next(wm(50));
    b.complete();
    expect(out).toEqual([wm(50)]);
  });

  it('aligns barriers: elements after barrier n on one input wait until every input delivered n', () => {
    const a = new Subject<StreamElement<string>>();
    const b = new Subject<StreamElement<string>>();
    const out: Array<StreamElement<string>> = [];
    mergeWatermarks([a, b]).subscribe((e) => out.push(e));
    a.next(rec('a-epoch1', 1));
    a.next(bar(1));
    a.next(rec('a-epoch2', 2));
    b.next(rec('b-epoch1', 1));
    expect(out).toEqual([rec('a-epoch1', 1), rec('b-epoch1', 1)]);
    b.next(bar(1));
    expect(out).toEqual([rec('a-epoch1', 1), rec('b-epoch1', 1), bar(1), rec('a-epoch2', 2)]);
    b.next(rec('b-epoch2', 2));
    expect(out.at(-1)).toEqual(rec('b-epoch2', 2));
  });

  it('ignores an idle input until it sends again', () => {
    const scheduler = new VirtualTimeScheduler();
    const a = new Subject<StreamElement<string>>();
    const b = new Subject<StreamElement<string>>();
    const watermarks: number[] = [];
    mergeWatermarks([a, b], { idleTimeoutMs: 100, scheduler }).subscribe((e) => {
      if (e.kind === 'watermark') watermarks.push(e.ts);
    });
    scheduler.schedule(() => {
      b.next(rec('b', 1));
      b.next(wm(1));
    }, 0);
    for (let t = 10; t <= 300; t += 10) {
      scheduler.schedule(() => {
        a.next(rec('a', t));
        a.next(wm(t));
      }, t);
    }
    scheduler.flush();
    // b held the watermark at 1 until it was idle (t = 100); after that a alone drives it.
    expect(watermarks[0]).toBe(1);
    expect(watermarks).toContain(100);
    expect(watermarks.at(-1)).toBe(300);
  });
});
