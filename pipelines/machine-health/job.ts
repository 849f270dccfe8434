import { defineJob } from '../../runtime/job/jobDefinition.js';
import { machineHealthSettings } from './settings.js';

/**
 * The machine-health reference twin as a job the CLI finds through the
 * registry (package.json "twinflow.jobs"). Each command loads its module on
 * first use: the embedded run needs neither the Kafka client nor the model
 * runtime's replay path, and `twinflow jobs` loads only this file.
 */
export default defineJob({
  name: 'machine-health',
  description: 'rotating-equipment health: KPIs, anomaly and failure risk, closed-loop load commands',
  settings: machineHealthSettings,
  run: async (args, io) => (await import('./cli.js')).runFromCli(args, io.out),
  produce: async (args, io) => (await import('./produce.js')).runProduceFromCli(args, io),
  replay: async (args, io) => (await import('./replay.js')).runReplayFromCli(args, io),
  whatif: async (args, io) => (await import('./whatIfCommand.js')).runWhatIfFromCli(args, io),
});
