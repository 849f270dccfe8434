import type { JobSettings } from 'twinflow/runtime';
import { z } from 'zod';

const positiveInt = () =>
  z.int({ error: 'must be a positive integer' }).positive('must be a positive integer');

const schema = z.strictObject({
  /** The exchanger catalogue (default: the reference one shipped with the package). */
  catalogue: z.string({ error: 'must be a file path' }).min(1, 'must be a file path').optional(),
  tickMs: positiveInt().default(600_000),
  outOfOrdernessMs: z
    .int({ error: 'must be a non-negative integer' })
    .nonnegative('must be >= 0')
    .default(60_000),
  idleTimeoutMs: positiveInt().default(600_000),
  staleAfterMs: positiveInt().default(1_800_000),
  /** Clean in the next low-demand window once the contract limit is predicted within this many hours. */
  horizonH: z.number({ error: 'must be a number of hours' }).positive('must be > 0').default(72),
  minCleaningIntervalH: z.number({ error: 'must be a number of hours' }).positive('must be > 0').default(72),
});

/**
 * The heat-exchanger job's settings, validated with defaults.
 *
 * @example
 * const settings: HeatExchangerSettings = heatExchangerSettings.schema.parse({ horizonH: 48 });
 * settings.tickMs; // 600000
 */
export type HeatExchangerSettings = z.output<typeof schema>;

/**
 * The `pipeline:` section of a heat-exchanger job config: its catalogue,
 * timings and the horizon of the maintenance policy. The catalogue is a
 * file path, resolved against the config file's folder.
 *
 * @example
 * const config = await loadJobConfig('job.yaml', process.env, heatExchangerSettings);
 */
export const heatExchangerSettings: JobSettings<HeatExchangerSettings> = { schema, paths: ['catalogue'] };
