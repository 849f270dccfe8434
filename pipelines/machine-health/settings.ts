import { z } from 'zod';
import { secretRefSchema } from '../../runtime/config/jobConfigSchema.js';
import type { JobSettings } from '../../runtime/config/jobSettings.js';

const positiveInt = () =>
  z.int({ error: 'must be a positive integer' }).positive('must be a positive integer');
const path = () => z.string({ error: 'must be a file path' }).min(1, 'must be a file path');

const percent = z.number({ error: 'must be a number (percent)' });

/**
 * How commands leave the job: signed (HMAC-SHA256 over the Avro body, the
 * key a secret reference) and checked against absolute speed bounds at the
 * sink, a last line behind the twin's own guardrails.
 */
const commands = z.strictObject({
  signing: z
    .strictObject({
      keyId: z.string().min(1),
      key: secretRefSchema,
    })
    .optional(),
  bounds: z
    .strictObject({
      maxSpeedDeltaPct: percent.positive('must be > 0').default(30),
      minSpeedPct: percent.nonnegative('must be >= 0').default(0),
      maxSpeedPct: percent.positive('must be > 0').default(110),
    })
    .refine((b) => b.minSpeedPct <= b.maxSpeedPct, {
      message: 'must not exceed maxSpeedPct',
      path: ['minSpeedPct'],
    })
    .optional(),
});

const schema = z.strictObject({
  /** The asset catalogue (default: the reference one shipped with the package). */
  catalogue: path().optional(),
  /** Assets: the catalogue's are cloned round-robin to this many. */
  assets: positiveInt().optional(),
  /** The ONNX surrogate (default: models/machine-health-surrogate.onnx). */
  model: path().optional(),
  tickMs: positiveInt().default(30_000),
  outOfOrdernessMs: z
    .int({ error: 'must be a non-negative integer' })
    .nonnegative('must be >= 0')
    .default(5000),
  idleTimeoutMs: positiveInt().default(60_000),
  outcomeTimeoutMs: positiveInt().default(300_000),
  commands: commands.prefault({}),
});

/**
 * The machine-health job's settings, validated with defaults.
 *
 * @example
 * const settings: MachineHealthSettings = machineHealthSettings.schema.parse({ assets: 32 });
 * settings.tickMs; // 30000
 */
export type MachineHealthSettings = z.output<typeof schema>;

/**
 * The `pipeline:` section of a machine-health job config: its catalogue,
 * assets, model and timings, and how its commands are signed and bounded. The catalogue and model are file paths,
 * resolved against the config file's folder.
 *
 * @example
 * const config = await loadJobConfig('runtime/config/examples/local.yaml', process.env, machineHealthSettings);
 * config.pipeline.tickMs; // 30000
 */
export const machineHealthSettings: JobSettings<MachineHealthSettings> = {
  schema,
  paths: ['catalogue', 'model'],
};
