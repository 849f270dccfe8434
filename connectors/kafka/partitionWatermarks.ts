import type { SchedulerLike } from 'rxjs';
import { WatermarkCombiner } from '../../operators/time/watermarkCombiner.js';
import type { WatermarkGenerator, WatermarkStrategy } from '../../operators/time/watermarkStrategy.js';

/**
 * A topic partition as a consumer's assignment names it.
 *
 * @example
 * const tp: TopicPartitionRef = { topic: 'telemetry', partition: 3 };
 */
export interface TopicPartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/**
 * One assigned partition's event-time state. Looked up once per record and
 * passed back to `onRecord`, so the hot path builds no key strings.
 *
 * @example
 * const clock = watermarks.partition('telemetry', 0); // clock.id === 'telemetry:0'
 */
export interface PartitionClock extends TopicPartitionRef {
  /** `topic:partition`, built once: the combiner's input id. */
  readonly id: string;
  readonly generator: WatermarkGenerator;
  /**
   * The partition's watermark when it was assigned (restored from the last
   * committed epoch), −Infinity if unknown: the partition's watermark never
   * goes below it, so a restored partition with nothing new to read does
   * not hold the others back.
   */
  readonly floor: number;
}

/**
 * A partition's watermark, as the runtime commits it with an epoch and
 * hands it back on assignment.
 *
 * @example
 * const w: PartitionWatermark = { topic: 'telemetry', partition: 0, watermark: 1_767_600_000_000 };
 */
export interface PartitionWatermark extends TopicPartitionRef {
  readonly watermark: number;
}

/**
 * Per-partition event time of a consumer group member: a watermark
 * generator per assigned partition, combined with WatermarkCombiner (minimum
 * over partitions, idle ones left out after the strategy's
 * `idleTimeoutMs`). Partitions count from their assignment on, so a partition
 * that has not delivered yet holds the watermark back from the start.
 *
 * A rebalance changes the set of inputs, which the combiner cannot shrink:
 * on every assignment change the combiner is rebuilt over the partitions now
 * held (each keeping its generator, so its watermark carries over), and only
 * watermarks above the last one passed on are forwarded. The stream's
 * watermark therefore never goes back, and a revoked partition stops holding
 * it. The source never ends, so the combiner's +Infinity (all inputs
 * finished) is never forwarded.
 *
 * @example
 * const wm = new PartitionWatermarks(boundedOutOfOrderness(1_000), (ts) => out.next(watermark(ts)));
 * wm.assign([{ topic: 't', partition: 0 }, { topic: 't', partition: 1 }]);
 * wm.onRecord(wm.partition('t', 0), 5_000); // nothing yet: partition 1 holds it back
 * wm.onRecord(wm.partition('t', 1), 7_000); // onAdvance(3_999)
 */
export class PartitionWatermarks {
  private readonly clocks = new Map<string, Map<number, PartitionClock>>();
  private combiner: WatermarkCombiner<string>;
  private emitted = Number.NEGATIVE_INFINITY;
  private readonly forward = (ts: number): void => {
    if (ts > this.emitted && ts < Number.POSITIVE_INFINITY) {
      this.emitted = ts;
      this.onAdvance(ts);
    }
  };

  constructor(
    private readonly strategy: WatermarkStrategy,
    private readonly onAdvance: (watermark: number) => void,
    private readonly scheduler?: SchedulerLike,
  ) {
    this.combiner = this.newCombiner();
  }

  /** The last watermark passed to `onAdvance` (−Infinity before the first). */
  get watermark(): number {
    return this.emitted;
  }

  /** The partitions held now, in assignment order. */
  assigned(): PartitionClock[] {
    const out: PartitionClock[] = [];
    for (const byPartition of this.clocks.values()) {
      for (const clock of byPartition.values()) out.push(clock);
    }
    return out;
  }

  /**
   * Partitions added to the assignment: they hold the watermark back until
   * they deliver (or go idle), or from the start at their `floors` entry.
   */
  assign(partitions: readonly TopicPartitionRef[], floors: readonly PartitionWatermark[] = []): void {
    let added = false;
    for (const { topic, partition } of partitions) {
      if (this.find(topic, partition) === undefined) {
        const floor = floors.find((f) => f.topic === topic && f.partition === partition)?.watermark;
        this.add(topic, partition, floor ?? Number.NEGATIVE_INFINITY);
        added = true;
      }
    }
    if (added) this.rebuild();
  }

  /** One partition's own watermark now (−Infinity before its first record and without a restored one). */
  watermarkOf(clock: PartitionClock): number {
    return current(clock);
  }

  /** Each held partition's own watermark now (what an epoch commits). */
  partitionWatermarks(): PartitionWatermark[] {
    return this.assigned().map((clock) => ({
      topic: clock.topic,
      partition: clock.partition,
      watermark: current(clock),
    }));
  }

  /** Partitions taken away (rebalance): their state goes, they no longer hold the watermark. */
  revoke(partitions: readonly TopicPartitionRef[]): void {
    let removed = false;
    for (const { topic, partition } of partitions) {
      const byPartition = this.clocks.get(topic);
      if (byPartition?.delete(partition) === true) {
        removed = true;
        if (byPartition.size === 0) this.clocks.delete(topic);
      }
    }
    if (removed) this.rebuild();
  }

  /**
   * The state of a partition, for `onRecord`. A partition not (yet) in the
   * assignment (a record racing a rebalance callback) is added to it.
   */
  partition(topic: string, partition: number): PartitionClock {
    return this.find(topic, partition) ?? this.addAndRebuild(topic, partition);
  }

  /** Notes a record's event time; calls `onAdvance` when the combined watermark moves up. */
  onRecord(clock: PartitionClock, ts: number): void {
    this.combiner.onRecord(clock.id);
    clock.generator.onEvent(ts);
    this.combiner.onWatermark(clock.id, current(clock));
  }

  /** Stops the idleness timer. */
  dispose(): void {
    this.combiner.dispose();
  }

  private find(topic: string, partition: number): PartitionClock | undefined {
    return this.clocks.get(topic)?.get(partition);
  }

  private add(topic: string, partition: number, floor = Number.NEGATIVE_INFINITY): PartitionClock {
    let byPartition = this.clocks.get(topic);
    if (byPartition === undefined) {
      byPartition = new Map();
      this.clocks.set(topic, byPartition);
    }
    const clock: PartitionClock = {
      topic,
      partition,
      id: `${topic}:${partition}`,
      generator: this.strategy.createGenerator(),
      floor,
    };
    byPartition.set(partition, clock);
    return clock;
  }

  private addAndRebuild(topic: string, partition: number): PartitionClock {
    const clock = this.add(topic, partition);
    this.rebuild();
    return clock;
  }

  private newCombiner(): WatermarkCombiner<string> {
    return new WatermarkCombiner<string>(this.strategy.idleTimeoutMs, this.forward, this.scheduler);
  }

  private rebuild(): void {
    this.combiner.dispose();
    this.combiner = this.newCombiner();
    for (const byPartition of this.clocks.values()) {
      for (const clock of byPartition.values()) this.combiner.register(clock.id);
    }
    // Registered first, so no partition's carried-over watermark is combined without the others.
    for (const byPartition of this.clocks.values()) {
      for (const clock of byPartition.values()) {
        const now = current(clock);
        if (now > Number.NEGATIVE_INFINITY) this.combiner.onWatermark(clock.id, now);
      }
    }
  }
}

/** A partition's watermark: its generator's, never below its floor. */
function current(clock: PartitionClock): number {
  return Math.max(clock.generator.current(), clock.floor);
}
