import { describe, expect, it } from 'vitest';
import { jobConfigSchema } from '../../../../runtime/config/jobConfigSchema.js';
import { settingAt, settingKeys, valueKind } from '../../../../runtime/config/schemaKeys.js';

describe('schemaKeys', () => {
  it('lists the keys of objects behind defaults and transforms, and of every option of a secret reference', () => {
    expect([...settingKeys(jobConfigSchema)!.keys()]).toEqual([
      'job',
      'kafka',
      'schemaRegistry',
      'topics',
      'clickhouse',
      'epochs',
      'eventTime',
      'pipeline',
      'commands',
      'observability',
    ]);
    expect([...settingKeys(settingAt(jobConfigSchema, ['job'])!)!.keys()]).toEqual([
      'name',
      'instanceId',
      'groupId',
    ]);
    expect([...settingKeys(settingAt(jobConfigSchema, ['kafka', 'sasl', 'password'])!)!.keys()]).toEqual([
      'env',
      'file',
    ]);
    expect(settingKeys(settingAt(jobConfigSchema, ['epochs', 'maxRecords'])!)).toBeUndefined();
    expect(settingAt(jobConfigSchema, ['epochs', 'nope'])).toBeUndefined();
  });

  it('tells how a text value maps onto a setting', () => {
    const kind = (...path: (string | number)[]) => valueKind(settingAt(jobConfigSchema, path)!);
    expect(kind('kafka', 'brokers')).toBe('string[]');
    expect(kind('kafka', 'brokers', 0)).toBe('string');
    expect(kind('observability', 'logLevel')).toBe('string');
    expect(kind('schemaRegistry', 'url')).toBe('string');
    expect(kind('epochs', 'maxRecords')).toBe('yaml');
    expect(kind('kafka', 'tls', 'enabled')).toBe('yaml');
    expect(kind('kafka', 'sasl', 'password')).toBe('yaml');
  });
});
