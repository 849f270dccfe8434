import type { KafkaJS } from '@confluentinc/kafka-javascript';

/**
 * One message a transactional sink writes.
 *
 * @example
 * const m: SinkMessage = { topic: 'twin-changelog', key: 'pump-1', value: Buffer.from('{"risk":0.4}') };
 */
export interface SinkMessage {
  readonly topic: string;
  readonly key: string | Buffer;
  /** Null is a tombstone: on a compacted changelog it deletes the key. */
  readonly value: Buffer | null;
  /** An explicit partition (a changelog follows its input's partitions); otherwise the key's hash decides. */
  readonly partition?: number;
  readonly headers?: KafkaJS.IHeaders;
}

/**
 * The messages of one epoch grouped by topic, in the order they were added,
 * coalesced messages left out.
 */
export interface EpochBatch {
  readonly topicMessages: { topic: string; messages: SinkMessage[] }[];
  /** Messages in the batch, over all topics. */
  readonly size: number;
}

/**
 * The messages of the open epoch, buffered until its barrier. Where
 * `coalesceKey` returns a string, only the last message per (topic, that
 * key) is kept, at the position of that last write: a compacted changelog
 * needs only the latest state of each key, and keeping the last position
 * keeps per-key order with the messages not coalesced.
 *
 * @example
 * const buffer = new EpochBuffer((m) => (m.topic === 'twin-changelog' ? m.key.toString() : undefined));
 * buffer.add({ topic: 'twin-changelog', key: 'pump-1', value: v1 });
 * buffer.add({ topic: 'twin-changelog', key: 'pump-1', value: v2 });
 * buffer.take(); // { topicMessages: [{ topic: 'twin-changelog', messages: [{ …, value: v2 }] }], size: 1 }
 */
export class EpochBuffer {
  /** Per topic, the messages in order; a coalesced-away slot is undefined. */
  private readonly byTopic = new Map<string, (SinkMessage | undefined)[]>();
  /** Per coalescing key, where its last message sits in its topic's slots. */
  private readonly latest = new Map<string, number>();
  private count = 0;

  constructor(private readonly coalesceKey?: (message: SinkMessage) => string | undefined) {}

  /** Messages buffered (after coalescing). */
  get size(): number {
    return this.count;
  }

  add(message: SinkMessage): void {
    let slots = this.byTopic.get(message.topic);
    if (slots === undefined) {
      slots = [];
      this.byTopic.set(message.topic, slots);
    }
    const key = this.coalesceKey?.(message);
    if (key !== undefined) {
      // The NUL separator cannot occur in a topic name, so (topic, key) pairs never collide.
      const id = `${message.topic}\u0000${key}`;
      const previous = this.latest.get(id);
      if (previous !== undefined) {
        slots[previous] = undefined;
        this.count--;
      }
      this.latest.set(id, slots.length);
    }
    slots.push(message);
    this.count++;
  }

  /** Hands the buffered messages over and starts the next epoch empty. */
  take(): EpochBatch {
    const topicMessages: { topic: string; messages: SinkMessage[] }[] = [];
    for (const [topic, slots] of this.byTopic) {
      const messages: SinkMessage[] = [];
      for (const m of slots) if (m !== undefined) messages.push(m);
      if (messages.length > 0) topicMessages.push({ topic, messages });
    }
    const batch = { topicMessages, size: this.count };
    this.byTopic.clear();
    this.latest.clear();
    this.count = 0;
    return batch;
  }
}
