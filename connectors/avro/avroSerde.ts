import avro, { type Resolver, type Schema, type Type } from 'avsc';
import { explainIncompatibility } from './compatibility.js';
import {
  AvroDecodeError,
  AvroEncodeError,
  type InvalidField,
  InvalidSchemaError,
  type MessagePosition,
  ReaderIncompatibleError,
  SchemaNotFoundError,
} from './errors.js';
import {
  type AvroSchema,
  type SchemaRegistry,
  type TypedAvroSchema,
  topicNameStrategy,
} from './schemaRegistry.js';
import { readWireSchemaId, WIRE_HEADER_SIZE, writeWireHeader } from './wireFormat.js';

/**
 * A decoded message: the value in the reader schema's shape, and the id of
 * the schema it was written with (tells which producer version wrote it).
 *
 * @example
 * const { value, schemaId }: DecodedMessage<Telemetry> = await serde.decode(bytes);
 */
export interface DecodedMessage<T> {
  readonly value: T;
  readonly schemaId: number;
}

/**
 * Options of an AvroSerde.
 *
 * @example
 * new AvroSerde(registry, commandSchema, { subjectOf: () => 'twinflow.control.Command' }); // RecordNameStrategy-like
 */
export interface AvroSerdeOptions {
  /** Subject of a topic's value schema (default: TopicNameStrategy, `<topic>-value`). */
  readonly subjectOf?: (topic: string) => string;
}

/** How to read the body of messages written with one schema id into the reader schema. */
interface WriterEntry {
  /** Undefined when writer and reader schemas are the same (no resolution needed). */
  readonly resolver: Resolver | undefined;
}

/**
 * Avro serde in Confluent's wire format (magic byte 0, 4-byte big-endian
 * schema id, Avro binary body) over any SchemaRegistry.
 *
 * `schema` is both the writer schema of `encode` (registered once per topic
 * under `subjectOf(topic)`) and the reader schema of `decode`: a message is
 * read with the schema its id names (looked up once per id, then cached) and
 * resolved into `schema`, so a reader decodes data of older and newer
 * compatible versions (added fields take their defaults, removed ones are
 * skipped). Timestamps (timestamp-millis) are plain epoch-ms numbers, as in
 * operators/control/contracts.ts.
 *
 * Errors: `encode` rejects with AvroEncodeError naming the field path of a
 * value the schema does not accept; `decode` rejects with AvroDecodeError for
 * any bytes it cannot read (never a crash). Errors from the registry itself
 * (an outage of a remote one) pass through unchanged, with their own
 * `retriable` flag.
 *
 * @example
 * const serde = new AvroSerde(new LocalSchemaRegistry(), telemetrySchema);
 * const bytes = await serde.encode('telemetry', reading);          // <00 00 00 00 01 …>
 * const { value, schemaId } = await serde.decode(bytes, { topic: 'telemetry', partition: 0, offset: '42' });
 */
export class AvroSerde<T> {
  private readonly type: Type;
  private readonly schema: AvroSchema;
  private readonly subjectOf: (topic: string) => string;
  /** Schema id per topic, registered on first use; a failed registration is forgotten so the next call retries. */
  private readonly ids = new Map<string, Promise<number>>();
  /** Schema id per topic once registered: what encodeSync frames with. */
  private readonly resolvedIds = new Map<string, number>();
  private readonly writers = new Map<number, WriterEntry>();
  private readonly pendingWriters = new Map<number, Promise<WriterEntry>>();
  /** Reused for every encode; only the final copy is allocated per record. */
  private scratch = Buffer.allocUnsafe(1024);

  constructor(
    private readonly registry: SchemaRegistry,
    schema: TypedAvroSchema<T> | AvroSchema,
    options: AvroSerdeOptions = {},
  ) {
    try {
      // Plain data objects out of decode: no avsc record methods on the prototype.
      this.type = avro.Type.forSchema(schema as Schema, { omitRecordMethods: true });
    } catch (error) {
      throw new InvalidSchemaError('(serde schema)', { cause: error });
    }
    this.schema = schema;
    this.subjectOf = options.subjectOf ?? topicNameStrategy;
  }

  /**
   * Encodes `value` for `topic`: registers the schema under the topic's
   * subject on first use, then frames the Avro body with the schema id.
   */
  async encode(topic: string, value: T): Promise<Buffer> {
    return this.frame(await this.schemaIdFor(topic), topic, value);
  }

  /**
   * Registers the schema under `topic`'s subject now (BACKWARD checked by
   * the registry), so that `encodeSync` can frame values for it: a job
   * registers its output contracts at start-up, not on the first command.
   *
   * @example
   * await commandSerde.prepare('commands');
   * const bytes = commandSerde.encodeSync('commands', command);
   */
  async prepare(topic: string): Promise<number> {
    return this.schemaIdFor(topic);
  }

  /**
   * Checks, for an input topic, that the latest schema registered under its
   * subject can be read with this serde's reader schema; a job calls it at
   * start. Resolves when it can, or when the subject has no version yet;
   * rejects with ReaderIncompatibleError naming the field at fault
   * otherwise. Older versions are not checked: their messages are
   * dead-lettered one by one if unreadable, the job stays up.
   *
   * @example
   * await telemetrySerde.checkReads('telemetry'); // throws ReaderIncompatibleError when the producers moved on
   */
  async checkReads(topic: string): Promise<void> {
    const subject = this.subjectOf(topic);
    const latest = await this.registry.latest(subject);
    if (latest === undefined) return;
    let writer: Type;
    try {
      writer = avro.Type.forSchema(latest.schema as Schema);
    } catch (error) {
      throw new InvalidSchemaError(subject, { cause: error });
    }
    const fault = explainIncompatibility(this.type, writer);
    if (fault !== undefined) {
      throw new ReaderIncompatibleError(topic, subject, latest.version, latest.id, fault.field, fault.detail);
    }
  }

  /**
   * As `encode`, synchronously, for a topic prepared before; throws
   * AvroEncodeError for a value the schema does not accept and an Error
   * naming the topic when it was not prepared.
   */
  encodeSync(topic: string, value: T): Buffer {
    const schemaId = this.resolvedIds.get(topic);
    if (schemaId === undefined) {
      throw new Error(
        `AvroSerde.encodeSync: topic ${topic} was not prepared (await serde.prepare(topic) first)`,
      );
    }
    return this.frame(schemaId, topic, value);
  }

  private frame(schemaId: number, topic: string, value: T): Buffer {
    let end: number;
    for (;;) {
      try {
        end = this.type.encode(value, this.scratch, WIRE_HEADER_SIZE);
      } catch (error) {
        throw this.encodeError(topic, value, error);
      }
      if (end >= 0) break;
      // avsc returns minus the bytes missing; grow geometrically so a big value costs few retries.
      this.scratch = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.scratch.length - end));
    }
    const out = Buffer.allocUnsafe(end);
    writeWireHeader(out, schemaId);
    this.scratch.copy(out, WIRE_HEADER_SIZE, WIRE_HEADER_SIZE, end);
    return out;
  }

  /**
   * Decodes one Confluent-framed message into the reader schema. `position`
   * (a Kafka position or a label) only goes into errors.
   */
  async decode(bytes: Uint8Array, position?: MessagePosition): Promise<DecodedMessage<T>> {
    const schemaId = readWireSchemaId(bytes, position);
    const writer = this.writers.get(schemaId) ?? (await this.loadWriter(schemaId, position));
    return this.decodeWith(writer, schemaId, bytes, position);
  }

  /**
   * As `decode`, synchronously, when the message's writer schema was
   * fetched before (the common case after the first message of a schema):
   * undefined when it was not, and `decode` must fetch it. Throws the same
   * AvroDecodeErrors. A source decoding a fetched batch this way hands it
   * over in one synchronous run, so batching operators downstream see it whole.
   *
   * @example
   * const decoded = serde.decodeKnown(bytes, pos) ?? (await serde.decode(bytes, pos));
   */
  decodeKnown(bytes: Uint8Array, position?: MessagePosition): DecodedMessage<T> | undefined {
    const schemaId = readWireSchemaId(bytes, position);
    const writer = this.writers.get(schemaId);
    return writer === undefined ? undefined : this.decodeWith(writer, schemaId, bytes, position);
  }

  private decodeWith(
    writer: WriterEntry,
    schemaId: number,
    bytes: Uint8Array,
    position: MessagePosition | undefined,
  ): DecodedMessage<T> {
    // avsc reads through Buffer methods; a plain Uint8Array view is wrapped without copying.
    const buf = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let decoded: { value: unknown; offset: number };
    try {
      decoded = this.type.decode(buf, WIRE_HEADER_SIZE, writer.resolver);
    } catch (error) {
      // avsc throws on invalid union/enum indices and longs beyond 2^53.
      throw new AvroDecodeError('corrupt-body', schemaId, position, messageOf(error), { cause: error });
    }
    if (decoded.offset < 0) {
      throw new AvroDecodeError(
        'too-short',
        schemaId,
        position,
        `body ends before the record does (${buf.length} bytes in all)`,
      );
    }
    if (decoded.offset !== buf.length) {
      throw new AvroDecodeError(
        'corrupt-body',
        schemaId,
        position,
        `${buf.length - decoded.offset} trailing byte(s) after the record (it ends at byte ${decoded.offset} of ${buf.length})`,
      );
    }
    return { value: decoded.value as T, schemaId };
  }

  private schemaIdFor(topic: string): Promise<number> {
    let id = this.ids.get(topic);
    if (id === undefined) {
      id = this.registry.register(this.subjectOf(topic), this.schema);
      this.ids.set(topic, id);
      id.then(
        (resolved) => this.resolvedIds.set(topic, resolved),
        () => this.ids.delete(topic),
      );
    }
    return id;
  }

  private loadWriter(schemaId: number, position: MessagePosition | undefined): Promise<WriterEntry> {
    let pending = this.pendingWriters.get(schemaId);
    if (pending === undefined) {
      pending = this.resolveWriter(schemaId, position).finally(() => this.pendingWriters.delete(schemaId));
      this.pendingWriters.set(schemaId, pending);
    }
    return pending;
  }

  private async resolveWriter(schemaId: number, position: MessagePosition | undefined): Promise<WriterEntry> {
    let schema: AvroSchema;
    try {
      schema = await this.registry.getSchema(schemaId);
    } catch (error) {
      // Not cached: an id unknown now may be registered later, and garbage
      // must not fill the cache. Other registry errors pass through as they are.
      if (error instanceof SchemaNotFoundError) {
        throw new AvroDecodeError(
          'unknown-schema-id',
          schemaId,
          position,
          'the registry has no such schema',
          {
            cause: error,
          },
        );
      }
      throw error;
    }
    let type: Type;
    try {
      type = avro.Type.forSchema(schema as Schema);
    } catch (error) {
      throw new AvroDecodeError(
        'incompatible-schema',
        schemaId,
        position,
        `the writer schema is not an Avro schema avsc can parse: ${messageOf(error)}`,
        { cause: error },
      );
    }
    let entry: WriterEntry;
    try {
      entry = { resolver: type.equals(this.type) ? undefined : this.type.createResolver(type) };
    } catch (error) {
      // The same explanation a refused registration gets: the field at fault and what changed there.
      const fault = explainIncompatibility(this.type, type);
      const where = fault?.field === undefined ? 'the schema' : `field ${fault.field}`;
      throw new AvroDecodeError(
        'incompatible-schema',
        schemaId,
        position,
        `the writer schema cannot be read as ${this.type.name ?? this.type.typeName}: ${where}: ${fault?.detail ?? messageOf(error)}`,
        { cause: error, field: fault?.field },
      );
    }
    this.writers.set(schemaId, entry);
    return entry;
  }

  private encodeError(topic: string, value: T, cause: unknown): AvroEncodeError {
    const fields: InvalidField[] = [];
    this.type.isValid(value, {
      errorHook: (path, fieldValue, fieldType) =>
        fields.push({ path: path.join('.'), value: fieldValue, expected: fieldType.typeName }),
    });
    if (fields.length === 0) fields.push({ path: '', value, expected: this.type.name ?? this.type.typeName });
    return new AvroEncodeError(this.subjectOf(topic), fields, { cause });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
