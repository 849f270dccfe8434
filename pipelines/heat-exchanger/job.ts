import { parseArgs } from 'node:util';
import { defineJob, UsageError } from 'twinflow/runtime';
import { besideSources } from './catalogue.js';
import { heatExchangerSettings } from './settings.js';

/** Where `twinflow migrate --job heat-exchanger` finds the job's tables. */
export const HX_MIGRATIONS = besideSources('migrations');

/**
 * The heat-exchanger twin as a job the CLI finds through the registry.
 * `--compare` runs baseline and twin in memory and prints the figures; the
 * embedded and Kafka runs are wired by the runtime's generic runner.
 */
export default defineJob({
  name: 'heat-exchanger',
  description:
    'heat exchangers: fouling from ε-NTU, contract-limit prediction, guarded cleaning and bypass commands',
  settings: heatExchangerSettings,
  migrations: HX_MIGRATIONS,
  run: async (args, io) => {
    const { values } = parseArgs({ args, options: { compare: { type: 'boolean' } }, strict: false });
    if (values.compare === true) return (await import('./compare.js')).compareFromCli(args, io.out);
    throw new UsageError(
      'twinflow run heat-exchanger: the embedded and Kafka runs are wired by the runtime (runEmbedded), not yet here; ' +
        'use --compare [--seeds 1,2,3] [--days 60] for the in-memory baseline-vs-twin figures',
    );
  },
});
