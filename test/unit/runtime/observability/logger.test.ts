import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../../runtime/config/secret.js';
import { childFor, createLogger } from '../../../../runtime/observability/logger.js';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[]; raw: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const raw = () => chunks.join('');
  return {
    stream,
    raw,
    lines: () =>
      raw()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('writes JSON lines with job, instance and an ISO timestamp', () => {
    const out = capture();
    const logger = createLogger({
      job: 'machine-health',
      instanceId: 'pod-0',
      level: 'info',
      destination: out.stream,
    });
    logger.info({ epoch: 3 }, 'epoch committed');
    logger.debug('below the level');
    const [line] = out.lines();
    expect(out.lines()).toHaveLength(1);
    expect(line).toMatchObject({
      job: 'machine-health',
      instance: 'pod-0',
      epoch: 3,
      msg: 'epoch committed',
      level: 30,
    });
    expect(line.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(line).not.toHaveProperty('pid');
  });

  it('never writes a secret value: Secrets, and password/key/token/sasl fields at any depth', () => {
    const out = capture();
    const logger = createLogger({ job: 'j', instanceId: 'i', level: 'trace', destination: out.stream });
    const config = {
      kafka: {
        brokers: ['b:9092'],
        sasl: { mechanism: 'plain', username: 'svc', password: new Secret('secret-kafka-1', 'env K') },
      },
      clickhouse: { username: 'default', password: 'plain-ch-password-2' },
      commands: { signing: { keyId: 'k1', key: 'signing-key-3' } },
    };
    logger.info({ config }, 'starting');
    logger.info(
      { password: 'top-level-4', token: 'token-5', headers: { authorization: 'Bearer tok-6' } },
      'request',
    );
    logger.warn({ a: { b: { c: { d: { secret: 'deep-7' } } } } }, 'deep');
    logger.info({ config: { kafka: { sasl: { password: new Secret('secret-8', 'x') } } } }, 'nested secret');
    logger.info(`inline ${new Secret('secret-9', 'x')}`);
    const text = out.raw();
    for (const value of [
      'secret-kafka-1',
      'plain-ch-password-2',
      'signing-key-3',
      'top-level-4',
      'token-5',
      'tok-6',
      'deep-7',
      'secret-8',
      'secret-9',
    ]) {
      expect(text).not.toContain(value);
    }
    const [first] = out.lines();
    const logged = first.config as {
      kafka: { brokers: string[]; sasl: unknown };
      clickhouse: Record<string, unknown>;
    };
    expect(logged.kafka.brokers).toEqual(['b:9092']);
    expect(logged.kafka.sasl).toBe('[redacted]');
    expect(logged.clickhouse).toEqual({ username: 'default', password: '[redacted]' });
    expect(text).toContain('inline [redacted]');
  });
});

describe('childFor', () => {
  it('adds the position fields that are given and leaves the rest out', () => {
    const out = capture();
    const logger = createLogger({ job: 'j', instanceId: 'i', level: 'info', destination: out.stream });
    childFor(logger, { partition: 2, offset: '18446744073709551615', epoch: 9 }).info('one');
    childFor(logger, { asset: 'pump-003' }).info('two');
    const [one, two] = out.lines();
    expect(one).toMatchObject({ partition: 2, offset: '18446744073709551615', epoch: 9, job: 'j' });
    expect(one).not.toHaveProperty('asset');
    expect(two).toMatchObject({ asset: 'pump-003' });
    expect(two).not.toHaveProperty('partition');
  });
});
