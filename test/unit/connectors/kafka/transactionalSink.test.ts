import { KafkaJS } from '@confluentinc/kafka-javascript';
import { firstValueFrom, Subject, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { EpochBuffer, type SinkMessage } from '../../../../connectors/kafka/epochBuffer.js';
import {
  type EpochTransaction,
  FENCED_ERROR_CODES,
  type TransactionalProducer,
  TransactionalSinkError,
  transactionalSink,
} from '../../../../connectors/kafka/transactionalSink.js';
import { barrier, record, type StreamElement, watermark } from '../../../../operators/core/element.js';

/** A fake consumer handle: the sink only passes it on to sendOffsets. */
interface FakeConsumer {
  readonly id: string;
}

type Call =
  | { op: 'begin' }
  | { op: 'send'; batch: { topic: string; messages: SinkMessage[] }[] }
  | { op: 'offsets'; consumer: FakeConsumer; topics: KafkaJS.TopicOffsets[] }
  | { op: 'commit' }
  | { op: 'abort' };

/** Records every call; `failAt` makes one step reject with `failure`; `gate` holds commits until released. */
class FakeProducer implements TransactionalProducer<FakeConsumer> {
  readonly calls: Call[] = [];
  failAt: 'begin' | 'send' | 'offsets' | 'commit' | 'abort' | undefined;
  failure: unknown = new Error('boom');
  gate: Promise<void> | undefined;

  private step(op: Call['op']): void {
    if (this.failAt === op) throw this.failure;
  }

  async transaction(): Promise<EpochTransaction<FakeConsumer>> {
    this.calls.push({ op: 'begin' });
    this.step('begin');
    return {
      sendBatch: async ({ topicMessages }) => {
        this.calls.push({ op: 'send', batch: topicMessages });
        this.step('send');
      },
      sendOffsets: async ({ consumer, topics }) => {
        this.calls.push({ op: 'offsets', consumer, topics });
        this.step('offsets');
      },
      commit: async () => {
        if (this.gate) await this.gate;
        this.calls.push({ op: 'commit' });
        this.step('commit');
      },
      abort: async () => {
        this.calls.push({ op: 'abort' });
        this.step('abort');
      },
    };
  }

  sent(): string[] {
    return this.calls.flatMap((c) =>
      c.op === 'send' ? c.batch.flatMap((t) => t.messages.map((m) => `${t.topic}/${m.key}=${m.value}`)) : [],
    );
  }
}

interface Update {
  readonly asset: string;
  readonly n: number;
}

const route = (r: { value: Update }): SinkMessage[] => [
  { topic: 'commands', key: r.value.asset, value: Buffer.from(`cmd${r.value.n}`) },
  { topic: 'changelog', key: r.value.asset, value: Buffer.from(`state${r.value.n}`) },
];
const coalesceKey = (m: SinkMessage) => (m.topic === 'changelog' ? m.key.toString() : undefined);
const up = (asset: string, n: number) => record<Update>({ asset, n }, n, asset);

function run(
  producer: FakeProducer,
  elements: StreamElement<Update>[],
  extra: Partial<Parameters<typeof transactionalSink<Update, FakeConsumer>>[0]> = {},
) {
  const subject = new Subject<StreamElement<Update>>();
  const out: StreamElement<Update>[] = [];
  let error: unknown;
  let completed = false;
  const done = new Promise<void>((resolve) => {
    subject
      .pipe(transactionalSink<Update, FakeConsumer>({ producer, route, coalesceKey, ...extra }))
      .subscribe({
        next: (e) => out.push(e),
        error: (e) => {
          error = e;
          resolve();
        },
        complete: () => {
          completed = true;
          resolve();
        },
      });
  });
  for (const e of elements) subject.next(e);
  subject.complete();
  return done.then(() => ({ out, error, completed }));
}

describe('EpochBuffer', () => {
  it('keeps only the last message per (topic, coalescing key), at the position of that last write', () => {
    const buffer = new EpochBuffer(coalesceKey);
    const add = (topic: string, key: string, v: string) => buffer.add({ topic, key, value: Buffer.from(v) });
    add('changelog', 'a', 'a1');
    add('changelog', 'b', 'b1');
    add('commands', 'a', 'c1');
    add('changelog', 'a', 'a2');
    add('commands', 'a', 'c2');
    expect(buffer.size).toBe(4);
    const batch = buffer.take();
    expect(batch.size).toBe(4);
    expect(batch.topicMessages.map((t) => [t.topic, t.messages.map((m) => String(m.value))])).toEqual([
      ['changelog', ['b1', 'a2']],
      ['commands', ['c1', 'c2']],
    ]);
    expect(buffer.take()).toEqual({ topicMessages: [], size: 0 });
  });

  it('does not coalesce the same key across topics or epochs', () => {
    const buffer = new EpochBuffer(() => 'same');
    buffer.add({ topic: 'x', key: 'k', value: Buffer.from('1') });
    buffer.add({ topic: 'y', key: 'k', value: Buffer.from('2') });
    expect(buffer.take().size).toBe(2);
    buffer.add({ topic: 'x', key: 'k', value: Buffer.from('3') });
    expect(buffer.take().topicMessages).toEqual([
      { topic: 'x', messages: [{ topic: 'x', key: 'k', value: Buffer.from('3') }] },
    ]);
  });
});

describe('transactionalSink', () => {
  it('writes each epoch in one transaction, coalesced, and forwards its barrier after the commit', async () => {
    const producer = new FakeProducer();
    const elements = [up('a', 1), up('a', 2), watermark(2), up('b', 3), barrier(1), up('a', 4), barrier(2)];
    const { out, completed } = await run(producer, elements);
    expect(completed).toBe(true);
    expect(out).toEqual(elements);
    expect(producer.calls.map((c) => c.op)).toEqual(['begin', 'send', 'commit', 'begin', 'send', 'commit']);
    expect(producer.sent()).toEqual([
      'commands/a=cmd1',
      'commands/a=cmd2',
      'commands/b=cmd3',
      'changelog/a=state2',
      'changelog/b=state3',
      'commands/a=cmd4',
      'changelog/a=state4',
    ]);
  });

  it('holds the elements after a barrier until its commit, so nothing overtakes it', async () => {
    const producer = new FakeProducer();
    let release = (): void => undefined;
    producer.gate = new Promise((resolve) => {
      release = resolve;
    });
    const subject = new Subject<StreamElement<Update>>();
    const result = firstValueFrom(
      subject.pipe(transactionalSink<Update, FakeConsumer>({ producer, route, coalesceKey }), toArray()),
    );
    subject.next(up('a', 1));
    subject.next(barrier(1));
    subject.next(up('a', 2));
    subject.next(watermark(2));
    subject.complete();
    await Promise.resolve();
    expect(producer.calls.map((c) => c.op)).toEqual(['begin', 'send']);
    release();
    expect(await result).toEqual([up('a', 1), barrier(1), up('a', 2), watermark(2)]);
    // Completion without a final barrier: epoch 2's messages were never sent.
    expect(producer.sent()).toEqual(['commands/a=cmd1', 'changelog/a=state1']);
  });

  it('does not commit the open epoch when the stream completes without a final barrier', async () => {
    const producer = new FakeProducer();
    const { out, completed } = await run(producer, [up('a', 1), up('b', 2)]);
    expect(completed).toBe(true);
    expect(out).toHaveLength(2);
    expect(producer.calls).toEqual([]);
  });

  it('sends the consumed offsets with the epoch, before the commit', async () => {
    const producer = new FakeProducer();
    const consumer = { id: 'c1' };
    const topics = [{ topic: 'telemetry', partitions: [{ partition: 0, offset: '7' }] }];
    await run(producer, [up('a', 1), barrier(1)], { offsets: () => ({ consumer, topics }) });
    expect(producer.calls.map((c) => c.op)).toEqual(['begin', 'send', 'offsets', 'commit']);
    expect(producer.calls[2]).toEqual({ op: 'offsets', consumer, topics });
  });

  it('adds the per-epoch messages (e.g. changelog tombstones) to that epoch only', async () => {
    const producer = new FakeProducer();
    const asked: number[] = [];
    await run(producer, [up('a', 1), barrier(1), barrier(2)], {
      epochMessages: (epoch) => {
        asked.push(epoch);
        return epoch === 1 ? [{ topic: 'changelog', key: 'w/k/gone', value: null }] : [];
      },
    });
    expect(asked).toEqual([1, 2]);
    const sends = producer.calls.filter((c) => c.op === 'send');
    expect(sends).toHaveLength(1);
    const changelog = sends[0].batch!.find((t) => t.topic === 'changelog')!;
    expect(changelog.messages.some((m) => m.key === 'w/k/gone' && m.value === null)).toBe(true);
  });

  it('opens no transaction for an epoch with nothing to write and no offsets', async () => {
    const producer = new FakeProducer();
    const { out } = await run(producer, [watermark(1), barrier(1), barrier(2)], { offsets: () => undefined });
    expect(out).toEqual([watermark(1), barrier(1), barrier(2)]);
    expect(producer.calls).toEqual([]);
  });

  it.each(['begin', 'send', 'offsets', 'commit'] as const)(
    'a failure at %s aborts and errors with the epoch and stage, without forwarding the barrier',
    async (stage) => {
      const producer = new FakeProducer();
      producer.failAt = stage;
      producer.failure = Object.assign(new Error('broker said no'), { retriable: true, code: 7 });
      const consumer = { id: 'c1' };
      const offsets = () => ({
        consumer,
        topics: [{ topic: 't', partitions: [{ partition: 0, offset: '1' }] }],
      });
      const { out, error } = await run(producer, [up('a', 1), barrier(1), up('b', 2), barrier(2)], {
        offsets,
      });
      expect(out).toEqual([up('a', 1)]);
      expect(error).toBeInstanceOf(TransactionalSinkError);
      const e = error as TransactionalSinkError;
      expect([e.stage, e.epoch, e.retriable, e.fenced]).toEqual([stage, 1, true, false]);
      expect(e.cause).toBe(producer.failure);
      expect(e.message).toContain('epoch 1');
      expect(e.message).toContain('commands: 1');
      expect(producer.calls.at(-1)?.op).toBe(stage === 'begin' ? 'begin' : 'abort');
    },
  );

  it("knows the client's fenced error codes by number", () => {
    const codes = KafkaJS.ErrorCodes;
    expect([...FENCED_ERROR_CODES].sort()).toEqual(
      [
        codes.ERR__FENCED,
        codes.ERR_PRODUCER_FENCED,
        codes.ERR_INVALID_PRODUCER_EPOCH,
        codes.ERR_TRANSACTION_COORDINATOR_FENCED,
      ].sort(),
    );
  });

  it('recognises a fenced producer by the cause code and keeps a failed abort', async () => {
    const producer = new FakeProducer();
    producer.failAt = 'commit';
    producer.failure = Object.assign(new Error('fenced'), {
      code: KafkaJS.ErrorCodes.ERR__FENCED,
      fatal: true,
    });
    const abort = new Error('cannot abort');
    const inner = producer.transaction.bind(producer);
    producer.transaction = async () => {
      const t = await inner();
      return { ...t, abort: async () => Promise.reject(abort) };
    };
    const { error } = await run(producer, [up('a', 1), barrier(3)]);
    const e = error as TransactionalSinkError;
    expect([e.stage, e.epoch, e.fenced, e.retriable]).toEqual(['commit', 3, true, false]);
    expect(e.abortError).toBe(abort);
  });

  it('errors with the route error, sending nothing of the open epoch', async () => {
    const producer = new FakeProducer();
    const bad = new Error('cannot route');
    const { out, error } = await run(producer, [up('a', 1), barrier(1), up('b', 2), up('x', 3)], {
      route: (r) => {
        if (r.value.asset === 'x') throw bad;
        return route(r);
      },
    });
    expect(error).toBe(bad);
    expect(out).toEqual([up('a', 1), barrier(1), up('b', 2)]);
    expect(producer.sent()).toEqual(['commands/a=cmd1', 'changelog/a=state1']);
  });

  it('delivers an upstream error after the commit in flight', async () => {
    const producer = new FakeProducer();
    const subject = new Subject<StreamElement<Update>>();
    const out: StreamElement<Update>[] = [];
    const failed = new Promise<unknown>((resolve) => {
      subject.pipe(transactionalSink<Update, FakeConsumer>({ producer, route })).subscribe({
        next: (e) => out.push(e),
        error: resolve,
      });
    });
    const upstream = new Error('upstream');
    subject.next(up('a', 1));
    subject.next(barrier(1));
    subject.error(upstream);
    expect(await failed).toBe(upstream);
    expect(out).toEqual([up('a', 1), barrier(1)]);
  });
});
