/**
 * The element model, as in Flink: a stream carries records, watermarks and
 * barriers, in order. Every operator is an
 * `OperatorFunction<StreamElement<A>, StreamElement<B>>`.
 */

/** Event time in epoch milliseconds. */
export type EventTime = number;

/** Where a record came from, so the runtime can commit exactly what was processed. */
export interface SourcePosition {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/**
 * A data element with its event time.
 *
 * @example
 * const r: StreamRecord<number> = { kind: 'record', value: 21.5, ts: Date.UTC(2026, 0, 1), key: 'pump-1' };
 */
export interface StreamRecord<T> {
  readonly kind: 'record';
  value: T;
  ts: EventTime;
  key?: string;
  pos?: SourcePosition;
}

/** No later record with `ts <= watermark.ts` is expected. */
export interface Watermark {
  readonly kind: 'watermark';
  readonly ts: EventTime;
}

/** Everything before a barrier belongs to its epoch; operators snapshot their state when it passes. */
export interface Barrier {
  readonly kind: 'barrier';
  readonly epoch: number;
}

export type StreamElement<T> = StreamRecord<T> | Watermark | Barrier;

/**
 * Builds a record.
 *
 * @example
 * of(record({ temp: 80 }, 1_000), watermark(1_000))
 */
export function record<T>(value: T, ts: EventTime, key?: string, pos?: SourcePosition): StreamRecord<T> {
  const r: StreamRecord<T> = { kind: 'record', value, ts };
  if (key !== undefined) r.key = key;
  if (pos !== undefined) r.pos = pos;
  return r;
}

/** Builds a watermark. */
export function watermark(ts: EventTime): Watermark {
  return { kind: 'watermark', ts };
}

/** Builds a barrier. */
export function barrier(epoch: number): Barrier {
  return { kind: 'barrier', epoch };
}

export function isRecord<T>(e: StreamElement<T>): e is StreamRecord<T> {
  return e.kind === 'record';
}
