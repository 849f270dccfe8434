import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseError } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import {
  type ClickHouseConnection,
  describeClickHouseFailure,
  openClickHouse,
  refusePasswordFlag,
  resolveConnection,
  TlsFileError,
} from '../../../../runtime/cli/clickhouseConnection.js';
import { UsageError } from '../../../../runtime/cli/flags.js';
import { ConfigError, Secret } from '../../../../runtime/config/jobConfig.js';

const dir = mkdtempSync(join(tmpdir(), 'twinflow-chconn-'));
const config = join(dir, 'job.yaml');
writeFileSync(
  config,
  `job: { name: mh }
kafka: { brokers: ['127.0.0.1:19092'] }
schemaRegistry: { url: 'http://127.0.0.1:18081' }
topics: { input: telemetry }
clickhouse:
  url: https://ch.example:8443
  database: plant
  username: writer
  password: { env: CH_PW }
  tls: { caFile: ca.pem }
`,
);

describe('resolveConnection', () => {
  it('takes the clickhouse section of --config, with its secret resolved and paths made absolute', async () => {
    const conn = await resolveConnection('sql', { config }, { CH_PW: 's3cret-pw' });
    expect(conn).toMatchObject({
      url: 'https://ch.example:8443',
      database: 'plant',
      username: 'writer',
      tls: { caFile: join(dir, 'ca.pem') },
    });
    expect(conn.password?.reveal()).toBe('s3cret-pw');
    expect(JSON.stringify(conn)).not.toContain('s3cret-pw');
  });

  it('applies TWINFLOW__ overrides to the config, as a job would', async () => {
    const conn = await resolveConnection(
      'sql',
      { config },
      { CH_PW: 'x', TWINFLOW__CLICKHOUSE__DATABASE: 'other' },
    );
    expect(conn.database).toBe('other');
  });

  it('reports an invalid config as a ConfigError naming the file and setting', async () => {
    const err = await resolveConnection('migrate', { config }, {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(config);
    expect((err as Error).message).toContain('CH_PW');
  });

  it('builds a connection from --url, --database, --user and CLICKHOUSE_PASSWORD', async () => {
    const conn = await resolveConnection(
      'sql',
      { url: 'http://127.0.0.1:18123/', database: 'twin', user: 'ops' },
      { CLICKHOUSE_PASSWORD: 'pw-from-env' },
    );
    expect(conn).toMatchObject({ url: 'http://127.0.0.1:18123', database: 'twin', username: 'ops' });
    expect(conn.password).toBeInstanceOf(Secret);
    expect(conn.password?.reveal()).toBe('pw-from-env');
    expect(conn.password?.origin).toBe('env CLICKHOUSE_PASSWORD');
  });

  it('defaults to database twinflow, user default and no password', async () => {
    const conn = await resolveConnection('sql', { url: 'http://h:8123' }, { CLICKHOUSE_PASSWORD: '' });
    expect(conn).toEqual({ url: 'http://h:8123', database: 'twinflow', username: 'default' });
  });

  it('names the flag at fault', async () => {
    const cases: Array<[Parameters<typeof resolveConnection>[1], RegExp]> = [
      [{}, /^sql: say which ClickHouse: --config FILE, or --url URL/],
      [{ config, url: 'http://h:1' }, /^sql: give --config or --url, not both$/],
      [{ config, database: 'x' }, /^sql: --database goes with --url.*TWINFLOW__CLICKHOUSE__DATABASE/],
      [{ config, user: 'x' }, /^sql: --user goes with --url.*TWINFLOW__CLICKHOUSE__USERNAME/],
      [
        { url: 'localhost:8123' },
        /^sql: --url must be an http:\/\/ or https:\/\/ URL, got "localhost:8123"$/,
      ],
      [{ url: 'ftp://h/x' }, /--url must be an http/],
      [{ url: 'not a url' }, /--url must be an http/],
      [{ url: 'http://h:1', database: '1st' }, /^sql: --database must be an identifier.*got "1st"$/],
      [{ url: 'http://h:1', user: '' }, /^sql: --user must not be empty$/],
    ];
    for (const [flags, message] of cases) {
      const err = await resolveConnection('sql', flags, {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('refuses credentials in --url without repeating them', async () => {
    for (const url of ['http://ops:hunter2@h:8123', 'ops:hunter2@h:8123']) {
      const err = await resolveConnection('sql', { url }, {}).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).not.toContain('hunter2');
    }
  });
});

describe('refusePasswordFlag', () => {
  it('explains that the password comes from the environment', () => {
    for (const argv of [['--password', 'x'], ['--password=x'], ['-p', 'x']]) {
      expect(() => refusePasswordFlag('sql', argv)).toThrow(UsageError);
      expect(() => refusePasswordFlag('sql', argv)).toThrow(/CLICKHOUSE_PASSWORD/);
    }
    expect(() => refusePasswordFlag('sql', ['--url', 'http://h:1', 'SELECT 1'])).not.toThrow();
  });
});

describe('describeClickHouseFailure', () => {
  const conn: ClickHouseConnection = {
    url: 'http://h:8123',
    database: 'twinflow',
    username: 'ops',
    password: new Secret('hunter2-pw', 'env CLICKHOUSE_PASSWORD'),
  };

  it("gives ClickHouse's error name, code and message", () => {
    const err = new ClickHouseError({ message: 'Unknown table t. ', code: '60', type: 'UNKNOWN_TABLE' });
    expect(describeClickHouseFailure(err, conn)).toBe(
      'ClickHouse error UNKNOWN_TABLE (code 60): Unknown table t.',
    );
  });

  it('says the server cannot be reached, with its URL', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8123'), { code: 'ECONNREFUSED' });
    expect(describeClickHouseFailure(err, conn)).toMatch(
      /^cannot reach ClickHouse at http:\/\/h:8123 \(connect ECONNREFUSED 127\.0\.0\.1:8123\); is it running\?/,
    );
  });

  it('never shows the password, plain or as basic auth', () => {
    const basic = Buffer.from('ops:hunter2-pw').toString('base64');
    const text = describeClickHouseFailure(new Error(`bad auth hunter2-pw in Basic ${basic}`), conn);
    expect(text).toBe('bad auth [redacted] in Basic [redacted]');
  });
});

describe('openClickHouse', () => {
  it('names the TLS file it cannot read', () => {
    const conn: ClickHouseConnection = {
      url: 'https://h:8443',
      database: 'twinflow',
      username: 'default',
      tls: { caFile: join(dir, 'missing-ca.pem') },
    };
    expect(() => openClickHouse(conn)).toThrow(TlsFileError);
    expect(() => openClickHouse(conn)).toThrow(
      `clickhouse.tls.caFile ${join(dir, 'missing-ca.pem')} cannot be read (ENOENT)`,
    );
  });
});
