import { describe, expect, it } from 'vitest';
import { AvroSerde } from '../../../../connectors/avro/avroSerde.js';
import { telemetrySchema } from '../../../../connectors/avro/contractSchemas.js';
import { AvroDecodeError } from '../../../../connectors/avro/errors.js';
import { LocalSchemaRegistry } from '../../../../connectors/avro/localSchemaRegistry.js';
import {
  KafkaSource,
  KafkaSourceError,
  type KafkaSourceOptions,
  kafkaSource,
} from '../../../../connectors/kafka/kafkaSource.js';
import type { Telemetry } from '../../../../operators/control/contracts.js';
import { boundedOutOfOrderness } from '../../../../operators/time/watermarkStrategy.js';

/** The broker-free parts of kafkaSource; consuming is tested against the real stack in test/integration. */

const options: KafkaSourceOptions<Telemetry> = {
  kafka: { brokers: ['127.0.0.1:1'] },
  groupId: 'g',
  topics: ['telemetry'],
  serde: new AvroSerde(new LocalSchemaRegistry(), telemetrySchema),
  tsOf: (t) => t.ts,
  watermarks: boundedOutOfOrderness(1_000),
};

describe('kafkaSource options', () => {
  it('builds a source that connects nothing before a subscription', async () => {
    const source = kafkaSource(options);
    expect(source).toBeInstanceOf(KafkaSource);
    expect(source.metrics()).toEqual({
      records: 0,
      deadLetters: 0,
      pauses: 0,
      eventTimeRefused: { ahead: 0, behind: 0 },
      positions: [],
    });
    await source.close();
  });

  it.each([
    ['no brokers', { kafka: { brokers: [] } }, /kafka.brokers is empty/],
    ['an empty group id', { groupId: '' }, /groupId is empty/],
    ['no topics', { topics: [] }, /topics is empty/],
    [
      'a dead-letter topic that is also a source',
      { deadLetter: { topic: 'telemetry' } },
      /telemetry is also a source/,
    ],
  ])('rejects %s', (_, change, message) => {
    expect(() => kafkaSource({ ...options, ...change })).toThrow(message);
  });
});

describe('KafkaSourceError', () => {
  it('names the stage, the subject and the position, and keeps the cause and its retriable flag', () => {
    const pos = { topic: 'telemetry', partition: 2, offset: '9' };
    const cause = Object.assign(new Error('registry down'), { retriable: true });
    const error = new KafkaSourceError('decode', pos, 'topic telemetry', { cause });
    expect(error.message).toBe(
      'kafka source decode failed for topic telemetry at telemetry[2]@9: registry down',
    );
    expect(error.cause).toBe(cause);
    expect(error.retriable).toBe(true);
    expect(error.position).toEqual(pos);
  });

  it('is not retriable when its cause says so or says nothing', () => {
    const poison = new AvroDecodeError('corrupt-body', 3, undefined, 'bad union index');
    expect(new KafkaSourceError('poison', undefined, 'topic t', { cause: poison }).retriable).toBe(false);
    expect(new KafkaSourceError('connect', undefined, 'group g', { cause: 'refused' }).retriable).toBe(false);
  });
});
