/**
 * What a soak run left behind, read back once the job has stopped: the
 * readings in ClickHouse (deduplicated, and the raw rows beneath), the
 * commands a downstream consumer of committed transactions sees, and the
 * dead letters. Compared with what was produced, they say whether
 * anything was lost or doubled.
 */
import { createClient } from '@clickhouse/client';
import { AvroSerde } from '../connectors/avro/avroSerde.js';
import { ConfluentSchemaRegistry } from '../connectors/avro/confluentSchemaRegistry.js';
import { commandSchema } from '../connectors/avro/contractSchemas.js';
import { PartitionRangeReader, topicOffsetMarks } from '../connectors/kafka/partitionRangeReader.js';
import type { Command } from '../operators/control/contracts.js';
import type { BenchStack } from './benchStack.js';

/** FINAL over millions of rows in the embedded ClickHouse takes a while. */
const QUERY_TIMEOUT_MS = 600_000;
/** A topic read that brings nothing for this long has stalled. */
const READ_STALL_MS = 60_000;

/**
 * The facts of one run.
 *
 * @example
 * const outcome: SoakOutcome = { readingsInClickHouse: 6_000_000, rawRows: 6_004_750, distinctEventIds: 6_000_000,
 *   commandsInClickHouse: 12, commandIds: ['…'], deadLetters: 0 };
 */
export interface SoakOutcome {
  /** Rows of telemetry_enriched_dedup: one per reading the job enriched. */
  readonly readingsInClickHouse: number;
  /** Rows of telemetry_enriched before deduplication: a replayed epoch writes its rows again. */
  readonly rawRows: number;
  readonly distinctEventIds: number;
  readonly commandsInClickHouse: number;
  /** Every command id on the commands topic, read_committed, in topic order. */
  readonly commandIds: readonly string[];
  readonly deadLetters: number;
}

/**
 * Reads the run's facts from `database` and its commands and dead-letter
 * topics. Rejects with a message naming what could not be read.
 *
 * @example
 * const outcome = await soakOutcome(stack, { database: 'soak_1a2b', commands: 'soak-commands-1a2b', deadLetter: 'soak-dlq-1a2b' });
 */
export async function soakOutcome(
  stack: BenchStack,
  names: { readonly database: string; readonly commands: string; readonly deadLetter: string },
): Promise<SoakOutcome> {
  const client = createClient({
    url: stack.clickhouse.url,
    username: stack.clickhouse.username,
    request_timeout: QUERY_TIMEOUT_MS,
  });
  const one = async (query: string): Promise<Record<string, string>> => {
    try {
      const rows = await (await client.query({ query, format: 'JSONEachRow' })).json<
        Record<string, string>
      >();
      return rows[0] ?? {};
    } catch (error) {
      throw new Error(`soak: ClickHouse query failed: ${query}`, { cause: error });
    }
  };
  let clickhouse: Pick<
    SoakOutcome,
    'readingsInClickHouse' | 'rawRows' | 'distinctEventIds' | 'commandsInClickHouse'
  >;
  try {
    const db = names.database;
    const dedup = await one(`SELECT count() AS n FROM ${db}.telemetry_enriched_dedup`);
    const raw = await one(`SELECT count() AS n, uniqExact(event_id) AS ids FROM ${db}.telemetry_enriched`);
    const commands = await one(`SELECT count() AS n FROM ${db}.commands_dedup`);
    clickhouse = {
      readingsInClickHouse: Number(dedup.n),
      rawRows: Number(raw.n),
      distinctEventIds: Number(raw.ids),
      commandsInClickHouse: Number(commands.n),
    };
  } finally {
    await client.close();
  }
  const serde = new AvroSerde<Command>(
    new ConfluentSchemaRegistry({ host: stack.registry.url, auth: stack.registry.auth }),
    commandSchema,
  );
  const commandIds: string[] = [];
  for (const value of await readCommitted(stack, names.commands)) {
    commandIds.push((await serde.decode(value)).value.commandId);
  }
  const deadLetters = (await readCommitted(stack, names.deadLetter)).length;
  return { ...clickhouse, commandIds, deadLetters };
}

/** Every committed message value of `topic`, from the first offset to the read_committed end now. */
async function readCommitted(stack: BenchStack, topic: string): Promise<Buffer[]> {
  const marks = await topicOffsetMarks(stack.kafka, topic);
  const reader = new PartitionRangeReader({
    kafka: stack.kafka,
    topic,
    ranges: marks.map((m) => ({ partition: m.partition, from: m.low, to: m.end })),
  });
  const values: Buffer[] = [];
  await reader.connect();
  try {
    let lastProgress = performance.now();
    while (reader.unfinished().length > 0) {
      for (const m of await reader.next()) if (m.value !== null) values.push(m.value);
      for (const partition of reader.unfinished()) if (reader.done(partition)) reader.finish(partition);
      if (reader.received > 0) lastProgress = performance.now();
      else if (performance.now() - lastProgress > READ_STALL_MS) {
        throw new Error(
          `soak: reading ${topic} stalled: nothing for ${READ_STALL_MS / 1000} s with partitions ${reader.unfinished().join(', ')} unfinished`,
        );
      }
    }
  } finally {
    await reader.close();
  }
  return values;
}
