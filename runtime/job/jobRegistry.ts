import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { UsageError } from '../cli/flags.js';
import { type JobDefinition, jobDefinitionProblem } from './jobDefinition.js';

/**
 * Where the CLI finds jobs. A package declares its jobs as data in its
 * package.json, so the runtime imports no pipeline and a user's project adds
 * its own without touching twinflow:
 *
 *   "twinflow": {
 *     "jobs": { "pump-health": "./dist/pump-health/job.js" },
 *     "defaultJob": "pump-health"
 *   }
 *
 * Module paths are relative to that package.json. The user's project (the
 * nearest package.json at or above the working directory) is asked first,
 * then twinflow's own package (its reference jobs). A job can also be named
 * by its module path: `twinflow run ./dist/my-job.js`.
 */

/**
 * A job a package.json declares.
 *
 * @example
 * const entry: JobEntry = { name: 'machine-health', module: '/app/dist/pipelines/machine-health/job.js', declaredIn: '/app/package.json' };
 */
export interface JobEntry {
  readonly name: string;
  /** Absolute path of the module that exports the job definition. */
  readonly module: string;
  /** The package.json that declares it. */
  readonly declaredIn: string;
}

/**
 * A job name no package.json declares; the message lists the known ones.
 * A usage error: the command line has to change.
 */
export class UnknownJobError extends UsageError {
  override readonly name = 'UnknownJobError';
}

/**
 * A job module that cannot be loaded or exports no valid job definition.
 * Not a usage error: the module is broken, not the command line.
 */
export class JobModuleError extends Error {
  override readonly name = 'JobModuleError';
}

/**
 * Looks up jobs for one working directory.
 *
 * @example
 * const registry = new JobRegistry(process.cwd());
 * const job = await registry.load('machine-health');   // or './dist/my-job.js'
 * process.exitCode = await job.run(['--days', '1'], processIo());
 */
export class JobRegistry {
  private readonly manifests: readonly string[];

  /** `cwd`: where the user's package.json is looked for; `ownManifest`: twinflow's package.json (tests). */
  constructor(cwd: string, ownManifest: string = twinflowManifest()) {
    const user = nearestManifest(resolve(cwd));
    this.manifests = [...new Set([user, ownManifest].filter((m): m is string => m !== undefined))];
  }

  /** Every declared job, the user's first; a name declared twice is the user's. */
  entries(): JobEntry[] {
    const seen = new Map<string, JobEntry>();
    for (const manifest of this.manifests) {
      for (const entry of declaredJobs(manifest)) if (!seen.has(entry.name)) seen.set(entry.name, entry);
    }
    return [...seen.values()];
  }

  /** The job `twinflow produce` and `replay` use without --job: the first package's `defaultJob`. */
  defaultJob(): string | undefined {
    for (const manifest of this.manifests) {
      const name = twinflowSection(manifest)?.defaultJob;
      if (typeof name === 'string') return name;
    }
    return undefined;
  }

  /**
   * The job named `ref` (a declared name) or exported by the module at
   * `ref` (a path: it contains a "/" or ends in .js/.mjs). Throws
   * UnknownJobError for an undeclared name, JobModuleError for a module
   * that is missing or exports no job definition.
   */
  async load(ref: string): Promise<JobDefinition> {
    if (looksLikePath(ref)) return loadJobModule(resolve(ref));
    const entry = this.entries().find((e) => e.name === ref);
    if (entry === undefined) {
      const known = this.entries().map((e) => e.name);
      throw new UnknownJobError(
        `unknown job "${ref}"; known: ${known.length > 0 ? known.join(', ') : 'none'} ` +
          '(declared in package.json "twinflow": { "jobs": { … } }), or give a module path such as ./dist/my-job.js',
      );
    }
    const job = await loadJobModule(entry.module);
    if (job.name !== entry.name) {
      throw new JobModuleError(
        `${entry.declaredIn} declares job "${entry.name}" as ${entry.module}, which defines job "${job.name}"`,
      );
    }
    return job;
  }
}

/**
 * The job definition a module exports as `default` or `job`.
 *
 * @example
 * const job = await loadJobModule('/app/dist/my-job.js');
 */
export async function loadJobModule(path: string): Promise<JobDefinition> {
  if (!existsSync(path)) throw new JobModuleError(`job module ${path} does not exist (built yet?)`);
  let exported: Record<string, unknown>;
  try {
    exported = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (cause) {
    throw new JobModuleError(`job module ${path} failed to load: ${(cause as Error).message}`, { cause });
  }
  const candidate = exported.default ?? exported.job;
  if (candidate === undefined) {
    throw new JobModuleError(
      `job module ${path} exports no job: export default defineJob({ … }) (or export const job)`,
    );
  }
  const problem = jobDefinitionProblem(candidate);
  if (problem !== undefined) throw new JobModuleError(`job module ${path}: ${problem}`);
  return candidate as JobDefinition;
}

function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || isAbsolute(ref) || /\.(c|m)?js$/.test(ref);
}

interface TwinflowSection {
  readonly jobs?: Record<string, unknown>;
  readonly defaultJob?: unknown;
}

function twinflowSection(manifest: string): TwinflowSection | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch (cause) {
    throw new JobModuleError(`${manifest} is not readable JSON: ${(cause as Error).message}`, { cause });
  }
  const section = (parsed as { twinflow?: unknown }).twinflow;
  return typeof section === 'object' && section !== null ? (section as TwinflowSection) : undefined;
}

function declaredJobs(manifest: string): JobEntry[] {
  const jobs = twinflowSection(manifest)?.jobs;
  if (jobs === undefined) return [];
  if (typeof jobs !== 'object' || jobs === null || Array.isArray(jobs)) {
    throw new JobModuleError(`${manifest}: "twinflow.jobs" must map job names to module paths`);
  }
  return Object.entries(jobs).map(([name, module]) => {
    if (typeof module !== 'string' || module === '') {
      throw new JobModuleError(`${manifest}: "twinflow.jobs.${name}" must be a module path`);
    }
    return { name, module: resolve(dirname(manifest), module), declaredIn: manifest };
  });
}

/** The nearest package.json at or above `dir`. */
function nearestManifest(dir: string): string | undefined {
  for (let d = dir; ; d = dirname(d)) {
    const candidate = join(d, 'package.json');
    if (existsSync(candidate)) return candidate;
    if (dirname(d) === d) return undefined;
  }
}

/** twinflow's own package.json, found from this module (source or dist alike). */
function twinflowManifest(): string {
  for (let d = dirname(fileURLToPath(import.meta.url)); ; d = dirname(d)) {
    const candidate = join(d, 'package.json');
    if (
      existsSync(candidate) &&
      (JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string }).name === 'twinflow'
    )
      return candidate;
    if (dirname(d) === d) throw new JobModuleError('twinflow: cannot find its own package.json');
  }
}
