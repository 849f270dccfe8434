import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { MapAsyncError, mapAsyncBatch, type StreamElement } from '../../../../operators/index.js';
import { bar, rec, run, wm } from '../elements.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('mapAsyncBatch', () => {
  it('groups a synchronous burst into batches of at most maxBatch', async () => {
    const sizes: number[] = [];
    const out = await run(
      Array.from({ length: 10 }, (_, i) => rec(i, i)),
      mapAsyncBatch(
        async (xs: number[]) => {
          sizes.push(xs.length);
          return xs.map((x) => x * 2);
        },
        { maxBatch: 4 },
      ),
    );
    expect(sizes).toEqual([4, 4, 2]);
    expect(out).toEqual(Array.from({ length: 10 }, (_, i) => rec(i * 2, i)));
  });

  it('closes a batch at a watermark or barrier and emits them after the batch', async () => {
    const sizes: number[] = [];
    const out = await run(
      [rec(1, 1), rec(2, 2), wm(2), rec(3, 3), bar(1), rec(4, 4)],
      mapAsyncBatch(
        async (xs: number[]) => {
          sizes.push(xs.length);
          return xs;
        },
        { maxBatch: 64 },
      ),
    );
    expect(sizes).toEqual([2, 1, 1]);
    expect(out).toEqual([rec(1, 1), rec(2, 2), wm(2), rec(3, 3), bar(1), rec(4, 4)]);
  });

  it('closes a partial batch when the synchronous burst ends', async () => {
    const input = new Subject<StreamElement<number>>();
    const seen: Array<StreamElement<number>> = [];
    input.pipe(mapAsyncBatch(async (xs: number[]) => xs, { maxBatch: 100 })).subscribe((e) => seen.push(e));
    input.next(rec(1, 1));
    input.next(rec(2, 2));
    await tick();
    expect(seen).toEqual([rec(1, 1), rec(2, 2)]);
  });

  it('keeps input order across concurrent batches finishing out of order', async () => {
    let call = 0;
    const out = await run(
      Array.from({ length: 6 }, (_, i) => rec(i, i)),
      mapAsyncBatch(
        (xs: number[]) => {
          const delay = call++ === 0 ? 30 : 1;
          return new Promise<number[]>((r) => setTimeout(() => r(xs), delay));
        },
        { maxBatch: 2, concurrency: 3 },
      ),
    );
    expect(out.map((e) => (e.kind === 'record' ? e.value : -1))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('errors when the function returns the wrong number of results', async () => {
    const err = await run(
      [rec(1, 1), rec(2, 2)],
      mapAsyncBatch(async () => [1]),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MapAsyncError);
    expect(((err as Error).cause as Error).message).toContain('expected 2 results, got 1');
  });
});
