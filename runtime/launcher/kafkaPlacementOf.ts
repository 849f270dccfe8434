import type { JobConfig } from '../config/jobConfig.js';
import type { KafkaPlacement } from '../exactlyOnce/exactlyOnceJobFor.js';
import { kafkaClientOptionsOf } from './kafkaClientOptionsOf.js';

/**
 * Where a job config puts a job on Kafka: the cluster, the registry (its
 * password behind a function until a client needs it), the group and
 * instance, the topics (input, outputs by name, changelog, dead letters),
 * ClickHouse and the epochs. The same for every job.
 *
 * @example
 * const { job, close } = await exactlyOnceJobFor(definition, kafkaPlacementOf(await loadJobConfig('job.yaml')));
 */
export function kafkaPlacementOf<Out>(
  config: JobConfig<unknown>,
): Omit<KafkaPlacement<Out>, 'log' | 'onCommitted' | 'clickhouseObserver'> {
  const { schemaRegistry: registry, clickhouse, topics } = config;
  const password = registry.password;
  return {
    kafka: kafkaClientOptionsOf(config),
    registry: {
      url: registry.url,
      auth:
        registry.username === undefined
          ? undefined
          : { username: registry.username, password: () => password?.reveal() ?? '' },
    },
    groupId: config.job.groupId,
    instanceId: config.job.instanceId,
    topics: {
      input: topics.input,
      outputs: topics.outputs,
      changelog: topics.changelog,
      deadLetter: topics.deadLetter,
      partitions: topics.partitions,
      replicationFactor: topics.replicationFactor,
    },
    clickhouse: {
      url: clickhouse.url,
      database: clickhouse.database,
      username: clickhouse.username,
      password: clickhouse.password,
      tls: clickhouse.tls,
    },
    epochs: config.epochs,
    eventTimeBounds: config.eventTime,
  };
}
