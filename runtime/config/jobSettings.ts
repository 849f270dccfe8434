import type { z } from 'zod';

/**
 * A job's own settings: the schema of its `pipeline:` section in the job
 * config, which the runtime composes into the config's schema, so the
 * section gets what every other section gets (defaults, unknown keys
 * refused, `TWINFLOW__PIPELINE__…` overrides typed by the schema, each
 * problem with its path and line), and the settings that are file paths
 * (resolved against the config file's folder, like the runtime's own).
 *
 * @example
 * const pumpSettings: JobSettings<{ pumps: number; catalogue?: string }> = {
 *   schema: z.strictObject({ pumps: z.int().positive().default(12), catalogue: z.string().optional() }),
 *   paths: ['catalogue'],
 * };
 */
export interface JobSettings<S> {
  readonly schema: z.ZodType<S>;
  /** Top-level keys of the section that are file paths. */
  readonly paths?: readonly string[];
}
