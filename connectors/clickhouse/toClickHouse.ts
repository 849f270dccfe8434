import type { OperatorFunction } from 'rxjs';
import type { StreamElement, StreamRecord } from '../../operators/core/element.js';
import { throughSinks } from '../../operators/core/throughSinks.js';
import type { ClickHouseSink } from './clickhouseSink.js';

/**
 * Writes every record through a {@link ClickHouseSink} and forwards the
 * stream unchanged, in order. A barrier is held until the sink has flushed
 * everything before it, so a barrier that passes this operator means its
 * epoch's rows are durable in ClickHouse (the runtime commits the epoch only
 * then). When the sink is full, later elements wait here (in order) until it
 * has room; when the input completes, the sink is flushed before completion.
 * A sink failure errors the stream with the sink's `ClickHouseSinkError`.
 *
 * @example
 * enriched$.pipe(
 *   toClickHouse(telemetrySink, (t, r) => telemetryEnrichedRow(t.reading, t.scores, epochOf(r))),
 * );
 */
export function toClickHouse<T, Row>(
  sink: ClickHouseSink<Row>,
  rowOf: (value: T, record: StreamRecord<T>) => Row,
): OperatorFunction<StreamElement<T>, StreamElement<T>> {
  return throughSinks<T>({
    write: (value, record) => sink.write(rowOf(value, record)),
    flush: () => sink.flush(),
    end: () => sink.flush(),
  });
}
