import type { Aggregator } from './aggregator.js';

type Accumulators<S> = { [K in keyof S]: S[K] extends Aggregator<never, infer A, unknown> ? A : never };
type Results<S> = { [K in keyof S]: S[K] extends Aggregator<never, unknown, infer R> ? R : never };
type InputOf<S> = S[keyof S] extends Aggregator<infer T, unknown, unknown> ? T : never;

/**
 * Runs several aggregators over the same window; the result has one field per name.
 *
 * @example
 * windowAggregate(tumbling(60_000), aggregate({ n: count(), temp: stats((t) => t.temperature), p99: quantiles((t) => t.vibration, [0.99]) }))
 */
// biome-ignore lint/suspicious/noExplicitAny: the input type is inferred from the named aggregators
export function aggregate<S extends Record<string, Aggregator<any, any, any>>>(
  aggregators: S,
): Aggregator<InputOf<S>, Accumulators<S>, Results<S>> {
  const names = Object.keys(aggregators);
  const parts = names.map((n) => aggregators[n]);
  const count = names.length;
  return {
    create: () => {
      const acc: Record<string, unknown> = {};
      for (let i = 0; i < count; i++) acc[names[i]] = parts[i].create();
      return acc as Accumulators<S>;
    },
    add: (acc, v) => {
      const a = acc as Record<string, unknown>;
      for (let i = 0; i < count; i++) a[names[i]] = parts[i].add(a[names[i]], v);
      return acc;
    },
    merge: (x, y) => {
      const a = x as Record<string, unknown>;
      const b = y as Record<string, unknown>;
      for (let i = 0; i < count; i++) a[names[i]] = parts[i].merge(a[names[i]], b[names[i]]);
      return x;
    },
    result: (acc) => {
      const a = acc as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < count; i++) out[names[i]] = parts[i].result(a[names[i]]);
      return out as Results<S>;
    },
    serialize: (acc) => {
      const a = acc as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < count; i++) {
        const p = parts[i];
        out[names[i]] = p.serialize ? p.serialize(a[names[i]]) : a[names[i]];
      }
      return out;
    },
    deserialize: (data) => {
      const d = data as Record<string, unknown>;
      const acc: Record<string, unknown> = {};
      for (let i = 0; i < count; i++) {
        const p = parts[i];
        acc[names[i]] = p.deserialize ? p.deserialize(d[names[i]]) : d[names[i]];
      }
      return acc as Accumulators<S>;
    },
  };
}
