import { relative } from 'node:path';
import type { JobDefinition } from '../job/jobDefinition.js';
import type { JobRegistry } from '../job/jobRegistry.js';
import type { CommandIo } from './commandIo.js';
import { UsageError } from './flags.js';

/**
 * Which job a job command (`produce`, `replay`) is for: `--job NAME|PATH`
 * (or `--job=…`) taken out of its arguments, else the package's
 * `defaultJob`. The rest of the arguments are the job's own.
 *
 * @example
 * const { job, args } = await jobOfCommand(registry, 'produce', ['--job', 'machine-health', '--rate', '100']);
 * // args: ['--rate', '100']
 */
export async function jobOfCommand(
  registry: JobRegistry,
  command: string,
  argv: readonly string[],
): Promise<{ job: JobDefinition; args: string[] }> {
  const args: string[] = [];
  let ref: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--job') {
      ref = argv[++i];
      if (ref === undefined || ref.startsWith('-'))
        throw new UsageError(`${command}: --job needs a job name or module path`);
    } else if (arg.startsWith('--job=')) ref = arg.slice('--job='.length);
    else args.push(arg);
  }
  ref ??= registry.defaultJob();
  if (ref === undefined || ref === '') {
    throw new UsageError(
      `${command}: name the job with --job (no package.json declares a "twinflow.defaultJob")`,
    );
  }
  return { job: await registry.load(ref), args };
}

export const JOBS_USAGE = `twinflow jobs   list the jobs package.json files declare: the working directory's package first, then twinflow's own
  A job is declared as "twinflow": { "jobs": { "<name>": "./dist/<module>.js" } } and run with twinflow run <name>.`;

/**
 * `twinflow jobs`: each declared job with its description and module. A job
 * whose module does not load is listed with the reason, and the exit code
 * is 1, so a broken declaration is found before anyone runs it.
 *
 * @example
 * process.exitCode = await listJobs(new JobRegistry(process.cwd()), [], processIo());
 */
export async function listJobs(
  registry: JobRegistry,
  args: readonly string[],
  io: CommandIo,
): Promise<number> {
  if (args.includes('-h') || args.includes('--help')) {
    io.out(JOBS_USAGE);
    return 0;
  }
  if (args.length > 0) throw new UsageError(`jobs: takes no arguments, got "${args.join(' ')}"`);
  const entries = registry.entries();
  const fallback = registry.defaultJob();
  const width = Math.max(0, ...entries.map((e) => e.name.length));
  let broken = 0;
  for (const entry of entries) {
    const module = relative(process.cwd(), entry.module) || entry.module;
    let description: string;
    try {
      description = (await registry.load(entry.name)).description;
    } catch (error) {
      broken++;
      description = `(does not load: ${(error as Error).message})`;
    }
    const mark = entry.name === fallback ? ' (default)' : '';
    io.out(`${entry.name.padEnd(width)}  ${description}${mark}\n${' '.repeat(width)}  ${module}`);
  }
  if (entries.length === 0) io.err('no package.json declares a job ("twinflow": { "jobs": … })');
  return broken > 0 ? 1 : 0;
}
