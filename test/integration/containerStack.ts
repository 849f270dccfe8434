/**
 * The integration project's local stack on containers (testcontainers), for machines with a container
 * runtime (Docker, or Podman through DOCKER_HOST): the same three services infra/local/stack.sh runs
 * as processes, on one shared network, each published on a random host port.
 *
 * Opt in per run; without the variable the process-based stack (the one CI uses) runs as before:
 *
 *   TWINFLOW_STACK=containers npx vitest run --project integration
 *
 * The first run pulls the three images (CONTAINER_STACK_IMAGES), a few hundred MB; on a slow link,
 * `docker pull` them beforehand. Start-up failures stop whatever had started; testcontainers' reaper
 * removes anything left if the process dies.
 */
import { randomBytes } from 'node:crypto';
import {
  BoundPorts,
  type ContainerRuntimeClient,
  GenericContainer,
  getContainerRuntimeClient,
  Network,
  type StartedNetwork,
  type StartedTestContainer,
  Wait,
} from 'testcontainers';
import type { StackEndpoints } from './localStackSetup.js';

/**
 * The images the container stack runs, pinned to the versions infra/local/stack.sh fetches where the
 * image exists (Kafka 4.3.1, Apicurio Registry 3.3.3); ClickHouse is the real server where the process
 * stack embeds chDB behind the same HTTP interface.
 *
 * @example
 * console.log(CONTAINER_STACK_IMAGES.kafka); // 'apache/kafka:4.3.1'
 */
export const CONTAINER_STACK_IMAGES = {
  kafka: 'apache/kafka:4.3.1',
  apicurio: 'apicurio/apicurio-registry:3.3.3',
  clickhouse: 'clickhouse/clickhouse-server:25.8',
} as const;

/** A service of the container stack, or the network they share; names what failed in errors. */
export type ContainerStackPart = keyof typeof CONTAINER_STACK_IMAGES | 'network';

/**
 * A started container stack: where its services answer, and how to take it down.
 *
 * @example
 * const stack = await startContainerStack();
 * try { console.log(stack.endpoints.kafkaBroker); } finally { await stack.stop(); }
 */
export interface ContainerStack {
  readonly endpoints: StackEndpoints;
  /** Stops every container, then the network; rejects with a ContainerStackError naming what would not stop. */
  stop(): Promise<void>;
}

/**
 * How startContainerStack finds the container runtime; the defaults are testcontainers' own lookup
 * and a bound on how long it may take.
 *
 * @example
 * await startContainerStack({ runtimeTimeoutMs: 5_000 });
 */
export interface ContainerStackOptions {
  /** Finds the runtime; testcontainers' getContainerRuntimeClient by default. */
  readonly runtime?: () => Promise<ContainerRuntimeClient>;
  /** How long the lookup may take before the runtime counts as missing; default 15 s. */
  readonly runtimeTimeoutMs?: number;
}

/**
 * No container runtime answered: no Docker socket, no DOCKER_HOST that responds, or a lookup that
 * did not finish in time. Not retriable: a runtime has to be installed or started, or the process
 * stack used instead. The runtime's own error, if any, is the `cause`.
 *
 * @example
 * try { await startContainerStack(); }
 * catch (e) { if (e instanceof ContainerRuntimeUnavailableError) console.error(e.message); }
 */
export class ContainerRuntimeUnavailableError extends Error {
  override readonly name = 'ContainerRuntimeUnavailableError';
  readonly retriable = false;

  constructor(detail: string, options?: { cause?: unknown }) {
    super(
      `no container runtime: unset TWINFLOW_STACK=containers to use the process-based stack (${detail})`,
      options,
    );
  }
}

/**
 * Part of the container stack would not start or stop. `parts` names every part at fault; the
 * `cause` is its error, or an AggregateError when several failed (cleanup failures included).
 *
 * @example
 * catch (e) { if (e instanceof ContainerStackError) console.error(e.phase, e.parts); } // 'start' ['apicurio']
 */
export class ContainerStackError extends Error {
  override readonly name = 'ContainerStackError';

  constructor(
    readonly phase: 'start' | 'stop',
    readonly parts: readonly ContainerStackPart[],
    options: { cause: unknown },
  ) {
    super(`container stack: ${parts.join(', ')} failed to ${phase}`, options);
  }
}

const RUNTIME_TIMEOUT_MS = 15_000;
const STARTUP_TIMEOUT_MS = 180_000;

/**
 * Finds the container runtime with `probe`, turning "none found" and "no answer within `timeoutMs`"
 * into a ContainerRuntimeUnavailableError. The bound matters for a DOCKER_HOST that accepts the
 * connection and never answers: the lookup has no timeout of its own.
 *
 * @example
 * const client = await detectContainerRuntime(getContainerRuntimeClient, 15_000);
 */
export async function detectContainerRuntime<Runtime>(
  probe: () => Promise<Runtime>,
  timeoutMs: number,
): Promise<Runtime> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ContainerRuntimeUnavailableError(`no answer within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  const found = probe().catch((cause: unknown) => {
    throw new ContainerRuntimeUnavailableError('none found', { cause });
  });
  try {
    return await Promise.race([found, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts Kafka (KRaft, one combined broker and controller), Apicurio Registry and ClickHouse on a new
 * network, in parallel, each waited for until it serves: Kafka until the broker has started, the
 * registry until its Confluent-compatible API lists subjects (what the tests use, as stack.sh checks),
 * ClickHouse until /ping answers. When any part fails, the parts already started are stopped.
 *
 * @example
 * const { endpoints, stop } = await startContainerStack();
 * // endpoints.kafkaBroker 'localhost:32771', endpoints.registryUrl 'http://localhost:32772/apis/ccompat/v7'
 * await stop();
 */
export async function startContainerStack(options: ContainerStackOptions = {}): Promise<ContainerStack> {
  // Before anything else, so a machine without a runtime gets the one clear message at once.
  const client = await detectContainerRuntime(
    options.runtime ?? getContainerRuntimeClient,
    options.runtimeTimeoutMs ?? RUNTIME_TIMEOUT_MS,
  );
  let network: StartedNetwork;
  try {
    network = await new Network().start();
  } catch (cause) {
    throw new ContainerStackError('start', ['network'], { cause });
  }

  const starts = await Promise.allSettled([
    startKafka(client, network),
    startApicurio(network),
    startClickHouse(network),
  ]);
  const [kafka, apicurio, clickhouse] = starts;
  const services = ['kafka', 'apicurio', 'clickhouse'] as const;
  const started = starts.flatMap((s, i) =>
    s.status === 'fulfilled' ? [{ part: services[i], container: s.value.container }] : [],
  );
  const stop = (): Promise<void> => stopAll(started, network);

  if (kafka.status === 'rejected' || apicurio.status === 'rejected' || clickhouse.status === 'rejected') {
    const parts = services.filter((_, i) => starts[i].status === 'rejected');
    const errors = starts.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
    try {
      await stop();
    } catch (cleanup) {
      errors.push(cleanup);
    }
    const cause = errors.length === 1 ? errors[0] : new AggregateError(errors, 'container stack start-up');
    throw new ContainerStackError('start', parts, { cause });
  }

  return {
    endpoints: {
      kafkaBroker: kafka.value.endpoint,
      registryUrl: apicurio.value.endpoint,
      clickhouseUrl: clickhouse.value.endpoint,
    },
    stop,
  };
}

/** A started service: the address the tests use and the container behind it. */
interface StartedService {
  readonly endpoint: string;
  readonly container: StartedTestContainer;
}

/** Stops the containers in parallel, then the network, which cannot be removed while one is attached. */
async function stopAll(
  started: readonly { part: ContainerStackPart; container: StartedTestContainer }[],
  network: StartedNetwork,
): Promise<void> {
  const stops = await Promise.allSettled(started.map(({ container }) => container.stop()));
  const failed = started.filter((_, i) => stops[i].status === 'rejected').map(({ part }) => part);
  if (failed.length > 0) {
    // The network stays too (a container is still on it); testcontainers' reaper removes both when
    // this process exits.
    const errors = stops.flatMap((s) => (s.status === 'rejected' ? [s.reason] : []));
    const cause = errors.length === 1 ? errors[0] : new AggregateError(errors, 'container stack stop');
    throw new ContainerStackError('stop', failed, { cause });
  }
  try {
    await network.stop();
  } catch (cause) {
    throw new ContainerStackError('stop', ['network'], { cause });
  }
}

// ---------------------------------------------------------------- Kafka

/** Clients on the host; published on a random host port, advertised as that port. */
const KAFKA_CLIENT_PORT = 9092;
/** Between brokers and for containers on the stack's network, as kafka:9093. */
const KAFKA_BROKER_PORT = 9093;
const KAFKA_CONTROLLER_PORT = 9094;
const KAFKA_ALIAS = 'kafka';
const KAFKA_START_SCRIPT = '/tmp/twinflow-kafka-start.sh';
/** Written after the script, so the waiting shell never runs a script that is still being copied. */
const KAFKA_START_READY = '/tmp/twinflow-kafka-start.ready';
const KAFKA_AWAITING_SCRIPT = 'twinflow: waiting for the start script';

/**
 * The script that starts the broker once its host port is known: the image's own start command
 * (/etc/kafka/docker/run), with the advertised listeners exported first. A client bootstraps from
 * any address but then connects to the advertised one, so it has to be the host and the port
 * Docker mapped, which exist only once the container has started.
 *
 * @example
 * kafkaStartScript('localhost', 32771);
 * // exports KAFKA_ADVERTISED_LISTENERS='PLAINTEXT://localhost:32771,BROKER://kafka:9093', then runs the image's start
 */
export function kafkaStartScript(host: string, mappedPort: number): string {
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(host)) throw new Error(`kafkaStartScript: unexpected host "${host}"`);
  if (!Number.isInteger(mappedPort) || mappedPort <= 0 || mappedPort > 65_535)
    throw new Error(`kafkaStartScript: port must be 1-65535, got ${mappedPort}`);
  const advertised = `PLAINTEXT://${host}:${mappedPort},BROKER://${KAFKA_ALIAS}:${KAFKA_BROKER_PORT}`;
  return `#!/bin/bash\nexport KAFKA_ADVERTISED_LISTENERS='${advertised}'\nexec /etc/kafka/docker/run\n`;
}

/**
 * The broker's settings as the image reads them (KAFKA_ + the property, dots as underscores): the
 * listeners, KRaft combined mode, and the single-replica internals infra/local/stack.sh also sets.
 */
function kafkaEnvironment(): Record<string, string> {
  return {
    // A cluster id is 16 random bytes in URL-safe base64 without padding; the image formats the
    // storage with it on first start.
    CLUSTER_ID: randomBytes(16).toString('base64url'),
    KAFKA_NODE_ID: '1',
    KAFKA_PROCESS_ROLES: 'broker,controller',
    KAFKA_LISTENERS: [
      `PLAINTEXT://0.0.0.0:${KAFKA_CLIENT_PORT}`,
      `BROKER://0.0.0.0:${KAFKA_BROKER_PORT}`,
      `CONTROLLER://0.0.0.0:${KAFKA_CONTROLLER_PORT}`,
    ].join(','),
    KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT',
    KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
    KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
    KAFKA_CONTROLLER_QUORUM_VOTERS: `1@localhost:${KAFKA_CONTROLLER_PORT}`,
    KAFKA_NUM_PARTITIONS: '1',
    KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
    // One replica of everything: the defaults (3) would leave internal topics unavailable.
    KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '8',
    KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
    KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
    KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '8',
    KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
    KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
    KAFKA_MIN_INSYNC_REPLICAS: '1',
    // Consumers join at once instead of waiting 3 s for more members.
    KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
  };
}

/**
 * Kafka in two steps, as testcontainers' own Kafka modules do: the container starts a shell that
 * waits for a start script; once Docker has mapped the client port, the script (with that port
 * advertised) is copied in and the broker starts; then it is waited for.
 */
async function startKafka(client: ContainerRuntimeClient, network: StartedNetwork): Promise<StartedService> {
  const container = await new GenericContainer(CONTAINER_STACK_IMAGES.kafka)
    .withNetwork(network)
    .withNetworkAliases(KAFKA_ALIAS)
    .withExposedPorts(KAFKA_CLIENT_PORT)
    .withEnvironment(kafkaEnvironment())
    .withCommand([
      'sh',
      '-c',
      `echo '${KAFKA_AWAITING_SCRIPT}'; while [ ! -f ${KAFKA_START_READY} ]; do sleep 0.1; done; exec bash ${KAFKA_START_SCRIPT}`,
    ])
    .withWaitStrategy(Wait.forLogMessage(KAFKA_AWAITING_SCRIPT))
    .start();
  try {
    const host = container.getHost();
    const port = container.getMappedPort(KAFKA_CLIENT_PORT);
    await container.copyContentToContainer([
      { content: kafkaStartScript(host, port), target: KAFKA_START_SCRIPT, mode: 0o755 },
    ]);
    await container.copyContentToContainer([{ content: '', target: KAFKA_START_READY }]);
    // The line infra/local/stack.sh waits for too: logged once the broker serves clients.
    await Wait.forLogMessage(/Kafka Server started/)
      .withStartupTimeout(STARTUP_TIMEOUT_MS)
      .waitUntilReady(client.container.getById(container.getId()), new BoundPorts());
    return { endpoint: `${host}:${port}`, container };
  } catch (error) {
    try {
      await container.stop();
    } catch (cleanup) {
      throw new AggregateError([error, cleanup], 'Kafka failed to start, and its container to stop');
    }
    throw error;
  }
}

// ---------------------------------------------------------------- Apicurio Registry

const APICURIO_PORT = 8080;
const CCOMPAT_PATH = '/apis/ccompat/v7';

/** Apicurio Registry with its default in-memory storage, as the process stack runs it. */
async function startApicurio(network: StartedNetwork): Promise<StartedService> {
  const container = await new GenericContainer(CONTAINER_STACK_IMAGES.apicurio)
    .withNetwork(network)
    .withNetworkAliases('apicurio')
    .withExposedPorts(APICURIO_PORT)
    // The API the tests use, not a health endpoint: ready means it answers them.
    .withWaitStrategy(Wait.forHttp(`${CCOMPAT_PATH}/subjects`, APICURIO_PORT).forStatusCode(200))
    .withStartupTimeout(STARTUP_TIMEOUT_MS)
    .start();
  return {
    endpoint: `http://${container.getHost()}:${container.getMappedPort(APICURIO_PORT)}${CCOMPAT_PATH}`,
    container,
  };
}

// ---------------------------------------------------------------- ClickHouse

const CLICKHOUSE_HTTP_PORT = 8123;

/**
 * ClickHouse's HTTP interface, user `default` without a password like the embedded endpoint. The
 * image limits a password-less `default` to connections from inside the container unless user
 * set-up is skipped.
 */
async function startClickHouse(network: StartedNetwork): Promise<StartedService> {
  const container = await new GenericContainer(CONTAINER_STACK_IMAGES.clickhouse)
    .withNetwork(network)
    .withNetworkAliases('clickhouse')
    .withExposedPorts(CLICKHOUSE_HTTP_PORT)
    .withEnvironment({ CLICKHOUSE_SKIP_USER_SETUP: '1' })
    .withWaitStrategy(Wait.forHttp('/ping', CLICKHOUSE_HTTP_PORT).forStatusCode(200))
    .withStartupTimeout(STARTUP_TIMEOUT_MS)
    .start();
  return {
    endpoint: `http://${container.getHost()}:${container.getMappedPort(CLICKHOUSE_HTTP_PORT)}`,
    container,
  };
}
