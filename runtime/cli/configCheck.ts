import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import {
  ConfigError,
  formatConfigIssue,
  type JobSettings,
  loadJobConfig,
  redactedConfig,
} from '../config/jobConfig.js';
import { UsageError } from './flags.js';

export const CONFIG_CHECK_USAGE = `twinflow config check [--job NAME] <file>...   validate job config files (with TWINFLOW__* overrides from the environment)
  prints "ok: <file>" and the effective config (secrets redacted), or every problem as <file>:<line> <path>: <message>
  --job NAME   whose settings the pipeline: section holds (default: the package's defaultJob)
  exit code 0 when every file is valid, 1 otherwise`;

/**
 * The settings a `pipeline:` section is checked against: the named job's
 * (or the default job's), and that job's name for the report.
 */
export type SettingsOfJob = (
  job: string | undefined,
) => Promise<{ readonly job: string; readonly settings?: JobSettings<unknown> } | undefined>;

/**
 * `twinflow config check <file>...`: loads each job config exactly as a job
 * would (environment overrides, secrets resolved) and prints the effective
 * config with secrets redacted, or every problem with its path and line.
 * `argv` is what follows `twinflow config`; a leading `check` is optional.
 * The `pipeline:` section is checked with the settings `settingsOf` gives
 * for `--job` (the CLI: the job registry's).
 * Returns the exit code: 0 when every file is valid, 1 otherwise.
 *
 * @example
 * const code = await runConfigCheck(['check', 'runtime/config/examples/local.yaml'], console.log);
 */
export async function runConfigCheck(
  argv: string[],
  out: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  settingsOf?: SettingsOfJob,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' }, job: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    out(CONFIG_CHECK_USAGE);
    return 0;
  }
  const files = positionals[0] === 'check' ? positionals.slice(1) : positionals;
  if (files.length === 0) throw new UsageError('config check: name the config file to check');
  const of = await settingsOf?.(values.job);
  let code = 0;
  for (const file of files) {
    try {
      const config = await loadJobConfig(file, env, of?.settings);
      out(`ok: ${file}`);
      out(
        of?.settings === undefined
          ? '# pipeline: not checked (no job settings known)'
          : `# pipeline: checked against the settings of job "${of.job}"`,
      );
      out(stringify(redactedConfig(config)).trimEnd());
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      code = 1;
      out(`invalid: ${file}: ${err.issues.length} problem${err.issues.length === 1 ? '' : 's'}`);
      for (const issue of err.issues) out(`  ${formatConfigIssue(file, issue)}`);
    }
  }
  return code;
}
