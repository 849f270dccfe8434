import { randomUUID } from 'node:crypto';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { describe, expect, it } from 'vitest';
import { STACK } from '../localStackSetup.js';
import { readTopics } from '../readTopics.js';

/**
 * The local stack (infra/local/stack.sh) against real clients: a transactional producer and a
 * read_committed consumer on the Kafka broker, a schema registration on Apicurio's
 * Confluent-compatible API, and a query on the embedded ClickHouse endpoint.
 *
 * The stack's ports are fixed (non-default, 127.0.0.1) because the script serves developers
 * too; the integration project's global setup (../localStackSetup.ts) starts and stops it.
 */

const { kafkaBroker, registryUrl, clickhouseUrl } = STACK;

/** Consumes `topic` from the beginning until `last` arrives; returns every value seen. */
async function readUntil(kafka: KafkaJS.Kafka, topic: string, readUncommitted: boolean, last: string) {
  const seen = await readTopics(kafka, [topic], (m) => m.at(-1)?.value.toString() === last, {
    readUncommitted,
  });
  return seen.map((m) => m.value.toString());
}

describe('local stack', () => {
  it('Kafka: a read_committed consumer sees only the committed transaction', async () => {
    const kafka = new KafkaJS.Kafka({
      kafkaJS: { brokers: [kafkaBroker], logLevel: KafkaJS.logLevel.NOTHING },
    });
    const topic = `local-stack-${randomUUID()}`;
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
    } finally {
      await admin.disconnect();
    }

    const producer = kafka.producer({
      kafkaJS: { transactionalId: `local-stack-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 },
    });
    await producer.connect();
    try {
      const committed = await producer.transaction();
      await committed.send({ topic, messages: ['m1', 'm2', 'm3'].map((value) => ({ key: 'k', value })) });
      await committed.commit();

      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: [{ key: 'k', value: 'aborted' }] });
      await aborted.abort();

      // A committed end marker after the aborted record: reading up to it proves the consumer got
      // past the aborted record's offset, without waiting for something not to arrive.
      const end = await producer.transaction();
      await end.send({ topic, messages: [{ key: 'k', value: 'end' }] });
      await end.commit();
    } finally {
      await producer.disconnect();
    }

    const [readCommitted, readUncommitted] = await Promise.all([
      readUntil(kafka, topic, false, 'end'),
      readUntil(kafka, topic, true, 'end'),
    ]);
    expect(readCommitted).toEqual(['m1', 'm2', 'm3', 'end']);
    // The aborted record really is in the log: only the isolation level hides it.
    expect(readUncommitted).toEqual(['m1', 'm2', 'm3', 'aborted', 'end']);
  }, 90_000);

  it('Apicurio: the Confluent-compatible API registers a schema and returns its id', async () => {
    const subject = `local-stack-${randomUUID()}-value`;
    const schema = JSON.stringify({ type: 'record', name: 'Probe', fields: [{ name: 'n', type: 'int' }] });
    const response = await fetch(`${registryUrl}/subjects/${subject}/versions`, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
      body: JSON.stringify({ schema }),
    });
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: unknown };
    expect(Number.isInteger(id)).toBe(true);

    const subjects = (await (await fetch(`${registryUrl}/subjects`)).json()) as string[];
    expect(subjects).toContain(subject);
  });

  it('ClickHouse: the embedded endpoint answers SELECT 1', async () => {
    const response = await fetch(`${clickhouseUrl}/?query=${encodeURIComponent('SELECT 1')}`);
    expect(response.status).toBe(200);
    expect((await response.text()).trim()).toBe('1');
  });
});
