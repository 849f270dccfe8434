import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type KafkaClientOptions,
  kafkaJsConfig,
  rdkafkaConfig,
} from '../../../../connectors/kafka/kafkaClientOptions.js';

const CA = '-----BEGIN CERTIFICATE-----\nMIIBcaFAKE\n-----END CERTIFICATE-----\n';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBclientFAKE\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEkeyFAKE\n-----END PRIVATE KEY-----\n';

let dir: string;
let files: { caFile: string; certFile: string; keyFile: string };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'twinflow-kafka-tls-'));
  files = {
    caFile: join(dir, 'ca.pem'),
    certFile: join(dir, 'client.pem'),
    keyFile: join(dir, 'client.key'),
  };
  writeFileSync(files.caFile, CA);
  writeFileSync(files.certFile, CERT);
  writeFileSync(files.keyFile, KEY);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('kafkaJsConfig', () => {
  it('passes brokers (as a copy) and the client id, with no TLS or SASL for a plain cluster', () => {
    const brokers = ['kafka-0:9092', 'kafka-1:9092'];
    const config = kafkaJsConfig({ brokers, clientId: 'machine-health' });
    expect(config).toEqual({ brokers, clientId: 'machine-health' });
    expect(config.brokers).not.toBe(brokers);
    expect(config).not.toHaveProperty('ssl');
    expect(config).not.toHaveProperty('sasl');
  });

  it('reads the PEM files into ssl (CA as a list) and verifies the brokers by default', () => {
    const config = kafkaJsConfig({ brokers: ['k:9093'], tls: files });
    expect(config.ssl).toEqual({ ca: [CA], cert: CERT, key: KEY, rejectUnauthorized: true });
  });

  it('sets only the TLS parts given, and keeps rejectUnauthorized: false when asked', () => {
    expect(kafkaJsConfig({ brokers: ['k:9093'], tls: { caFile: files.caFile } }).ssl).toEqual({
      ca: [CA],
      rejectUnauthorized: true,
    });
    expect(kafkaJsConfig({ brokers: ['k:9093'], tls: { rejectUnauthorized: false } }).ssl).toEqual({
      rejectUnauthorized: false,
    });
  });

  it('fails naming the file when a PEM file is missing', () => {
    const missing = join(dir, 'missing-ca.pem');
    expect(() => kafkaJsConfig({ brokers: ['k:9093'], tls: { caFile: missing } })).toThrow(missing);
  });

  it('reads the SASL password only when the config is built, each time it is built', () => {
    const password = vi.fn(() => 's3cret');
    const options: KafkaClientOptions = {
      brokers: ['k:9093'],
      sasl: { mechanism: 'scram-sha-512', username: 'twinflow', password },
    };
    expect(password).not.toHaveBeenCalled();
    expect(kafkaJsConfig(options).sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'twinflow',
      password: 's3cret',
    });
    expect(password).toHaveBeenCalledTimes(1);
    kafkaJsConfig(options);
    expect(password).toHaveBeenCalledTimes(2);
  });

  it('combines SASL and TLS', () => {
    const config = kafkaJsConfig({
      brokers: ['k:9093'],
      sasl: { mechanism: 'plain', username: 'u', password: () => 'p' },
      tls: { caFile: files.caFile },
    });
    expect(config).toMatchObject({
      ssl: { ca: [CA], rejectUnauthorized: true },
      sasl: { mechanism: 'plain', username: 'u', password: 'p' },
    });
  });
});

describe('rdkafkaConfig', () => {
  const sasl = { mechanism: 'scram-sha-256', username: 'twinflow', password: () => 'pw' } as const;

  it('joins the brokers and sets client.id only when given', () => {
    expect(rdkafkaConfig({ brokers: ['a:9092', 'b:9092'] })).toEqual({
      'metadata.broker.list': 'a:9092,b:9092',
    });
    expect(rdkafkaConfig({ brokers: ['a:9092'], clientId: 'restore' })).toEqual({
      'metadata.broker.list': 'a:9092',
      'client.id': 'restore',
    });
  });

  it.each([
    ['neither', {}, undefined],
    ['TLS only', { tls: {} }, 'ssl'],
    ['SASL only', { sasl }, 'sasl_plaintext'],
    ['SASL and TLS', { sasl, tls: {} }, 'sasl_ssl'],
  ] as const)('maps %s to security.protocol %s', (_, extra, protocol) => {
    const config = rdkafkaConfig({ brokers: ['k:9093'], ...extra });
    if (protocol === undefined) expect(config).not.toHaveProperty('security.protocol');
    else expect(config['security.protocol']).toBe(protocol);
  });

  it('passes TLS file paths as locations without reading them', () => {
    const tls = {
      caFile: join(dir, 'nope-ca.pem'),
      certFile: join(dir, 'nope.pem'),
      keyFile: join(dir, 'nope.key'),
    };
    expect(rdkafkaConfig({ brokers: ['k:9093'], tls })).toEqual({
      'metadata.broker.list': 'k:9093',
      'security.protocol': 'ssl',
      'ssl.ca.location': tls.caFile,
      'ssl.certificate.location': tls.certFile,
      'ssl.key.location': tls.keyFile,
    });
  });

  it('turns certificate verification off only when rejectUnauthorized is false', () => {
    const verify = (rejectUnauthorized?: boolean) =>
      rdkafkaConfig({ brokers: ['k:9093'], tls: { rejectUnauthorized } })[
        'enable.ssl.certificate.verification'
      ];
    expect(verify(false)).toBe(false);
    expect(verify(true)).toBeUndefined();
    expect(verify(undefined)).toBeUndefined();
  });

  it('names the SASL mechanism in librdkafka spelling and reads the password only when built', () => {
    const password = vi.fn(() => 'pw');
    const options: KafkaClientOptions = { brokers: ['k:9093'], sasl: { ...sasl, password } };
    expect(password).not.toHaveBeenCalled();
    expect(rdkafkaConfig(options)).toMatchObject({
      'sasl.mechanisms': 'SCRAM-SHA-256',
      'sasl.username': 'twinflow',
      'sasl.password': 'pw',
    });
    expect(password).toHaveBeenCalledTimes(1);
    const mechanisms = (['plain', 'scram-sha-256', 'scram-sha-512'] as const).map(
      (mechanism) => rdkafkaConfig({ brokers: ['k'], sasl: { ...sasl, mechanism } })['sasl.mechanisms'],
    );
    expect(mechanisms).toEqual(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']);
  });
});
