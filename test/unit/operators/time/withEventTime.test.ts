import { from, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  boundedOutOfOrderness,
  InvalidEventTimeError,
  type StreamElement,
  withEventTime,
} from '../../../../operators/index.js';
import { collect, rec, wm } from '../elements.js';

describe('withEventTime', () => {
  it('stamps records and follows each with the watermark max ts − bound − 1 when it advances', async () => {
    const out = await collect(from([10, 30, 20, 31]).pipe(withEventTime((v) => v, boundedOutOfOrderness(5))));
    expect(out).toEqual([
      rec(10, 10),
      wm(4),
      rec(30, 30),
      wm(24),
      rec(20, 20),
      rec(31, 31),
      wm(25),
      wm(Number.POSITIVE_INFINITY),
    ]);
  });

  it('emits a final +Infinity watermark when the input completes', async () => {
    const out = await collect(from([]).pipe(withEventTime((v: number) => v, boundedOutOfOrderness(0))));
    expect(out).toEqual([wm(Number.POSITIVE_INFINITY)]);
  });

  it('emits the record before the watermark it causes', async () => {
    const seen: Array<StreamElement<number>> = [];
    const input = new Subject<number>();
    input.pipe(withEventTime((v) => v, boundedOutOfOrderness(0))).subscribe((e) => seen.push(e));
    input.next(100);
    expect(seen).toEqual([rec(100, 100), wm(99)]);
  });

  it('errors with InvalidEventTimeError naming the input index and value', async () => {
    const bad = from([{ t: 1 }, { t: Number.NaN }]).pipe(withEventTime((v) => v.t, boundedOutOfOrderness(0)));
    const err = await collect(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidEventTimeError);
    expect((err as InvalidEventTimeError).index).toBe(1);
    expect((err as Error).message).toContain('input #1');
    expect((err as Error).message).toContain('{"t":null}');
  });

  it('rejects a negative bound and a non-positive idle timeout', () => {
    expect(() => boundedOutOfOrderness(-1)).toThrow(/maxOutOfOrdernessMs/);
    expect(() => boundedOutOfOrderness(0, { idleTimeoutMs: 0 })).toThrow(/idleTimeoutMs/);
  });
});
