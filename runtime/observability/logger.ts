import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config/jobConfigSchema.js';

/** Field names whose values are credentials wherever they appear in a logged object. */
const SENSITIVE_FIELDS = [
  'password',
  'key',
  'secret',
  'token',
  'sasl',
  'authorization',
  'signingKey',
  'apiKey',
];

/**
 * How deep (in nested objects) a sensitive field is still redacted. pino's
 * redaction paths have no "any depth" wildcard, so each depth is listed; a
 * logged config puts `kafka.sasl.password` at depth 3 under its field.
 */
const REDACT_DEPTH = 5;

/**
 * pino redaction paths: every sensitive field at the top of a log object and
 * up to `REDACT_DEPTH` levels down (`password`, `*.password`,
 * `*.*.password`, …), plus HTTP headers.
 *
 * @example
 * REDACT_PATHS.includes('*.*.password'); // true
 */
export const REDACT_PATHS: readonly string[] = [
  ...SENSITIVE_FIELDS.flatMap((field) =>
    Array.from({ length: REDACT_DEPTH + 1 }, (_, d) => `${'*.'.repeat(d)}${field}`),
  ),
  'headers.authorization',
  '*.headers.authorization',
  'headers.cookie',
  '*.headers.cookie',
];

/**
 * Creates a job's logger: JSON lines with `job` and `instance` on every
 * line, ISO timestamps, and credentials redacted (see `REDACT_PATHS`; a
 * `Secret` prints as `[redacted]` by itself). Writes to stdout unless
 * `destination` is given.
 *
 * @example
 * const logger = createLogger({ job: config.job.name, instanceId: config.job.instanceId, level: config.observability.logLevel });
 * logger.info({ config: redactedConfig(config) }, 'starting');
 */
export function createLogger(options: {
  readonly job: string;
  readonly instanceId: string;
  readonly level: LogLevel;
  readonly destination?: DestinationStream;
}): Logger {
  return pino(
    {
      level: options.level,
      base: { job: options.job, instance: options.instanceId },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS], censor: '[redacted]' },
    },
    options.destination,
  );
}

/**
 * Where in the stream a log line is about: the partition and offset of the
 * record, the epoch, the asset.
 *
 * @example
 * const position: LogPosition = { partition: 3, offset: '1042', epoch: 17 };
 */
export interface LogPosition {
  readonly partition?: number;
  /** A Kafka offset, kept as the string the client gives (it can exceed 2^53). */
  readonly offset?: string;
  readonly epoch?: number;
  readonly asset?: string;
}

/**
 * A child logger whose lines carry the given position fields (absent ones
 * are left out rather than logged as null).
 *
 * @example
 * const log = childFor(logger, { partition: 3, epoch: 17 });
 * log.warn({ err }, 'record dead-lettered'); // {"partition":3,"epoch":17,...}
 */
export function childFor(logger: Logger, position: LogPosition): Logger {
  const bindings: Record<string, string | number> = {};
  if (position.partition !== undefined) bindings.partition = position.partition;
  if (position.offset !== undefined) bindings.offset = position.offset;
  if (position.epoch !== undefined) bindings.epoch = position.epoch;
  if (position.asset !== undefined) bindings.asset = position.asset;
  return logger.child(bindings);
}
