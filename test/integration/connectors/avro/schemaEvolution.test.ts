import { randomUUID } from 'node:crypto';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { describe, expect, it } from 'vitest';
import { AvroSerde } from '../../../../connectors/avro/avroSerde.js';
import { ConfluentSchemaRegistry } from '../../../../connectors/avro/confluentSchemaRegistry.js';
import { telemetrySchema } from '../../../../connectors/avro/contractSchemas.js';
import { ReaderIncompatibleError, SchemaIncompatibleError } from '../../../../connectors/avro/errors.js';
import type { AvroSchemaObject } from '../../../../connectors/avro/schemaRegistry.js';
import { DEAD_LETTER_HEADERS } from '../../../../connectors/kafka/deadLetterHeaders.js';
import { changelogTopicSpec, ensureTopics, type TopicSpec } from '../../../../connectors/kafka/topicAdmin.js';
import type { Telemetry } from '../../../../operators/control/contracts.js';
import { boundedOutOfOrderness } from '../../../../operators/time/watermarkStrategy.js';
import { ExactlyOnceJob, type JobEvent } from '../../../../runtime/exactlyOnce/exactlyOnceJob.js';
import { STACK } from '../../localStackSetup.js';
import { readTopics } from '../../readTopics.js';

/**
 * Schema evolution both ways against the local stack (Kafka, Apicurio's Confluent-compatible
 * registry): an incompatible new version of a subject is refused at registration, naming the
 * field; a message whose writer schema (a real schema, registered under another subject) cannot
 * be read as the job's Telemetry is dead-lettered naming the field, and the job goes on with the
 * next good message. Fresh topics, subjects and group per run.
 */

const reading = (seq: number): Telemetry => ({
  assetId: 'pump-001',
  site: 'plant-a',
  line: 'line-1',
  ts: Date.UTC(2026, 0, 5, 8) + seq * 1_000,
  seq,
  temperatureC: 61.25,
  vibrationMmS: null,
  loadPct: 82.5,
  pressureBar: 4.1,
  powerKw: 37.9,
  rpm: 1480,
  runState: 'RUNNING',
  goodUnits: 1200 + seq,
  rejectedUnits: 3,
  loadLimitPct: null,
});

type Field = { readonly name: string; readonly type: unknown };

/** The telemetry contract with goodUnits (a long) turned into a string: no reader of v1 data can read it. */
const goodUnitsAsString: AvroSchemaObject = {
  ...telemetrySchema,
  fields: (telemetrySchema.fields as Field[]).map((f) =>
    f.name === 'goodUnits' ? { ...f, type: 'string' } : f,
  ),
};

function kafka(): KafkaJS.Kafka {
  return new KafkaJS.Kafka({ kafkaJS: { brokers: [STACK.kafkaBroker], logLevel: KafkaJS.logLevel.NOTHING } });
}

function registry(): ConfluentSchemaRegistry {
  return new ConfluentSchemaRegistry({ host: STACK.registryUrl });
}

/** Resolves once `condition` holds, checking every 100 ms; rejects naming `what` after `timeoutMs`. */
async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('schema evolution (real Kafka and registry)', () => {
  it('refuses an incompatible v2 at registration, naming the subject, the field and what changed', async () => {
    const subject = `it-evolution-${randomUUID()}-value`;
    const v1 = await registry().register(subject, telemetrySchema);

    const error = await registry()
      .register(subject, goodUnitsAsString)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaIncompatibleError);
    expect(error).toMatchObject({
      subject,
      field: 'goodUnits',
      againstVersion: 1,
      detail: 'type changed long → string',
      retriable: false,
    });
    const message = (error as Error).message;
    expect(message).toContain(`schema for subject ${subject} is not BACKWARD compatible with version 1`);
    expect(message).toContain('field goodUnits: type changed long → string');
    expect(message).toContain('BACKWARD compatibility requires a reader of the new schema');
    // The registry's own answer is kept beside the local explanation.
    expect(message).toContain('the registry answered: HTTP 409');
    // Refused means not registered: the subject still ends at v1.
    expect(await registry().latest(subject)).toMatchObject({ id: v1, version: 1 });
  });

  it('dead-letters a message whose writer schema cannot be read, naming the field, and goes on with the next one', {
    timeout: 60_000,
  }, async () => {
    const topic = `it-evolution-${randomUUID()}`;
    const topics = {
      input: topic,
      changelog: `${topic}-state`,
      output: `${topic}-out`,
      deadLetter: `${topic}-dlq`,
    };
    const input: TopicSpec = { topic: topics.input, partitions: 1, replicationFactor: 1 };
    const admin = kafka().admin();
    await admin.connect();
    try {
      await ensureTopics(admin, [
        input,
        changelogTopicSpec(topics.changelog, input),
        { topic: topics.output, partitions: 1, replicationFactor: 1 },
        { topic: topics.deadLetter, partitions: 1, replicationFactor: 1 },
      ]);
    } finally {
      await admin.disconnect();
    }

    // The job's contract on its input topic; a rogue producer's schema, registered (it is valid Avro)
    // under a subject of its own, so its id names a real schema the job's Telemetry cannot read.
    const serde = new AvroSerde(registry(), telemetrySchema);
    const rogueSerde = new AvroSerde<unknown>(registry(), goodUnitsAsString);
    const first = await serde.encode(topics.input, reading(1));
    const rogue = await rogueSerde.encode(`${topic}-rogue`, { ...reading(2), goodUnits: 'twelve hundred' });
    const next = await serde.encode(topics.input, reading(3));
    const rogueId = rogue.readUInt32BE(1);
    expect(rogueId).not.toBe(first.readUInt32BE(1));

    const producer = kafka().producer();
    await producer.connect();
    try {
      await producer.send({
        topic: topics.input,
        messages: [
          { partition: 0, key: 'good-1', value: first },
          { partition: 0, key: 'rogue', value: rogue },
          { partition: 0, key: 'good-3', value: next },
        ],
      });
    } finally {
      await producer.disconnect();
    }

    const outputs: Telemetry[] = [];
    const events: JobEvent[] = [];
    const job = new ExactlyOnceJob<Telemetry, Telemetry>({
      kafka: { brokers: [STACK.kafkaBroker], clientId: 'it-schema-evolution' },
      groupId: `it-evolution-${randomUUID()}`,
      instanceId: 'it-evolution-0',
      source: {
        topics: [topics.input],
        serde: new AvroSerde(registry(), telemetrySchema),
        tsOf: (t) => t.ts,
        watermarks: boundedOutOfOrderness(1_000),
        deadLetter: { topic: topics.deadLetter },
      },
      changelogTopic: topics.changelog,
      epochs: { intervalMs: 500, maxRecords: 1_000 },
      graph: (input$) => input$,
      route: (record) => [
        { topic: topics.output, key: record.value.assetId, value: Buffer.from(JSON.stringify(record.value)) },
      ],
      onCommitted: (_epoch, committed) => outputs.push(...committed),
      log: (event) => events.push(event),
    });
    const running = job.run();
    let deadLetters: number;
    try {
      await until(() => outputs.some((o) => o.seq === 3), 'the good message after the rogue one');
      deadLetters = job.inputStats().deadLetters;
    } finally {
      await job.stop();
    }
    // run() resolves (a failed job rejects it): the rogue message did not bring the job down.
    await running;

    // No restart on the rogue message's account (a fresh broker may still cause a retriable one).
    const restarts = events.filter((e) => e.event === 'restarting');
    expect(restarts.filter((e) => /incompatible-schema|goodUnits|decode/.test(e.reason))).toEqual([]);
    expect(outputs.map((o) => o.seq)).toEqual([1, 3]);
    expect(deadLetters).toBe(1);

    const [letter] = await readTopics(kafka(), [topics.deadLetter], (seen) => seen.length >= 1);
    expect(letter.key).toBe('rogue');
    expect(Buffer.compare(letter.value, rogue)).toBe(0);
    expect(letter.headers[DEAD_LETTER_HEADERS.schemaId]).toBe(String(rogueId));
    const reason = letter.headers[DEAD_LETTER_HEADERS.error];
    expect(reason.startsWith('incompatible-schema: ')).toBe(true);
    expect(reason).toContain('field goodUnits: type changed string → long');
    expect(letter.headers[DEAD_LETTER_HEADERS.source]).toBe(`${topics.input}/0/1`);
  });

  it('refuses to start a job whose reader cannot read the latest schema of its input topic, naming the field', async () => {
    const input = `it-evolution-moved-on-${randomUUID()}`;
    // The producers of this topic registered goodUnits as a string (its first version, so accepted).
    const version = await registry().register(`${input}-value`, goodUnitsAsString);
    const job = new ExactlyOnceJob<Telemetry, Telemetry>({
      kafka: { brokers: [STACK.kafkaBroker], clientId: 'it-schema-evolution' },
      groupId: `it-evolution-${randomUUID()}`,
      instanceId: 'it-evolution-1',
      source: {
        topics: [input],
        serde: new AvroSerde(registry(), telemetrySchema),
        tsOf: (t) => t.ts,
        watermarks: boundedOutOfOrderness(1_000),
      },
      changelogTopic: `${input}-state`,
      epochs: { intervalMs: 500, maxRecords: 1_000 },
      graph: (input$) => input$,
      route: () => [],
    });
    const error = await job.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReaderIncompatibleError);
    expect((error as Error).message).toContain(
      `input topic ${input}: its latest schema (subject ${input}-value, version 1, id ${version})`,
    );
    expect((error as Error).message).toContain('field goodUnits: type changed string → long');
  });
});
