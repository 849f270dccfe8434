import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { barrier, record, type StreamElement, watermark } from '../../../../operators/core/element.js';
import { type EpochSinks, throughSinks } from '../../../../operators/core/throughSinks.js';

/** A job output the sinks tell apart by its number. */
interface Output {
  readonly n: number;
}

function alert(n: number): Output {
  return { n };
}

/** A promise with its settle functions, for sinks the test completes by hand. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets pending promise callbacks and the operator's reactions to them run. */
const settle = () => new Promise<void>((done) => setImmediate(done));

/**
 * Sinks that log every call; `flush` of an epoch in `held` and `write` of a
 * value number in `slow` return promises the test settles.
 */
function fakeSinks() {
  const calls: string[] = [];
  const held = new Map<number, ReturnType<typeof deferred>>();
  const slow = new Map<number, ReturnType<typeof deferred>>();
  const sinks: EpochSinks<Output> = {
    write(output) {
      const n = output.n;
      calls.push(`write ${n}`);
      return slow.get(n)?.promise;
    },
    flush(epoch) {
      calls.push(`flush ${epoch}`);
      return held.get(epoch)?.promise ?? Promise.resolve();
    },
  };
  return { sinks, calls, held, slow };
}

function run(sinks: EpochSinks<Output>) {
  const input = new Subject<StreamElement<Output>>();
  const out: StreamElement<Output>[] = [];
  const result: { error?: unknown; complete: boolean } = { complete: false };
  input.pipe(throughSinks(sinks)).subscribe({
    next: (e) => out.push(e),
    error: (error: unknown) => {
      result.error = error;
    },
    complete: () => {
      result.complete = true;
    },
  });
  const kinds = () =>
    out.map((e) => (e.kind === 'record' ? `r${e.ts}` : e.kind === 'barrier' ? `b${e.epoch}` : `w${e.ts}`));
  return { input, out, kinds, result };
}

describe('throughSinks', () => {
  it('writes every record and flushes every epoch, passing all elements on unchanged and in order', async () => {
    const { sinks, calls } = fakeSinks();
    const { input, out, kinds, result } = run(sinks);
    const elements = [
      record(alert(1), 1),
      watermark(1),
      record(alert(2), 2),
      barrier(1),
      record(alert(3), 3),
      barrier(2),
    ];
    for (const e of elements) input.next(e);
    input.complete();
    await settle();
    expect(kinds()).toEqual(['r1', 'w1', 'r2', 'b1', 'r3', 'b2']);
    expect(out).toEqual(elements);
    expect(out[0]).toBe(elements[0]);
    expect(calls).toEqual(['write 1', 'write 2', 'flush 1', 'write 3', 'flush 2']);
    expect(result).toEqual({ complete: true });
  });

  it('holds a barrier until its flush resolves; nothing after it overtakes it or reaches the sinks', async () => {
    const { sinks, calls, held } = fakeSinks();
    const flush1 = deferred();
    held.set(1, flush1);
    const { input, kinds } = run(sinks);
    input.next(record(alert(1), 1));
    input.next(barrier(1));
    input.next(record(alert(2), 2));
    input.next(watermark(2));
    input.next(barrier(2));
    await settle();
    expect(kinds()).toEqual(['r1']);
    // The next epoch's record is not even written: it must not join epoch 1's rows.
    expect(calls).toEqual(['write 1', 'flush 1']);

    flush1.resolve();
    await settle();
    expect(kinds()).toEqual(['r1', 'b1', 'r2', 'w2', 'b2']);
    expect(calls).toEqual(['write 1', 'flush 1', 'write 2', 'flush 2']);
  });

  it('completes only after the held barrier has passed', async () => {
    const { sinks, held } = fakeSinks();
    const flush = deferred();
    held.set(7, flush);
    const { input, kinds, result } = run(sinks);
    input.next(barrier(7));
    input.complete();
    await settle();
    expect(result.complete).toBe(false);
    flush.resolve();
    await settle();
    expect(kinds()).toEqual(['b7']);
    expect(result.complete).toBe(true);
  });

  it("waits for a write's back-pressure before passing its record or writing the next", async () => {
    const { sinks, calls, slow } = fakeSinks();
    const room = deferred();
    slow.set(1, room);
    const { input, kinds } = run(sinks);
    input.next(record(alert(1), 1));
    input.next(record(alert(2), 2));
    input.next(barrier(1));
    await settle();
    expect(kinds()).toEqual([]);
    expect(calls).toEqual(['write 1']);

    room.resolve();
    await settle();
    expect(kinds()).toEqual(['r1', 'r2', 'b1']);
    expect(calls).toEqual(['write 1', 'write 2', 'flush 1']);
  });

  it('fails the stream with the error of a flush, passing neither its barrier nor what follows', async () => {
    const { sinks, calls, held } = fakeSinks();
    const flush = deferred();
    held.set(1, flush);
    const { input, kinds, result } = run(sinks);
    input.next(record(alert(1), 1));
    input.next(barrier(1));
    input.next(record(alert(2), 2));
    const failure = new Error('clickhouse insert failed');
    flush.reject(failure);
    await settle();
    expect(result.error).toBe(failure);
    expect(kinds()).toEqual(['r1']);
    expect(calls).toEqual(['write 1', 'flush 1']);
  });

  it('fails the stream with the error of a write, thrown or rejected', async () => {
    const thrown = new Error('row does not fit the table');
    const throwing = run({
      write: () => {
        throw thrown;
      },
      flush: () => Promise.resolve(),
    });
    throwing.input.next(record(alert(1), 1));
    expect(throwing.result.error).toBe(thrown);

    const { sinks, slow } = fakeSinks();
    const room = deferred();
    slow.set(1, room);
    const rejecting = run(sinks);
    rejecting.input.next(record(alert(1), 1));
    const rejected = new Error('buffer closed');
    room.reject(rejected);
    await settle();
    expect(rejecting.result.error).toBe(rejected);
    expect(rejecting.out).toEqual([]);
  });
});
