import { describe, expect, it } from 'vitest';
import { AvroDecodeError } from '../../../../connectors/avro/errors.js';
import {
  MAGIC_BYTE,
  readWireSchemaId,
  WIRE_HEADER_SIZE,
  writeWireHeader,
} from '../../../../connectors/avro/wireFormat.js';

function decodeError(bytes: Uint8Array): AvroDecodeError {
  try {
    readWireSchemaId(bytes, 'case');
  } catch (error) {
    if (error instanceof AvroDecodeError) return error;
    throw error;
  }
  throw new Error('expected an AvroDecodeError');
}

describe('Confluent wire format header', () => {
  it('is the magic byte 0 then the schema id as 4 big-endian bytes', () => {
    const buf = Buffer.alloc(WIRE_HEADER_SIZE);
    writeWireHeader(buf, 0x01020304);
    expect([...buf]).toEqual([MAGIC_BYTE, 1, 2, 3, 4]);
    expect(readWireSchemaId(buf)).toBe(0x01020304);
  });

  it('reads ids above 2^31 as positive numbers', () => {
    expect(readWireSchemaId(Uint8Array.from([0, 0xff, 0xff, 0xff, 0xfe]))).toBe(0xfffffffe);
  });

  it('rejects an empty message as too short', () => {
    const e = decodeError(new Uint8Array());
    expect(e.reason).toBe('too-short');
    expect(e.schemaId).toBeUndefined();
  });

  it('rejects a non-zero first byte as a bad magic byte, naming the position', () => {
    const e = decodeError(Uint8Array.from([1, 0, 0, 0, 1, 2]));
    expect(e.reason).toBe('bad-magic-byte');
    expect(e.message).toContain('case');
    expect(e.retriable).toBe(false);
  });

  it('rejects a header cut short', () => {
    expect(decodeError(Uint8Array.from([0, 0, 0, 1])).reason).toBe('too-short');
  });
});
