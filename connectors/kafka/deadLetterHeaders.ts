import type { SourcePosition } from '../../operators/core/element.js';

/**
 * Names of the headers a dead-lettered message carries, besides the
 * original message's own headers.
 *
 * @example
 * const reason = dlqMessage.headers?.[DEAD_LETTER_HEADERS.error]?.toString(); // 'unknown-schema-id: cannot decode …'
 */
export const DEAD_LETTER_HEADERS = {
  /** `<reason>: <message>` of the failure (AvroDecodeError reason, 'invalid-value' or 'invalid-event-time'). */
  error: 'x-twinflow-error',
  /** `<topic>/<partition>/<offset>` of the message in its source topic. */
  source: 'x-twinflow-source',
  /** Schema id from the message's wire header; absent when the header itself was unreadable. */
  schemaId: 'x-twinflow-schema-id',
} as const;

/**
 * Why a message was dead-lettered. AvroDecodeError has this shape.
 *
 * @example
 * const failure: DeadLetterFailure = { reason: 'invalid-event-time', message: 'event time of input #3 is not …', schemaId: 7 };
 */
export interface DeadLetterFailure {
  readonly reason: string;
  readonly message: string;
  readonly schemaId?: number | undefined;
}

/** Kafka message headers as the KafkaJS-compatible client reads and writes them. */
export type MessageHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

/**
 * Headers of a dead-letter copy of a message: the original headers, then
 * the failure, its source position and schema id. Headers of the original
 * that use these names are replaced, so a dead letter cannot pass for another.
 *
 * @example
 * deadLetterHeaders({ reason: 'bad-magic-byte', message: 'first byte is 1' }, { topic: 't', partition: 0, offset: '42' });
 * // { 'x-twinflow-error': 'bad-magic-byte: first byte is 1', 'x-twinflow-source': 't/0/42' }
 */
export function deadLetterHeaders(
  failure: DeadLetterFailure,
  position: SourcePosition,
  original?: MessageHeaders,
): MessageHeaders {
  const headers: MessageHeaders = {};
  if (original !== undefined) {
    for (const [name, value] of Object.entries(original)) {
      if (value !== undefined && name !== DEAD_LETTER_HEADERS.schemaId) headers[name] = value;
    }
  }
  headers[DEAD_LETTER_HEADERS.error] = `${failure.reason}: ${failure.message}`;
  headers[DEAD_LETTER_HEADERS.source] = `${position.topic}/${position.partition}/${position.offset}`;
  if (failure.schemaId !== undefined) headers[DEAD_LETTER_HEADERS.schemaId] = String(failure.schemaId);
  return headers;
}

/**
 * Reads the source position back from a dead letter's `x-twinflow-source`
 * header (topic names cannot contain '/'); undefined when it is missing or
 * malformed.
 *
 * @example
 * parseDeadLetterSource('telemetry/3/1042'); // { topic: 'telemetry', partition: 3, offset: '1042' }
 */
export function parseDeadLetterSource(header: Buffer | string | undefined): SourcePosition | undefined {
  if (header === undefined) return undefined;
  const match = /^([a-zA-Z0-9._-]+)\/(\d+)\/(\d+)$/.exec(header.toString());
  if (match === null) return undefined;
  return { topic: match[1], partition: Number(match[2]), offset: match[3] };
}
