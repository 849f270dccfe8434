/**
 * A naive reference model of Flink's event-time window semantics, written
 * from the spec (ARCHITECTURE.md, "Event time and windows") and not from
 * the operator: every window is a plain object holding the raw values it
 * was given, found by linear search, and its result is computed from those
 * values each time it fires. Slow on purpose; only property tests use it.
 */

export type ReferenceAssigner =
  | { readonly kind: 'tumbling'; readonly size: number; readonly offset: number }
  | { readonly kind: 'sliding'; readonly size: number; readonly slide: number; readonly offset: number }
  | { readonly kind: 'session'; readonly gap: number };

export interface ReferenceRecord<T> {
  readonly kind: 'record';
  readonly value: T;
  readonly ts: number;
  readonly key?: string;
}

export interface ReferenceWatermark {
  readonly kind: 'watermark';
  readonly ts: number;
}

export type ReferenceInput<T> = ReferenceRecord<T> | ReferenceWatermark;

export interface ReferenceFiring<R> {
  readonly kind: 'record';
  readonly value: { key: string; start: number; end: number; value: R; late: boolean };
  readonly ts: number;
  readonly key: string;
}

/** A record too late for all of its windows, as the late side output sees it. */
export interface ReferenceLate<T> {
  readonly kind: 'late';
  readonly record: ReferenceRecord<T>;
}

/** Everything the window operator produces, main output and late side output, in the order produced. */
export type ReferenceOutput<T, R> = ReferenceFiring<R> | ReferenceWatermark | ReferenceLate<T>;

interface Window<T> {
  key: string;
  start: number;
  end: number;
  values: T[];
}

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

/**
 * The aligned windows `[s, s + size)` with `s ≡ offset (mod slide)` that
 * contain `ts`, latest start first (the order Flink's sliding assigner
 * lists them in, hence the order of late firings caused by one record).
 */
export function alignedWindowsOf(
  ts: number,
  size: number,
  slide: number,
  offset: number,
): Array<[number, number]> {
  const result: Array<[number, number]> = [];
  for (let s = ts; s > ts - size; s--) {
    if (mod(s - offset, slide) === 0) result.push([s, s + size]);
  }
  return result;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Runs the model over `input` and returns what the operator must produce.
 * `result` turns a window's values (in arrival order) into its result.
 */
export function referenceWindows<T, R>(
  input: ReadonlyArray<ReferenceInput<T>>,
  assigner: ReferenceAssigner,
  allowedLateness: number,
  result: (values: readonly T[]) => R,
): Array<ReferenceOutput<T, R>> {
  const out: Array<ReferenceOutput<T, R>> = [];
  let watermark = Number.NEGATIVE_INFINITY;
  let windows: Window<T>[] = [];

  const fire = (w: Window<T>, late: boolean): void => {
    out.push({
      kind: 'record',
      value: { key: w.key, start: w.start, end: w.end, value: result(w.values.slice()), late },
      ts: w.end - 1,
      key: w.key,
    });
  };
  const tooLate = (end: number): boolean => end - 1 + allowedLateness <= watermark;
  const isFired = (end: number): boolean => end - 1 <= watermark;

  for (const e of input) {
    if (e.kind === 'watermark') {
      if (!(e.ts > watermark)) continue;
      const previous = watermark;
      watermark = e.ts;
      const due = windows.filter((w) => w.end - 1 > previous && w.end - 1 <= watermark);
      due.sort((a, b) => a.end - 1 - (b.end - 1) || compareKeys(a.key, b.key));
      for (const w of due) fire(w, false);
      windows = windows.filter((w) => !tooLate(w.end));
      out.push({ kind: 'watermark', ts: watermark });
      continue;
    }

    const key = e.key ?? '';
    let added = false;
    if (assigner.kind === 'session') {
      let merged: Window<T> = { key, start: e.ts, end: e.ts + assigner.gap, values: [] };
      let absorbed: Window<T>[] = [];
      // Merge to a fixpoint: whatever overlaps or touches the growing window joins it.
      for (;;) {
        const touching = windows.filter(
          (w) => w.key === key && !absorbed.includes(w) && w.start <= merged.end && w.end >= merged.start,
        );
        if (touching.length === 0) break;
        absorbed = absorbed.concat(touching);
        for (const w of touching) {
          merged = {
            key,
            start: Math.min(merged.start, w.start),
            end: Math.max(merged.end, w.end),
            values: merged.values.concat(w.values),
          };
        }
      }
      if (!tooLate(merged.end)) {
        merged.values.push(e.value);
        windows = windows.filter((w) => !absorbed.includes(w));
        windows.push(merged);
        added = true;
        if (isFired(merged.end)) fire(merged, true);
      }
    } else {
      const slide = assigner.kind === 'tumbling' ? assigner.size : assigner.slide;
      for (const [start, end] of alignedWindowsOf(e.ts, assigner.size, slide, assigner.offset)) {
        if (tooLate(end)) continue;
        let w = windows.find((x) => x.key === key && x.start === start && x.end === end);
        if (w === undefined) {
          w = { key, start, end, values: [] };
          windows.push(w);
        }
        w.values.push(e.value);
        added = true;
        if (isFired(end)) fire(w, true);
      }
    }
    if (!added) out.push({ kind: 'late', record: e });
  }
  return out;
}

/**
 * The watermarks `boundedOutOfOrderness(bound)` must produce, interleaved
 * with the records: after each record, max ts − bound − 1 when it advances;
 * +Infinity when the input ends.
 */
export function withBoundedWatermarks<T>(
  records: ReadonlyArray<ReferenceRecord<T>>,
  bound: number,
): Array<ReferenceInput<T>> {
  const result: Array<ReferenceInput<T>> = [];
  let maxTs = Number.NEGATIVE_INFINITY;
  let emitted = Number.NEGATIVE_INFINITY;
  for (const r of records) {
    result.push(r);
    maxTs = Math.max(maxTs, r.ts);
    const wm = maxTs - bound - 1;
    if (wm > emitted) {
      emitted = wm;
      result.push({ kind: 'watermark', ts: wm });
    }
  }
  result.push({ kind: 'watermark', ts: Number.POSITIVE_INFINITY });
  return result;
}
