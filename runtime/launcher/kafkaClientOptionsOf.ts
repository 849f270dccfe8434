import type { KafkaClientOptions } from '../../connectors/kafka/kafkaClientOptions.js';
import type { JobConfig } from '../config/jobConfig.js';

/**
 * The Kafka client options of a job config: secrets stay behind functions
 * until a client is built.
 *
 * @example
 * const kafka = kafkaClientOptionsOf(await loadJobConfig('job.yaml'));
 */
export function kafkaClientOptionsOf(config: Pick<JobConfig, 'kafka'>): KafkaClientOptions {
  const { kafka } = config;
  const sasl = kafka.sasl;
  const tls = kafka.tls;
  return {
    brokers: kafka.brokers,
    clientId: kafka.clientId,
    ...(sasl === undefined
      ? {}
      : {
          sasl: {
            mechanism: sasl.mechanism,
            username: sasl.username,
            password: () => sasl.password.reveal(),
          },
        }),
    ...(tls === undefined || !tls.enabled
      ? {}
      : {
          tls: {
            caFile: tls.caFile,
            certFile: tls.certFile,
            keyFile: tls.keyFile,
            rejectUnauthorized: tls.rejectUnauthorized,
          },
        }),
  };
}
