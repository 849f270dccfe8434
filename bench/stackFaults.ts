/**
 * The faults a soak puts the local stack (infra/local) through, done to its
 * processes the way the real outage would happen: ClickHouse frozen
 * (SIGSTOP, then SIGCONT: a server that stops answering without closing
 * its connections), the broker stopped as an orchestrator stops it
 * (SIGTERM) and started again by the stack script. Each leaves the stack as
 * it found it, also when the soak is interrupted or fails.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot, stackScript } from './benchStack.js';

/** The stack's pid files, where stack.sh keeps them (TWINFLOW_STACK_DIR as the script reads it). */
const runDir = resolve(process.env.TWINFLOW_STACK_DIR || resolve(repoRoot, '.stack'), 'run');

/** A word of each service's command line, as stack.sh checks it: a reused pid is never signalled. */
const MARKERS = { kafka: 'kafka.Kafka', clickhouse: 'clickhouse' } as const;
type Service = keyof typeof MARKERS;

/** A broker still running this long after SIGTERM is killed, as a pod is after its grace period. */
const BROKER_GRACE_MS = 60_000;
/** `stack.sh up` waits up to 120 s per service itself; this bounds the whole call. */
const STACK_UP_TIMEOUT_MS = 300_000;

/**
 * A service of the local stack is not running where its pid file says, so
 * the fault cannot be done to it. Not retriable: the stack must be up.
 *
 * @example
 * catch (e) { if (e instanceof StackProcessError) console.error(e.service); } // 'clickhouse'
 */
export class StackProcessError extends Error {
  override readonly name = 'StackProcessError';
  readonly retriable = false;

  constructor(
    readonly service: Service,
    detail: string,
  ) {
    super(`the local stack's ${service}: ${detail} (is the stack up? bash infra/local/stack.sh status)`);
  }
}

function servicePid(service: Service): number {
  const file = resolve(runDir, `${service}.pid`);
  let pid: number;
  try {
    pid = Number(readFileSync(file, 'utf8').trim());
  } catch (error) {
    throw new StackProcessError(service, `no pid file ${file} (${(error as Error).message})`);
  }
  let commandLine: string;
  try {
    commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    throw new StackProcessError(service, `pid ${pid} from ${file} is not running`);
  }
  if (!commandLine.includes(MARKERS[service])) {
    throw new StackProcessError(service, `pid ${pid} from ${file} is another program: ${commandLine}`);
  }
  return pid;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
}

/** Sends `signal` to `pid`; a process already gone needs nothing more. */
function signalIfRunning(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** When a fault was done, in performance.now() ms. */
export interface FaultTimes {
  readonly startedAt: number;
  readonly endedAt: number;
}

/**
 * Freezes the local stack's ClickHouse for `durationMs` and thaws it (at
 * once, rejecting with an AbortError, when `signal` aborts). The thaw is also tied to this process's exit, so a
 * soak that dies mid-outage does not leave ClickHouse stopped.
 *
 * @example
 * const { startedAt, endedAt } = await freezeClickHouse(120_000, abort.signal);
 */
export async function freezeClickHouse(durationMs: number, signal: AbortSignal): Promise<FaultTimes> {
  const pid = servicePid('clickhouse');
  const thaw = () => signalIfRunning(pid, 'SIGCONT');
  process.on('exit', thaw);
  const startedAt = performance.now();
  try {
    process.kill(pid, 'SIGSTOP');
    // Rejects with an AbortError when the soak is interrupted: thawed at once, then the soak ends.
    await sleep(durationMs, undefined, { signal });
  } finally {
    thaw();
    process.off('exit', thaw);
  }
  return { startedAt, endedAt: performance.now() };
}

/**
 * What a broker restart took: SIGTERM at `startedAt`, serving again when
 * `stack.sh up` returned at `endedAt`; `killed` when it did not stop
 * within the grace period and was killed.
 */
export interface BrokerRestart extends FaultTimes {
  readonly killed: boolean;
}

/**
 * Stops the local stack's Kafka broker with SIGTERM (SIGKILL after a
 * minute's grace) and starts it again with `stack.sh up`, which returns
 * once it serves. Not interruptible: a soak interrupted in between would
 * leave the stack without its broker, so it waits for the restart.
 *
 * @example
 * const { startedAt, endedAt } = await restartBroker();
 */
export async function restartBroker(): Promise<BrokerRestart> {
  const pid = servicePid('kafka');
  const startedAt = performance.now();
  process.kill(pid, 'SIGTERM');
  let killed = false;
  while (isRunning(pid)) {
    if (!killed && performance.now() - startedAt > BROKER_GRACE_MS) {
      signalIfRunning(pid, 'SIGKILL');
      killed = true;
    }
    await sleep(100);
  }
  // Asynchronously: the soak's producer and samplers keep running while the broker starts.
  await new Promise<void>((done, fail) =>
    execFile('bash', [stackScript, 'up'], { timeout: STACK_UP_TIMEOUT_MS }, (error, stdout, stderr) =>
      error
        ? fail(
            new Error(`bash infra/local/stack.sh up, restarting the broker, failed:\n${stdout}\n${stderr}`, {
              cause: error,
            }),
          )
        : done(),
    ),
  );
  return { startedAt, endedAt: performance.now(), killed };
}
