import { concatMap, from, type OperatorFunction, of } from 'rxjs';
import type { StreamElement } from '../../operators/core/element.js';
import type { MachineHealthOutput } from './machineHealth.js';
import type { MachineHealthSinks } from './plantLoop.js';

/**
 * Writes every output through the job's idempotent sinks (ClickHouse) and
 * holds each barrier until the sinks have flushed its epoch, so a barrier
 * that passes means the epoch's rows are durable: the Kafka transaction
 * after it may commit, and a crash before that commit replays into the
 * same rows (deterministic ids). Nothing overtakes a held barrier: a record
 * of the next epoch must not join this epoch's transaction.
 *
 * @example
 * graph$.pipe(throughSinks(new MachineHealthClickHouseSinks(client, 'twinflow', catalogue)), transactionalSink(…));
 */
export function throughSinks(
  sinks: MachineHealthSinks,
): OperatorFunction<StreamElement<MachineHealthOutput>, StreamElement<MachineHealthOutput>> {
  return concatMap((element) => {
    if (element.kind === 'record') {
      const room = sinks.write(element.value);
      return room === undefined ? of(element) : from(room.then(() => element));
    }
    if (element.kind === 'barrier') return from(sinks.flush(element.epoch).then(() => element));
    return of(element);
  });
}
