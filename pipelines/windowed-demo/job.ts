import { defineJob } from '../../runtime/job/jobDefinition.js';

/** The windowed demo (per-asset minute statistics over generated telemetry) as a registered job. */
export default defineJob({
  name: 'windowed-demo',
  description: 'per-asset minute statistics over generated telemetry (no servers, no twin)',
  run: async (args, io) => (await import('./cli.js')).runFromCli(args, io.out),
});
