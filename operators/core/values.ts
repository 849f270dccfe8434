import type { OperatorFunction } from 'rxjs';
import { Observable } from 'rxjs';
import type { StreamElement } from './element.js';

/**
 * Leaves the element model: emits each record's value, drops watermarks and barriers.
 *
 * @example
 * results$.pipe(values()).subscribe((r) => console.log(r.key, r.value))
 */
export function values<T>(): OperatorFunction<StreamElement<T>, T> {
  return (source) =>
    new Observable<T>((subscriber) =>
      source.subscribe({
        next(e) {
          if (e.kind === 'record') subscriber.next(e.value);
        },
        error(err) {
          subscriber.error(err);
        },
        complete() {
          subscriber.complete();
        },
      }),
    );
}
