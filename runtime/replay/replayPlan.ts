import type { KafkaClientOptions } from '../../connectors/kafka/kafkaClientOptions.js';
import { offsetsAtTime, topicOffsetMarks } from '../../connectors/kafka/partitionRangeReader.js';
import { ReplayError } from './replayError.js';
import { type PartitionMarks, type ReplayRange, type ReplayStart, replayRanges } from './replayRanges.js';

/**
 * What a replay asks of the broker before it reads: each partition's
 * offsets now, and (for a start time) each partition's first offset
 * timestamped at or after a time (offsetsForTimes). Kafka's through
 * {@link kafkaOffsetLookup}; a fake in tests.
 *
 * @example
 * const lookup: TopicOffsetLookup = { marks: async () => [{ partition: 0, low: 0, end: 10 }], atTime: async () => new Map([[0, 4]]) };
 */
export interface TopicOffsetLookup {
  marks(topic: string): Promise<readonly PartitionMarks[]>;
  atTime(topic: string, ts: number): Promise<ReadonlyMap<number, number>>;
}

/**
 * The broker's answers for a replay, through the admin client; a failure
 * is a ReplayError of step 'plan' naming the topic and what was asked.
 *
 * @example
 * const lookup = kafkaOffsetLookup({ brokers: ['127.0.0.1:19092'] });
 */
export function kafkaOffsetLookup(kafka: KafkaClientOptions): TopicOffsetLookup {
  return {
    marks: (topic) =>
      topicOffsetMarks(kafka, topic).catch((cause: unknown) => {
        throw new ReplayError('plan', `topic ${topic} on ${kafka.brokers.join(',')} (its end offsets)`, {
          cause,
        });
      }),
    atTime: (topic, ts) =>
      offsetsAtTime(kafka, topic, ts).catch((cause: unknown) => {
        throw new ReplayError('plan', `topic ${topic} (offsets at ${new Date(ts).toISOString()})`, { cause });
      }),
  };
}

/**
 * The record timestamp a replay from event time `fromTs` seeks to: the
 * start less the allowed disorder. Produced telemetry is stamped with its
 * event time (CreateTime), so offsetsForTimes(`fromTs`) alone would already
 * be at or before every reading from `fromTs` on; the margin covers a
 * producer whose record timestamps trail the payload's event time by up to
 * the disorder the job allows (a batch stamped once, a clock a little
 * behind), and costs at most that much reading, which the event-time
 * filter then skips.
 *
 * @example
 * seekTimestamp(Date.parse('2026-12-04T19:00Z'), 5_000); // Date.parse('2026-12-04T18:59:55Z')
 */
export function seekTimestamp(fromTs: number, outOfOrdernessMs: number): number {
  return fromTs - outOfOrdernessMs;
}

/**
 * A replay's plan: the ranges it reads and the notes to show first. For a
 * start time, every partition starts at its first record timestamped at or
 * after {@link seekTimestamp}, so a replay of the last hour reads about an
 * hour of the topic, not all of it; `seekTs` says where it sought.
 *
 * @example
 * const { ranges, notes } = await planReplay(kafkaOffsetLookup(kafka), 'telemetry', { kind: 'time', ts }, 5_000);
 */
export async function planReplay(
  lookup: TopicOffsetLookup,
  topic: string,
  from: ReplayStart,
  outOfOrdernessMs: number,
): Promise<{ ranges: ReplayRange[]; notes: string[]; seekTs?: number }> {
  const marks = await lookup.marks(topic);
  if (from.kind !== 'time') return replayRanges(topic, from, marks);
  const seekTs = seekTimestamp(from.ts, outOfOrdernessMs);
  const byTime = await lookup.atTime(topic, seekTs);
  const { ranges, notes } = replayRanges(topic, from, marks, byTime);
  return {
    ranges,
    notes: [
      `seeking each partition to its first record timestamped at or after ${new Date(seekTs).toISOString()} ` +
        `(the start less the allowed disorder, ${outOfOrdernessMs} ms)`,
      ...notes,
    ],
    seekTs,
  };
}
