import { defineJob } from 'twinflow/runtime';
import { besideSources } from './catalogue.js';
import { heatExchangerSettings } from './settings.js';

/** Where `twinflow migrate --job heat-exchanger` finds the job's tables. */
export const HX_MIGRATIONS = besideSources('migrations');

/**
 * The heat-exchanger twin as a job the CLI finds through the registry:
 * embedded by default, on Kafka with `--config`, in memory with
 * `--compare`. Each command loads its module on first use.
 */
export default defineJob({
  name: 'heat-exchanger',
  description:
    'heat exchangers: fouling from ε-NTU, contract-limit prediction, guarded cleaning and bypass commands',
  settings: heatExchangerSettings,
  migrations: HX_MIGRATIONS,
  run: async (args, io) => (await import('./cli.js')).runHeatExchangerFromCli(args, io),
  produce: async (args, io) => (await import('./produce.js')).produceHeatExchangerFromCli(args, io),
});
