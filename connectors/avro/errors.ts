/**
 * Typed errors of the Avro serde and schema registry. Callers decide by class
 * and `retriable`, never by message text; messages name the input and the
 * position at fault for the person reading the log.
 */
import type { SourcePosition } from '../../operators/core/element.js';

/** Where an encoded message came from: a Kafka position, or a free label (a file, a test case). */
export type MessagePosition = SourcePosition | string;

/**
 * Why bytes could not be decoded: no Confluent header ('bad-magic-byte'); the
 * bytes end before the header or the record does ('too-short'); the id names
 * no schema ('unknown-schema-id'); the body is not a valid encoding for its
 * schema, or has trailing bytes ('corrupt-body'); the writer schema cannot be
 * resolved into the reader schema ('incompatible-schema').
 */
export type AvroDecodeReason =
  | 'bad-magic-byte'
  | 'too-short'
  | 'unknown-schema-id'
  | 'corrupt-body'
  | 'incompatible-schema';

/** One field of a value that its schema does not accept. */
export interface InvalidField {
  /** Dotted path from the record root (`reported.temperatureC`); empty for the root itself. */
  readonly path: string;
  readonly value: unknown;
  /** Avro type the schema expects there (`double`, `enum`, `union`, …). */
  readonly expected: string;
}

/** Base of the Avro connector's errors: KafkaJS-style, with a retriable flag. */
export abstract class AvroError extends Error {
  abstract readonly retriable: boolean;
}

/**
 * Bytes that are not a decodable Confluent-framed Avro message. Never
 * retriable: the same bytes fail the same way; route them to a dead-letter
 * output.
 *
 * @example
 * try { await serde.decode(bytes, pos); }
 * catch (e) { if (e instanceof AvroDecodeError && e.reason === 'unknown-schema-id') deadLetter(bytes, e); else throw e; }
 */
export class AvroDecodeError extends AvroError {
  override readonly name = 'AvroDecodeError';
  readonly retriable = false;
  /** For 'incompatible-schema': dotted path of the first field the reader cannot read; else undefined. */
  readonly field: string | undefined;

  constructor(
    readonly reason: AvroDecodeReason,
    /** The schema id from the header; undefined when the header itself is unreadable. */
    readonly schemaId: number | undefined,
    readonly position: MessagePosition | undefined,
    detail: string,
    options?: { cause?: unknown; field?: string | undefined },
  ) {
    const id = schemaId === undefined ? '' : ` (schema id ${schemaId})`;
    super(`cannot decode Avro message at ${describePosition(position)}${id}: ${reason}: ${detail}`, {
      cause: options?.cause,
    });
    this.field = options?.field;
  }
}

/**
 * A value its schema does not accept, found before any byte is written.
 * `fields` lists every offending field; the message names the first.
 *
 * @example
 * try { await serde.encode('telemetry', reading); }
 * catch (e) { if (e instanceof AvroEncodeError) console.error(e.fields.map((f) => f.path)); }
 */
export class AvroEncodeError extends AvroError {
  override readonly name = 'AvroEncodeError';
  readonly retriable = false;

  constructor(
    readonly subject: string,
    readonly fields: readonly InvalidField[],
    options?: { cause?: unknown },
  ) {
    const first = fields[0];
    const where = first === undefined || first.path === '' ? 'the value' : `field ${first.path}`;
    const more = fields.length > 1 ? ` (and ${fields.length - 1} more field(s))` : '';
    super(
      `cannot encode value for subject ${subject}: ${where} = ${describeValue(first?.value)} is not a valid ${first?.expected ?? 'value'}${more}`,
      options,
    );
  }

  /** Path of the first offending field. */
  get path(): string {
    return this.fields[0]?.path ?? '';
  }
}

/**
 * A schema that cannot read data written with the subject's latest version
 * (BACKWARD compatibility), refused at registration. The message names the
 * subject, the version, the field and what changed there; for a remote
 * registry also what the registry answered. Not retriable: the schema has to
 * change.
 *
 * @example
 * try { await registry.register('telemetry-value', v3); }
 * catch (e) { if (e instanceof SchemaIncompatibleError) console.error(e.subject, e.field, e.detail); }
 * // schema for subject telemetry-value is not BACKWARD compatible with version 2: field goodUnits:
 * // type changed long → string; BACKWARD compatibility requires a reader of the new schema to read data written with version 2
 */
export class SchemaIncompatibleError extends AvroError {
  override readonly name = 'SchemaIncompatibleError';
  readonly retriable = false;

  constructor(
    readonly subject: string,
    /** Dotted path of the first incompatible field; undefined when the whole type differs. */
    readonly field: string | undefined,
    /** Version of the subject the new schema was checked against. */
    readonly againstVersion: number,
    /** What changed at `field`, old first (`type changed long → string`). */
    readonly detail: string,
    options?: { cause?: unknown; registryMessage?: string },
  ) {
    const where = field === undefined ? 'the schema' : `field ${field}`;
    const registry =
      options?.registryMessage === undefined ? '' : `; the registry answered: ${options.registryMessage}`;
    super(
      `schema for subject ${subject} is not BACKWARD compatible with version ${againstVersion}: ${where}: ${detail}; ` +
        `BACKWARD compatibility requires a reader of the new schema to read data written with version ${againstVersion}${registry}`,
      { cause: options?.cause },
    );
  }
}

/**
 * The latest schema registered for an input topic cannot be read with the
 * job's reader schema: every message written with it would be dead-lettered.
 * Raised when a job starts, so it fails with the field at fault instead of
 * running while it refuses the new data. Not retriable: the schema or the
 * job must change.
 *
 * @example
 * await serde.checkReads('telemetry').catch((e) => e instanceof ReaderIncompatibleError);
 * // e.message: 'input topic telemetry: its latest schema (subject telemetry-value, version 3, id 7) cannot be read with this job's reader schema: field goodUnits: type changed string → long; …'
 */
export class ReaderIncompatibleError extends AvroError {
  override readonly name = 'ReaderIncompatibleError';
  readonly retriable = false;

  constructor(
    readonly topic: string,
    readonly subject: string,
    readonly version: number,
    readonly schemaId: number,
    /** Dotted path of the first field the reader cannot read; undefined when the whole type differs. */
    readonly field: string | undefined,
    readonly detail: string,
  ) {
    const where = field === undefined ? 'the schema' : `field ${field}`;
    super(
      `input topic ${topic}: its latest schema (subject ${subject}, version ${version}, id ${schemaId}) cannot be read ` +
        `with this job's reader schema: ${where}: ${detail}; every message written with it would be dead-lettered. ` +
        'Register a schema the job can read, or deploy a job whose input contract reads this one',
    );
  }
}

/**
 * No schema has this id. The serde turns it into an AvroDecodeError with
 * reason 'unknown-schema-id'.
 *
 * @example
 * await registry.getSchema(999).catch((e) => e instanceof SchemaNotFoundError); // true
 */
export class SchemaNotFoundError extends AvroError {
  override readonly name = 'SchemaNotFoundError';
  readonly retriable = false;

  constructor(readonly id: number) {
    super(`no schema with id ${id} in the registry`);
  }
}

/**
 * A schema that is not valid Avro (avsc cannot parse it).
 *
 * @example
 * await registry.register('x-value', { type: 'record', name: 'X' }).catch((e) => e instanceof InvalidSchemaError); // true (no fields)
 */
export class InvalidSchemaError extends AvroError {
  override readonly name = 'InvalidSchemaError';
  readonly retriable = false;

  constructor(
    readonly subject: string,
    options: { cause: unknown },
  ) {
    super(`invalid Avro schema for subject ${subject}: ${messageOf(options.cause)}`, options);
  }
}

function describePosition(position: MessagePosition | undefined): string {
  if (position === undefined) return 'an unknown position';
  if (typeof position === 'string') return position;
  return `${position.topic}[${position.partition}]@${position.offset}`;
}

/** A short, never-throwing rendering of a value for an error message. */
function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? `array(${value.length})` : 'object';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
