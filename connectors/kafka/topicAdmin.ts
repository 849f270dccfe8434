/**
 * Topics a job needs, created idempotently before it starts: the input and
 * output topics with their partition counts, and the state changelog
 * (compacted, partitioned like the input so a partition's state follows it).
 */

/**
 * A topic as a job needs it.
 *
 * @example
 * const telemetry: TopicSpec = { topic: 'telemetry', partitions: 4 };
 * const changelog = changelogTopicSpec('machine-health-state', telemetry);
 */
export interface TopicSpec {
  readonly topic: string;
  readonly partitions: number;
  /** Copies of each partition; default -1, the broker's `default.replication.factor`. */
  readonly replicationFactor?: number;
  /** Topic configs set at creation (`cleanup.policy`, `retention.ms`, …). */
  readonly configs?: Readonly<Record<string, string>>;
}

/**
 * The part of an admin client ensureTopics uses; the KafkaJS-compatible admin
 * of @confluentinc/kafka-javascript (`kafka.admin()`) has it.
 *
 * @example
 * const admin: TopicAdmin = new KafkaJS.Kafka({ kafkaJS: { brokers } }).admin();
 */
export interface TopicAdmin {
  listTopics(options?: { timeout?: number }): Promise<string[]>;
  createTopics(options: {
    timeout?: number;
    topics: {
      topic: string;
      numPartitions?: number;
      replicationFactor?: number;
      configEntries?: { name: string; value: string }[];
    }[];
  }): Promise<boolean>;
  fetchTopicMetadata(options?: {
    topics?: string[];
    timeout?: number;
  }): Promise<{ name: string; partitions: readonly unknown[] }[]>;
}

/**
 * What ensureTopics did: which topics it created and which already existed
 * (with the expected partition count, else it throws).
 *
 * @example
 * const { created, existing } = await ensureTopics(admin, specs); // created: ['telemetry'], existing: []
 */
export interface EnsuredTopics {
  /** Topics missing when it looked, which it asked the broker to create (another process may have won the race). */
  readonly created: readonly string[];
  readonly existing: readonly string[];
}

/**
 * A topic spec that cannot be created: a name Kafka refuses, a partition
 * count or replication factor that is not a positive integer, a topic listed
 * twice with different specs. Not retriable: the spec has to change.
 *
 * @example
 * try { validateTopicSpecs([{ topic: 'bad name', partitions: 4 }]); }
 * catch (e) { if (e instanceof TopicSpecError) console.error(e.index, e.field); } // 0 'topic'
 */
export class TopicSpecError extends Error {
  override readonly name = 'TopicSpecError';
  readonly retriable = false;

  constructor(
    /** Position of the spec at fault in the list given. */
    readonly index: number,
    readonly field: 'topic' | 'partitions' | 'replicationFactor' | 'configs',
    detail: string,
  ) {
    super(`topic spec [${index}] ${field}: ${detail}`);
  }
}

/**
 * An existing topic whose partition count differs from the one the job
 * needs: keys would map to other partitions than the job's state expects.
 * Not retriable; the topic has to be recreated (or the spec changed).
 *
 * @example
 * catch (e) { if (e instanceof TopicPartitionMismatchError) console.error(e.topic, e.expected, e.actual); }
 */
export class TopicPartitionMismatchError extends Error {
  override readonly name = 'TopicPartitionMismatchError';
  readonly retriable = false;

  constructor(
    readonly topic: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`topic ${topic} has ${actual} partition(s), expected ${expected}`);
  }
}

/**
 * The broker has not shown a topic's partitions within the wait after
 * creating it. Retriable: metadata usually catches up.
 *
 * @example
 * catch (e) { if (e instanceof TopicMetadataTimeoutError && e.retriable) await ensureTopics(admin, specs); }
 */
export class TopicMetadataTimeoutError extends Error {
  override readonly name = 'TopicMetadataTimeoutError';
  readonly retriable = true;

  constructor(
    readonly topics: readonly string[],
    waitedMs: number,
    options?: { cause?: unknown },
  ) {
    super(`no partition metadata for topic(s) ${topics.join(', ')} after ${waitedMs} ms`, options);
  }
}

/** Kafka's own rule for topic names (kafka.common.internals.Topic). */
const LEGAL_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;

/**
 * Checks specs before any request: legal, distinct topic names (a topic
 * listed twice must be listed the same), positive integer partitions and
 * replication factor (or -1 for the broker's default), string configs.
 * Throws TopicSpecError naming the position and field at fault.
 *
 * @example
 * validateTopicSpecs([{ topic: 'telemetry', partitions: 4 }]); // ok
 * validateTopicSpecs([{ topic: 'telemetry', partitions: 0 }]); // throws TopicSpecError [0] partitions
 */
export function validateTopicSpecs(specs: readonly TopicSpec[]): void {
  const seen = new Map<string, number>();
  specs.forEach((spec, index) => {
    const { topic, partitions, replicationFactor, configs } = spec;
    if (typeof topic !== 'string' || !LEGAL_TOPIC.test(topic) || topic === '.' || topic === '..') {
      throw new TopicSpecError(
        index,
        'topic',
        `${JSON.stringify(topic)} is not a legal Kafka topic name (1-249 of a-z A-Z 0-9 . _ -, not "." or "..")`,
      );
    }
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new TopicSpecError(index, 'partitions', `must be a positive integer, got ${partitions}`);
    }
    if (
      replicationFactor !== undefined &&
      replicationFactor !== -1 &&
      (!Number.isInteger(replicationFactor) || replicationFactor < 1)
    ) {
      throw new TopicSpecError(
        index,
        'replicationFactor',
        `must be a positive integer or -1 (broker default), got ${replicationFactor}`,
      );
    }
    for (const [name, value] of Object.entries(configs ?? {})) {
      if (typeof value !== 'string') {
        throw new TopicSpecError(index, 'configs', `${name} must be a string, got ${typeof value}`);
      }
    }
    const earlier = seen.get(topic);
    if (earlier !== undefined && !sameSpec(specs[earlier], spec)) {
      throw new TopicSpecError(
        index,
        'topic',
        `${topic} is listed again with another spec than at [${earlier}]`,
      );
    }
    seen.set(topic, earlier ?? index);
  });
}

/**
 * The changelog topic of a keyed state fed by `input`: compacted (only the
 * latest state per key is kept) and with as many partitions as the input, so
 * the state of input partition p lives in changelog partition p.
 *
 * @example
 * changelogTopicSpec('machine-health-state', { topic: 'telemetry', partitions: 4 });
 * // { topic: 'machine-health-state', partitions: 4, replicationFactor: undefined, configs: { 'cleanup.policy': 'compact' } }
 */
export function changelogTopicSpec(
  topic: string,
  input: TopicSpec,
  configs: Readonly<Record<string, string>> = {},
): TopicSpec {
  return {
    topic,
    partitions: input.partitions,
    replicationFactor: input.replicationFactor,
    configs: { ...configs, 'cleanup.policy': 'compact' },
  };
}

/**
 * Options of ensureTopics.
 *
 * @example
 * await ensureTopics(admin, specs, { metadataWaitMs: 30_000 });
 */
export interface EnsureTopicsOptions {
  /** How long to wait for a created topic's partitions to show in metadata (default 10 000 ms). */
  readonly metadataWaitMs?: number;
  /** Per-request timeout of the admin calls (default 10 000 ms). */
  readonly requestTimeoutMs?: number;
}

/**
 * Creates the topics that do not exist yet, with their partitions and
 * configs, then checks that every topic (created or not) has the partition
 * count its spec asks for. Idempotent and safe to run from several
 * processes at once (the broker answers a topic created by another in
 * between as already existing, which is not an error). Configs of existing topics are not changed or checked.
 * Throws TopicSpecError for an invalid spec (before any request) and
 * TopicPartitionMismatchError for an existing topic with another count;
 * admin client errors pass through with their own `retriable` flag.
 *
 * @example
 * const admin = kafka.admin();
 * await admin.connect();
 * try {
 *   const input = { topic: 'telemetry', partitions: 4 };
 *   await ensureTopics(admin, [input, changelogTopicSpec('machine-health-state', input)]);
 * } finally { await admin.disconnect(); }
 */
export async function ensureTopics(
  admin: TopicAdmin,
  specs: readonly TopicSpec[],
  options: EnsureTopicsOptions = {},
): Promise<EnsuredTopics> {
  validateTopicSpecs(specs);
  const timeout = options.requestTimeoutMs ?? 10_000;
  const wanted = new Map<string, TopicSpec>();
  for (const spec of specs) wanted.set(spec.topic, spec);
  if (wanted.size === 0) return { created: [], existing: [] };

  const present = new Set(await admin.listTopics({ timeout }));
  const missing = [...wanted.values()].filter((spec) => !present.has(spec.topic));
  if (missing.length > 0) {
    await admin.createTopics({
      timeout,
      topics: missing.map((spec) => ({
        topic: spec.topic,
        numPartitions: spec.partitions,
        replicationFactor: spec.replicationFactor ?? -1,
        configEntries: Object.entries(spec.configs ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
  }

  const counts = await partitionCounts(admin, [...wanted.keys()], options.metadataWaitMs ?? 10_000, timeout);
  for (const spec of wanted.values()) {
    const actual = counts.get(spec.topic)!;
    if (actual !== spec.partitions)
      throw new TopicPartitionMismatchError(spec.topic, spec.partitions, actual);
  }
  const created = missing.map((spec) => spec.topic);
  return { created, existing: [...wanted.keys()].filter((topic) => present.has(topic)) };
}

/**
 * Partition count per topic, asking again until every topic shows partitions
 * (a topic just created has none in metadata until its leaders are elected).
 */
async function partitionCounts(
  admin: TopicAdmin,
  topics: readonly string[],
  waitMs: number,
  timeout: number,
): Promise<Map<string, number>> {
  const deadline = Date.now() + waitMs;
  let delayMs = 50;
  let lastError: unknown;
  for (;;) {
    let pending: string[] = [...topics];
    const counts = new Map<string, number>();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics], timeout });
      for (const topic of metadata) {
        if (topic.partitions.length > 0) counts.set(topic.name, topic.partitions.length);
      }
      pending = topics.filter((topic) => !counts.has(topic));
      if (pending.length === 0) return counts;
    } catch (error) {
      // Unknown topic or partition right after creation; anything persistent shows in the timeout's cause.
      lastError = error;
    }
    if (Date.now() >= deadline) {
      throw new TopicMetadataTimeoutError(pending, waitMs, { cause: lastError });
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 1000);
  }
}

function sameSpec(a: TopicSpec, b: TopicSpec): boolean {
  return (
    a.partitions === b.partitions &&
    (a.replicationFactor ?? -1) === (b.replicationFactor ?? -1) &&
    JSON.stringify(Object.entries(a.configs ?? {}).sort()) ===
      JSON.stringify(Object.entries(b.configs ?? {}).sort())
  );
}
