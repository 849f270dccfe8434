import { randomUUID } from 'node:crypto';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AvroSerde } from '../../../../connectors/avro/avroSerde.js';
import { ConfluentSchemaRegistry } from '../../../../connectors/avro/confluentSchemaRegistry.js';
import { commandSchema } from '../../../../connectors/avro/contractSchemas.js';
import { type CommandSigningKey, signCommandMessage } from '../../../../connectors/kafka/commandSigning.js';
import { CommandVerifier } from '../../../../connectors/kafka/commandVerifier.js';
import type { Command } from '../../../../operators/control/contracts.js';
import type { CommandIo } from '../../../../runtime/cli/commandIo.js';
import { runCommandsTail } from '../../../../runtime/cli/commandsTail.js';
import { STACK } from '../../localStackSetup.js';
import { readTopics } from '../../readTopics.js';

/**
 * The downstream side of signed commands against the local stack: commands signed as the job
 * signs them (Confluent wire format, the registry's schema id, HMAC headers), written in a
 * committed transaction with a replay and a forgery among them, plus one in an aborted
 * transaction; then `twinflow commands tail` (its real read_committed consumer and registry
 * decoder) and a CommandVerifier over a plain read of the topic.
 *
 * The last command is written in a committed transaction after the aborted one, and the tail
 * stops after as many lines as committed commands: had the aborted command been delivered, it
 * would take a line and the last command would be missing, so "never seen" is proved by reading
 * past it, not by waiting.
 */

const SIGNING_KEY = 'it-commands-signing-key-0123456789-abcdef';
const OLD_KEY = 'it-commands-retiring-key-9876543210-uvwxyz';
const ROGUE_KEY = 'it-commands-rogue-key-not-in-any-keyring!!';
const k2: CommandSigningKey = { keyId: 'k2', secret: () => SIGNING_KEY };
const k1: CommandSigningKey = { keyId: 'k1', secret: () => OLD_KEY };

const kafka = new KafkaJS.Kafka({
  kafkaJS: { brokers: [STACK.kafkaBroker], logLevel: KafkaJS.logLevel.NOTHING },
});
const producers: KafkaJS.Producer[] = [];
const topic = `it-commands-tail-${randomUUID()}`;
const decidedAt = Date.now();

function command(name: string, overrides: Partial<Command> = {}): Command {
  return {
    commandId: `pump-0001:${decidedAt}:${name}`,
    assetId: 'pump-0001',
    action: 'REDUCE_LOAD',
    loadLimitPct: 70,
    risk: 0.6,
    horizonHours: 6,
    reason: `integration test ${name}`,
    model: 'RULE',
    decidedAt,
    source: null,
    ...overrides,
  };
}

const genuine = command('genuine');
const byOldKey = command('by-old-key', { action: 'SCHEDULE_MAINTENANCE', loadLimitPct: null });
const forged = command('forged', { action: 'SHUTDOWN', loadLimitPct: null });
const aborted = command('aborted', { action: 'SHUTDOWN', loadLimitPct: null });
const last = command('last', { action: 'RESTORE_LOAD', loadLimitPct: 100 });

let serde: AvroSerde<Command>;

async function signed(c: Command, key: CommandSigningKey): Promise<KafkaJS.Message> {
  const message = signCommandMessage(
    {
      topic,
      key: c.assetId,
      value: await serde.encode(topic, c),
      headers: { 'twinflow-command-id': c.commandId },
    },
    key,
  );
  return { key: c.assetId, value: message.value, headers: message.headers };
}

async function inTransaction(messages: KafkaJS.Message[], outcome: 'commit' | 'abort'): Promise<void> {
  const producer = kafka.producer({
    kafkaJS: {
      transactionalId: `it-commands-tail-${randomUUID()}`,
      idempotent: true,
      maxInFlightRequests: 1,
    },
  });
  producers.push(producer);
  await producer.connect();
  const t = await producer.transaction();
  await t.send({ topic, messages });
  if (outcome === 'commit') await t.commit();
  else await t.abort();
}

beforeAll(async () => {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
  } finally {
    await admin.disconnect();
  }
  serde = new AvroSerde(new ConfluentSchemaRegistry({ host: STACK.registryUrl }), commandSchema);
  const replay = await signed(genuine, k2);
  await inTransaction(
    [
      await signed(genuine, k2),
      await signed(byOldKey, k1),
      replay,
      // Signed with a key the consumers do not hold, under the id of one they do.
      await signed(forged, { keyId: 'k2', secret: () => ROGUE_KEY }),
    ],
    'commit',
  );
  await inTransaction([await signed(aborted, k2)], 'abort');
  await inTransaction([await signed(last, k2)], 'commit');
});

afterAll(async () => {
  await Promise.allSettled(producers.map((p) => p.disconnect()));
});

const COMMITTED_COMMANDS = 5;

describe('twinflow commands tail on Kafka', () => {
  it('prints the committed commands only: genuine ones accepted, the replay and the forged one rejected with their reason', async () => {
    const lines: string[] = [];
    const notes: string[] = [];
    const io: CommandIo = {
      out: (l) => lines.push(l),
      err: (l) => notes.push(l),
      env: { NEW_KEY: SIGNING_KEY, OLD_KEY },
    };
    const code = await runCommandsTail(
      [
        '--brokers',
        STACK.kafkaBroker,
        '--registry',
        STACK.registryUrl,
        '--topic',
        topic,
        '--key',
        'k2=env:NEW_KEY',
        '--key',
        'k1=env:OLD_KEY',
        '--from',
        'beginning',
        '--limit',
        String(COMMITTED_COMMANDS),
        '--json',
      ],
      io,
    );
    expect(code).toBe(0);
    const verdicts = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(verdicts.map((v) => [v.verdict, v.reason ?? v.keyId, v.commandId])).toEqual([
      ['accepted', 'k2', genuine.commandId],
      ['accepted', 'k1', byOldKey.commandId],
      ['rejected', 'replayed', genuine.commandId],
      ['rejected', 'forged', null],
      ['accepted', 'k2', last.commandId],
    ]);
    const all = [...lines, ...notes].join('\n');
    expect(all).not.toContain(aborted.commandId);
    for (const secret of [SIGNING_KEY, OLD_KEY, ROGUE_KEY]) expect(all).not.toContain(secret);
  });

  it('a CommandVerifier over a read_committed read gives the same verdicts; a retired key is refused', async () => {
    const messages = await readTopics(kafka, [topic], (seen) =>
      seen.some((m) => m.headers['twinflow-command-id'] === last.commandId),
    );
    expect(messages.map((m) => m.headers['twinflow-command-id'])).not.toContain(aborted.commandId);
    const verifier = new CommandVerifier({
      keys: [k2],
      maxAgeMs: 15 * 60_000,
      decode: async (value) => (await serde.decode(value)).value,
    });
    const reasons = [];
    for (const m of messages) {
      const verdict = await verifier.verify(m.value, m.headers);
      reasons.push(verdict.accepted ? 'accepted' : verdict.reason);
    }
    // k1 is not in this keyring: the command it signed is refused as from an unknown key.
    expect(reasons).toEqual(['accepted', 'unknown-key', 'replayed', 'forged', 'accepted']);
  });
});
