import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { ConfigError, formatConfigIssue, loadJobConfig, redactedConfig } from '../config/jobConfig.js';
import { UsageError } from './flags.js';

export const CONFIG_CHECK_USAGE = `twinflow config check <file>...   validate job config files (with TWINFLOW__* overrides from the environment)
  prints "ok: <file>" and the effective config (secrets redacted), or every problem as <file>:<line> <path>: <message>
  exit code 0 when every file is valid, 1 otherwise`;

/**
 * `twinflow config check <file>...`: loads each job config exactly as a job
 * would (environment overrides, secrets resolved) and prints the effective
 * config with secrets redacted, or every problem with its path and line.
 * `argv` is what follows `twinflow config`; a leading `check` is optional.
 * Returns the exit code: 0 when every file is valid, 1 otherwise.
 *
 * @example
 * const code = await runConfigCheck(['check', 'runtime/config/examples/local.yaml'], console.log);
 */
export async function runConfigCheck(
  argv: string[],
  out: (line: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    out(CONFIG_CHECK_USAGE);
    return 0;
  }
  const files = positionals[0] === 'check' ? positionals.slice(1) : positionals;
  if (files.length === 0) throw new UsageError('config check: name the config file to check');
  let code = 0;
  for (const file of files) {
    try {
      const config = await loadJobConfig(file, env);
      out(`ok: ${file}`);
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
