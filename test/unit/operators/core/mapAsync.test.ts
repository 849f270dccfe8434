import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { MapAsyncError, mapAsync, type StreamElement } from '../../../../operators/index.js';
import { bar, rec, run, wm } from '../elements.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('mapAsync', () => {
  it('emits results in input order although calls complete out of order', async () => {
    const delays = [30, 5, 15, 0];
    const out = await run(
      delays.map((d, i) => rec(d, i)),
      mapAsync((d: number) => new Promise<number>((r) => setTimeout(() => r(d * 2), d)), { concurrency: 4 }),
    );
    expect(out).toEqual([rec(60, 0), rec(10, 1), rec(30, 2), rec(0, 3)]);
  });

  it('never has more than `concurrency` calls in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await run(
      Array.from({ length: 20 }, (_, i) => rec(i, i)),
      mapAsync(
        async (v: number) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await new Promise((r) => setTimeout(r, 1 + (v % 3)));
          inFlight--;
          return v;
        },
        { concurrency: 3 },
      ),
    );
    expect(out).toHaveLength(20);
    expect(peak).toBe(3);
  });

  it('holds a watermark and a barrier back until every earlier record has completed', async () => {
    const input = new Subject<StreamElement<number>>();
    const calls: Array<ReturnType<typeof deferred<number>>> = [];
    const seen: Array<StreamElement<number>> = [];
    input
      .pipe(
        mapAsync(
          () => {
            const d = deferred<number>();
            calls.push(d);
            return d.promise;
          },
          { concurrency: 2 },
        ),
      )
      .subscribe((e) => seen.push(e));
    input.next(rec(1, 1));
    input.next(wm(1));
    input.next(bar(1));
    input.next(rec(2, 2));
    await tick();
    expect(seen).toEqual([]);
    expect(calls).toHaveLength(2);
    calls[1].resolve(20);
    await tick();
    expect(seen).toEqual([]);
    calls[0].resolve(10);
    await tick();
    expect(seen).toEqual([rec(10, 1), wm(1), bar(1), rec(20, 2)]);
  });

  it('keeps key and source position on the output record', async () => {
    const pos = { topic: 'telemetry', partition: 3, offset: '42' };
    const out = await run(
      [{ kind: 'record', value: 1, ts: 5, key: 'a', pos }],
      mapAsync(async (v: number) => v + 1),
    );
    expect(out).toEqual([{ kind: 'record', value: 2, ts: 5, key: 'a', pos }]);
  });

  it('completes only after the last call has finished', async () => {
    const out = await run(
      [rec(1, 1), wm(Number.POSITIVE_INFINITY)],
      mapAsync((v: number) => new Promise<number>((r) => setTimeout(() => r(v), 20))),
    );
    expect(out).toEqual([rec(1, 1), wm(Number.POSITIVE_INFINITY)]);
  });

  it('errors with a MapAsyncError naming the record and keeping the cause', async () => {
    const pos = { topic: 'telemetry', partition: 1, offset: '9' };
    const cause = new Error('model unavailable');
    const failing = mapAsync(async () => {
      throw cause;
    });
    const err = await run([{ kind: 'record', value: 1, ts: 7, key: 'pump', pos }], failing).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MapAsyncError);
    expect((err as Error).message).toContain('event time 7');
    expect((err as Error).message).toContain('telemetry[1]@9');
    expect((err as Error).cause).toBe(cause);
  });

  it('rejects a non-positive concurrency', () => {
    expect(() => mapAsync(async (v) => v, { concurrency: 0 })).toThrow(/concurrency/);
  });
});
