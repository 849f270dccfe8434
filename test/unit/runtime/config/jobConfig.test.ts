import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { machineHealthSettings } from '../../../../pipelines/machine-health/settings.js';
import {
  ConfigError,
  type JobSettings,
  loadJobConfig,
  parseJobConfig,
  redactedConfig,
  Secret,
} from '../../../../runtime/config/jobConfig.js';
import { secretRefSchema } from '../../../../runtime/config/jobConfigSchema.js';
import type { SecretRef } from '../../../../runtime/config/secret.js';

/** A job's settings with two file paths, which the loader resolves next to the config file. */
const FILE_SETTINGS: JobSettings<{ catalogue?: string; model?: string }> = {
  schema: z.looseObject({ catalogue: z.string().optional(), model: z.string().optional() }),
  paths: ['catalogue', 'model'],
};

/** A job's settings holding a secret: the loader resolves references in a job's own section too. */
const SIGNING_SETTINGS: JobSettings<unknown> = {
  schema: z.strictObject({
    signing: z.strictObject({ keyId: z.string(), key: secretRefSchema }).optional(),
  }),
};

const base = `job:
  name: machine-health
kafka:
  brokers: ['127.0.0.1:19092']
schemaRegistry:
  url: http://127.0.0.1:18081/apis/ccompat/v7
topics:
  input: telemetry
clickhouse:
  url: http://127.0.0.1:18123
`;

function configError(
  text: string,
  env: NodeJS.ProcessEnv = {},
  source = 'job.yaml',
  settings?: JobSettings<unknown>,
): ConfigError {
  try {
    parseJobConfig(text, source, env, settings);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('parseJobConfig', () => {
  it('applies defaults to a minimal file', () => {
    const c = parseJobConfig(base, 'job.yaml', {});
    expect(c.job).toEqual({ name: 'machine-health', instanceId: 'local-0', groupId: 'machine-health' });
    expect(c.topics.changelog).toBe('machine-health-state');
    expect(c.epochs).toEqual({ intervalMs: 1000, maxRecords: 5000 });
    expect(c.observability).toEqual({ host: '127.0.0.1', port: 9464, logLevel: 'info' });
  });

  it('binds the HTTP server to loopback unless the file or TWINFLOW__OBSERVABILITY__HOST says otherwise', () => {
    const inFile = `${base}observability: { host: "::" }\n`;
    expect(parseJobConfig(inFile, 'job.yaml', {}).observability.host).toBe('::');
    const fromEnv = parseJobConfig(base, 'job.yaml', { TWINFLOW__OBSERVABILITY__HOST: '0.0.0.0' });
    expect(fromEnv.observability.host).toBe('0.0.0.0');
    const bad = configError(base, { TWINFLOW__OBSERVABILITY__HOST: 'every-interface' });
    expect(bad.issues.map((i) => i.path)).toEqual(['observability.host']);
  });

  it('takes job.instanceId from POD_NAME, else HOSTNAME, unless the file sets it', () => {
    expect(parseJobConfig(base, 'job.yaml', { POD_NAME: 'mh-2', HOSTNAME: 'node' }).job.instanceId).toBe(
      'mh-2',
    );
    expect(parseJobConfig(base, 'job.yaml', { HOSTNAME: 'laptop' }).job.instanceId).toBe('laptop');
    const pinned = base.replace('name: machine-health', 'name: machine-health\n  instanceId: fixed-1');
    expect(parseJobConfig(pinned, 'job.yaml', { POD_NAME: 'mh-2' }).job.instanceId).toBe('fixed-1');
  });

  it('reports every problem with its path and the line it is on', () => {
    const err = configError(`job:
  name: machine-health
  extra: 1
kafka:
  brokers:
    - 127.0.0.1:19092
    - nope
schemaRegistry:
  url: ftp://registry
clickhouse:
  url: http://127.0.0.1:18123
  database: 1bad
epochs:
  intervalMs: -5
observability: { port: 9464, logLevel: loud }
`);
    expect(err.issues).toEqual([
      { path: 'job.extra', line: 3, message: 'unknown setting (known: name, instanceId, groupId)' },
      { path: 'kafka.brokers[1]', line: 7, message: 'must be host:port with a port 1-65535 (got "nope")' },
      { path: 'schemaRegistry.url', line: 9, message: 'must be an http:// or https:// URL' },
      {
        path: 'clickhouse.database',
        line: 12,
        message: 'must be an identifier: letters, digits and "_", not starting with a digit (got "1bad")',
      },
      { path: 'epochs.intervalMs', line: 14, message: 'must be a positive integer (got -5)' },
      {
        path: 'observability.logLevel',
        line: 15,
        message: expect.stringMatching(/^Invalid option.*\(got "loud"\)$/),
      },
      { path: 'topics', line: undefined, message: 'is required' },
    ]);
    expect(err.message).toContain(
      'job.yaml: 7 problems in the job config:\n  job.yaml:3 job.extra: unknown setting',
    );
    expect(err.message).toContain('\n  job.yaml:14 epochs.intervalMs: must be a positive integer (got -5)');
    expect(err.retriable).toBe(false);
  });

  it('points a missing setting at its parent key, and a missing section at no line', () => {
    const err = configError('job:\n  name: mh\nkafka:\n  clientId: x\nschemaRegistry: { url: "http://r" }\n');
    expect(err.issues).toEqual([
      { path: 'kafka.brokers', line: 3, message: 'is required' },
      { path: 'topics', line: undefined, message: 'is required' },
      { path: 'clickhouse', line: undefined, message: 'is required' },
    ]);
    expect(err.message).toContain('\n  job.yaml clickhouse: is required');
  });

  it('reports YAML syntax errors with file and line', () => {
    const err = configError('job:\n  name: machine-health\nkafka:\n  brokers: [a:1\nclickhouse: {}\n');
    expect(err.issues.length).toBeGreaterThan(0);
    expect(err.issues[0].path).toBe('(yaml)');
    expect(err.issues[0].line).toBeGreaterThanOrEqual(4);
    expect(err.message).toMatch(/job\.yaml:\d+ \(yaml\): /);
    const dup = configError(`${base}kafka:\n  brokers: ['b:1']\n`);
    expect(dup.issues[0]).toMatchObject({ path: '(yaml)', line: 11, message: 'Map keys must be unique' });
  });

  it('rejects an empty file and a file that is not a mapping', () => {
    expect(configError('').issues.map((i) => i.path)).toEqual([
      'job',
      'kafka',
      'schemaRegistry',
      'topics',
      'clickhouse',
    ]);
    expect(configError('- a\n- b\n').issues).toEqual([
      { path: '(root)', line: 1, message: 'must be a mapping of sections (job, kafka, …)' },
    ]);
  });

  it('never quotes a secret written inline instead of as a reference', () => {
    const err = configError(
      `${base.replace("brokers: ['127.0.0.1:19092']", "brokers: ['127.0.0.1:19092']\n  sasl:\n    mechanism: plain\n    username: svc\n    password: hunter2-inline")}`,
    );
    expect(err.issues).toEqual([
      {
        path: 'kafka.sasl.password',
        line: 8,
        message: 'must be a secret reference, { env: NAME } or { file: /path }, not the secret itself',
      },
    ]);
    expect(err.message).not.toContain('hunter2');
  });

  it('resolves secrets from env and files, which print as [redacted] everywhere', () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinflow-config-'));
    writeFileSync(join(dir, 'ch-password'), 'ch-value-123\n');
    const text = `${base}  password: { file: ch-password }
pipeline:
  signing: { keyId: k1, key: { env: SIGNING_KEY } }
`.replace(
      "brokers: ['127.0.0.1:19092']",
      "brokers: ['127.0.0.1:19092']\n  sasl: { mechanism: scram-sha-256, username: svc, password: { env: KAFKA_PW } }",
    );
    const c = parseJobConfig(
      text,
      join(dir, 'job.yaml'),
      { KAFKA_PW: 'kafka-value-456', SIGNING_KEY: 'sign-789' },
      SIGNING_SETTINGS as JobSettings<{ signing?: { keyId: string; key: SecretRef } }>,
    );
    expect(c.kafka.sasl?.password).toBeInstanceOf(Secret);
    expect(c.kafka.sasl?.password.reveal()).toBe('kafka-value-456');
    expect(c.clickhouse.password?.reveal()).toBe('ch-value-123');
    expect(c.pipeline.signing?.key.reveal()).toBe('sign-789');
    for (const shown of [JSON.stringify(c), inspect(c, { depth: 10 }), String(c.kafka.sasl?.password)]) {
      expect(shown).not.toMatch(/kafka-value|ch-value|sign-789/);
    }
    expect(redactedConfig(c)).toMatchObject({
      kafka: { sasl: { mechanism: 'scram-sha-256', username: 'svc', password: '[redacted]' } },
      clickhouse: { password: '[redacted]' },
      pipeline: { signing: { keyId: 'k1', key: '[redacted]' } },
    });
  });

  it('names the setting and the variable or file of every secret that cannot be resolved', () => {
    const text = `${base}  password: { file: /nonexistent/twinflow/pw }
pipeline:
  signing: { keyId: k1, key: { env: SIGNING_KEY } }
`;
    const err = configError(text, {}, 'job.yaml', SIGNING_SETTINGS);
    expect(err.issues).toEqual([
      {
        path: 'clickhouse.password',
        line: 11,
        message: 'file /nonexistent/twinflow/pw cannot be read (ENOENT)',
      },
      { path: 'pipeline.signing.key', line: 13, message: 'environment variable SIGNING_KEY is not set' },
    ]);
  });

  it('resolves relative catalogue, model and TLS paths against the config file folder', () => {
    const text = `${base}  tls: { caFile: certs/ca.pem }
pipeline:
  catalogue: ../catalogue.yaml
  model: /abs/model.onnx
`.replace(
      "brokers: ['127.0.0.1:19092']",
      "brokers: ['127.0.0.1:19092']\n  tls: { caFile: ca.pem, certFile: c.pem, keyFile: k.pem }",
    );
    const c = parseJobConfig(text, '/etc/twinflow/job.yaml', {}, FILE_SETTINGS);
    expect(c.pipeline.catalogue).toBe('/etc/catalogue.yaml');
    expect(c.pipeline.model).toBe('/abs/model.onnx');
    expect(c.kafka.tls).toEqual({
      enabled: true,
      rejectUnauthorized: true,
      caFile: '/etc/twinflow/ca.pem',
      certFile: '/etc/twinflow/c.pem',
      keyFile: '/etc/twinflow/k.pem',
    });
    expect(c.clickhouse.tls?.caFile).toBe('/etc/twinflow/certs/ca.pem');
  });

  it('blames an invalid override on its environment variable, not on a line of the file', () => {
    const err = configError(base, { TWINFLOW__EPOCHS__MAX_RECORDS: '-1', TWINFLOW__KAFKA__BROKRS: 'a:1' });
    expect(err.issues).toEqual([
      {
        path: 'TWINFLOW__KAFKA__BROKRS',
        message: 'kafka has no setting "BROKRS" (known: brokers, clientId, sasl, tls)',
      },
      {
        path: 'epochs.maxRecords',
        line: undefined,
        message: 'must be a positive integer (got -1) (set by TWINFLOW__EPOCHS__MAX_RECORDS)',
      },
    ]);
    const badHost = configError(base, { POD_NAME: 'pod name with spaces' });
    expect(badHost.issues[0].path).toBe('job.instanceId');
    expect(badHost.issues[0].line).toBeUndefined();
    expect(badHost.issues[0].message).toMatch(/\(set by POD_NAME\)$/);
  });
});

describe('loadJobConfig', () => {
  it('names a file that cannot be read', async () => {
    const err = await loadJobConfig('/nonexistent/job.yaml', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toEqual([{ path: '(file)', message: 'cannot be read (ENOENT)' }]);
    expect((err as ConfigError).message).toContain('/nonexistent/job.yaml (file): cannot be read (ENOENT)');
  });

  it('loads the local example for the local stack', async () => {
    const c = await loadJobConfig('runtime/config/examples/local.yaml', {}, FILE_SETTINGS);
    expect(c.kafka.brokers).toEqual(['127.0.0.1:19092']);
    expect(c.schemaRegistry.url).toBe('http://127.0.0.1:18081/apis/ccompat/v7');
    expect(c.clickhouse.url).toBe('http://127.0.0.1:18123');
    expect(c.pipeline.catalogue).toBe(resolve('pipelines/machine-health/catalogue.yaml'));
    expect(c.pipeline.model).toBe(resolve('models/machine-health-surrogate.onnx'));
  });

  it('loads the production example with its secrets from env and mounted files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'twinflow-prod-'));
    const text = (await import('node:fs')).readFileSync('runtime/config/examples/production.yaml', 'utf8');
    // The example reads /var/run/secrets/...; point those references at files made here instead.
    for (const name of ['schema-registry', 'clickhouse']) writeFileSync(join(dir, name), `${name}-pw\n`);
    const local = text
      .replace('/var/run/secrets/schema-registry/password', join(dir, 'schema-registry'))
      .replace('/var/run/secrets/clickhouse/password', join(dir, 'clickhouse'));
    expect(local).not.toBe(text);
    const c = parseJobConfig(
      local,
      join(dir, 'production.yaml'),
      {
        POD_NAME: 'machine-health-1',
        KAFKA_PASSWORD: 'kafka-pw',
        COMMAND_SIGNING_KEY: 'signing-key',
      },
      machineHealthSettings,
    );
    expect(c.job).toEqual({
      name: 'machine-health',
      instanceId: 'machine-health-1',
      groupId: 'machine-health',
    });
    expect(c.kafka.sasl?.mechanism).toBe('scram-sha-512');
    expect(c.kafka.sasl?.password.reveal()).toBe('kafka-pw');
    expect(c.kafka.tls?.enabled).toBe(true);
    expect(c.schemaRegistry.password?.reveal()).toBe('schema-registry-pw');
    expect(c.clickhouse.password?.reveal()).toBe('clickhouse-pw');
    expect(c.pipeline.commands.signing?.key.reveal()).toBe('signing-key');
    expect(c.topics.replicationFactor).toBe(3);
  });

  it('reports every unresolved secret of the production example when its env and files are missing', async () => {
    const err = await loadJobConfig(
      'runtime/config/examples/production.yaml',
      {},
      machineHealthSettings,
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues.map((i) => i.path)).toEqual([
      'kafka.sasl.password',
      'schemaRegistry.password',
      'clickhouse.password',
      'pipeline.commands.signing.key',
    ]);
  });
});
