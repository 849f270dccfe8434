import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { machineHealthSettings } from '../../../../pipelines/machine-health/settings.js';
import { ConfigError, loadJobConfig, parseJobConfig } from '../../../../runtime/config/jobConfig.js';

const base = `job: { name: machine-health }
kafka: { brokers: ['127.0.0.1:19092'] }
schemaRegistry: { url: 'http://127.0.0.1:18081/apis/ccompat/v7' }
topics: { input: telemetry }
clickhouse: { url: 'http://127.0.0.1:18123' }
`;

describe('machineHealthSettings', () => {
  it('fills the defaults and resolves the catalogue and model next to the config file', async () => {
    expect(parseJobConfig(base, 'job.yaml', {}, machineHealthSettings).pipeline).toEqual({
      tickMs: 30_000,
      outOfOrdernessMs: 5000,
      idleTimeoutMs: 60_000,
      outcomeTimeoutMs: 300_000,
      commands: {},
    });
    const local = await loadJobConfig('runtime/config/examples/local.yaml', {}, machineHealthSettings);
    expect(local.pipeline.catalogue).toBe(resolve('pipelines/machine-health/catalogue.yaml'));
    expect(local.pipeline.model).toBe(resolve('models/machine-health-surrogate.onnx'));
    expect(local.pipeline.assets).toBe(100);
  });

  it('refuses a misspelt or invalid setting with its path and line, and types its overrides', () => {
    let error: unknown;
    try {
      parseJobConfig(`${base}pipeline:\n  asets: 3\n  tickMs: 0\n`, 'job.yaml', {}, machineHealthSettings);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      { path: 'pipeline.asets', line: 7, message: 'unknown setting' },
      { path: 'pipeline.tickMs', line: 8, message: 'must be a positive integer (got 0)' },
    ]);
    const overridden = parseJobConfig(
      base,
      'job.yaml',
      { TWINFLOW__PIPELINE__ASSETS: '32' },
      machineHealthSettings,
    );
    expect(overridden.pipeline.assets).toBe(32);
  });
});
