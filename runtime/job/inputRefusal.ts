import type { InputContract } from './streamingJob.js';

/**
 * Why a job's source hands a record to the dead-letter output instead of
 * the graph, with the reason as the Kafka source writes it in its header.
 *
 * @example
 * const refused: DeadLetter<Reading> = { reason: 'invalid-value', message: 'temperatureC: NaN is not a number', value: reading };
 */
export interface DeadLetter<In> {
  readonly reason: 'invalid-value' | 'invalid-event-time' | 'undecodable';
  readonly message: string;
  /** The decoded value (absent for bytes that did not decode). */
  readonly value?: In;
}

/**
 * What the input contract says of a decoded value: undefined when the
 * graph may have it, else the dead letter the source writes. One bad sensor
 * value must cost one record, never the job: every mode that runs a job
 * in this process refuses values here, as the Kafka source does.
 *
 * @example
 * const refused = inputRefusal(definition.input, reading);
 * if (refused !== undefined) deadLetters.push(refused);
 */
export function inputRefusal<In>(
  contract: InputContract<In>,
  value: In,
  ts?: number,
): DeadLetter<In> | undefined {
  const refused = contract.check?.(value);
  if (refused !== undefined) return { reason: 'invalid-value', message: refused, value };
  // The event time is read only from a value the check let through.
  const eventTs = ts ?? contract.eventTime(value);
  if (!Number.isFinite(eventTs)) {
    return { reason: 'invalid-event-time', message: `event time ${eventTs} is not a finite number`, value };
  }
  return undefined;
}
