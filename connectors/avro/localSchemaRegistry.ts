import avro, { type Schema, type Type } from 'avsc';
import { assertBackwardCompatible } from './compatibility.js';
import { InvalidSchemaError, SchemaNotFoundError } from './errors.js';
import type { AvroSchema, RegisteredSchema, SchemaRegistry } from './schemaRegistry.js';

interface StoredSchema {
  readonly schema: AvroSchema;
  readonly type: Type;
}

/**
 * An in-memory schema registry with Confluent's semantics: global ids from 1,
 * versions per subject from 1, idempotent registration, BACKWARD
 * compatibility against the subject's latest version. Used by the embedded
 * default (no registry server) and by tests; it lives as long as the process.
 *
 * @example
 * const registry = new LocalSchemaRegistry();
 * const id = await registry.register('telemetry-value', telemetrySchema); // 1
 * await registry.register('telemetry-value', telemetrySchema);            // 1 again
 * await registry.getSchema(id);                                            // telemetrySchema (a copy)
 */
export class LocalSchemaRegistry implements SchemaRegistry {
  private readonly byId = new Map<number, StoredSchema>();
  /** Normalised schema text -> global id: the same schema gets the same id in every subject. */
  private readonly idByText = new Map<string, number>();
  private readonly versions = new Map<string, RegisteredSchema[]>();
  private nextId = 1;

  async register(subject: string, schema: AvroSchema): Promise<number> {
    let type: Type;
    try {
      type = avro.Type.forSchema(schema as Schema);
    } catch (error) {
      throw new InvalidSchemaError(subject, { cause: error });
    }
    // avsc's expanded schema with docs and defaults: key order and shorthand
    // do not matter, but a changed default or doc is a new schema, as in
    // Confluent's registry (Parsing Canonical Form would drop defaults).
    const text = JSON.stringify(type.schema({ exportAttrs: true }));
    const existingId = this.idByText.get(text);
    const versions = this.versions.get(subject) ?? [];
    if (existingId !== undefined && versions.some((v) => v.id === existingId)) return existingId;

    const latest = versions.at(-1);
    if (latest !== undefined) {
      assertBackwardCompatible(subject, type, this.byId.get(latest.id)!.type, latest.version);
    }
    let id = existingId;
    if (id === undefined) {
      id = this.nextId++;
      this.idByText.set(text, id);
      this.byId.set(id, { schema: structuredClone(schema), type });
    }
    versions.push({ subject, id, version: versions.length + 1, schema: this.byId.get(id)!.schema });
    this.versions.set(subject, versions);
    return id;
  }

  async getSchema(id: number): Promise<AvroSchema> {
    const stored = this.byId.get(id);
    if (stored === undefined) throw new SchemaNotFoundError(id);
    // A copy: a caller mutating what it got must not change what later readers get.
    return structuredClone(stored.schema);
  }

  async latest(subject: string): Promise<RegisteredSchema | undefined> {
    const latest = this.versions.get(subject)?.at(-1);
    return latest === undefined ? undefined : { ...latest, schema: structuredClone(latest.schema) };
  }
}
