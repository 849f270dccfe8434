import type { OperatorFunction } from 'rxjs';
import type { StreamElement, StreamRecord } from '../core/element.js';
import { type Emitter, elementOperator } from '../core/elementOperator.js';
import { changesOf, DirtyKeys, type KeyedChanges } from '../state/dirtyKeys.js';
import { keyedSnapshots } from '../state/keyedSnapshots.js';
import type { StatefulOptions } from '../state/snapshots.js';
import { TimerQueue } from '../state/timerQueue.js';
import type { Aggregator } from './aggregators/aggregator.js';
import {
  type AlignedWindowAssigner,
  lastWindowStart,
  type SessionWindowAssigner,
  type WindowAssigner,
} from './assigners.js';

/** What a window operator emits when a window fires; the record's ts is `end − 1`. */
export interface WindowResult<R> {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly value: R;
  /** True for a firing caused by a late record within the allowed lateness. */
  readonly late: boolean;
}

/** Receives records that were too late for every one of their windows. */
export interface LateOutput<T> {
  next(record: StreamRecord<T>): void;
}

export interface WindowOptions<T> extends StatefulOptions {
  /** How long after `end − 1` a window still accepts records and fires again (default 0). */
  readonly allowedLatenessMs?: number;
  /** Side output for records dropped as too late; without it they are only dropped. */
  readonly lateOutput?: LateOutput<T>;
}

/** Records without a key share this one, as a non-keyed (all-window) stream. */
const NO_KEY = '';

/**
 * Event-time window aggregation per key with Flink's exact semantics: a
 * window fires when the watermark reaches `end − 1`; a record arriving
 * after that but within `allowedLatenessMs` is added and fires the window
 * again at once (`late: true`); a record too late for all of its windows
 * goes to `lateOutput`. Session windows of a key merge when they overlap or
 * touch. Watermarks are forwarded after the firings they cause; barriers
 * after the state is snapshotted.
 *
 * @example
 * telemetry$.pipe(
 *   withEventTime((t) => t.ts, boundedOutOfOrderness(5_000)),
 *   keyBy((t) => t.assetId),
 *   windowAggregate(tumbling(60_000), stats((t) => t.temperature), { allowedLatenessMs: 30_000 }),
 * )
 */
export function windowAggregate<T, A, R>(
  assigner: WindowAssigner,
  aggregator: Aggregator<T, A, R>,
  options: WindowOptions<T> = {},
): OperatorFunction<StreamElement<T>, StreamElement<WindowResult<R>>> {
  const lateness = options.allowedLatenessMs ?? 0;
  if (!Number.isSafeInteger(lateness) || lateness < 0) {
    throw new RangeError(
      `windowAggregate: allowedLatenessMs must be a non-negative integer, got ${lateness}`,
    );
  }
  const snapshots = keyedSnapshots('windowAggregate', options);
  const lateOutput = options.lateOutput;
  return elementOperator<T, WindowResult<R>>((out) => {
    const dirty = new DirtyKeys(snapshots?.incremental === true);
    const windows =
      assigner.kind === 'aligned'
        ? new AlignedWindows(assigner, aggregator, lateness, out, dirty)
        : new SessionWindows(assigner, aggregator, lateness, out, dirty);
    snapshots?.restore(windows);
    return {
      record(r) {
        if (!windows.add(r) && lateOutput) lateOutput.next(r);
      },
      watermark(w, o) {
        if (w.ts <= windows.watermark) return;
        windows.advance(w.ts);
        o.next(w);
      },
      barrier(b, o) {
        snapshots?.save(windows, b.epoch);
        o.next(b);
      },
    };
  });
}

function serializeAcc<A>(aggregator: Aggregator<never, A, unknown>, acc: A): unknown {
  return aggregator.serialize ? aggregator.serialize(acc) : acc;
}

function deserializeAcc<A>(aggregator: Aggregator<never, A, unknown>, data: unknown): A {
  return aggregator.deserialize ? aggregator.deserialize(data) : (data as A);
}

/** Tumbling and sliding windows: per key, accumulators by window start. */
class AlignedWindows<T, A, R> {
  watermark = Number.NEGATIVE_INFINITY;
  private readonly keys = new Map<string, Map<number, A>>();
  private readonly timers = new TimerQueue();
  private readonly size: number;
  private readonly slide: number;

  constructor(
    private readonly assigner: AlignedWindowAssigner,
    private readonly aggregator: Aggregator<T, A, R>,
    private readonly lateness: number,
    private readonly out: Emitter<WindowResult<R>>,
    /** Keys whose windows changed since the last snapshot. */
    private readonly dirty: DirtyKeys,
  ) {
    this.size = assigner.size;
    this.slide = assigner.slide;
  }

  /** Adds a record to its windows; false when it was too late for all of them. */
  add(r: StreamRecord<T>): boolean {
    const ts = r.ts;
    const key = r.key ?? NO_KEY;
    const wm = this.watermark;
    const size = this.size;
    const lateness = this.lateness;
    let added = false;
    let perKey = this.keys.get(key);
    for (let start = lastWindowStart(ts, this.assigner); start > ts - size; start -= this.slide) {
      const maxTs = start + size - 1;
      if (maxTs + lateness <= wm) continue;
      if (!added) this.dirty.touch(key);
      added = true;
      if (perKey === undefined) {
        perKey = new Map();
        this.keys.set(key, perKey);
      }
      let acc = perKey.get(start);
      if (acc === undefined) {
        acc = this.aggregator.create();
        if (maxTs > wm) this.timers.add(maxTs, key);
        if (lateness > 0 || maxTs <= wm) this.timers.add(maxTs + lateness, key);
      }
      acc = this.aggregator.add(acc, r.value);
      perKey.set(start, acc);
      if (maxTs <= wm) this.emit(key, start, acc, true);
    }
    return added;
  }

  advance(wm: number): void {
    this.watermark = wm;
    const timers = this.timers;
    const size = this.size;
    const lateness = this.lateness;
    while (timers.hasDue(wm)) {
      const time = timers.peek();
      for (const key of timers.pop()) {
        const perKey = this.keys.get(key);
        if (perKey === undefined) continue;
        this.dirty.touch(key);
        // A time is a firing time (end − 1) for one window and a clean-up time (end − 1 + lateness) for another.
        const fireStart = time + 1 - size;
        const acc = perKey.get(fireStart);
        if (acc !== undefined) {
          this.emit(key, fireStart, acc, false);
          if (lateness === 0) perKey.delete(fireStart);
        }
        if (lateness > 0) perKey.delete(fireStart - lateness);
        if (perKey.size === 0) this.keys.delete(key);
      }
    }
  }

  private emit(key: string, start: number, acc: A, late: boolean): void {
    const end = start + this.size;
    const value: WindowResult<R> = { key, start, end, value: this.aggregator.result(acc), late };
    this.out.next({ kind: 'record', value, ts: end - 1, key });
  }

  snapshotKeys(): Array<[string, unknown]> {
    const result: Array<[string, unknown]> = [];
    for (const [key, perKey] of this.keys) result.push([key, this.snapshotOf(perKey)]);
    return result;
  }

  snapshotChanges(): KeyedChanges {
    return changesOf(this.dirty.take(), (key) => {
      const perKey = this.keys.get(key);
      return perKey === undefined ? undefined : this.snapshotOf(perKey);
    });
  }

  private snapshotOf(perKey: Map<number, A>): Array<[number, unknown]> {
    const list: Array<[number, unknown]> = [];
    for (const [start, acc] of perKey) list.push([start, serializeAcc(this.aggregator, acc)]);
    return list;
  }

  restore(wm: number, keys: ReadonlyArray<readonly [string, unknown]>): void {
    this.watermark = wm;
    for (const [key, state] of keys) {
      const perKey = new Map<number, A>();
      for (const [start, data] of state as Array<[number, unknown]>) {
        perKey.set(start, deserializeAcc(this.aggregator, data));
        const maxTs = start + this.size - 1;
        if (maxTs > wm) this.timers.add(maxTs, key);
        if (this.lateness > 0 || maxTs <= wm) this.timers.add(maxTs + this.lateness, key);
      }
      this.keys.set(key, perKey);
    }
  }
}

interface SessionWindow<A> {
  start: number;
  end: number;
  acc: A;
}

/** Session windows: per key, non-overlapping windows sorted by start, merged as records arrive. */
class SessionWindows<T, A, R> {
  watermark = Number.NEGATIVE_INFINITY;
  private readonly keys = new Map<string, SessionWindow<A>[]>();
  private readonly timers = new TimerQueue();

  constructor(
    private readonly assigner: SessionWindowAssigner,
    private readonly aggregator: Aggregator<T, A, R>,
    private readonly lateness: number,
    private readonly out: Emitter<WindowResult<R>>,
    /** Keys whose sessions changed since the last snapshot. */
    private readonly dirty: DirtyKeys,
  ) {}

  add(r: StreamRecord<T>): boolean {
    const key = r.key ?? NO_KEY;
    const wm = this.watermark;
    let start = r.ts;
    let end = r.ts + this.assigner.gap;
    let list = this.keys.get(key);
    if (list === undefined) {
      list = [];
      this.keys.set(key, list);
    }
    // Windows that overlap or touch [start, end) merge with it (Flink's TimeWindow.intersects).
    let first = 0;
    while (first < list.length && list[first].end < start) first++;
    let last = first;
    while (last < list.length && list[last].start <= end) last++;
    if (last === first && end - 1 + this.lateness <= wm) {
      if (list.length === 0) this.keys.delete(key);
      return false;
    }
    let acc: A | undefined;
    for (let i = first; i < last; i++) {
      const w = list[i];
      if (w.start < start) start = w.start;
      if (w.end > end) end = w.end;
      acc = acc === undefined ? w.acc : this.aggregator.merge(acc, w.acc);
    }
    this.dirty.touch(key);
    acc = this.aggregator.add(acc ?? this.aggregator.create(), r.value);
    const merged: SessionWindow<A> = { start, end, acc };
    list.splice(first, last - first, merged);
    const maxTs = end - 1;
    if (maxTs > wm) this.timers.add(maxTs, key);
    this.timers.add(maxTs + this.lateness, key);
    if (maxTs <= wm) this.emit(key, merged, true);
    return true;
  }

  advance(wm: number): void {
    this.watermark = wm;
    const timers = this.timers;
    const lateness = this.lateness;
    while (timers.hasDue(wm)) {
      const time = timers.peek();
      for (const key of timers.pop()) {
        const list = this.keys.get(key);
        if (list === undefined) continue;
        this.dirty.touch(key);
        // Timers of windows merged away are stale: only a window ending exactly here fires.
        for (let i = 0; i < list.length; i++) {
          const w = list[i];
          const maxTs = w.end - 1;
          if (maxTs === time) this.emit(key, w, false);
          if (maxTs + lateness === time) {
            list.splice(i, 1);
            i--;
          }
        }
        if (list.length === 0) this.keys.delete(key);
      }
    }
  }

  private emit(key: string, w: SessionWindow<A>, late: boolean): void {
    const value: WindowResult<R> = {
      key,
      start: w.start,
      end: w.end,
      value: this.aggregator.result(w.acc),
      late,
    };
    this.out.next({ kind: 'record', value, ts: w.end - 1, key });
  }

  snapshotKeys(): Array<[string, unknown]> {
    const result: Array<[string, unknown]> = [];
    for (const [key, list] of this.keys) result.push([key, this.snapshotOf(list)]);
    return result;
  }

  snapshotChanges(): KeyedChanges {
    return changesOf(this.dirty.take(), (key) => {
      const list = this.keys.get(key);
      return list === undefined ? undefined : this.snapshotOf(list);
    });
  }

  private snapshotOf(list: SessionWindow<A>[]): unknown {
    return list.map((w) => [w.start, w.end, serializeAcc(this.aggregator, w.acc)]);
  }

  restore(wm: number, keys: ReadonlyArray<readonly [string, unknown]>): void {
    this.watermark = wm;
    for (const [key, state] of keys) {
      const list = (state as Array<[number, number, unknown]>).map(([start, end, data]) => ({
        start,
        end,
        acc: deserializeAcc(this.aggregator, data),
      }));
      for (const w of list) {
        if (w.end - 1 > wm) this.timers.add(w.end - 1, key);
        this.timers.add(w.end - 1 + this.lateness, key);
      }
      this.keys.set(key, list);
    }
  }
}
