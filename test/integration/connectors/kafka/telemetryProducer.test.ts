import { randomUUID } from 'node:crypto';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { describe, expect, it } from 'vitest';
import { AvroSerde } from '../../../../connectors/avro/avroSerde.js';
import { ConfluentSchemaRegistry } from '../../../../connectors/avro/confluentSchemaRegistry.js';
import { telemetrySchema } from '../../../../connectors/avro/contractSchemas.js';
import type { Telemetry } from '../../../../operators/control/contracts.js';
import { DEFAULT_CATALOGUE } from '../../../../pipelines/machine-health/embeddedJob.js';
import {
  machineHealthSimulator,
  type ProduceConfig,
  produceMachineHealthTelemetry,
  runProduceFromCli,
} from '../../../../pipelines/machine-health/produce.js';
import { anchoredStartTs } from '../../../../pipelines/machine-health/produceTimeline.js';
import { STACK } from '../../localStackSetup.js';
import { readTopics } from '../../readTopics.js';

/**
 * `twinflow produce` against the local stack: simulated telemetry through the idempotent
 * producer and the real registry, read back by a read_committed consumer. Fresh topics per test.
 */

function kafka(): KafkaJS.Kafka {
  return new KafkaJS.Kafka({ kafkaJS: { brokers: [STACK.kafkaBroker], logLevel: KafkaJS.logLevel.NOTHING } });
}

interface Consumed {
  readonly key: string;
  readonly partition: number;
  readonly value: Buffer;
}

/** Reads `topic` from the beginning (read_committed) until `count` messages have arrived. */
async function consume(topic: string, count: number): Promise<Consumed[]> {
  const seen = await readTopics(kafka(), [topic], (m) => m.length === count);
  return seen.map((m) => ({ key: m.key, partition: m.partition, value: m.value }));
}

async function deleteTopic(topic: string): Promise<void> {
  const admin = kafka().admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
  } catch {
    // Best effort: a topic left behind has a unique name and harms no other test.
  } finally {
    await admin.disconnect();
  }
}

describe('twinflow produce (real Kafka and registry)', () => {
  it('publishes 3 ticks × 12 assets keyed by asset id; a read_committed consumer decodes the simulator readings', async () => {
    const config: ProduceConfig = {
      brokers: [STACK.kafkaBroker],
      registry: STACK.registryUrl,
      topic: `it-telemetry-${randomUUID()}`,
      partitions: 4,
      assets: 12,
      ticks: 3,
      tickS: 30,
      rate: 0,
      seed: 42,
      cataloguePath: DEFAULT_CATALOGUE,
      startTs: anchoredStartTs(3, 30_000, Date.now()),
    };
    try {
      const report = await produceMachineHealthTelemetry(config);
      expect(report).toMatchObject({ ticks: 3, events: 36, topic: config.topic });
      expect(report.topics.created).toEqual([config.topic]);

      const consumed = await consume(config.topic, 36);
      const serde = new AvroSerde(new ConfluentSchemaRegistry({ host: STACK.registryUrl }), telemetrySchema);
      const byAsset = new Map<string, Telemetry[]>();
      const partitionOf = new Map<string, Set<number>>();
      for (const message of consumed) {
        const { value } = await serde.decode(message.value, `${config.topic}[${message.partition}]`);
        expect(message.key).toBe(value.assetId);
        byAsset.set(value.assetId, [...(byAsset.get(value.assetId) ?? []), value]);
        partitionOf.set(message.key, (partitionOf.get(message.key) ?? new Set()).add(message.partition));
      }

      const simulator = await machineHealthSimulator(config);
      const expected = new Map<string, Telemetry[]>();
      for (let tick = 0; tick < 3; tick++) {
        for (const reading of simulator.step()) {
          expected.set(reading.assetId, [...(expected.get(reading.assetId) ?? []), reading]);
        }
      }
      // Per asset: every reading, in order (one key, one partition, ordered by the idempotent producer).
      expect(byAsset).toEqual(expected);
      expect([...partitionOf.values()].every((partitions) => partitions.size === 1)).toBe(true);
      expect(new Set([...partitionOf.values()].flatMap((p) => [...p])).size).toBeGreaterThan(1);
    } finally {
      await deleteTopic(config.topic);
    }
  });

  it('runs from the command line: summary on stdout, progress in events/s on stderr', async () => {
    const topic = `it-telemetry-cli-${randomUUID()}`;
    const out: string[] = [];
    const err: string[] = [];
    try {
      const code = await runProduceFromCli(
        [
          ...['--brokers', STACK.kafkaBroker, '--registry', STACK.registryUrl, '--topic', topic],
          ...['--assets', '12', '--ticks', '2', '--partitions', '2', '--rate', '200'],
        ],
        { out: (line) => out.push(line), err: (line) => err.push(line) },
      );
      expect(code).toBe(0);
      expect(out).toHaveLength(1);
      expect(out[0]).toMatch(
        new RegExp(`^produced 24 events \\(2 ticks × 12 assets\\) to ${topic} \\(created\\)`),
      );
      expect(err[0]).toContain('12 assets × 2 ticks');
      expect(err.at(-1)).toMatch(/tick 2\/2, 24 events, \d+ events\/s/);
      expect(await consume(topic, 24)).toHaveLength(24);
    } finally {
      await deleteTopic(topic);
    }
  });
});
