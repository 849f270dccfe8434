/**
 * The Avro contracts on Kafka (schemas/avro/*.avsc), loaded once when this
 * module is first imported and typed with their TypeScript shapes from
 * operators/control/contracts.ts. The .avsc files stay the single source of
 * truth; nothing here restates them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command, Telemetry, TwinState } from '../../operators/control/contracts.js';
import type { AvroSchemaObject, TypedAvroSchema } from './schemaRegistry.js';

/** Raised at import when a contract schema cannot be found or is not JSON; names the file. */
export class ContractSchemaLoadError extends Error {
  override readonly name = 'ContractSchemaLoadError';

  constructor(
    readonly file: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot load Avro contract schema ${file}: ${detail}`, options);
  }
}

/**
 * The folder holding the contract .avsc files, seen from a module at
 * `moduleUrl`: under vitest this module runs from connectors/avro/, after
 * `npm run build` from dist/connectors/avro/, so the repository root (which
 * ships schemas/, see package.json "files") is two or three levels up.
 * Throws ContractSchemaLoadError naming the places it looked.
 *
 * @example
 * findContractSchemaDir(import.meta.url); // '/work/main/schemas/avro/'
 */
export function findContractSchemaDir(moduleUrl: string): string {
  const candidates = ['../../schemas/avro/', '../../../schemas/avro/'].map((relative) =>
    fileURLToPath(new URL(relative, moduleUrl)),
  );
  const found = candidates.find((dir) => existsSync(`${dir}telemetry.avsc`));
  if (found === undefined) {
    throw new ContractSchemaLoadError('telemetry.avsc', `not found in ${candidates.join(' or ')}`);
  }
  return found;
}

/**
 * Absolute path of the folder the contract schemas were loaded from.
 *
 * @example
 * readFileSync(`${contractSchemaDir}telemetry.avsc`, 'utf8');
 */
export const contractSchemaDir: string = findContractSchemaDir(import.meta.url);

function loadContract<T>(file: string): TypedAvroSchema<T> {
  const path = `${contractSchemaDir}${file}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ContractSchemaLoadError(path, error instanceof Error ? error.message : String(error), {
      cause: error,
    });
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as { type?: unknown }).type !== 'record') {
    throw new ContractSchemaLoadError(path, 'not an Avro record schema');
  }
  // Frozen: one shared object for every serde and registry in the process; a mutation would be a contract change.
  return deepFreeze(parsed as AvroSchemaObject) as TypedAvroSchema<T>;
}

function deepFreeze<V>(value: V): V {
  if (typeof value === 'object' && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * schemas/avro/telemetry.avsc: one reading of one asset (telemetry topic).
 *
 * @example
 * const serde = new AvroSerde(registry, telemetrySchema); // AvroSerde<Telemetry>
 */
export const telemetrySchema: TypedAvroSchema<Telemetry> = loadContract<Telemetry>('telemetry.avsc');

/**
 * schemas/avro/command.avsc: a control decision for one asset (commands topic).
 *
 * @example
 * const serde = new AvroSerde(registry, commandSchema); // AvroSerde<Command>
 */
export const commandSchema: TypedAvroSchema<Command> = loadContract<Command>('command.avsc');

/**
 * schemas/avro/twinState.avsc: the twin of one asset (changelog topic).
 *
 * @example
 * const serde = new AvroSerde(registry, twinStateSchema); // AvroSerde<TwinState>
 */
export const twinStateSchema: TypedAvroSchema<TwinState> = loadContract<TwinState>('twinState.avsc');
