import { AvroDecodeError, type MessagePosition } from './errors.js';

/** First byte of every Confluent-framed message. */
export const MAGIC_BYTE = 0;

/** Magic byte plus 4-byte big-endian schema id; the Avro binary body follows. */
export const WIRE_HEADER_SIZE = 5;

/**
 * Writes the Confluent wire format header (magic byte 0, schema id as a
 * 4-byte big-endian integer) at the start of `target`.
 *
 * @example
 * const buf = Buffer.alloc(5 + body.length);
 * writeWireHeader(buf, 7); // <00 00 00 00 07>
 * body.copy(buf, 5);
 */
export function writeWireHeader(target: Buffer, schemaId: number): void {
  target[0] = MAGIC_BYTE;
  target.writeUInt32BE(schemaId, 1);
}

/**
 * Reads the schema id of a Confluent-framed message, so a consumer knows the
 * writer schema before touching the body. Throws AvroDecodeError
 * ('too-short' or 'bad-magic-byte') when the bytes carry no such header.
 *
 * @example
 * readWireSchemaId(Buffer.from([0, 0, 0, 1, 2, 0x0a]), 'telemetry[0]@42'); // 258
 */
export function readWireSchemaId(bytes: Uint8Array, position?: MessagePosition): number {
  if (bytes.length === 0) {
    throw new AvroDecodeError('too-short', undefined, position, 'empty message');
  }
  if (bytes[0] !== MAGIC_BYTE) {
    throw new AvroDecodeError(
      'bad-magic-byte',
      undefined,
      position,
      `first byte is ${bytes[0]}, expected ${MAGIC_BYTE} (not Confluent wire format)`,
    );
  }
  if (bytes.length < WIRE_HEADER_SIZE) {
    throw new AvroDecodeError(
      'too-short',
      undefined,
      position,
      `${bytes.length} byte(s), the header alone takes ${WIRE_HEADER_SIZE}`,
    );
  }
  // Unsigned: Confluent ids are positive 32-bit integers.
  return ((bytes[1] << 24) >>> 0) + ((bytes[2] << 16) | (bytes[3] << 8) | bytes[4]);
}
