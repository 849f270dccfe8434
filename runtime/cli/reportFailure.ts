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
 * renamed or minified class is still a usage error. When the error comes
 * from the Kafka client, `kafkaClientErrors` (the client's recent error
 * lines, see clientErrorLog.ts) follow it.
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
  kafkaClientErrors: readonly string[] = [],
): number {
  // Not every error's code is a string: a Kafka client error's is librdkafka's number (-195).
  const code = (error as { code?: unknown } | null)?.code;
  const usage =
    error instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS'));
  const help =
    command !== undefined && HELP_OF_COMMAND.has(command) ? `twinflow ${command} --help` : 'twinflow --help';
  // A Kafka call's error is often only the symptom (`Local: Broker transport failure`); the
  // client's own error lines name the cause (a refused login, an unresolvable host).
  const client =
    kafkaClientErrors.length > 0 && fromKafkaClient(error)
      ? `\nthe Kafka client reported:${kafkaClientErrors.map((line) => `\n  ${line}`).join('')}`
      : '';
  write(
    `twinflow: ${error instanceof Error ? error.message : String(error)}${client}${usage ? `\nRun "${help}" for usage.` : ''}\n`,
  );
  return usage ? 2 : 1;
}

/** Whether the error, or one of its causes, is the Kafka client's (its KafkaJS-API errors are named KafkaJS…). */
function fromKafkaClient(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 6; depth++) {
    if (e.name.startsWith('KafkaJS')) return true;
    e = e.cause;
  }
  return false;
}
