import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { CommandIo } from './commandIo.js';
import { UsageError } from './flags.js';

/** What `twinflow stack` can ask of infra/local/stack.sh. */
export const STACK_ACTIONS = ['up', 'down', 'status', 'fetch'] as const;

/** One of {@link STACK_ACTIONS}. */
export type StackAction = (typeof STACK_ACTIONS)[number];

/** Where the stack script sits, relative to the package root. */
export const STACK_SCRIPT = 'infra/local/stack.sh';

export const STACK_USAGE = `twinflow stack up|down|status|fetch
  runs the local stack (Kafka, Apicurio Registry, embedded ClickHouse; no Docker) through ${STACK_SCRIPT}
    up      fetch what is missing, start all three and wait until they are healthy
    down    stop all three
    status  the state of each service
    fetch   only download what is missing (Maven Central)
  Output is the script's own; the exit code is the script's.`;

/**
 * The stack script cannot be run: it is not there (an npm install rather
 * than a source checkout) or bash cannot be started. Not retriable.
 *
 * @example
 * await runStack(['up'], io).catch((e) => e instanceof StackScriptError && console.error(e.message));
 */
export class StackScriptError extends Error {
  override readonly name = 'StackScriptError';
  readonly retriable = false;
}

/**
 * A process to run: the program, its arguments and its working directory.
 *
 * @example
 * const inv: Invocation = { command: 'bash', args: ['/repo/infra/local/stack.sh', 'up'], cwd: '/repo' };
 */
export interface Invocation {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
}

/** Runs an invocation with its output going straight to ours; resolves to its exit code. */
export type Spawner = (invocation: Invocation) => Promise<number>;

/** What {@link runStack} may be given instead of the real thing (tests give both). */
export interface StackCommandOptions {
  readonly spawner?: Spawner;
  /** The package root holding infra/local/stack.sh (default: found from this module). */
  readonly root?: string;
}

/**
 * The command line that runs `action` of the stack script in `root`.
 *
 * @example
 * stackInvocation('up', '/repo'); // { command: 'bash', args: ['/repo/infra/local/stack.sh', 'up'], cwd: '/repo' }
 */
export function stackInvocation(action: StackAction, root: string): Invocation {
  return { command: 'bash', args: [join(root, STACK_SCRIPT), action], cwd: root };
}

/**
 * `twinflow stack up|down|status|fetch`: runs infra/local/stack.sh from the
 * package root, its output streaming through unchanged, and returns its exit
 * code. `argv` is what follows `twinflow stack`. Throws `UsageError` for a
 * missing or unknown action.
 *
 * @example
 * process.exitCode = await runStack(['status'], processIo());
 */
export async function runStack(
  argv: string[],
  io: CommandIo,
  options: StackCommandOptions = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(STACK_USAGE);
    return 0;
  }
  const [action, ...extra] = positionals;
  if (action === undefined) throw new UsageError(`stack: name the action: ${STACK_ACTIONS.join(', ')}`);
  if (!isStackAction(action)) {
    throw new UsageError(`stack: unknown action "${action}"; known: ${STACK_ACTIONS.join(', ')}`);
  }
  if (extra.length > 0) throw new UsageError(`stack ${action}: unexpected argument "${extra[0]}"`);
  const root = options.root ?? findPackageRoot();
  return (options.spawner ?? inheritStdio)(stackInvocation(action, root));
}

function isStackAction(s: string): s is StackAction {
  return (STACK_ACTIONS as readonly string[]).includes(s);
}

/** The package root: the nearest folder above this module (in the sources or in dist/) holding the stack script. */
function findPackageRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  let dir = here;
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, STACK_SCRIPT))) return dir;
    dir = dirname(dir);
  }
  // The npm package ships dist/ and schemas/ only: the stack is for a source checkout.
  throw new StackScriptError(
    `stack: ${STACK_SCRIPT} not found above ${here}; the local stack needs a source checkout`,
  );
}

/**
 * The real spawner: the child shares our terminal. Ctrl-C reaches the child
 * too (same process group) and SIGTERM is passed on to it; either way we
 * wait for it rather than die first, so its clean-up runs and its exit code
 * is the one we return.
 */
const inheritStdio: Spawner = (invocation) =>
  new Promise((resolve, reject) => {
    const child = spawn(invocation.command, [...invocation.args], { cwd: invocation.cwd, stdio: 'inherit' });
    const onInterrupt = (): void => {};
    const onTerminate = (): void => {
      child.kill('SIGTERM');
    };
    process.on('SIGINT', onInterrupt);
    process.on('SIGTERM', onTerminate);
    const done = (): void => {
      process.off('SIGINT', onInterrupt);
      process.off('SIGTERM', onTerminate);
    };
    child.once('error', (err) => {
      done();
      reject(new StackScriptError(`stack: cannot run ${invocation.command}: ${err.message}`, { cause: err }));
    });
    child.once('exit', (code, signal) => {
      done();
      // A shell reports death by signal N as 128 + N; so do we.
      resolve(code ?? 128 + (signal === null ? 0 : (constants.signals[signal] ?? 0)));
    });
  });
