import { describe, expect, it } from 'vitest';
import {
  count,
  type StreamElement,
  type StreamRecord,
  session,
  sliding,
  sum,
  tumbling,
  type WindowResult,
  windowAggregate,
} from '../../../../operators/index.js';
import { bar, rec, run, wm } from '../elements.js';

type Out = StreamElement<WindowResult<number>>;

function fired(out: Out[]) {
  return out.flatMap((e) =>
    e.kind === 'record'
      ? [`${e.value.key}[${e.value.start},${e.value.end})=${e.value.value}${e.value.late ? ' late' : ''}`]
      : [],
  );
}

describe('windowAggregate', () => {
  it('fires a tumbling window when the watermark reaches end − 1, not before', async () => {
    const out = await run(
      [rec(1, 0, 'a'), rec(1, 9, 'a'), wm(8), rec(1, 10, 'a'), wm(9)],
      windowAggregate(tumbling(10), count()),
    );
    expect(out).toEqual([
      wm(8),
      { kind: 'record', value: { key: 'a', start: 0, end: 10, value: 2, late: false }, ts: 9, key: 'a' },
      wm(9),
    ]);
  });

  it('keeps windows per key', async () => {
    const out = await run(
      [rec(1, 1, 'a'), rec(2, 2, 'b'), rec(3, 3, 'a'), wm(Number.POSITIVE_INFINITY)],
      windowAggregate(
        tumbling(10),
        sum((v: number) => v),
      ),
    );
    expect(fired(out)).toEqual(['a[0,10)=4', 'b[0,10)=2']);
  });

  it('applies the offset to window bounds', async () => {
    const out = await run(
      [rec(1, 4, 'a'), rec(1, 5, 'a'), wm(Number.POSITIVE_INFINITY)],
      windowAggregate(tumbling(10, 5), count()),
    );
    expect(fired(out)).toEqual(['a[-5,5)=1', 'a[5,15)=1']);
  });

  it('puts a record into size/slide sliding windows', async () => {
    const out = await run(
      [rec(1, 12, 'a'), wm(Number.POSITIVE_INFINITY)],
      windowAggregate(sliding(15, 5), count()),
    );
    expect(fired(out)).toEqual(['a[0,15)=1', 'a[5,20)=1', 'a[10,25)=1']);
  });

  it('fires a late window again within allowed lateness, with the updated result', async () => {
    const out = await run(
      [rec(1, 1, 'a'), wm(10), rec(1, 2, 'a'), wm(20), rec(1, 3, 'a'), wm(Number.POSITIVE_INFINITY)],
      windowAggregate(tumbling(10), count(), { allowedLatenessMs: 11 }),
    );
    // [0,10): end − 1 = 9; late records accepted while 9 + 11 > watermark.
    expect(fired(out)).toEqual(['a[0,10)=1', 'a[0,10)=2 late']);
  });

  it('drops records beyond allowed lateness and sends them once to the late output', async () => {
    const late: Array<StreamRecord<number>> = [];
    const out = await run(
      [rec(1, 1, 'a'), wm(30), rec(7, 2, 'a'), wm(Number.POSITIVE_INFINITY)],
      windowAggregate(tumbling(10), count(), {
        allowedLatenessMs: 5,
        lateOutput: { next: (r) => late.push(r) },
      }),
    );
    expect(fired(out)).toEqual(['a[0,10)=1']);
    expect(late).toEqual([rec(7, 2, 'a')]);
  });

  it('sends a sliding record to the late output only when it is too late for every window', async () => {
    const late: Array<StreamRecord<number>> = [];
    const out = await run(
      [rec(1, 12, 'a'), wm(16), rec(1, 12, 'a'), wm(Number.POSITIVE_INFINITY)],
      windowAggregate(sliding(10, 5), count(), { lateOutput: { next: (r) => late.push(r) } }),
    );
    // At watermark 16, [5,15) is closed but [10,20) is open: the second record counts there only.
    expect(fired(out)).toEqual(['a[5,15)=1', 'a[10,20)=2']);
    expect(late).toEqual([]);
  });

  it('merges session windows that overlap or touch', async () => {
    const out = await run(
      [
        rec(1, 0, 'a'),
        rec(1, 5, 'a'),
        rec(1, 2, 'a'),
        rec(1, 20, 'a'),
        rec(1, 10, 'b'),
        wm(Number.POSITIVE_INFINITY),
      ],
      windowAggregate(session(5), count()),
    );
    // [0,5) and [5,10) touch; [2,7) bridges them anyway.
    expect(fired(out)).toEqual(['a[0,10)=3', 'b[10,15)=1', 'a[20,25)=1']);
  });

  it('merges two fired sessions through a late record and fires the merged window', async () => {
    const out = await run(
      [rec(1, 0, 'a'), rec(1, 10, 'a'), wm(16), rec(1, 5, 'a'), wm(Number.POSITIVE_INFINITY)],
      windowAggregate(session(5), count(), { allowedLatenessMs: 20 }),
    );
    expect(fired(out)).toEqual(['a[0,5)=1', 'a[10,15)=1', 'a[0,15)=3 late']);
  });

  it('does not merge with a session already purged after its lateness', async () => {
    const out = await run(
      [rec(1, 0, 'a'), rec(1, 10, 'a'), wm(16), rec(1, 5, 'a'), wm(Number.POSITIVE_INFINITY)],
      windowAggregate(session(5), count(), { allowedLatenessMs: 10 }),
    );
    // [0,5) was purged at watermark 4 + 10; [10,15) is still kept.
    expect(fired(out)).toEqual(['a[0,5)=1', 'a[10,15)=1', 'a[5,15)=2 late']);
  });

  it('drops a lone session record that is beyond lateness', async () => {
    const late: Array<StreamRecord<number>> = [];
    const out = await run(
      [rec(1, 100, 'a'), wm(200), rec(1, 0, 'a'), wm(Number.POSITIVE_INFINITY)],
      windowAggregate(session(5), count(), { lateOutput: { next: (r) => late.push(r) } }),
    );
    expect(fired(out)).toEqual(['a[100,105)=1']);
    expect(late).toHaveLength(1);
  });

  it('fires in order of window end, then key, within one watermark', async () => {
    const out = await run(
      [rec(1, 15, 'b'), rec(1, 5, 'c'), rec(1, 6, 'a'), rec(1, 16, 'a'), wm(Number.POSITIVE_INFINITY)],
      windowAggregate(tumbling(10), count()),
    );
    expect(fired(out)).toEqual(['a[0,10)=1', 'c[0,10)=1', 'a[10,20)=1', 'b[10,20)=1']);
  });

  it('ignores watermarks that do not advance and forwards barriers in place', async () => {
    const out = await run(
      [rec(1, 1, 'a'), wm(5), wm(3), bar(1), wm(5)],
      windowAggregate(tumbling(10), count()),
    );
    expect(out.map((e) => e.kind)).toEqual(['watermark', 'barrier']);
  });

  it('treats records without a key as one key', async () => {
    const out = await run(
      [rec(1, 1), rec(1, 2), wm(Number.POSITIVE_INFINITY)],
      windowAggregate(tumbling(10), count()),
    );
    expect(fired(out)).toEqual(['[0,10)=2']);
  });

  it('rejects bad configuration with a message naming the parameter', () => {
    expect(() => tumbling(0)).toThrow(/sizeMs/);
    expect(() => tumbling(10, 10)).toThrow(/offsetMs/);
    expect(() => sliding(10, 0)).toThrow(/slideMs/);
    expect(() => session(-1)).toThrow(/gapMs/);
    expect(() => windowAggregate(tumbling(10), count(), { allowedLatenessMs: -1 })).toThrow(
      /allowedLatenessMs/,
    );
    expect(() =>
      windowAggregate(tumbling(10), count(), { snapshots: { save() {}, load: () => undefined } }),
    ).toThrow(/id/);
  });
});
