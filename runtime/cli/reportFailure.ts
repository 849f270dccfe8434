import { UsageError } from './flags.js';

/** Commands with a --help of their own, which a usage failure points at instead of the overview. */
const HELP_OF_COMMAND = new Set([
  'produce',
  'replay',
  'whatif',
  'migrate',
  'sql',
  'config',
  'commands',
  'stack',
  'clickhouse',
  'jobs',
]);

/**
 * Reports a `twinflow` command that threw and returns the exit code. A
 * mistake in the command line — a {@link UsageError} (any subclass, such as
 * the produce command's) or a `node:util` parseArgs error (`ERR_PARSE_ARGS_*`)
 * — exits 2 with a pointer to the command's help; anything else exits 1.
 * Recognised by type and error code, never by the class name's text, so a
 * renamed or minified class is still a usage error.
 *
 * @example
 * process.exitCode = reportFailure(new UsageError('--assets must be a positive integer, got "many"'), 'produce', (t) => process.stderr.write(t));
 * // twinflow: --assets must be a positive integer, got "many"
 * // Run "twinflow produce --help" for usage.   (exit code 2)
 */
export function reportFailure(
  error: unknown,
  command: string | undefined,
  write: (text: string) => void,
): number {
  const usage =
    error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
  const help =
    command !== undefined && HELP_OF_COMMAND.has(command) ? `twinflow ${command} --help` : 'twinflow --help';
  write(`twinflow: ${(error as Error).message}${usage ? `\nRun "${help}" for usage.` : ''}\n`);
  return usage ? 2 : 1;
}
