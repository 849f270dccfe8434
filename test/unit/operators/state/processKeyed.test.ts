import { Subject, VirtualTimeScheduler } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  type KeyedProcessFunction,
  MissingKeyError,
  processKeyed,
  type StreamElement,
} from '../../../../operators/index.js';
import { bar, rec, run, wm } from '../elements.js';

const SILENCE = 100;

/** Counts records per key and reports silence SILENCE ms after a key's last record. */
const silenceWatch: KeyedProcessFunction<number, { n: number; last: number }, string> = {
  init: () => ({ n: 0, last: Number.NEGATIVE_INFINITY }),
  onRecord(_v, ctx) {
    ctx.deleteEventTimeTimer(ctx.state.last + SILENCE);
    ctx.state.n++;
    ctx.state.last = ctx.timestamp;
    ctx.registerEventTimeTimer(ctx.timestamp + SILENCE);
  },
  onTimer(t, ctx) {
    ctx.emit(`${ctx.key} silent at ${t.ts} after ${ctx.state.n}`);
  },
};

function outputs(out: Array<StreamElement<string>>) {
  return out.flatMap((e) => (e.kind === 'record' ? [e.value] : []));
}

describe('processKeyed', () => {
  it('keeps state per key and fires event-time timers as the watermark passes them', async () => {
    const out = await run(
      [rec(1, 0, 'a'), rec(1, 10, 'b'), rec(1, 50, 'a'), wm(105), wm(150), wm(200)],
      processKeyed(silenceWatch),
    );
    expect(outputs(out)).toEqual(['b silent at 110 after 1', 'a silent at 150 after 2']);
  });

  it('fires timers before forwarding the watermark that triggered them, with ts = timer time', async () => {
    const out = await run([rec(1, 0, 'a'), wm(100)], processKeyed(silenceWatch));
    expect(out).toEqual([{ kind: 'record', value: 'a silent at 100 after 1', ts: 100, key: 'a' }, wm(100)]);
  });

  it('fires timers of the same time in key order', async () => {
    const out = await run(
      [rec(1, 0, 'c'), rec(1, 0, 'a'), rec(1, 0, 'b'), wm(100)],
      processKeyed(silenceWatch),
    );
    expect(outputs(out)).toEqual([
      'a silent at 100 after 1',
      'b silent at 100 after 1',
      'c silent at 100 after 1',
    ]);
  });

  it('fires a timer registered inside onTimer when it is already due', async () => {
    const out = await run(
      [rec(0, 0, 'a'), wm(1_000)],
      processKeyed<number, number, number>({
        init: () => 0,
        onRecord(_v, ctx) {
          ctx.registerEventTimeTimer(10);
        },
        onTimer(t, ctx) {
          ctx.emit(t.ts);
          if (t.ts < 30) ctx.registerEventTimeTimer(t.ts + 10);
        },
      }),
    );
    expect(out.filter((e) => e.kind === 'record').map((e) => (e.kind === 'record' ? e.value : 0))).toEqual([
      10, 20, 30,
    ]);
  });

  it('emits from onRecord with the record time and zero or more outputs', async () => {
    const out = await run(
      [rec(3, 5, 'a'), rec(0, 6, 'a')],
      processKeyed<number, null, number>({
        init: () => null,
        onRecord(v, ctx) {
          for (let i = 0; i < v; i++) ctx.emit(i);
        },
      }),
    );
    expect(out).toEqual([
      { kind: 'record', value: 0, ts: 5, key: 'a' },
      { kind: 'record', value: 1, ts: 5, key: 'a' },
      { kind: 'record', value: 2, ts: 5, key: 'a' },
    ]);
  });

  it('drops a key after the state TTL in event time, with its timers', async () => {
    const out = await run(
      [
        rec(1, 0, 'a'),
        rec(1, 0, 'b'),
        rec(1, 40, 'b'),
        wm(60),
        rec(1, 70, 'a'),
        rec(1, 70, 'b'),
        wm(Number.POSITIVE_INFINITY),
      ],
      processKeyed<number, number, string>(
        {
          init: () => 0,
          onRecord(_v, ctx) {
            ctx.state++;
            ctx.emit(`${ctx.key}#${ctx.state}`);
          },
        },
        { stateTtlMs: 50 },
      ),
    );
    // a expired at watermark 60 (last record 0 + 50); b (last 40) survived.
    expect(outputs(out)).toEqual(['a#1', 'b#1', 'b#2', 'a#1', 'b#3']);
  });

  it('clears a key on request', async () => {
    const out = await run(
      [rec(1, 1, 'a'), rec(1, 2, 'a'), rec(1, 3, 'a')],
      processKeyed<number, number, number>({
        init: () => 0,
        onRecord(_v, ctx) {
          ctx.state++;
          ctx.emit(ctx.state);
          if (ctx.state === 2) ctx.clear();
        },
      }),
    );
    expect(outputs(out as never)).toEqual([1, 2, 1]);
  });

  it('fires processing-time timers from the scheduler', () => {
    const scheduler = new VirtualTimeScheduler();
    const input = new Subject<StreamElement<number>>();
    const seen: string[] = [];
    input
      .pipe(
        processKeyed<number, null, string>(
          {
            init: () => null,
            onRecord(_v, ctx) {
              ctx.registerProcessingTimeTimer(ctx.currentProcessingTime() + 50);
            },
            onTimer(t, ctx) {
              ctx.emit(`${ctx.key}:${t.domain}@${t.ts}`);
            },
          },
          { scheduler },
        ),
      )
      .subscribe((e) => {
        if (e.kind === 'record') seen.push(e.value);
      });
    scheduler.schedule(() => input.next(rec(1, 0, 'a')), 10);
    scheduler.schedule(() => input.next(rec(1, 0, 'b')), 20);
    scheduler.flush();
    expect(seen).toEqual(['a:processing@60', 'b:processing@70']);
  });

  it('errors with MissingKeyError for a record without a key', async () => {
    await expect(run([rec(1, 1)], processKeyed(silenceWatch))).rejects.toBeInstanceOf(MissingKeyError);
  });

  it('forwards barriers in place', async () => {
    const out = await run([rec(1, 0, 'a'), bar(1), rec(1, 1, 'a')], processKeyed(silenceWatch));
    expect(out).toEqual([bar(1)]);
  });
});
