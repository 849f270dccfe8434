import type { KafkaJS } from '@confluentinc/kafka-javascript';
import { newKafka } from '../../connectors/kafka/kafkaClient.js';
import type { KafkaClientOptions } from '../../connectors/kafka/kafkaClientOptions.js';
import type { JobInputStats } from '../exactlyOnce/exactlyOnceJob.js';
import type { JobMetrics } from './metrics.js';

/**
 * Options of a metrics sampler.
 *
 * @example
 * const options: MetricsSamplerOptions = { stats: () => job.inputStats(), metrics, kafka: { brokers }, deadLetterTopic: 'telemetry-dlq' };
 */
export interface MetricsSamplerOptions {
  readonly stats: () => JobInputStats;
  readonly metrics: JobMetrics;
  /** For the partitions' end offsets (consumer lag). */
  readonly kafka: KafkaClientOptions;
  /** The dead-letter topic (the label of dead_letters_total). */
  readonly deadLetterTopic: string;
  /** Default 5 000 ms. */
  readonly intervalMs?: number;
  /** Per operator, keys and bytes of state (state_keys, state_bytes). */
  readonly state?: () => readonly { operatorId: string; keys: number; bytes: number }[];
  /** Called at every sample too, for the pipeline's own gauges (rows written, …). */
  readonly alsoSample?: () => void;
}

/**
 * Samples what the job counts anyway into Prometheus metrics on an
 * interval, so the hot path only increments plain numbers: records in per
 * partition, dead letters, consumer lag (end offset − next offset to read,
 * from ListOffsets, which needs no group coordinator), and watermark lag
 * (newest event time − the slowest partition's watermark).
 *
 * @example
 * const stop = startMetricsSampler({ stats: () => job.inputStats(), metrics, kafka: options.kafka, deadLetterTopic: 'telemetry-dlq' });
 * // on shutdown
 * await stop();
 */
export function startMetricsSampler(options: MetricsSamplerOptions): () => Promise<void> {
  const { metrics } = options;
  const counted = new Map<string, number>();
  let deadLetters = 0;
  const refused = { ahead: 0, behind: 0 };
  let admin: KafkaJS.Admin | undefined;
  let sampling = false;

  const sample = async (): Promise<void> => {
    if (sampling) return;
    sampling = true;
    try {
      const stats = options.stats();
      const byTopic = new Map<string, JobInputStats['partitions'][number][]>();
      for (const p of stats.partitions) {
        const id = `${p.topic}:${p.partition}`;
        const before = counted.get(id) ?? 0;
        // A restarted source counts from zero again.
        const delta = p.records >= before ? p.records - before : p.records;
        if (delta > 0) metrics.recordsInTotal.inc({ topic: p.topic, partition: String(p.partition) }, delta);
        counted.set(id, p.records);
        const list = byTopic.get(p.topic) ?? [];
        list.push(p);
        byTopic.set(p.topic, list);
      }
      const dlqDelta = stats.deadLetters >= deadLetters ? stats.deadLetters - deadLetters : stats.deadLetters;
      if (dlqDelta > 0) metrics.deadLettersTotal.inc({ topic: options.deadLetterTopic }, dlqDelta);
      deadLetters = stats.deadLetters;
      for (const bound of ['ahead', 'behind'] as const) {
        const now = stats.eventTimeRefused?.[bound] ?? 0;
        const delta = now >= refused[bound] ? now - refused[bound] : now;
        if (delta > 0) metrics.eventTimeRefusedTotal.inc({ bound }, delta);
        refused[bound] = now;
      }
      const slowest = Math.min(...stats.watermarks.map((w) => w.watermark));
      if (Number.isFinite(slowest) && Number.isFinite(stats.maxEventTs)) {
        metrics.watermarkLagSeconds.set(Math.max(0, stats.maxEventTs - slowest) / 1000);
      }
      for (const { operatorId, keys, bytes } of options.state?.() ?? []) {
        metrics.stateKeys.set({ operator: operatorId }, keys);
        metrics.stateBytes.set({ operator: operatorId }, bytes);
      }
      options.alsoSample?.();
      if (byTopic.size > 0) {
        if (admin === undefined) {
          admin = newKafka(options.kafka).admin();
          await admin.connect();
        }
        for (const [topic, partitions] of byTopic) {
          const ends = new Map(
            (await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.offset)] as const),
          );
          for (const p of partitions) {
            const end = ends.get(p.partition);
            if (end === undefined) continue;
            const lag = end - BigInt(p.nextOffset);
            metrics.consumerLag.set({ topic, partition: String(p.partition) }, Number(lag > 0n ? lag : 0n));
          }
        }
      }
    } catch {
      // A sample that fails (broker restarting) is skipped; the next one tries again.
    } finally {
      sampling = false;
    }
  };

  const timer = setInterval(() => void sample(), options.intervalMs ?? 5_000);
  timer.unref?.();
  return async () => {
    clearInterval(timer);
    await admin?.disconnect().catch(() => undefined);
  };
}
