import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';

/**
 * Global setup of the integration project: brings the local stack up once for every integration
 * test file and takes it down afterwards, even when tests fail.
 *
 * By default the stack is infra/local/stack.sh's processes on fixed ports (what CI runs); a stack
 * that was already fully up (a developer's) is left running. On a machine with a container runtime
 * the same stack can run on containers instead (./containerStack.ts), on random ports:
 *
 *   TWINFLOW_STACK=containers npx vitest run --project integration
 *
 * Tests read the endpoints from STACK either way.
 */
const run = promisify(execFile);
const script = resolve(import.meta.dirname, '../../infra/local/stack.sh');

/**
 * Where the stack's three services answer.
 *
 * @example
 * const endpoints: StackEndpoints = stackEndpoints({}); // the process stack's fixed ports
 */
export interface StackEndpoints {
  /** host:port of the Kafka broker's client listener. */
  readonly kafkaBroker: string;
  /** Base URL of Apicurio's Confluent-compatible API. */
  readonly registryUrl: string;
  /** Base URL of ClickHouse's HTTP interface. */
  readonly clickhouseUrl: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The endpoints of a stack global setup started elsewhere than the process stack's fixed ports. */
    twinflowStack?: StackEndpoints;
  }
}

/** The process stack's fixed ports (infra/local/stack.sh). */
const PROCESS_STACK: StackEndpoints = {
  kafkaBroker: '127.0.0.1:19092',
  registryUrl: 'http://127.0.0.1:18081/apis/ccompat/v7',
  clickhouseUrl: 'http://127.0.0.1:18123',
};

/** The environment variable of each endpoint. */
const ENDPOINT_VARIABLES = {
  kafkaBroker: 'TWINFLOW_KAFKA_BROKER',
  registryUrl: 'TWINFLOW_REGISTRY_URL',
  clickhouseUrl: 'TWINFLOW_CLICKHOUSE_URL',
} as const satisfies Record<keyof StackEndpoints, string>;

/**
 * TWINFLOW_STACK names a stack this setup does not know. Not retriable: the variable has to change.
 *
 * @example
 * try { stackProvider({ TWINFLOW_STACK: 'docker' }); }
 * catch (e) { if (e instanceof StackSelectionError) console.error(e.value); } // 'docker'
 */
export class StackSelectionError extends Error {
  override readonly name = 'StackSelectionError';
  readonly retriable = false;

  constructor(readonly value: string) {
    super(`TWINFLOW_STACK must be "containers", "processes" or unset, got "${value}"`);
  }
}

/**
 * Which stack the integration project runs on: `processes` (infra/local/stack.sh) unless
 * TWINFLOW_STACK is `containers`. Any other value is refused rather than read as the default, so a
 * typo does not silently start the other stack.
 *
 * @example
 * stackProvider({ TWINFLOW_STACK: 'containers' }); // 'containers'
 * stackProvider({}); // 'processes'
 */
export function stackProvider(env: NodeJS.ProcessEnv): 'processes' | 'containers' {
  const value = env.TWINFLOW_STACK ?? '';
  if (value === '' || value === 'processes') return 'processes';
  if (value === 'containers') return 'containers';
  throw new StackSelectionError(value);
}

/**
 * The endpoints named by TWINFLOW_KAFKA_BROKER, TWINFLOW_REGISTRY_URL and TWINFLOW_CLICKHOUSE_URL,
 * each defaulting (when unset or empty) to the process stack's fixed port.
 *
 * @example
 * stackEndpoints({ TWINFLOW_KAFKA_BROKER: 'localhost:32771' }).kafkaBroker; // 'localhost:32771'
 * stackEndpoints({}).kafkaBroker; // '127.0.0.1:19092'
 */
export function stackEndpoints(env: NodeJS.ProcessEnv): StackEndpoints {
  const read = (key: keyof StackEndpoints): string => env[ENDPOINT_VARIABLES[key]] || PROCESS_STACK[key];
  return {
    kafkaBroker: read('kafkaBroker'),
    registryUrl: read('registryUrl'),
    clickhouseUrl: read('clickhouseUrl'),
  };
}

/**
 * The environment variables that name `endpoints`; stackEndpoints reads them back.
 *
 * @example
 * Object.assign(process.env, stackEnvironment(stack.endpoints)); // TWINFLOW_KAFKA_BROKER=localhost:32771, …
 */
export function stackEnvironment(endpoints: StackEndpoints): Record<string, string> {
  return {
    [ENDPOINT_VARIABLES.kafkaBroker]: endpoints.kafkaBroker,
    [ENDPOINT_VARIABLES.registryUrl]: endpoints.registryUrl,
    [ENDPOINT_VARIABLES.clickhouseUrl]: endpoints.clickhouseUrl,
  };
}

/**
 * The endpoints in a test: what global setup provided (the container stack's), else the
 * TWINFLOW_* variables, else the process stack's fixed ports. `inject` is vitest's documented
 * channel from global setup to tests; the variables also reach processes the tests spawn.
 */
function currentStack(): StackEndpoints {
  return inject('twinflowStack') ?? stackEndpoints(process.env);
}

/**
 * The stack's endpoints, for tests. Read when a property is read (not when this module loads), as
 * global setup loads this module too, in the main process, where there is nothing to inject.
 *
 * @example
 * const { kafkaBroker, registryUrl, clickhouseUrl } = STACK;
 */
export const STACK: StackEndpoints = {
  get kafkaBroker() {
    return currentStack().kafkaBroker;
  },
  get registryUrl() {
    return currentStack().registryUrl;
  },
  get clickhouseUrl() {
    return currentStack().clickhouseUrl;
  },
};

async function stack(command: 'up' | 'down' | 'status'): Promise<string> {
  try {
    const { stdout } = await run('bash', [script, command], { maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    throw new Error(
      `bash infra/local/stack.sh ${command} failed:\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`,
      {
        cause: error,
      },
    );
  }
}

function fullyUp(status: string): boolean {
  return ['kafka', 'apicurio', 'clickhouse'].every((name) =>
    new RegExp(`^\\s*${name}\\s+running \\(pid`, 'm').test(status),
  );
}

/** The container stack, started for this run and stopped after it. */
async function containerStack(project: TestProject): Promise<() => Promise<void>> {
  // Imported only here, so the default run never loads testcontainers.
  const { startContainerStack } = await import('./containerStack.js');
  const started = await startContainerStack();
  project.provide('twinflowStack', started.endpoints);
  // For processes the tests spawn; test workers get it too (vitest 4.1 builds their environment from
  // this process's after global setup, forks and threads alike), but STACK relies on inject.
  Object.assign(process.env, stackEnvironment(started.endpoints));
  return () => started.stop();
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (stackProvider(process.env) === 'containers') return containerStack(project);
  const leaveRunning = fullyUp(await stack('status'));
  await stack('up');
  return async () => {
    if (!leaveRunning) await stack('down');
  };
}
