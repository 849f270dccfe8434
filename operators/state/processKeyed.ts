import { asyncScheduler, type OperatorFunction, type SchedulerLike, type Subscription } from 'rxjs';
import type { StreamElement, StreamRecord } from '../core/element.js';
import { type Emitter, elementOperator } from '../core/elementOperator.js';
import { changesOf, DirtyKeys, type KeyedChanges } from './dirtyKeys.js';
import { keyedSnapshots } from './keyedSnapshots.js';
import type { StatefulOptions } from './snapshots.js';
import { TimerQueue } from './timerQueue.js';

export type TimeDomain = 'event' | 'processing';

/** What a keyed process function sees of its key: state, time, timers, output. */
export interface KeyedContext<S, O> {
  readonly key: string;
  /** This key's state; assign to replace it. */
  state: S;
  /** Event time of the record being processed, or the time of the timer firing. */
  readonly timestamp: number;
  readonly watermark: number;
  /** Emits a record for this key; its ts defaults to `timestamp`. */
  emit(value: O, ts?: number): void;
  registerEventTimeTimer(ts: number): void;
  deleteEventTimeTimer(ts: number): void;
  registerProcessingTimeTimer(ts: number): void;
  deleteProcessingTimeTimer(ts: number): void;
  currentProcessingTime(): number;
  /** Drops this key's state and timers; the next record starts from `init` again. */
  clear(): void;
}

/** Flink's KeyedProcessFunction: per-key state, records in, timers, zero or more outputs. */
export interface KeyedProcessFunction<T, S, O> {
  init(key: string): S;
  onRecord(value: T, ctx: KeyedContext<S, O>): void;
  onTimer?(timer: { readonly ts: number; readonly domain: TimeDomain }, ctx: KeyedContext<S, O>): void;
}

export interface ProcessKeyedOptions extends StatefulOptions {
  /**
   * Drops a key's state and timers once the watermark passes its last
   * record's event time + ttlMs. Event time rather than Flink's processing
   * time, so expiry is deterministic and survives replay.
   */
  readonly stateTtlMs?: number;
  /** Clock and timer for processing-time timers (default: RxJS's asyncScheduler). */
  readonly scheduler?: SchedulerLike;
  /**
   * Fires a key's event-time timers that are due before a record's event
   * time right before that record, instead of waiting for the watermark.
   * Each key then sees its records and timers in event-time order however
   * far the watermark lags behind, so the output does not depend on how
   * partitions interleave: a replay, a restart or a rescale gives the same
   * results. Assumes a key's records arrive in event-time order (one Kafka
   * partition per key does that). Default false: Flink's behaviour, timers
   * fire only as the watermark passes them.
   */
  readonly fireTimersInRecordOrder?: boolean;
}

interface KeyEntry<S> {
  state: S;
  lastSeen: number;
  eventTimers: Set<number>;
  processingTimers: Set<number>;
}

interface KeySnapshot {
  state: unknown;
  lastSeen: number;
  eventTimers: number[];
  processingTimers: number[];
}

/** Raised when a record reaches a keyed operator without a key. */
export class MissingKeyError extends Error {
  constructor(operator: string, record: StreamRecord<unknown>) {
    super(`${operator}: record at event time ${record.ts} has no key; apply keyBy() before it`);
    this.name = 'MissingKeyError';
  }
}

/**
 * Runs a keyed process function (Flink's KeyedProcessFunction) over a keyed
 * stream: one state per key, event-time timers fired as the watermark
 * passes them (in time order, then key order, before the watermark is
 * forwarded), processing-time timers from the scheduler, optional state
 * TTL, and snapshot/restore of all of it at barriers.
 *
 * @example
 * // Alert when an asset has sent nothing for 5 minutes of event time.
 * processKeyed<Reading, { last: number }, string>({
 *   init: () => ({ last: 0 }),
 *   onRecord(r, ctx) {
 *     ctx.deleteEventTimeTimer(ctx.state.last + 300_000);
 *     ctx.state.last = ctx.timestamp;
 *     ctx.registerEventTimeTimer(ctx.timestamp + 300_000);
 *   },
 *   onTimer(t, ctx) { ctx.emit(`${ctx.key} silent since ${ctx.state.last}`); },
 * })
 */
export function processKeyed<T, S, O>(
  fn: KeyedProcessFunction<T, S, O>,
  options: ProcessKeyedOptions = {},
): OperatorFunction<StreamElement<T>, StreamElement<O>> {
  const ttl = options.stateTtlMs;
  if (ttl !== undefined && !(Number.isFinite(ttl) && ttl > 0)) {
    throw new RangeError(`processKeyed: stateTtlMs must be a positive number of ms, got ${ttl}`);
  }
  const snapshots = keyedSnapshots('processKeyed', options);
  const scheduler = options.scheduler ?? asyncScheduler;
  return elementOperator<T, O>((out) => {
    const op = new KeyedProcessor(
      fn,
      ttl,
      scheduler,
      out,
      options.fireTimersInRecordOrder === true,
      new DirtyKeys(snapshots?.incremental === true),
    );
    snapshots?.restore(op);
    return {
      record(r) {
        op.onRecord(r);
      },
      watermark(w, o) {
        if (w.ts <= op.watermark) return;
        op.advance(w.ts);
        o.next(w);
      },
      barrier(b, o) {
        snapshots?.save(op, b.epoch);
        o.next(b);
      },
      teardown() {
        op.dispose();
      },
    };
  });
}

class KeyedProcessor<T, S, O> implements KeyedContext<S, O> {
  watermark = Number.NEGATIVE_INFINITY;
  key = '';
  timestamp = Number.NEGATIVE_INFINITY;
  private entry: KeyEntry<S> | undefined;
  private readonly keys = new Map<string, KeyEntry<S>>();
  private readonly eventTimers = new TimerQueue();
  private readonly processingTimers = new TimerQueue();
  private processingWakeup: Subscription | undefined;
  private processingWakeupAt = Number.POSITIVE_INFINITY;

  constructor(
    private readonly fn: KeyedProcessFunction<T, S, O>,
    private readonly ttl: number | undefined,
    private readonly scheduler: SchedulerLike,
    private readonly out: Emitter<O>,
    private readonly timersInRecordOrder: boolean,
    /** Keys whose state a record or timer may have changed since the last snapshot. */
    private readonly dirty: DirtyKeys,
  ) {}

  get state(): S {
    return this.current().state;
  }

  set state(value: S) {
    this.current().state = value;
  }

  emit(value: O, ts?: number): void {
    this.out.next({ kind: 'record', value, ts: ts ?? this.timestamp, key: this.key });
  }

  registerEventTimeTimer(ts: number): void {
    const entry = this.current();
    if (entry.eventTimers.has(ts)) return;
    entry.eventTimers.add(ts);
    this.eventTimers.add(ts, this.key);
  }

  deleteEventTimeTimer(ts: number): void {
    this.entry?.eventTimers.delete(ts);
  }

  registerProcessingTimeTimer(ts: number): void {
    const entry = this.current();
    if (entry.processingTimers.has(ts)) return;
    entry.processingTimers.add(ts);
    this.processingTimers.add(ts, this.key);
    this.wakeUpAt(ts);
  }

  deleteProcessingTimeTimer(ts: number): void {
    this.entry?.processingTimers.delete(ts);
  }

  currentProcessingTime(): number {
    return this.scheduler.now();
  }

  clear(): void {
    this.keys.delete(this.key);
    this.entry = undefined;
  }

  onRecord(r: StreamRecord<T>): void {
    const key = r.key;
    if (key === undefined) throw new MissingKeyError('processKeyed', r);
    this.key = key;
    this.dirty.touch(key);
    this.entry = this.keys.get(key);
    if (this.timersInRecordOrder && this.entry !== undefined) this.fireTimersBefore(this.entry, r.ts);
    this.timestamp = r.ts;
    const entry = this.current();
    if (this.ttl !== undefined && r.ts > entry.lastSeen) {
      entry.lastSeen = r.ts;
      this.eventTimers.add(r.ts + this.ttl, key);
    }
    this.fn.onRecord(r.value, this);
  }

  /**
   * Fires, in time order, this key's event-time timers earlier than `ts`,
   * including any such timer a firing registers. The watermark will find
   * them gone from the key's set and skip them.
   */
  private fireTimersBefore(entry: KeyEntry<S>, ts: number): void {
    for (;;) {
      let next = Number.POSITIVE_INFINITY;
      for (const t of entry.eventTimers) if (t < next) next = t;
      if (!(next < ts)) return;
      entry.eventTimers.delete(next);
      this.timestamp = next;
      this.fn.onTimer?.({ ts: next, domain: 'event' }, this);
      // The timer may have cleared the key; a fresh state has no timers.
      if (this.keys.get(this.key) !== entry) return;
    }
  }

  advance(wm: number): void {
    this.watermark = wm;
    const queue = this.eventTimers;
    while (queue.hasDue(wm)) {
      const time = queue.peek();
      for (const key of queue.pop()) {
        const entry = this.keys.get(key);
        if (entry === undefined) continue;
        this.key = key;
        this.dirty.touch(key);
        this.timestamp = time;
        this.entry = entry;
        if (entry.eventTimers.delete(time)) this.fn.onTimer?.({ ts: time, domain: 'event' }, this);
        const live = this.keys.get(key);
        if (this.ttl !== undefined && live !== undefined && live.lastSeen + this.ttl <= time)
          this.keys.delete(key);
      }
    }
  }

  dispose(): void {
    this.processingWakeup?.unsubscribe();
    this.processingWakeup = undefined;
  }

  snapshotKeys(): Array<[string, KeySnapshot]> {
    const result: Array<[string, KeySnapshot]> = [];
    for (const [key, e] of this.keys) result.push([key, snapshotOf(e)]);
    return result;
  }

  snapshotChanges(): KeyedChanges {
    return changesOf(this.dirty.take(), (key) => {
      const e = this.keys.get(key);
      return e === undefined ? undefined : snapshotOf(e);
    });
  }

  restore(wm: number, keys: ReadonlyArray<readonly [string, unknown]>): void {
    this.watermark = wm;
    for (const [key, data] of keys) {
      const s = data as KeySnapshot;
      const entry: KeyEntry<S> = {
        state: s.state as S,
        lastSeen: s.lastSeen ?? Number.NEGATIVE_INFINITY,
        eventTimers: new Set(s.eventTimers),
        processingTimers: new Set(s.processingTimers),
      };
      this.keys.set(key, entry);
      for (const t of entry.eventTimers) this.eventTimers.add(t, key);
      if (this.ttl !== undefined && Number.isFinite(entry.lastSeen))
        this.eventTimers.add(entry.lastSeen + this.ttl, key);
      for (const t of entry.processingTimers) {
        this.processingTimers.add(t, key);
        this.wakeUpAt(t);
      }
    }
  }

  private current(): KeyEntry<S> {
    let entry = this.entry;
    if (entry === undefined) {
      entry = {
        state: this.fn.init(this.key),
        lastSeen: Number.NEGATIVE_INFINITY,
        eventTimers: new Set(),
        processingTimers: new Set(),
      };
      this.keys.set(this.key, entry);
      this.entry = entry;
    }
    return entry;
  }

  private wakeUpAt(ts: number): void {
    if (ts >= this.processingWakeupAt) return;
    this.processingWakeup?.unsubscribe();
    this.processingWakeupAt = ts;
    this.processingWakeup = this.scheduler.schedule(
      () => {
        this.processingWakeup = undefined;
        this.processingWakeupAt = Number.POSITIVE_INFINITY;
        try {
          this.fireProcessingTimers();
        } catch (err) {
          this.out.error(err);
        }
      },
      Math.max(0, ts - this.scheduler.now()),
    );
  }

  private fireProcessingTimers(): void {
    const now = this.scheduler.now();
    const queue = this.processingTimers;
    while (queue.hasDue(now)) {
      const time = queue.peek();
      for (const key of queue.pop()) {
        const entry = this.keys.get(key);
        if (entry === undefined || !entry.processingTimers.delete(time)) continue;
        this.key = key;
        this.dirty.touch(key);
        this.timestamp = time;
        this.entry = entry;
        this.fn.onTimer?.({ ts: time, domain: 'processing' }, this);
      }
    }
    if (queue.size > 0) this.wakeUpAt(queue.peek());
  }
}

function snapshotOf<S>(e: KeyEntry<S>): KeySnapshot {
  return {
    state: e.state,
    lastSeen: e.lastSeen,
    eventTimers: Array.from(e.eventTimers),
    processingTimers: Array.from(e.processingTimers),
  };
}
