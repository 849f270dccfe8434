import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  jobConfigSchema,
  jobConfigSchemaFor,
  secretRefSchema,
} from '../../../../runtime/config/jobConfigSchema.js';
import { SecretRef } from '../../../../runtime/config/secret.js';

const minimal = {
  job: { name: 'machine-health' },
  kafka: { brokers: ['127.0.0.1:19092'] },
  schemaRegistry: { url: 'http://127.0.0.1:18081/apis/ccompat/v7' },
  topics: { input: 'telemetry' },
  clickhouse: { url: 'http://127.0.0.1:18123' },
};

function issuesOf(raw: unknown): { path: string; message: string }[] {
  const r = jobConfigSchema.safeParse(raw);
  if (r.success) return [];
  return r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
}

describe('jobConfigSchema', () => {
  it('fills every default, and derives groupId and the changelog topic from job.name and the dead letters from the input', () => {
    expect(jobConfigSchema.parse(minimal)).toEqual({
      job: { name: 'machine-health', instanceId: 'local-0', groupId: 'machine-health' },
      kafka: { brokers: ['127.0.0.1:19092'], clientId: 'twinflow' },
      schemaRegistry: { url: 'http://127.0.0.1:18081/apis/ccompat/v7' },
      topics: {
        input: 'telemetry',
        outputs: {},
        changelog: 'machine-health-state',
        deadLetter: 'telemetry-dlq',
        partitions: 6,
        replicationFactor: 1,
      },
      clickhouse: { url: 'http://127.0.0.1:18123', database: 'twinflow', username: 'default' },
      epochs: { intervalMs: 1000, maxRecords: 5000 },
      eventTime: { maxAheadMs: 3_600_000, maxBehindMs: 86_400_000 },
      pipeline: {},
      observability: { host: '127.0.0.1', port: 9464, logLevel: 'info' },
    });
  });

  it('takes bounds on event time, and refuses one that is not a positive whole number of ms', () => {
    expect(jobConfigSchema.parse({ ...minimal, eventTime: { maxAheadMs: 60_000 } }).eventTime).toEqual({
      maxAheadMs: 60_000,
      maxBehindMs: 86_400_000,
    });
    expect(issuesOf({ ...minimal, eventTime: { maxBehindMs: -1 } }).map((i) => i.path)).toEqual([
      'eventTime.maxBehindMs',
    ]);
  });

  it('keeps groupId and changelog when given, and fills the defaults of optional blocks when present', () => {
    const c = jobConfigSchema.parse({
      ...minimal,
      job: { name: 'mh', groupId: 'mh-group' },
      topics: {
        input: 'plant.telemetry',
        outputs: { commands: 'plant.commands' },
        changelog: 'custom-state',
      },
      kafka: { brokers: ['[::1]:9092'], tls: {} },
    });
    expect(c.job.groupId).toBe('mh-group');
    expect(c.topics.changelog).toBe('custom-state');
    expect(c.kafka.tls).toEqual({ enabled: true, rejectUnauthorized: true });
    expect(c.topics).toMatchObject({
      input: 'plant.telemetry',
      outputs: { commands: 'plant.commands' },
      deadLetter: 'plant.telemetry-dlq',
    });
  });

  it('needs the input topic, and says where the settings of an older config went', () => {
    expect(issuesOf({ ...minimal, topics: { partitions: 3 } })).toEqual([
      { path: 'topics.input', message: 'is required: the topic the job reads' },
    ]);
    expect(
      issuesOf({
        ...minimal,
        topics: { input: 't', telemetry: 'telemetry', commands: 'commands' },
        commands: { bounds: {} },
      }),
    ).toEqual([
      { path: 'topics.telemetry', message: 'was renamed: use topics.input' },
      { path: 'topics.commands', message: 'was renamed: use topics.outputs.commands' },
      { path: 'commands', message: "moved to the job's own settings: pipeline.commands" },
    ]);
  });

  it("validates the job's own section with the job's schema: its defaults, its unknown keys", () => {
    const schema = jobConfigSchemaFor(z.strictObject({ pumps: z.int().positive().default(12) }));
    expect(schema.parse(minimal).pipeline).toEqual({ pumps: 12 });
    expect(schema.parse({ ...minimal, pipeline: { pumps: 3 } }).pipeline).toEqual({ pumps: 3 });
    const r = schema.safeParse({ ...minimal, pipeline: { pumps: 3, valves: 2 } });
    expect(r.success).toBe(false);
    expect(r.error?.issues.map((i) => i.path.join('.'))).toEqual(['pipeline']);
    // Without a job's schema the section is any mapping, and nothing else.
    expect(jobConfigSchema.parse({ ...minimal, pipeline: { anything: [1] } }).pipeline).toEqual({
      anything: [1],
    });
    expect(issuesOf({ ...minimal, pipeline: 'fast' })[0].path).toBe('pipeline');
  });

  it('rejects unknown keys at every level', () => {
    expect(issuesOf({ ...minimal, epoch: {} })).toEqual([{ path: '', message: 'Unrecognized key: "epoch"' }]);
    expect(issuesOf({ ...minimal, epochs: { maxRecord: 5 } })[0].path).toBe('epochs');
  });

  it('checks brokers, URLs, identifiers, ports and cross-field rules', () => {
    const bad = issuesOf({
      job: { name: 'has space' },
      kafka: { brokers: ['host-only', 'h:70000'], tls: { certFile: 'c.pem' } },
      schemaRegistry: { url: 'http://user:pw@registry:8081', password: { env: 'X' } },
      clickhouse: { url: 'ftp://ch', database: '1db' },
      topics: { input: 'no spaces allowed' },
      observability: { host: 'localhost:9464', port: 70000, logLevel: 'verbose' },
    });
    expect(bad.map((i) => i.path).sort()).toEqual(
      [
        'job.name',
        'kafka.brokers.0',
        'kafka.brokers.1',
        'kafka.tls.certFile',
        'schemaRegistry.url',
        'schemaRegistry.username',
        'clickhouse.url',
        'clickhouse.database',
        'observability.host',
        'observability.port',
        'observability.logLevel',
        'topics.input',
      ].sort(),
    );
    expect(issuesOf({ ...minimal, kafka: { brokers: [] } })).toEqual([
      { path: 'kafka.brokers', message: 'must list at least one broker' },
    ]);
    expect(
      issuesOf({ ...minimal, epochs: { intervalMs: 1.5, maxRecords: 0 } }).map((i) => i.message),
    ).toEqual(['must be a positive integer', 'must be a positive integer']);
  });
});

describe('secretRefSchema', () => {
  it('takes { env } or { file } and nothing else, without quoting the input', () => {
    expect(secretRefSchema.parse({ env: 'KAFKA_PASSWORD' })).toEqual(
      new SecretRef({ env: 'KAFKA_PASSWORD' }),
    );
    expect(secretRefSchema.parse({ file: '/var/run/secrets/pw' }).describe()).toBe(
      'file /var/run/secrets/pw',
    );
    expect(secretRefSchema.safeParse({ env: 'not a name' }).error?.issues).toMatchObject([
      { path: ['env'], message: 'must be an environment variable name' },
    ]);
    for (const bad of ['hunter2', { env: 'A', file: '/b' }, { token: 'hunter2' }, {}]) {
      const r = secretRefSchema.safeParse(bad);
      expect(r.success).toBe(false);
      expect(r.error?.issues[0].message).toBe(
        'must be a secret reference, { env: NAME } or { file: /path }, not the secret itself',
      );
      expect(JSON.stringify(r.error?.issues)).not.toContain('hunter2');
    }
  });
});
