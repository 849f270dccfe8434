import { describe, expect, it } from 'vitest';
import { AvroSerde } from '../../../../connectors/avro/avroSerde.js';
import { ReaderIncompatibleError } from '../../../../connectors/avro/errors.js';
import { DEAD_LETTER_HEADERS } from '../../../../connectors/kafka/deadLetterHeaders.js';
import { KafkaSourceError } from '../../../../connectors/kafka/kafkaSource.js';
import { TransactionalSinkError } from '../../../../connectors/kafka/transactionalSink.js';
import {
  CommittedOffsetsUnreadError,
  ExactlyOnceJob,
  JobFailedError,
} from '../../../../runtime/exactlyOnce/exactlyOnceJob.js';
import {
  CHANGELOG,
  committedCounts,
  countingJob,
  GROUP,
  INPUT,
  OUTPUT,
  readingSchema,
} from './countingJob.js';
import { FakeKafka } from './fakeKafka.js';

/**
 * The exactly-once protocol of ExactlyOnceJob against a broker in memory
 * (fakeKafka.ts): what each epoch's transaction holds, revocation, fencing,
 * restarts and restore. Against a real broker: test/integration.
 */

/** Outputs of one committed transaction, as `id:count`. */
function outputsOf(transaction: { messages: readonly { topic: string; value: Buffer | null }[] }): string[] {
  return transaction.messages
    .filter((m) => m.topic === OUTPUT)
    .map((m) => {
      const { id, count } = JSON.parse(m.value!.toString()) as { id: string; count: number };
      return `${id}:${count}`;
    });
}

function brokerWithInput(partitions: number): FakeKafka {
  const kafka = new FakeKafka();
  kafka.createTopic(INPUT, partitions);
  return kafka;
}

const retriable = (message: string) => Object.assign(new Error(message), { retriable: true });

describe('ExactlyOnceJob epochs', () => {
  it('closes epochs inside a fetched batch: a batch of 4 with maxRecords 3 spans two epochs', async () => {
    const kafka = brokerWithInput(2);
    const { options, produce } = countingJob(kafka, { epochs: { intervalMs: 60_000, maxRecords: 3 } });
    for (const n of [1, 2, 3, 4]) await produce(0, 'a', n);
    for (const n of [1, 2, 3]) await produce(1, 'b', n);
    // The default batch size: the fake hands over each partition's messages in one call, as the client does.
    const job = new ExactlyOnceJob({ ...options, source: { ...options.source, maxBatch: undefined } });
    const running = job.run();
    await kafka.until(() => kafka.transactions.length === 2 && kafka.consumers[0]!.delivered === 7);
    await job.stop();
    await running;

    // a1 a2 a3 | a4 b1 b2 | b3 (closed by stop): the barrier goes between two messages of one batch.
    expect(kafka.transactions.map(outputsOf)).toEqual([
      ['a:1', 'a:2', 'a:3'],
      ['a:4', 'b:1', 'b:2'],
      ['b:3'],
    ]);
    expect(kafka.transactions.map((t) => t.offsets)).toEqual([
      { 'readings:0': '3' },
      { 'readings:0': '4', 'readings:1': '2' },
      { 'readings:0': '4', 'readings:1': '3' },
    ]);
    expect(kafka.eventsOf('committed').map((e) => e.records)).toEqual([3, 3, 1]);
  });

  it('commits an epoch every maxRecords records, in order, each with its offsets and outputs', async () => {
    const kafka = brokerWithInput(2);
    const onCommitted: [number, string[]][] = [];
    const { options, produce } = countingJob(kafka, {
      epochs: { intervalMs: 60_000, maxRecords: 3 },
      onCommitted: (epoch, outputs) => onCommitted.push([epoch, outputs.map((o) => `${o.id}:${o.count}`)]),
    });
    for (const n of [1, 2, 3, 4]) await produce(0, 'a', n);
    for (const n of [1, 2, 3]) await produce(1, 'b', n);
    const job = new ExactlyOnceJob(options);
    const running = job.run();
    await kafka.until(() => kafka.transactions.length === 2 && kafka.consumers[0]!.delivered === 7);
    await job.stop();
    await running;

    // The consumer hands over the partitions in turn: a1 b1 a2 | b2 a3 b3 | a4 (closed by stop).
    expect(kafka.transactions.map(outputsOf)).toEqual([
      ['a:1', 'b:1', 'a:2'],
      ['b:2', 'a:3', 'b:3'],
      ['a:4'],
    ]);
    expect(kafka.transactions.map((t) => t.offsets)).toEqual([
      { 'readings:0': '2', 'readings:1': '1' },
      { 'readings:0': '3', 'readings:1': '3' },
      { 'readings:0': '4', 'readings:1': '3' },
    ]);
    expect(kafka.producers.map((p) => p.config)).toEqual([
      { kafkaJS: { transactionalId: 'counting-counting-0', idempotent: true, maxInFlightRequests: 1 } },
    ]);
    expect(kafka.transactions.every((t) => t.transactionalId === 'counting-counting-0')).toBe(true);
    expect(kafka.committedOffset(GROUP, INPUT, 0)).toBe('4');
    const committed = kafka.eventsOf('committed');
    expect(committed.map((e) => e.records)).toEqual([3, 3, 1]);
    const epochs = committed.map((e) => e.epoch);
    expect(epochs).toEqual([...epochs].sort((x, y) => x - y));
    expect(new Set(epochs).size).toBe(3);
    expect(onCommitted).toEqual(committed.map((e, i) => [e.epoch, outputsOf(kafka.transactions[i]!)]));
    expect(job.epochsCommitted).toBe(3);
    expect(kafka.eventsOf('stopped')).toEqual([{ event: 'stopped', epochsCommitted: 3 }]);
    // Each key's state went, with its epoch, to the changelog partition of its input partition.
    const states = kafka.messages(CHANGELOG).filter((m) => m.key?.startsWith('count/k/'));
    expect(states.map((m) => [m.key, m.partition])).toEqual([
      ['count/k/a', 0],
      ['count/k/a', 0],
      ['count/k/a', 0],
      ['count/k/b', 1],
      ['count/k/b', 1],
    ]);
  });

  it('closes an epoch by time when fewer than maxRecords records arrive', async () => {
    const kafka = brokerWithInput(1);
    const { options, produce } = countingJob(kafka, { epochs: { intervalMs: 20, maxRecords: 1_000 } });
    await produce(0, 'a', 1);
    await produce(0, 'a', 2);
    const job = new ExactlyOnceJob(options);
    const running = job.run();
    const committedRecords = () => kafka.eventsOf('committed').reduce((n, e) => n + e.records, 0);
    // Far fewer than maxRecords: only the interval closes these epochs.
    await kafka.until(() => committedRecords() === 2);
    expect(kafka.committedOffset(GROUP, INPUT, 0)).toBe('2');
    await produce(0, 'a', 3);
    await kafka.until(() => committedRecords() === 3);
    expect(kafka.committedOffset(GROUP, INPUT, 0)).toBe('3');
    expect(kafka.eventsOf('committed').at(-1)?.records).toBe(1);
    expect(outputsOf(kafka.transactions.at(-1)!)).toEqual(['a:3']);
    await job.stop();
    await running;
    expect(committedCounts(kafka)).toEqual(['a:1', 'a:2', 'a:3']);
  });
});

describe('ExactlyOnceJob at-least-once', () => {
  it('writes the same epochs without transactions: messages sent, then offsets committed by the consumer', async () => {
    const kafka = brokerWithInput(1);
    const { options, produce } = countingJob(kafka, {
      guarantee: 'at-least-once',
      epochs: { intervalMs: 60_000, maxRecords: 2 },
    });
    await produce(0, 'a', 1);
    await produce(0, 'a', 2);
    const job = new ExactlyOnceJob(options);
    const running = job.run();
    await kafka.until(() => kafka.eventsOf('committed').length === 1);
    await job.stop();
    await running;
    expect(kafka.producers[0]!.config).toEqual({ kafkaJS: { idempotent: true, acks: -1 } });
    expect(kafka.transactions).toEqual([]);
    expect(committedCounts(kafka)).toEqual(['a:1', 'a:2']);
    expect(kafka.committedOffset(GROUP, INPUT, 0)).toBe('2');
  });
});

describe('ExactlyOnceJob rebalancing', () => {
  it('commits the open epoch before a revocation returns, then rejoins with a fresh consumer from there', async () => {
    const kafka = brokerWithInput(2);
    const { options, produce } = countingJob(kafka);
    await produce(0, 'a', 1);
    await produce(1, 'b', 1);
    await produce(0, 'a', 2);
    const job = new ExactlyOnceJob(options);
    const running = job.run();
    await kafka.until(() => kafka.consumers[0]?.delivered === 3);
    expect(kafka.transactions).toEqual([]);

    await kafka.revoke(GROUP);
    // The partitions were still ours until the callback returned: the epoch is committed, whole.
    expect(kafka.transactions.map(outputsOf)).toEqual([['a:1', 'b:1', 'a:2']]);
    expect(kafka.transactions[0]!.offsets).toEqual({ 'readings:0': '2', 'readings:1': '1' });
    expect(kafka.eventsOf('revoked')).toHaveLength(1);

    await kafka.until(() => kafka.consumers[1]?.startedAt.size === 2);
    expect(job.isReady()).toBe(true);
    expect(kafka.eventsOf('rejoining')).toHaveLength(1);
    expect(kafka.timeline).toContain('consumer 0 disconnected');
    expect(kafka.timeline.indexOf('consumer 0 disconnected')).toBeLessThan(
      kafka.timeline.indexOf('consumer 1 connected'),
    );
    const fresh = kafka.consumers[1]!;
    expect(Object.fromEntries(fresh.startedAt)).toEqual({ 'readings:0': 2, 'readings:1': 1 });
    expect(kafka.restores).toEqual([
      [0, 1],
      [0, 1],
    ]);

    await produce(1, 'b', 2);
    await kafka.until(() => fresh.delivered === 1);
    await job.stop();
    await running;
    // Nothing replayed twice, and the count of b went on from its restored state.
    expect(committedCounts(kafka)).toEqual(['a:1', 'b:1', 'a:2', 'b:2']);
    expect(kafka.eventsOf('restarting')).toEqual([]);
  });

  it('restores exactly the assigned partitions from the changelog before their first message', async () => {
    const kafka = brokerWithInput(2);
    const first = countingJob(kafka);
    await first.produce(0, 'a', 1);
    await first.produce(0, 'a', 2);
    await first.produce(1, 'b', 1);
    const before = new ExactlyOnceJob(first.options);
    const done = before.run();
    await kafka.until(() => kafka.consumers[0]?.delivered === 3);
    await before.stop();
    await done;

    // A new instance that gets only partition 1 (b's).
    kafka.assignNext([1]);
    const second = countingJob(kafka);
    await second.produce(0, 'a', 3);
    await second.produce(1, 'b', 2);
    const after = new ExactlyOnceJob(second.options);
    const running = after.run();
    await kafka.until(() => kafka.consumers[1]?.delivered === 1);
    await after.stop();
    await running;

    expect(kafka.restores.at(-1)).toEqual([1]);
    const restored = kafka.eventsOf('restored').at(-1)!;
    // b's count and partition 1's source watermark: nothing of partition 0.
    expect([restored.partitions, restored.keys]).toEqual([[1], 2]);
    expect(after.restoreStats?.keys).toBe(2);
    const timeline = kafka.timeline.slice(kafka.timeline.indexOf('consumer 1 connected'));
    expect(timeline.slice(0, 4)).toEqual([
      'consumer 1 connected',
      'consumer 1 assigned readings[1]',
      'consumer 1 committed()',
      `restore ${CHANGELOG} [1]`,
    ]);
    expect(committedCounts(kafka)).toEqual(['a:1', 'b:1', 'a:2', 'b:2']);
    expect(kafka.committedOffset(GROUP, INPUT, 1)).toBe('2');
    expect(kafka.committedOffset(GROUP, INPUT, 0)).toBe('2');
  });
});

describe('ExactlyOnceJob failures', () => {
  it('never uses a fenced producer again: its epoch is dropped and replayed by a new producer', async () => {
    const kafka = brokerWithInput(1);
    const { options, produce } = countingJob(kafka, { epochs: { intervalMs: 60_000, maxRecords: 2 } });
    const job = new ExactlyOnceJob(options);
    const running = job.run();
    await produce(0, 'a', 1);
    await produce(0, 'a', 2);
    await kafka.until(() => kafka.transactions.length === 1);

    kafka.fence(job.transactionalId);
    await produce(0, 'a', 3);
    await produce(0, 'a', 4);
    await kafka.until(() => kafka.transactions.length === 2);
    await job.stop();
    await running;

    const [fenced] = kafka.eventsOf('fenced');
    expect(fenced?.message).toMatch(/^transactional sink \w+ failed .*: Producer fenced/);
    expect(kafka.eventsOf('restarting')).toMatchObject([{ attempt: 1, delayMs: 500 }]);
    const [zombie, successor] = kafka.producers;
    expect(kafka.producers).toHaveLength(2);
    expect(zombie!.disconnected).toBe(true);
    expect(successor!.transactionalId).toBe(zombie!.transactionalId);
    // The fenced producer committed nothing after it was fenced; its successor replayed a3, a4
    // (and committed the empty epoch that stop closes).
    expect(kafka.transactions.map((t) => [t.producer, outputsOf(t)])).toEqual([
      [0, ['a:1', 'a:2']],
      [1, ['a:3', 'a:4']],
      [1, []],
    ]);
    expect(Object.fromEntries(kafka.consumers[1]!.startedAt)).toEqual({ 'readings:0': 2 });
  });

  it('fails with JobFailedError when a fenced producer leaves no restart', async () => {
    const kafka = brokerWithInput(1);
    const { options, produce } = countingJob(kafka, {
      epochs: { intervalMs: 60_000, maxRecords: 1 },
      maxRestarts: 0,
    });
    const job = new ExactlyOnceJob(options);
    const running = job.run();
    await kafka.until(() => kafka.eventsOf('restored').length === 1);
    kafka.fence(job.transactionalId);
    await produce(0, 'a', 1);
    const error = await running.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(JobFailedError);
    const cause = (error as JobFailedError).cause as TransactionalSinkError;
    expect(cause).toBeInstanceOf(TransactionalSinkError);
    expect(cause.fenced).toBe(true);
    expect((error as Error).message).toMatch(
      /^job counting \(instance counting-0\) failed after 0 restarts: /,
    );
    expect(kafka.eventsOf('fenced')).toHaveLength(1);
    expect(kafka.eventsOf('restarting')).toEqual([]);
    expect(kafka.transactions).toEqual([]);
    expect(kafka.producers[0]!.disconnected).toBe(true);
  });

  it('restarts from the committed offsets after a retriable failure, backing off longer each time', async () => {
    const kafka = brokerWithInput(1);
    const { options, produce } = countingJob(kafka, { epochs: { intervalMs: 60_000, maxRecords: 2 } });
    const job = new ExactlyOnceJob(options);
    const running = job.run();
    await produce(0, 'a', 1);
    await produce(0, 'a', 2);
    await kafka.until(() => kafka.transactions.length === 1);

    kafka.failNext('commit', retriable('coordinator not available'));
    kafka.failNext('commit', retriable('coordinator not available'));
    await produce(0, 'a', 3);
    await produce(0, 'a', 4);
    await kafka.until(() => kafka.transactions.length === 2);
    await job.stop();
    await running;

    // No commit between the two failures: the second waits twice as long.
    expect(kafka.eventsOf('restarting').map((e) => [e.attempt, e.delayMs])).toEqual([
      [1, 500],
      [2, 1_000],
    ]);
    expect(kafka.eventsOf('restarting')[0]?.reason).toMatch(
      /transactional sink commit failed for epoch \d+ .*: coordinator not available/,
    );
    expect(kafka.consumers.map((c) => c.startedAt.get('readings:0'))).toEqual([0, 2, 2]);
    expect(kafka.timeline.filter((t) => t.startsWith('abort'))).toEqual([
      'abort by producer 0',
      'abort by producer 1',
    ]);
    expect(committedCounts(kafka)).toEqual(['a:1', 'a:2', 'a:3', 'a:4']);
  });

  it('hands onCommitted no output of an aborted epoch: only what the log holds, once (what a live view shows)', async () => {
    const kafka = brokerWithInput(1);
    const seen: string[] = [];
    const { options, produce } = countingJob(kafka, {
      epochs: { intervalMs: 60_000, maxRecords: 2 },
      onCommitted: (_epoch, outputs) => seen.push(...outputs.map((o) => `${o.id}:${o.count}`)),
    });
    const job = new ExactlyOnceJob(options);
    const running = job.run();
    await produce(0, 'a', 1);
    await produce(0, 'a', 2);
    await kafka.until(() => kafka.transactions.length === 1);
    // onCommitted runs once the barrier has passed the committed transaction, a moment after it.
    while (seen.length < 2) await new Promise((r) => setTimeout(r, 5));
    expect(seen).toEqual(['a:1', 'a:2']);

    // a3 a4 reach the sink, their commit fails and aborts: replayed from the committed offset, then committed.
    kafka.failNext('commit', retriable('coordinator not available'));
    await produce(0, 'a', 3);
    await produce(0, 'a', 4);
    await kafka.until(() => kafka.eventsOf('restarting').length === 1);
    expect(seen).toEqual(['a:1', 'a:2']);
    await kafka.until(() => kafka.transactions.length === 2);
    await job.stop();
    await running;

    expect(kafka.timeline.filter((t) => t.startsWith('abort'))).toEqual(['abort by producer 0']);
    expect(seen).toEqual(committedCounts(kafka));
    expect(seen).toEqual(['a:1', 'a:2', 'a:3', 'a:4']);
  });

  it('writes dead letters in the transaction that commits their offsets: once, even when an epoch aborts', async () => {
    const kafka = brokerWithInput(1);
    const DLQ = 'readings-dlq';
    const base = countingJob(kafka, { epochs: { intervalMs: 60_000, maxRecords: 2 } });
    const job = new ExactlyOnceJob({
      ...base.options,
      source: { ...base.options.source, deadLetter: { topic: DLQ } },
    });
    const running = job.run();
    await base.produce(0, 'a', 1);
    kafka.produce(INPUT, 0, 'bad-1', Buffer.from('not avro'));
    await kafka.until(() => kafka.transactions.length === 1);
    // The poison message's dead letter and its offset are in one transaction.
    const [first] = kafka.transactions;
    expect(first!.messages.filter((m) => m.topic !== CHANGELOG).map((m) => `${m.topic}:${m.key}`)).toEqual([
      `${OUTPUT}:a`,
      `${DLQ}:bad-1`,
    ]);
    expect(first!.offsets).toEqual({ 'readings:0': '2' });

    // The next epoch's commit fails: its dead letter is aborted with it, and written once on replay.
    kafka.failNext('commit', retriable('coordinator not available'));
    kafka.produce(INPUT, 0, 'bad-2', Buffer.from([0, 0, 0, 0, 99]));
    await base.produce(0, 'a', 2);
    await kafka.until(() => kafka.eventsOf('restarting').length === 1);
    await kafka.until(() => kafka.transactions.length === 2);
    await job.stop();
    await running;

    expect(kafka.timeline.filter((t) => t.startsWith('abort'))).toEqual(['abort by producer 0']);
    expect(kafka.messages(DLQ).map((m) => m.key)).toEqual(['bad-1', 'bad-2']);
    expect(kafka.transactions[1]!.offsets).toEqual({ 'readings:0': '4' });
    expect(committedCounts(kafka)).toEqual(['a:1', 'a:2']);
  });

  it('dead-letters a record stamped far ahead or far behind, and leaves the watermark where it was', async () => {
    const kafka = brokerWithInput(1);
    const DLQ = 'readings-dlq';
    const base = countingJob(kafka, { epochs: { intervalMs: 60_000, maxRecords: 100 } });
    const job = new ExactlyOnceJob({
      ...base.options,
      source: {
        ...base.options.source,
        deadLetter: { topic: DLQ },
        eventTimeBounds: { maxAheadMs: 3_600_000, maxBehindMs: 5_000 },
      },
    });
    const running = job.run();
    await base.produceAt(0, 'a', 1, 10_000);
    await base.produceAt(0, 'a', 2, 20_000);
    // A sensor whose clock says 2100, and one stamped long before its partition's history.
    await base.produceAt(0, 'future', 3, Date.UTC(2100, 0, 1));
    await base.produceAt(0, 'past', 4, 1_000);
    await base.produceAt(0, 'a', 5, 21_000);
    await kafka.until(() => kafka.consumers[0]?.delivered === 5);
    const stats = job.inputStats();
    await job.stop();
    await running;

    expect(stats.eventTimeRefused).toEqual({ ahead: 1, behind: 1 });
    // The year-2100 reading moved nothing: the partition's watermark is the good readings' (21 s − 1 s − 1 ms).
    expect(stats.watermarks.map((w) => w.watermark)).toEqual([19_999]);
    expect(kafka.messages(DLQ).map((m) => m.key)).toEqual(['future', 'past']);
    // The reading after them is on time and counted.
    expect(committedCounts(kafka)).toEqual(['a:1', 'a:2', 'a:3']);
  });

  it('dead-letters a record whose writer schema cannot be read as a Reading, naming the field, and keeps running', async () => {
    const kafka = brokerWithInput(1);
    const DLQ = 'readings-dlq';
    const base = countingJob(kafka, { epochs: { intervalMs: 60_000, maxRecords: 100 } });
    const job = new ExactlyOnceJob({
      ...base.options,
      source: { ...base.options.source, deadLetter: { topic: DLQ } },
    });
    const running = job.run();
    await base.produce(0, 'a', 1);
    // A producer of its own registers a Reading whose n is a string, under another subject (so the
    // registry accepts it), and writes it to the job's input: its schema id names a real schema.
    const rogueSchema = {
      ...readingSchema,
      fields: (readingSchema.fields as { name: string }[]).map((f) =>
        f.name === 'n' ? { name: 'n', type: 'string' } : f,
      ),
    };
    const rogue = new AvroSerde<{ id: string; ts: number; n: string }>(base.registry, rogueSchema);
    const rogueBytes = await rogue.encode('rogue-readings', { id: 'rogue', ts: 2_000, n: 'two' });
    kafka.produce(INPUT, 0, 'rogue', rogueBytes);
    await base.produce(0, 'a', 3);
    await kafka.until(() => kafka.consumers[0]?.delivered === 3);
    const stats = job.inputStats();
    await job.stop();
    await running;

    expect(kafka.eventsOf('restarting')).toEqual([]);
    const [letter, ...more] = kafka.messages(DLQ);
    expect(more).toEqual([]);
    expect(letter?.key?.toString()).toBe('rogue');
    expect(letter?.value).toEqual(rogueBytes);
    expect(letter?.headers?.[DEAD_LETTER_HEADERS.schemaId]?.toString()).toBe(
      String(rogueBytes.readUInt32BE(1)),
    );
    expect(letter?.headers?.[DEAD_LETTER_HEADERS.error]?.toString()).toMatch(
      /^incompatible-schema: .*field n: type changed string → int/,
    );
    // The job went on: the good record after it is counted (the rogue one never reached the state).
    expect(committedCounts(kafka)).toEqual(['a:1', 'a:2']);
    expect(stats.deadLetters).toBe(1);
  });

  it('fails at once, without a restart, on a failure that is not retriable', async () => {
    const kafka = brokerWithInput(1);
    const { options, produce } = countingJob(kafka, { epochs: { intervalMs: 60_000, maxRecords: 1 } });
    kafka.failNext('commit', new Error('record too large'));
    const job = new ExactlyOnceJob(options);
    const running = job.run();
    await produce(0, 'a', 1);
    await expect(running).rejects.toThrow(/failed: transactional sink commit failed .*record too large/);
    expect(kafka.eventsOf('restarting')).toEqual([]);
    expect(committedCounts(kafka)).toEqual([]);
  });
});

describe('ExactlyOnceJob reading committed offsets before a restore', () => {
  it('restores nothing when they cannot be read, and restarts when the cause is retriable', async () => {
    const kafka = brokerWithInput(2);
    const { options, produce } = countingJob(kafka);
    await produce(0, 'a', 1);
    kafka.failNext('committed', retriable('coordinator load in progress'));
    const job = new ExactlyOnceJob(options);
    const running = job.run();
    await kafka.until(() => kafka.consumers[1]?.delivered === 1);
    await job.stop();
    await running;

    const [restart] = kafka.eventsOf('restarting');
    expect(restart?.reason).toBe(
      'kafka source rebalance failed for group counting: the committed offsets of readings[0], readings[1] ' +
        'could not be read, so their state was not restored: coordinator load in progress',
    );
    // The first member never read the changelog; the second did, after reading the offsets.
    expect(kafka.timeline.slice(0, kafka.timeline.indexOf('consumer 1 connected'))).not.toContainEqual(
      expect.stringMatching(/^restore /),
    );
    expect(kafka.restores).toEqual([[0, 1]]);
    expect(committedCounts(kafka)).toEqual(['a:1']);
  });

  it('fails the job naming the partitions and the cause when the cause is not retriable', async () => {
    const kafka = brokerWithInput(1);
    const { options } = countingJob(kafka);
    const cause = new Error('group authorization failed');
    kafka.failNext('committed', cause);
    const error = await new ExactlyOnceJob(options).run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(JobFailedError);
    const sourceError = (error as JobFailedError).cause as KafkaSourceError;
    expect(sourceError).toBeInstanceOf(KafkaSourceError);
    expect(sourceError.stage).toBe('rebalance');
    const unread = sourceError.cause as CommittedOffsetsUnreadError;
    expect(unread).toBeInstanceOf(CommittedOffsetsUnreadError);
    expect(unread.partitions).toEqual([{ topic: INPUT, partition: 0 }]);
    expect(unread.retriable).toBe(false);
    expect(unread.cause).toBe(cause);
    expect(unread.message).toBe(
      'the committed offsets of readings[0] could not be read, so their state was not restored: group authorization failed',
    );
    expect(kafka.restores).toEqual([]);
    expect(kafka.eventsOf('restarting')).toEqual([]);
  });

  it('does not start when the latest schema of its input cannot be read with its reader schema', async () => {
    const kafka = brokerWithInput(1);
    const { options, registry } = countingJob(kafka);
    // The producers moved to a schema without n, which the job's reader needs (no default).
    await registry.register(`${INPUT}-value`, {
      type: 'record',
      name: 'Reading',
      namespace: 'twinflow.test',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'ts', type: 'long' },
      ],
    });
    const error = await new ExactlyOnceJob(options).run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ReaderIncompatibleError);
    expect((error as Error).message).toContain(`input topic ${INPUT}: its latest schema`);
    expect((error as Error).message).toContain('field n: added without a default');
    // Nothing was consumed or written.
    expect(kafka.consumers).toHaveLength(0);
    expect(kafka.transactions).toHaveLength(0);
  });
});
