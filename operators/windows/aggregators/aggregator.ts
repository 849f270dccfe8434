/**
 * Flink's AggregateFunction: an accumulator created per window, fed one
 * value at a time, merged when session windows merge, read out when the
 * window fires.
 *
 * `add` and `merge` may update the accumulator in place and return it
 * (cheaper per record), so an accumulator must not be shared between windows.
 * Accumulators are snapshotted with `serialize` (default: the accumulator
 * itself, which must then be plain JSON data) and restored with `deserialize`.
 */
export interface Aggregator<T, A, R> {
  create(): A;
  add(acc: A, value: T): A;
  merge(a: A, b: A): A;
  result(acc: A): R;
  serialize?(acc: A): unknown;
  deserialize?(data: unknown): A;
}

/** The result type of an aggregator. */
export type AggregatorResult<G> = G extends Aggregator<never, unknown, infer R> ? R : never;

/** Reads the numeric field an aggregator works on. */
export type NumberOf<T> = (value: T) => number;
