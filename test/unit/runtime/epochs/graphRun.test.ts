import { map, Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { barrier, record, type StreamElement, watermark } from '../../../../operators/core/element.js';
import { throughSinks } from '../../../../operators/core/throughSinks.js';
import { GraphRun } from '../../../../runtime/epochs/graphRun.js';

/** Sinks whose flush of each epoch the test releases by hand. */
function heldSinks() {
  const written: number[] = [];
  const release = new Map<number, () => void>();
  return {
    written,
    release: (epoch: number) => release.get(epoch)?.(),
    sinks: {
      write: (v: number) => void written.push(v),
      flush: (epoch: number) => new Promise<void>((resolve) => release.set(epoch, resolve)),
    },
  };
}

const double = (input$: Observable<StreamElement<number>>) =>
  input$.pipe(map((e) => (e.kind === 'record' ? { ...e, value: e.value * 2 } : e)));

describe('GraphRun', () => {
  it('sees outputs and the watermark before the sinks, and a barrier as passed only once its epoch is flushed', async () => {
    const held = heldSinks();
    const before: number[] = [];
    const run = new GraphRun<number, number>(double, {
      beforeSinks: (v) => void before.push(v),
      sinks: throughSinks(held.sinks),
    });
    run.input.next(record(1, 10));
    run.input.next(watermark(10));
    await run.untilWatermark(10);
    expect(before).toEqual([2]);
    run.input.next(barrier(1));
    let passed = false;
    const waiting = run.passed(1).then(() => {
      passed = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(passed).toBe(false);
    held.release(1);
    await waiting;
    expect(held.written).toEqual([2]);
    run.input.complete();
    await run.done;
  });

  it('fails every wait with the graph failure', async () => {
    const run = new GraphRun<number, number>(
      () =>
        new Observable<StreamElement<number>>((subscriber) => subscriber.error(new Error('model failed'))),
    );
    await expect(run.passed(1)).rejects.toThrow('model failed');
    await expect(run.untilWatermark(5)).rejects.toThrow('model failed');
    await expect(run.done).rejects.toThrow('model failed');
    expect((run.failure() as Error).message).toBe('model failed');
  });
});
