import { from, lastValueFrom, type Observable, type OperatorFunction, toArray } from 'rxjs';
import type { StreamElement } from '../../../operators/index.js';

/** Runs elements through an operator and collects everything it emits. */
export function run<A, B>(
  input: StreamElement<A>[],
  op: OperatorFunction<StreamElement<A>, StreamElement<B>>,
) {
  return collect(from(input).pipe(op));
}

export function collect<T>(source: Observable<T>): Promise<T[]> {
  return lastValueFrom(source.pipe(toArray()));
}

export function rec<T>(value: T, ts: number, key?: string): StreamElement<T> {
  return key === undefined ? { kind: 'record', value, ts } : { kind: 'record', value, ts, key };
}

export function wm(ts: number): StreamElement<never> {
  return { kind: 'watermark', ts };
}

export function bar(epoch: number): StreamElement<never> {
  return { kind: 'barrier', epoch };
}
