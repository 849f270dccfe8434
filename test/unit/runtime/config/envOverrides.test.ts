import { describe, expect, it } from 'vitest';
import { applyEnvOverrides } from '../../../../runtime/config/envOverrides.js';
import { parseJobConfig } from '../../../../runtime/config/jobConfig.js';
import { jobConfigSchema } from '../../../../runtime/config/jobConfigSchema.js';

const base = `job: { name: machine-health }
kafka: { brokers: ['127.0.0.1:19092'] }
schemaRegistry: { url: 'http://127.0.0.1:18081/apis/ccompat/v7' }
topics: { input: telemetry }
clickhouse: { url: 'http://127.0.0.1:18123' }
`;

describe('applyEnvOverrides', () => {
  it('matches camelCase keys ignoring case and underscores, and parses scalars as YAML', () => {
    const raw: Record<string, unknown> = { epochs: { intervalMs: 1000 } };
    const applied = applyEnvOverrides(raw, jobConfigSchema, {
      TWINFLOW__EPOCHS__MAX_RECORDS: '100',
      TWINFLOW__EPOCHS__INTERVALMS: '250',
      TWINFLOW__KAFKA__TLS__REJECT_UNAUTHORIZED: 'false',
      TWINFLOW__observability__logLevel: 'debug',
      PATH: '/usr/bin',
      TWINFLOW_NOT_AN_OVERRIDE: 'x',
    });
    expect(applied.issues).toEqual([]);
    expect(raw).toEqual({
      epochs: { intervalMs: 250, maxRecords: 100 },
      kafka: { tls: { rejectUnauthorized: false } },
      observability: { logLevel: 'debug' },
    });
    expect([...applied.overridden]).toEqual([
      ['epochs.intervalMs', 'TWINFLOW__EPOCHS__INTERVALMS'],
      ['epochs.maxRecords', 'TWINFLOW__EPOCHS__MAX_RECORDS'],
      ['kafka.tls.rejectUnauthorized', 'TWINFLOW__KAFKA__TLS__REJECT_UNAUTHORIZED'],
      ['observability.logLevel', 'TWINFLOW__observability__logLevel'],
    ]);
  });

  it('splits lists of strings on commas and keeps strings that look like numbers as strings', () => {
    const raw: Record<string, unknown> = { kafka: { brokers: ['old:1'] } };
    applyEnvOverrides(raw, jobConfigSchema, {
      TWINFLOW__KAFKA__BROKERS: 'a:9092, b:9092,,',
      TWINFLOW__JOB__NAME: '2024',
    });
    expect(raw).toEqual({ kafka: { brokers: ['a:9092', 'b:9092'] }, job: { name: '2024' } });
  });

  it('sets a secret reference field or a whole reference written as YAML', () => {
    const raw: Record<string, unknown> = {};
    applyEnvOverrides(raw, jobConfigSchema, {
      TWINFLOW__KAFKA__SASL__PASSWORD__ENV: 'OTHER_PW',
      TWINFLOW__CLICKHOUSE__PASSWORD: '{ file: /run/ch }',
    });
    expect(raw).toEqual({
      kafka: { sasl: { password: { env: 'OTHER_PW' } } },
      clickhouse: { password: { file: '/run/ch' } },
    });
  });

  it('reports overrides that name no setting, or that cannot be applied', () => {
    const raw: Record<string, unknown> = { kafka: 'not a mapping' };
    const { issues } = applyEnvOverrides(raw, jobConfigSchema, {
      TWINFLOW__KAFKA__BROKERS: 'a:1',
      TWINFLOW__NOPE: '1',
      TWINFLOW__EPOCHS__MAX_RECORDS__X: '1',
      TWINFLOW__EPOCHS__INTERVAL_MS: '[1',
      TWINFLOW__: 'x',
    });
    expect(issues).toEqual([
      { path: 'TWINFLOW__', message: expect.stringMatching(/^the config has no setting ""/) },
      {
        path: 'epochs.intervalMs',
        message: expect.stringMatching(/^TWINFLOW__EPOCHS__INTERVAL_MS is not a valid YAML value: /),
      },
      {
        path: 'TWINFLOW__EPOCHS__MAX_RECORDS__X',
        message: 'epochs.maxRecords is a single value and has no setting "X"',
      },
      {
        path: 'kafka.brokers',
        message: 'TWINFLOW__KAFKA__BROKERS cannot be applied: kafka in the file is not a mapping',
      },
      {
        path: 'TWINFLOW__NOPE',
        message:
          'the config has no setting "NOPE" (known: job, kafka, schemaRegistry, topics, clickhouse, epochs, eventTime, pipeline, commands, observability)',
      },
    ]);
  });
});

describe('overrides through parseJobConfig', () => {
  it('override the file, and the result is validated like the file', () => {
    const c = parseJobConfig(base, 'job.yaml', {
      TWINFLOW__KAFKA__BROKERS: 'k1:9092,k2:9092',
      TWINFLOW__EPOCHS__MAXRECORDS: '100',
      TWINFLOW__TOPICS__PARTITIONS: '12',
      TWINFLOW__JOB__INSTANCE_ID: 'pinned-3',
      TWINFLOW__TOPICS__OUTPUTS__COMMANDS: 'plant.commands',
      POD_NAME: 'pod-7',
    });
    expect(c.kafka.brokers).toEqual(['k1:9092', 'k2:9092']);
    expect(c.epochs.maxRecords).toBe(100);
    expect(c.topics.partitions).toBe(12);
    expect(c.job.instanceId).toBe('pinned-3');
    // An output's name is the user's, not the schema's: the variable's segment, lower-cased.
    expect(c.topics.outputs).toEqual({ commands: 'plant.commands' });
  });

  it('are an error when they name an unknown key', () => {
    expect(() => parseJobConfig(base, 'job.yaml', { TWINFLOW__EPOCHS__MAX_RECORD: '5' })).toThrow(
      'job.yaml TWINFLOW__EPOCHS__MAX_RECORD: epochs has no setting "MAX_RECORD" (known: intervalMs, maxRecords)',
    );
  });
});
