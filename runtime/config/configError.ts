/**
 * One problem in a job config. `path` is the setting in dotted form
 * (`kafka.sasl.password`, `kafka.brokers[1]`), or `(yaml)` for a syntax
 * error, `(file)` for a file that cannot be read, an environment variable's
 * name for an override that names no setting.
 *
 * @example
 * const issue: ConfigIssue = { path: 'epochs.intervalMs', message: 'must be a positive integer', line: 12 };
 */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
  /** 1-based line in the config file, where the setting (or its nearest parent) is written there. */
  readonly line?: number;
}

/**
 * An invalid job config. Lists every problem found, not only the first,
 * one per line as `<file>:<line> <path>: <message>`, so one run of
 * `twinflow config check` is enough to fix a file. Messages name settings,
 * environment variables and files, never a secret's value. Not retriable:
 * the config must change.
 *
 * @example
 * try { await loadJobConfig('job.yaml'); }
 * catch (e) { if (e instanceof ConfigError) for (const i of e.issues) console.error(i.path, i.line, i.message); }
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly retriable = false;

  constructor(
    /** The config file (or whatever name the text was given). */
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
    options?: { cause?: unknown },
  ) {
    super(
      `${source}: ${issues.length} problem${issues.length === 1 ? '' : 's'} in the job config:\n${issues
        .map((i) => `  ${formatConfigIssue(source, i)}`)
        .join('\n')}`,
      options,
    );
  }
}

/**
 * One issue as a line: `<file>:<line> <path>: <message>` (no `:<line>` when
 * the setting is not in the file).
 *
 * @example
 * formatConfigIssue('job.yaml', { path: 'kafka.brokers', message: 'is required', line: 4 });
 * // 'job.yaml:4 kafka.brokers: is required'
 */
export function formatConfigIssue(source: string, issue: ConfigIssue): string {
  return `${source}${issue.line === undefined ? '' : `:${issue.line}`} ${issue.path}: ${issue.message}`;
}

/**
 * A path inside the config as issues name it: keys dotted, list items in
 * brackets.
 *
 * @example
 * formatConfigPath(['kafka', 'brokers', 1]); // 'kafka.brokers[1]'
 */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : `${out === '' ? '' : '.'}${String(k)}`;
  return out;
}
