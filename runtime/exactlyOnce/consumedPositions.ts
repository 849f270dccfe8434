import type { KafkaJS } from '@confluentinc/kafka-javascript';
import type { SourcePosition } from '../../operators/core/element.js';

/**
 * The consumed positions of one assignment: per partition, the offset of
 * the next message to consume (last dealt with + 1), as Kafka commits them.
 * Kept per assignment, never across one: a partition that moved away and
 * came back must not commit a position from before the move, which would
 * rewind the group.
 *
 * @example
 * const positions = new ConsumedPositions();
 * positions.record({ topic: 'telemetry', partition: 0, offset: '41' });
 * positions.toCommit(); // [{ topic: 'telemetry', partitions: [{ partition: 0, offset: '42' }] }]
 */
export class ConsumedPositions {
  private readonly next = new Map<string, { topic: string; partition: number; offset: bigint }>();

  record(position: SourcePosition): void {
    const id = `${position.topic}:${position.partition}`;
    const offset = BigInt(position.offset) + 1n;
    const known = this.next.get(id);
    if (known === undefined || offset > known.offset) {
      this.next.set(id, { topic: position.topic, partition: position.partition, offset });
    }
  }

  /** The positions to commit, grouped by topic (empty when nothing was consumed). */
  toCommit(): KafkaJS.TopicOffsets[] {
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const { topic, partition, offset } of this.next.values()) {
      let list = byTopic.get(topic);
      if (list === undefined) {
        list = [];
        byTopic.set(topic, list);
      }
      list.push({ partition, offset: offset.toString() });
    }
    return [...byTopic].map(([topic, partitions]) => ({
      topic,
      partitions: partitions.sort((a, b) => a.partition - b.partition),
    }));
  }

  clear(): void {
    this.next.clear();
  }
}
