import { readFileSync } from 'node:fs';
import type { KafkaJS } from '@confluentinc/kafka-javascript';

/**
 * How to reach a Kafka cluster: brokers, and for a secured one SASL
 * (SCRAM or PLAIN) and TLS. The password is a function so that it is read
 * from its secret only when a client is built and never sits in a config
 * object that may be logged.
 *
 * @example
 * const kafka: KafkaClientOptions = {
 *   brokers: ['kafka-0.kafka:9093'], clientId: 'machine-health',
 *   sasl: { mechanism: 'scram-sha-512', username: 'twinflow', password: () => secret.reveal() },
 *   tls: { caFile: '/var/run/secrets/twinflow/kafka-ca.pem' },
 * };
 */
export interface KafkaClientOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  readonly sasl?: {
    readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512';
    readonly username: string;
    readonly password: () => string;
  };
  /** TLS to the brokers; file paths are PEM. */
  readonly tls?: {
    readonly caFile?: string;
    readonly certFile?: string;
    readonly keyFile?: string;
    readonly rejectUnauthorized?: boolean;
  };
}

/**
 * The `kafkaJS` block of a @confluentinc/kafka-javascript client for these options.
 *
 * @example
 * new KafkaJS.Kafka({ kafkaJS: { ...kafkaJsConfig(options), logLevel: KafkaJS.logLevel.NOTHING } });
 */
export function kafkaJsConfig(options: KafkaClientOptions): KafkaJS.CommonConstructorConfig['kafkaJS'] & {
  brokers: string[];
} {
  const config: Record<string, unknown> = { brokers: [...options.brokers], clientId: options.clientId };
  if (options.tls !== undefined) {
    const { caFile, certFile, keyFile, rejectUnauthorized } = options.tls;
    config.ssl = {
      ...(caFile === undefined ? {} : { ca: [readFileSync(caFile, 'utf8')] }),
      ...(certFile === undefined ? {} : { cert: readFileSync(certFile, 'utf8') }),
      ...(keyFile === undefined ? {} : { key: readFileSync(keyFile, 'utf8') }),
      rejectUnauthorized: rejectUnauthorized ?? true,
    };
  }
  if (options.sasl !== undefined) {
    config.sasl = {
      mechanism: options.sasl.mechanism,
      username: options.sasl.username,
      password: options.sasl.password(),
    };
  }
  return config as unknown as KafkaJS.CommonConstructorConfig['kafkaJS'] & { brokers: string[] };
}

/**
 * The same options as librdkafka properties, for the non-KafkaJS clients
 * (the changelog reader).
 *
 * @example
 * new KafkaConsumer({ ...rdkafkaConfig(options), 'group.id': 'restore' });
 */
export function rdkafkaConfig(options: KafkaClientOptions): Record<string, string | boolean> {
  const config: Record<string, string | boolean> = { 'metadata.broker.list': options.brokers.join(',') };
  if (options.clientId !== undefined) config['client.id'] = options.clientId;
  const tls = options.tls !== undefined;
  const sasl = options.sasl !== undefined;
  if (tls || sasl) config['security.protocol'] = tls ? (sasl ? 'sasl_ssl' : 'ssl') : 'sasl_plaintext';
  if (options.tls !== undefined) {
    const { caFile, certFile, keyFile, rejectUnauthorized } = options.tls;
    if (caFile !== undefined) config['ssl.ca.location'] = caFile;
    if (certFile !== undefined) config['ssl.certificate.location'] = certFile;
    if (keyFile !== undefined) config['ssl.key.location'] = keyFile;
    if (rejectUnauthorized === false) config['enable.ssl.certificate.verification'] = false;
  }
  if (options.sasl !== undefined) {
    config['sasl.mechanisms'] = options.sasl.mechanism.toUpperCase();
    config['sasl.username'] = options.sasl.username;
    config['sasl.password'] = options.sasl.password();
  }
  return config;
}
