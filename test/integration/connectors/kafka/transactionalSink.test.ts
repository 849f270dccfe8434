import { randomUUID } from 'node:crypto';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { from, lastValueFrom, toArray } from 'rxjs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type EpochTransaction,
  type SinkMessage,
  type TransactionalProducer,
  TransactionalSinkError,
  transactionalSink,
} from '../../../../connectors/kafka/transactionalSink.js';
import {
  barrier,
  record,
  type StreamElement,
  type StreamRecord,
} from '../../../../operators/core/element.js';
import { STACK } from '../../localStackSetup.js';
import { readTopics } from '../../readTopics.js';

/**
 * transactionalSink against the local stack's Kafka: epochs committed as transactions on fresh
 * topics, read back read_committed (and read_uncommitted, to see what is in the log); a run failing
 * mid-epoch; and a zombie producer fenced by a newer one with the same transactionalId.
 *
 * Every check reads up to a committed end marker written after the run, so "never visible" is
 * proved by reading past it, not by waiting for something not to arrive.
 */

interface Update {
  readonly asset: string;
  readonly epoch: number;
  readonly n: number;
}

const END = 'end';
const kafka = new KafkaJS.Kafka({
  kafkaJS: { brokers: [STACK.kafkaBroker], logLevel: KafkaJS.logLevel.NOTHING },
});
const producers: KafkaJS.Producer[] = [];

async function createTopics(...topics: string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
}

async function connectedProducer(transactionalId: string): Promise<KafkaJS.Producer> {
  const producer = kafka.producer({ kafkaJS: { transactionalId, idempotent: true, maxInFlightRequests: 1 } });
  producers.push(producer);
  await producer.connect();
  return producer;
}

/** Writes the end marker to each topic in a committed transaction of a producer of its own. */
async function writeEnd(...topics: string[]): Promise<void> {
  const producer = await connectedProducer(`tx-sink-end-${randomUUID()}`);
  const t = await producer.transaction();
  await t.sendBatch({
    topicMessages: topics.map((topic) => ({ topic, messages: [{ key: END, value: END }] })),
  });
  await t.commit();
}

/** Reads the topics from the beginning up to their end markers; per topic, `key=value` of each message before it. */
async function readAll(topics: string[], readUncommitted = false): Promise<Record<string, string[]>> {
  const ended = (m: readonly { topic: string; key: string }[]) =>
    topics.every((t) => m.some((x) => x.topic === t && x.key === END));
  const messages = await readTopics(kafka, topics, ended, { readUncommitted });
  const seen: Record<string, string[]> = Object.fromEntries(topics.map((t) => [t, []]));
  const open = new Set(topics);
  for (const m of messages) {
    if (m.key === END) open.delete(m.topic);
    else if (open.has(m.topic)) seen[m.topic]!.push(`${m.key}=${m.value.toString()}`);
  }
  return seen;
}

const up = (asset: string, epoch: number, n: number): StreamRecord<Update> =>
  record({ asset, epoch, n }, n, asset);

function routeTo(commands: string, changelog: string) {
  return (r: StreamRecord<Update>): SinkMessage[] => {
    const { asset, epoch, n } = r.value;
    return [
      { topic: commands, key: asset, value: Buffer.from(`e${epoch}-cmd${n}`) },
      { topic: changelog, key: asset, value: Buffer.from(`e${epoch}-state${n}`) },
    ];
  };
}

afterAll(async () => {
  await Promise.allSettled(producers.map((p) => p.disconnect()));
});

describe('transactionalSink on Kafka', () => {
  it('commits epochs 1..3; read_committed sees all their messages, the changelog coalesced per epoch', async () => {
    const commands = `tx-sink-commands-${randomUUID()}`;
    const changelog = `tx-sink-changelog-${randomUUID()}`;
    await createTopics(commands, changelog);
    const producer = await connectedProducer(`tx-sink-${randomUUID()}`);
    const elements: StreamElement<Update>[] = [
      up('a', 1, 1),
      up('b', 1, 2),
      up('a', 1, 3),
      barrier(1),
      up('b', 2, 4),
      up('b', 2, 5),
      barrier(2),
      up('a', 3, 6),
      up('c', 3, 7),
      up('a', 3, 8),
      barrier(3),
    ];
    const out = await lastValueFrom(
      from(elements).pipe(
        transactionalSink<Update>({
          producer,
          route: routeTo(commands, changelog),
          coalesceKey: (m) => (m.topic === changelog ? m.key.toString() : undefined),
        }),
        toArray(),
      ),
    );
    expect(out).toEqual(elements);
    await writeEnd(commands, changelog);

    const seen = await readAll([commands, changelog]);
    expect(seen[commands]).toEqual([
      'a=e1-cmd1',
      'b=e1-cmd2',
      'a=e1-cmd3',
      'b=e2-cmd4',
      'b=e2-cmd5',
      'a=e3-cmd6',
      'c=e3-cmd7',
      'a=e3-cmd8',
    ]);
    expect(seen[changelog]).toEqual([
      'b=e1-state2',
      'a=e1-state3',
      'b=e2-state5',
      'c=e3-state7',
      'a=e3-state8',
    ]);
  });

  it('a run failing mid-epoch 2 leaves epoch 1 committed and nothing of epoch 2 in the log', async () => {
    const cmd = `tx-sink-commands-${randomUUID()}`;
    const log = `tx-sink-changelog-${randomUUID()}`;
    await createTopics(cmd, log);
    const producer = await connectedProducer(`tx-sink-${randomUUID()}`);
    const route = routeTo(cmd, log);
    const failure = new Error('route failed on record n=5');
    const elements: StreamElement<Update>[] = [
      up('a', 1, 1),
      up('a', 1, 2),
      barrier(1),
      up('b', 2, 3),
      up('b', 2, 4),
      up('x', 2, 5),
      barrier(2),
    ];
    const out: StreamElement<Update>[] = [];
    const error = await new Promise<unknown>((resolve) => {
      from(elements)
        .pipe(
          transactionalSink<Update>({
            producer,
            route: (r) => {
              if (r.value.n === 5) throw failure;
              return route(r);
            },
            coalesceKey: (m) => (m.topic === log ? m.key.toString() : undefined),
          }),
        )
        .subscribe({ next: (e) => out.push(e), error: resolve, complete: () => resolve(undefined) });
    });
    expect(error).toBe(failure);
    expect(out).toEqual(elements.slice(0, 5));
    await writeEnd(cmd, log);

    const [committed, uncommitted] = await Promise.all([readAll([cmd, log]), readAll([cmd, log], true)]);
    expect(committed).toEqual({ [cmd]: ['a=e1-cmd1', 'a=e1-cmd2'], [log]: ['a=e1-state2'] });
    expect(uncommitted).toEqual(committed);
  });

  it('a producer fenced by a newer one with the same transactionalId fails its commit with fenced=true', async () => {
    const cmd = `tx-sink-commands-${randomUUID()}`;
    const log = `tx-sink-changelog-${randomUUID()}`;
    await createTopics(cmd, log);
    const transactionalId = `tx-sink-${randomUUID()}`;
    const zombie = await connectedProducer(transactionalId);
    // The newer instance starts after the zombie sent its epoch and before it commits: its
    // initialisation bumps the producer epoch and aborts the zombie's open transaction.
    const racing: TransactionalProducer = {
      async transaction(): Promise<EpochTransaction> {
        const t = await zombie.transaction();
        return {
          sendBatch: (batch) => t.sendBatch(batch),
          sendOffsets: (args) => t.sendOffsets(args),
          abort: () => t.abort(),
          commit: async () => {
            await connectedProducer(transactionalId);
            return t.commit();
          },
        };
      },
    };
    const out: StreamElement<Update>[] = [];
    const error = await new Promise<unknown>((resolve) => {
      from([up('a', 1, 1), up('b', 1, 2), barrier(1)])
        .pipe(transactionalSink<Update>({ producer: racing, route: routeTo(cmd, log) }))
        .subscribe({ next: (e) => out.push(e), error: resolve, complete: () => resolve(undefined) });
    });
    expect(error).toBeInstanceOf(TransactionalSinkError);
    const e = error as TransactionalSinkError;
    expect([e.stage, e.epoch, e.fenced, e.retriable]).toEqual(['commit', 1, true, false]);
    expect(out.some((x) => x.kind === 'barrier')).toBe(false);
    // A fenced producer cannot abort either; the broker already aborted its transaction.
    expect(e.abortError).toBeDefined();
    await writeEnd(cmd, log);

    const [committed, uncommitted] = await Promise.all([readAll([cmd, log]), readAll([cmd, log], true)]);
    expect(committed).toEqual({ [cmd]: [], [log]: [] });
    // The zombie's messages are in the log; only the aborted transaction hides them.
    expect(uncommitted[cmd]).toEqual(['a=e1-cmd1', 'b=e1-cmd2']);
  });
});
