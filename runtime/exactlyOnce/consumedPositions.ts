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
  /** Per topic, per partition, the last offset dealt with, as the client gave it (decimal text). */
  private readonly byTopic = new Map<string, Map<number, { last: string }>>();

  /**
   * Called for every message: two map lookups and a comparison of the
   * offset's text, no string building and no BigInt (the +1 is done per
   * partition when an epoch closes, in toCommit).
   */
  record(position: SourcePosition): void {
    let partitions = this.byTopic.get(position.topic);
    if (partitions === undefined) {
      partitions = new Map();
      this.byTopic.set(position.topic, partitions);
    }
    const known = partitions.get(position.partition);
    if (known === undefined) partitions.set(position.partition, { last: position.offset });
    else if (isAfter(position.offset, known.last)) known.last = position.offset;
  }

  /** The positions to commit, grouped by topic (empty when nothing was consumed). */
  toCommit(): KafkaJS.TopicOffsets[] {
    return [...this.byTopic].map(([topic, partitions]) => ({
      topic,
      partitions: [...partitions]
        .sort(([a], [b]) => a - b)
        .map(([partition, { last }]) => ({ partition, offset: (BigInt(last) + 1n).toString() })),
    }));
  }

  clear(): void {
    this.byTopic.clear();
  }
}

/** Whether offset `a` comes after `b`: both decimal text without leading zeros, so exact beyond 2^53. */
function isAfter(a: string, b: string): boolean {
  return a.length !== b.length ? a.length > b.length : a > b;
}
