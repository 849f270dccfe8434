import { createHmac, timingSafeEqual } from 'node:crypto';
import { createClient } from '@clickhouse/client';
import avro from 'avsc';
import { type ReadMessage, readToEnd } from './readTopics.js';

/**
 * An auditor that shares no code path with twinflow, as a control system's
 * team or an outside reviewer would write one: the commands topic read as
 * raw bytes by the plain Kafka client, each value's writer schema fetched
 * from the registry by the id in its Confluent wire header and decoded by
 * avsc, the HMAC-SHA256 of the value recomputed with node:crypto, and
 * ClickHouse's raw tables read with plain SQL. It imports nothing from
 * connectors/, runtime/ or pipelines/: a bug there cannot hide itself here.
 */

/** What an audit of the commands topic found. */
export interface CommandsAudit {
  /** commandId of every read_committed command, sorted. */
  readonly commandIds: string[];
  /** commandIds seen more than once by the read_committed reader. */
  readonly duplicates: string[];
  /** `<partition>/<commandId>: why` for each command whose signature does not verify. */
  readonly badSignatures: string[];
  /** Messages a read_uncommitted reader sees that a read_committed one does not: what aborted attempts wrote. */
  readonly abortedMessages: number;
  /** commandIds present only among the aborted messages (an aborted attempt's decisions that the commit did not repeat). */
  readonly onlyInAborted: string[];
  /** Distinct writer schema ids met. */
  readonly schemaIds: number[];
}

/**
 * Audits `topic`: every read_committed command decoded with its writer
 * schema and its signature checked against `keys` (key id → secret), then
 * compared with what a read_uncommitted reader sees.
 */
export async function auditCommands(
  brokers: readonly string[],
  registryUrl: string,
  topic: string,
  keys: Readonly<Record<string, string>>,
): Promise<CommandsAudit> {
  const committed = await readToEnd(brokers, topic);
  const everything = await readToEnd(brokers, topic, { readUncommitted: true });
  const registry = new WriterSchemas(registryUrl);
  const ids: string[] = [];
  const badSignatures: string[] = [];
  for (const message of committed) {
    const { commandId } = (await registry.decode(message.value)) as { commandId: string };
    ids.push(commandId);
    const why = signatureProblem(message, keys);
    if (why !== undefined) badSignatures.push(`${message.partition}/${commandId}: ${why}`);
  }
  const committedIds = new Set(ids);
  const onlyInAborted = new Set<string>();
  for (const message of everything) {
    const { commandId } = (await registry.decode(message.value)) as { commandId: string };
    if (!committedIds.has(commandId)) onlyInAborted.add(commandId);
  }
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return {
    commandIds: [...ids].sort(),
    duplicates: [...counts].filter(([, n]) => n > 1).map(([id]) => id),
    badSignatures,
    abortedMessages: everything.length - committed.length,
    onlyInAborted: [...onlyInAborted].sort(),
    schemaIds: registry.idsSeen(),
  };
}

/**
 * Messages of `topic` a read_uncommitted reader sees beyond the
 * read_committed ones: how much aborted transactions wrote (a changelog
 * shows it even when an aborted epoch decided no command).
 */
export async function abortedMessageCount(brokers: readonly string[], topic: string): Promise<number> {
  const committed = await readToEnd(brokers, topic);
  const everything = await readToEnd(brokers, topic, { readUncommitted: true });
  return everything.length - committed.length;
}

/** Why a command's signature does not verify, or undefined when it does. */
function signatureProblem(message: ReadMessage, keys: Readonly<Record<string, string>>): string | undefined {
  const algorithm = message.headers['twinflow-signature-alg'];
  const keyId = message.headers['twinflow-key-id'];
  const signature = message.headers['twinflow-signature'];
  if (algorithm !== 'hmac-sha256') return `algorithm ${algorithm}`;
  if (keyId === undefined || keys[keyId] === undefined) return `unknown key ${keyId}`;
  if (signature === undefined || !/^[0-9a-f]{64}$/.test(signature)) return 'no signature';
  const expected = createHmac('sha256', keys[keyId]).update(message.value).digest();
  return timingSafeEqual(expected, Buffer.from(signature, 'hex')) ? undefined : 'signature differs';
}

/** Writer schemas by registry id (Confluent API `GET /schemas/ids/{id}`), each fetched once. */
class WriterSchemas {
  private readonly types = new Map<number, Promise<avro.Type>>();

  constructor(private readonly registryUrl: string) {}

  /** The value of a Confluent-framed message: magic byte 0, 4-byte schema id, Avro binary body. */
  async decode(value: Buffer): Promise<unknown> {
    if (value.length < 5 || value[0] !== 0)
      throw new Error(`not Confluent-framed: ${value.subarray(0, 8).toString('hex')}`);
    const id = value.readUInt32BE(1);
    let type = this.types.get(id);
    if (type === undefined) {
      type = this.fetch(id);
      this.types.set(id, type);
    }
    return (await type).fromBuffer(value.subarray(5));
  }

  idsSeen(): number[] {
    return [...this.types.keys()].sort((a, b) => a - b);
  }

  private async fetch(id: number): Promise<avro.Type> {
    const response = await fetch(`${this.registryUrl}/schemas/ids/${id}`);
    if (!response.ok) throw new Error(`registry: schema ${id}: HTTP ${response.status}`);
    const { schema } = (await response.json()) as { schema: string };
    return avro.Type.forSchema(JSON.parse(schema) as avro.Schema);
  }
}

/** The facts of one ClickHouse table read without FINAL, as distinct rows, with how many raw rows repeat one. */
export interface RawTableFacts {
  /** Rows in the table as stored (before background merges). */
  readonly rows: number;
  /** Distinct facts, each a JSON line, sorted. */
  readonly facts: string[];
}

/**
 * The machine-health tables of `database` read raw (no FINAL, no views):
 * per table, the distinct facts in columns that do not depend on when or in
 * which epoch a row was written, and the stored row count.
 */
export async function rawTableFacts(
  clickhouseUrl: string,
  database: string,
): Promise<Record<string, RawTableFacts>> {
  const client = createClient({ url: clickhouseUrl });
  const factColumns: Record<string, string> = {
    telemetry_enriched: 'asset_id, toUnixTimestamp64Milli(ts) AS ts, seq',
    kpi_minute:
      'asset_id, toUnixTimestamp64Milli(minute) AS minute, round(oee, 9) AS oee, readings, late, late_firings',
    commands: 'command_id',
    alerts: 'alert_id',
  };
  try {
    const result: Record<string, RawTableFacts> = {};
    for (const [table, columns] of Object.entries(factColumns)) {
      const query = async (sql: string) =>
        (
          await (await client.query({ query: sql, format: 'JSONEachRow' })).json<Record<string, unknown>>()
        ).map((r) => JSON.stringify(r));
      const [count] = await query(`SELECT count() AS n FROM ${database}.${table}`);
      result[table] = {
        rows: Number((JSON.parse(count!) as { n: string }).n),
        facts: (await query(`SELECT DISTINCT ${columns} FROM ${database}.${table}`)).sort(),
      };
    }
    return result;
  } finally {
    await client.close();
  }
}
