import { Observable, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { StreamElement } from '../core/element.js';
import { eventTimeOf } from './eventTimeOf.js';
import { WatermarkCombiner } from './watermarkCombiner.js';
import type { WatermarkGenerator, WatermarkStrategy } from './watermarkStrategy.js';

export interface PartitionedEventTimeOptions {
  /** Clock and timer for idleness (default: RxJS's asyncScheduler); tests pass a virtual one. */
  readonly scheduler?: SchedulerLike;
  /**
   * Partitions known before their first record (a consumer's assignment):
   * they hold the watermark back from the start. Others count from their
   * first record on.
   */
  readonly partitions?: Iterable<string | number>;
}

/**
 * Event time for one stream that interleaves several partitions (as a Kafka
 * consumer delivers them): a watermark generator per partition, and the
 * stream's watermark is the minimum over partitions, ignoring partitions
 * idle for the strategy's `idleTimeoutMs`. A slow partition holds the
 * watermark back; a silent one stops doing so after the timeout.
 *
 * @example
 * readings$.pipe(withPartitionedEventTime((r) => r.partition, (r) => r.ts, boundedOutOfOrderness(2_000, { idleTimeoutMs: 30_000 })))
 */
export function withPartitionedEventTime<T>(
  partitionOf: (value: T) => string | number,
  tsOf: (value: T) => number,
  strategy: WatermarkStrategy,
  options: PartitionedEventTimeOptions = {},
): OperatorFunction<T, StreamElement<T>> {
  return (source) =>
    new Observable<StreamElement<T>>((subscriber) => {
      const generators = new Map<string | number, WatermarkGenerator>();
      const combiner = new WatermarkCombiner<string | number>(
        strategy.idleTimeoutMs,
        (ts) => subscriber.next({ kind: 'watermark', ts }),
        options.scheduler,
      );
      for (const p of options.partitions ?? []) combiner.register(p);
      let index = 0;
      const subscription = source.subscribe({
        next(value) {
          let ts: number;
          try {
            ts = eventTimeOf(tsOf, value, index++);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          const partition = partitionOf(value);
          let generator = generators.get(partition);
          if (generator === undefined) {
            generator = strategy.createGenerator();
            generators.set(partition, generator);
          }
          subscriber.next({ kind: 'record', value, ts });
          combiner.onRecord(partition);
          generator.onEvent(ts);
          combiner.onWatermark(partition, generator.current());
        },
        error(err) {
          subscriber.error(err);
        },
        complete() {
          combiner.dispose();
          if (combiner.watermark < Number.POSITIVE_INFINITY) {
            subscriber.next({ kind: 'watermark', ts: Number.POSITIVE_INFINITY });
          }
          subscriber.complete();
        },
      });
      return () => {
        subscription.unsubscribe();
        combiner.dispose();
      };
    });
}
