/**
 * The schema registry as the Avro serde sees it: the part of Confluent's
 * registry API that a producer and a consumer need. The embedded default
 * implements it in memory (LocalSchemaRegistry); the real stack implements it
 * over Confluent's REST API (Apicurio's ccompat endpoint), so the serde never
 * knows which one it talks to.
 */

/**
 * An Avro schema as JSON: a type name (`"string"`, or a named type already
 * defined), a union (an array), or a schema object (`{ type: 'record', … }`).
 */
export type AvroSchema = string | AvroSchemaObject | readonly AvroSchema[];

/** A schema object: a record, enum, fixed, array, map, or a primitive with attributes. */
export interface AvroSchemaObject {
  readonly type: AvroSchema;
  readonly [attribute: string]: unknown;
}

declare const valueOfSchema: unique symbol;

/**
 * A schema object tagged (at type level only) with the TypeScript shape of its
 * values, so a serde built from it is typed without a cast.
 *
 * @example
 * const telemetrySchema = loaded as TypedAvroSchema<Telemetry>;
 * const serde = new AvroSerde(registry, telemetrySchema); // AvroSerde<Telemetry>
 */
export type TypedAvroSchema<T> = AvroSchemaObject & { readonly [valueOfSchema]?: T };

/** One version of a subject, as the registry holds it. */
export interface RegisteredSchema {
  readonly subject: string;
  /** Global id: the one written in the Confluent wire format header. */
  readonly id: number;
  /** Version within the subject, from 1. */
  readonly version: number;
  readonly schema: AvroSchema;
}

/**
 * Confluent-style schema registry.
 *
 * Contract every implementation keeps:
 * - `register` is idempotent: an identical schema under the same subject gets
 *   the id it already has; the same schema under another subject gets the same
 *   global id, as in Confluent's registry.
 * - `register` enforces BACKWARD compatibility against the subject's latest
 *   version (the new schema must read data written with the previous one) and
 *   rejects with `SchemaIncompatibleError` naming the subject and the field.
 * - `getSchema` rejects with `SchemaNotFoundError` for an id the registry does
 *   not know, and with another (possibly retriable) error when the registry
 *   cannot be asked; the serde tells undecodable bytes from an outage by that.
 *
 * @example
 * const id = await registry.register(topicNameStrategy('telemetry'), telemetrySchema);
 * const schema = await registry.getSchema(id);
 * const latest = await registry.latest('telemetry-value'); // { id, version, schema, subject }
 */
export interface SchemaRegistry {
  /** Registers `schema` under `subject` (or finds it there) and resolves to its global id. */
  register(subject: string, schema: AvroSchema): Promise<number>;
  /** The schema with global id `id`; rejects with `SchemaNotFoundError` when there is none. */
  getSchema(id: number): Promise<AvroSchema>;
  /** The latest version of `subject`, or undefined when the subject has none yet. */
  latest(subject: string): Promise<RegisteredSchema | undefined>;
}

/**
 * Confluent's TopicNameStrategy for record values: the subject of a topic's
 * value schema is `<topic>-value`.
 *
 * @example
 * topicNameStrategy('telemetry'); // 'telemetry-value'
 */
export function topicNameStrategy(topic: string): string {
  return `${topic}-value`;
}
