import { describe, expect, it } from 'vitest';
import { AvroDecodeError } from '../../../../connectors/avro/errors.js';
import {
  DEAD_LETTER_HEADERS,
  deadLetterHeaders,
  parseDeadLetterSource,
} from '../../../../connectors/kafka/deadLetterHeaders.js';

/** Headers kafkaSource puts on dead-lettered messages (connectors/kafka/deadLetterHeaders.ts). */

const pos = { topic: 'telemetry', partition: 3, offset: '1042' };

describe('deadLetterHeaders', () => {
  it('names the decode failure (reason and message), the source position and the schema id', () => {
    const error = new AvroDecodeError('unknown-schema-id', 77, pos, 'the registry has no such schema');
    const headers = deadLetterHeaders(error, pos);
    expect(headers).toEqual({
      [DEAD_LETTER_HEADERS.error]: `unknown-schema-id: ${error.message}`,
      [DEAD_LETTER_HEADERS.source]: 'telemetry/3/1042',
      [DEAD_LETTER_HEADERS.schemaId]: '77',
    });
    expect(headers[DEAD_LETTER_HEADERS.error]).toContain('telemetry[3]@1042');
  });

  it('leaves the schema id out when the wire header itself was unreadable', () => {
    const error = new AvroDecodeError('bad-magic-byte', undefined, pos, 'first byte is 7, expected 0');
    const headers = deadLetterHeaders(error, pos);
    expect(Object.keys(headers).sort()).toEqual(
      [DEAD_LETTER_HEADERS.error, DEAD_LETTER_HEADERS.source].sort(),
    );
    expect(headers[DEAD_LETTER_HEADERS.error]).toMatch(/^bad-magic-byte: /);
  });

  it('keeps the original headers but replaces any that pose as twinflow dead-letter headers', () => {
    const headers = deadLetterHeaders({ reason: 'invalid-event-time', message: 'ts is NaN' }, pos, {
      traceparent: '00-abc-def-01',
      binary: Buffer.from([1, 2]),
      [DEAD_LETTER_HEADERS.source]: 'other/0/0',
      [DEAD_LETTER_HEADERS.schemaId]: '1',
      dropped: undefined,
    });
    expect(headers).toEqual({
      traceparent: '00-abc-def-01',
      binary: Buffer.from([1, 2]),
      [DEAD_LETTER_HEADERS.error]: 'invalid-event-time: ts is NaN',
      [DEAD_LETTER_HEADERS.source]: 'telemetry/3/1042',
    });
  });
});

describe('parseDeadLetterSource', () => {
  it('reads back the position written by deadLetterHeaders, from a string or a Buffer', () => {
    const header = deadLetterHeaders({ reason: 'corrupt-body', message: 'x' }, pos)[
      DEAD_LETTER_HEADERS.source
    ];
    expect(parseDeadLetterSource(header as string)).toEqual(pos);
    expect(parseDeadLetterSource(Buffer.from('a.b-c_d/0/18446744073709551615'))).toEqual({
      topic: 'a.b-c_d',
      partition: 0,
      offset: '18446744073709551615',
    });
  });

  it('answers undefined for a missing or malformed header', () => {
    expect(parseDeadLetterSource(undefined)).toBeUndefined();
    expect(parseDeadLetterSource('telemetry/3')).toBeUndefined();
    expect(parseDeadLetterSource('telemetry/x/1')).toBeUndefined();
  });
});
