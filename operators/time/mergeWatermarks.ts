import { Observable, type SchedulerLike } from 'rxjs';
import type { StreamElement } from '../core/element.js';
import { WatermarkCombiner } from './watermarkCombiner.js';

export interface MergeWatermarksOptions {
  /** An input with no records for this long (processing time) stops holding back the watermark. */
  readonly idleTimeoutMs?: number;
  /** Clock and timer for idleness (default: RxJS's asyncScheduler). */
  readonly scheduler?: SchedulerLike;
}

/**
 * Merges several element streams (one per partition or source) into one:
 * records as they come, the watermark as the minimum over inputs (ignoring
 * idle ones), and barriers aligned as in Flink: after an input delivers
 * barrier n its later elements wait until every input has delivered it, so
 * the merged barrier still separates epochs exactly.
 *
 * @example
 * mergeWatermarks([partition0$, partition1$], { idleTimeoutMs: 30_000 }).pipe(windowAggregate(tumbling(60_000), count()))
 */
export function mergeWatermarks<T>(
  inputs: ReadonlyArray<Observable<StreamElement<T>>>,
  options: MergeWatermarksOptions = {},
): Observable<StreamElement<T>> {
  return new Observable<StreamElement<T>>((subscriber) => {
    const combiner = new WatermarkCombiner<number>(
      options.idleTimeoutMs,
      (ts) => subscriber.next({ kind: 'watermark', ts }),
      options.scheduler,
    );
    const n = inputs.length;
    // Barrier alignment: an input that has delivered the pending barrier is
    // blocked, and what it sends meanwhile is buffered (a `null` marks its completion).
    const blocked: boolean[] = new Array(n).fill(false);
    const done: boolean[] = new Array(n).fill(false);
    const buffers: Array<Array<StreamElement<T> | null>> = inputs.map(() => []);
    let pendingEpoch: number | undefined;

    const handle = (i: number, e: StreamElement<T> | null): void => {
      if (blocked[i]) {
        buffers[i].push(e);
        return;
      }
      if (e === null) {
        done[i] = true;
        combiner.onComplete(i);
        releaseIfAligned();
        if (done.every(Boolean)) {
          combiner.dispose();
          subscriber.complete();
        }
        return;
      }
      if (e.kind === 'record') {
        combiner.onRecord(i);
        subscriber.next(e);
      } else if (e.kind === 'watermark') {
        combiner.onWatermark(i, e.ts);
      } else {
        if (pendingEpoch !== undefined && pendingEpoch !== e.epoch) {
          subscriber.error(
            new Error(
              `mergeWatermarks: input ${i} sent barrier ${e.epoch} while barrier ${pendingEpoch} is aligning`,
            ),
          );
          return;
        }
        pendingEpoch = e.epoch;
        blocked[i] = true;
        releaseIfAligned();
      }
    };

    const releaseIfAligned = (): void => {
      if (pendingEpoch === undefined) return;
      for (let i = 0; i < n; i++) if (!blocked[i] && !done[i]) return;
      const epoch = pendingEpoch;
      pendingEpoch = undefined;
      subscriber.next({ kind: 'barrier', epoch });
      for (let i = 0; i < n; i++) blocked[i] = false;
      for (let i = 0; i < n; i++) {
        const queue = buffers[i];
        while (queue.length > 0 && !blocked[i]) handle(i, queue.shift()!);
      }
    };

    for (let i = 0; i < n; i++) combiner.register(i);
    const subscriptions = inputs.map((input, i) =>
      input.subscribe({
        next: (e) => handle(i, e),
        error: (err) => subscriber.error(err),
        complete: () => handle(i, null),
      }),
    );
    if (n === 0) subscriber.complete();
    return () => {
      for (const s of subscriptions) s.unsubscribe();
      combiner.dispose();
    };
  });
}
