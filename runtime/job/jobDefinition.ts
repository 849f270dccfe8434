import { isAbsolute } from 'node:path';
import type { CommandIo } from '../cli/commandIo.js';
import type { JobSettings } from '../config/jobSettings.js';

/**
 * What a job module gives the runtime: its name, what it does, and the entry
 * points of the commands that run it. The CLI finds a job through the job
 * registry (a `twinflow.jobs` map in package.json) or by its module path
 * (`twinflow run ./dist/my-job.js`) and knows nothing else of it, so the
 * runtime never imports a pipeline.
 *
 * A job module exports its definition as `default` (or as `job`), built with
 * {@link defineJob}:
 *
 * @example
 * export default defineJob({
 *   name: 'pump-health',
 *   description: 'vibration and temperature of pumps, scored per minute',
 *   run: async (args, io) => { io.out('…'); return 0; },
 * });
 */
export interface JobDefinition {
  /** How `twinflow run <name>` and the registry call it: lower case, digits and "-". */
  readonly name: string;
  /** One line for `twinflow jobs` and the CLI help. */
  readonly description: string;
  /**
   * `twinflow run <name> [args]`: runs the job (the embedded default, or the
   * real stack when the args say so, e.g. `--config FILE`); prints its help
   * for `--help`. Resolves to the exit code; throws a UsageError for a
   * command line it cannot run.
   */
  readonly run: JobCommand;
  /**
   * The folder of its ClickHouse migrations (numbered .sql files), an
   * absolute path: what `twinflow migrate --job <name>` applies (default:
   * twinflow's schemas/clickhouse).
   */
  readonly migrations?: string;
  /** Its own config section (`pipeline:` in the job config): what `twinflow config check` validates it with. */
  readonly settings?: JobSettings<unknown>;
  /** `twinflow produce --job <name> [args]`: publishes the job's simulated input to Kafka. */
  readonly produce?: JobCommand;
  /** `twinflow replay --job <name> [args]`: re-runs the job over a range of its input into a scratch database. */
  readonly replay?: JobCommand;
  /** `twinflow whatif --job <name> [args]`: asks the job's model what a change to an asset would do; answers only. */
  readonly whatif?: JobCommand;
}

/**
 * One of a job's commands: takes the arguments after the command (and job)
 * and resolves to the exit code; prints its own help for `--help`.
 *
 * @example
 * const produce: JobCommand = async (args, io) => { io.out(`${args.length} flags`); return 0; };
 */
export type JobCommand = (args: string[], io: CommandIo) => Promise<number>;

/** A job name the CLI can take as a word: it also names topics and consumer groups by default. */
const JOB_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/**
 * A job definition, checked: a name that can be typed and used in Kafka
 * names, a description, and callable commands. Throws a
 * TypeError naming the field at fault, so a broken job module fails when it
 * is loaded rather than half-way through a command.
 *
 * @example
 * export default defineJob({ name: 'pump-health', description: '…', run: async () => 0 });
 */
export function defineJob(definition: JobDefinition): JobDefinition {
  const problem = jobDefinitionProblem(definition);
  if (problem !== undefined) throw new TypeError(`defineJob: ${problem}`);
  return Object.freeze({ ...definition });
}

/**
 * Why `value` is not a job definition, or undefined when it is one.
 *
 * @example
 * jobDefinitionProblem({ name: 'x' }); // 'description must be a non-empty string'
 */
export function jobDefinitionProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'a job definition must be an object';
  const job = value as Partial<Record<keyof JobDefinition, unknown>>;
  if (typeof job.name !== 'string' || !JOB_NAME.test(job.name)) {
    return `name must be lower-case letters, digits and "-", starting with a letter (got ${JSON.stringify(job.name)})`;
  }
  if (typeof job.description !== 'string' || job.description === '') {
    return 'description must be a non-empty string';
  }
  if (typeof job.run !== 'function') return 'run must be a function (args, io) => Promise<exit code>';
  if (job.migrations !== undefined && (typeof job.migrations !== 'string' || !isAbsolute(job.migrations))) {
    return 'migrations must be the absolute path of a folder of .sql files';
  }
  if (job.settings !== undefined) {
    const settings = job.settings as Partial<JobSettings<unknown>>;
    if (typeof settings !== 'object' || typeof settings.schema?.safeParse !== 'function') {
      return 'settings must be { schema: a zod schema, paths?: string[] }';
    }
  }
  for (const command of ['produce', 'replay', 'whatif'] as const) {
    if (job[command] !== undefined && typeof job[command] !== 'function') {
      return `${command} must be a function (args, io) => Promise<exit code>`;
    }
  }
  return undefined;
}
