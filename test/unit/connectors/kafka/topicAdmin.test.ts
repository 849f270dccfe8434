import { describe, expect, it } from 'vitest';
import {
  changelogTopicSpec,
  ensureTopics,
  type TopicAdmin,
  TopicMetadataTimeoutError,
  TopicPartitionMismatchError,
  type TopicSpec,
  TopicSpecError,
  validateTopicSpecs,
} from '../../../../connectors/kafka/topicAdmin.js';

type CreateRequest = Parameters<TopicAdmin['createTopics']>[0];

/** An in-memory broker's admin API: topics with partition counts; records what was asked. */
class FakeAdmin implements TopicAdmin {
  readonly creates: CreateRequest[] = [];
  /** Metadata calls that answer a created topic without partitions yet (leader election). */
  hideNewPartitionsFor = 0;

  constructor(readonly topics = new Map<string, number>()) {}

  async listTopics(): Promise<string[]> {
    return [...this.topics.keys()];
  }

  async createTopics(request: CreateRequest): Promise<boolean> {
    this.creates.push(request);
    let all = true;
    for (const t of request.topics) {
      if (this.topics.has(t.topic)) all = false;
      else this.topics.set(t.topic, t.numPartitions ?? 1);
    }
    return all;
  }

  async fetchTopicMetadata(options?: { topics?: string[] }) {
    const hide = this.hideNewPartitionsFor > 0;
    if (hide) this.hideNewPartitionsFor--;
    return (options?.topics ?? []).map((name) => ({
      name,
      partitions: hide
        ? []
        : Array.from({ length: this.topics.get(name) ?? 0 }, (_, i) => ({ partitionId: i })),
    }));
  }
}

function specError(specs: readonly TopicSpec[]): TopicSpecError {
  try {
    validateTopicSpecs(specs);
  } catch (error) {
    if (error instanceof TopicSpecError) return error;
    throw error;
  }
  throw new Error('expected a TopicSpecError');
}

describe('validateTopicSpecs', () => {
  it('accepts legal names, positive partitions, -1 or positive replication and string configs', () => {
    expect(() =>
      validateTopicSpecs([
        { topic: 'telemetry', partitions: 4 },
        {
          topic: 'twin.state_v1-x',
          partitions: 1,
          replicationFactor: -1,
          configs: { 'cleanup.policy': 'compact' },
        },
        { topic: 'commands', partitions: 12, replicationFactor: 3 },
      ]),
    ).not.toThrow();
  });

  it.each([
    ['an empty name', { topic: '', partitions: 1 }, 'topic'],
    ['a space in the name', { topic: 'bad name', partitions: 1 }, 'topic'],
    ['the name ".."', { topic: '..', partitions: 1 }, 'topic'],
    ['a 250-character name', { topic: 'x'.repeat(250), partitions: 1 }, 'topic'],
    ['zero partitions', { topic: 't', partitions: 0 }, 'partitions'],
    ['fractional partitions', { topic: 't', partitions: 1.5 }, 'partitions'],
    ['replication factor 0', { topic: 't', partitions: 1, replicationFactor: 0 }, 'replicationFactor'],
    ['replication factor -2', { topic: 't', partitions: 1, replicationFactor: -2 }, 'replicationFactor'],
    [
      'a non-string config',
      { topic: 't', partitions: 1, configs: { 'retention.ms': 5 as unknown as string } },
      'configs',
    ],
  ] as const)('rejects %s, naming the position and field', (_, spec, field) => {
    const error = specError([{ topic: 'ok', partitions: 1 }, spec]);
    expect(error).toMatchObject({ index: 1, field, retriable: false });
    expect(error.message).toContain(`[1] ${field}`);
  });

  it('accepts a topic listed twice the same way and rejects it listed with another spec', () => {
    expect(() =>
      validateTopicSpecs([
        { topic: 't', partitions: 2, configs: { a: '1', b: '2' } },
        { topic: 't', partitions: 2, configs: { b: '2', a: '1' } },
      ]),
    ).not.toThrow();
    const error = specError([
      { topic: 't', partitions: 2 },
      { topic: 't', partitions: 3 },
    ]);
    expect(error).toMatchObject({ index: 1, field: 'topic' });
    expect(error.message).toContain('[0]');
  });
});

describe('changelogTopicSpec', () => {
  it('is compacted and partitioned like its input, keeping extra configs', () => {
    const input: TopicSpec = { topic: 'telemetry', partitions: 6, replicationFactor: 3 };
    expect(changelogTopicSpec('state', input, { 'min.compaction.lag.ms': '1000' })).toEqual({
      topic: 'state',
      partitions: 6,
      replicationFactor: 3,
      configs: { 'min.compaction.lag.ms': '1000', 'cleanup.policy': 'compact' },
    });
  });

  it('keeps compaction even when the extra configs ask for delete', () => {
    const spec = changelogTopicSpec('state', { topic: 'in', partitions: 1 }, { 'cleanup.policy': 'delete' });
    expect(spec.configs?.['cleanup.policy']).toBe('compact');
  });
});

describe('ensureTopics', () => {
  it('creates only the missing topics, with partitions, replication and configs', async () => {
    const admin = new FakeAdmin(new Map([['telemetry', 4]]));
    const input: TopicSpec = { topic: 'telemetry', partitions: 4 };
    const result = await ensureTopics(admin, [input, changelogTopicSpec('state', input)]);
    expect(result).toEqual({ created: ['state'], existing: ['telemetry'] });
    expect(admin.creates).toHaveLength(1);
    expect(admin.creates[0].topics).toEqual([
      {
        topic: 'state',
        numPartitions: 4,
        replicationFactor: -1,
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      },
    ]);
  });

  it('is idempotent: a second run creates nothing', async () => {
    const admin = new FakeAdmin();
    const specs = [{ topic: 'a', partitions: 2 }];
    await ensureTopics(admin, specs);
    expect(await ensureTopics(admin, specs)).toEqual({ created: [], existing: ['a'] });
    expect(admin.creates).toHaveLength(1);
  });

  it('throws TopicPartitionMismatchError naming topic, expected and actual', async () => {
    const admin = new FakeAdmin(new Map([['telemetry', 3]]));
    const error = await ensureTopics(admin, [{ topic: 'telemetry', partitions: 4 }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TopicPartitionMismatchError);
    expect(error).toMatchObject({ topic: 'telemetry', expected: 4, actual: 3, retriable: false });
    expect((error as Error).message).toBe('topic telemetry has 3 partition(s), expected 4');
  });

  it('waits for a created topic to show its partitions in metadata', async () => {
    const admin = new FakeAdmin();
    admin.hideNewPartitionsFor = 2;
    expect(await ensureTopics(admin, [{ topic: 'a', partitions: 3 }])).toEqual({
      created: ['a'],
      existing: [],
    });
  });

  it('gives up with a retriable TopicMetadataTimeoutError when partitions never show', async () => {
    const admin = new FakeAdmin();
    admin.hideNewPartitionsFor = Number.POSITIVE_INFINITY;
    const error = await ensureTopics(admin, [{ topic: 'a', partitions: 3 }], { metadataWaitMs: 0 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TopicMetadataTimeoutError);
    expect(error).toMatchObject({ topics: ['a'], retriable: true });
  });

  it('rejects invalid specs before asking the broker anything', async () => {
    const admin = new FakeAdmin();
    await expect(ensureTopics(admin, [{ topic: 'a b', partitions: 1 }])).rejects.toBeInstanceOf(
      TopicSpecError,
    );
    expect(admin.creates).toEqual([]);
  });
});
