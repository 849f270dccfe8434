import { parseArgs } from 'node:util';
import { publishTelemetry } from 'twinflow/kafka';
import { loadJobConfig, positiveInteger, positiveNumber, UsageError } from 'twinflow/runtime';
import { DEFAULT_HX_CATALOGUE, loadHxCatalogue } from './catalogue.js';
import { hxTelemetrySchema } from './contracts.js';
import { HeatExchangerSimulator } from './exchangerSimulator.js';
import { heatExchangerSettings } from './settings.js';

export const HX_PRODUCE_USAGE = `twinflow produce --job heat-exchanger --config FILE [options]   publish the simulated site's telemetry (Avro) to topics.input
  --config FILE   the job config: brokers, registry, topics.input and partitions, pipeline.catalogue and tickMs
  --days D        simulated days (default 1)
  --seed S        site seed (default 1)
  --rate R        events per second (default: as fast as the broker takes them)`;

/**
 * `twinflow produce --job heat-exchanger`: the seeded site's readings, open
 * loop (no twin acts on it), to the job's input topic, keyed by exchanger.
 * Prints what it produced on `out`, progress on `err`.
 *
 * @example
 * await produceHeatExchangerFromCli(['--config', 'hx.yaml', '--days', '2'], { out: console.log, err: console.error });
 */
export async function produceHeatExchangerFromCli(
  args: string[],
  io: { readonly out: (line: string) => void; readonly err: (line: string) => void },
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      rate: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    io.out(HX_PRODUCE_USAGE);
    return 0;
  }
  if (values.config === undefined) throw new UsageError(`--config is required\n${HX_PRODUCE_USAGE}`);
  const config = await loadJobConfig(values.config, process.env, heatExchangerSettings);
  const days = positiveNumber('days', values.days, 1);
  const seed = positiveInteger('seed', values.seed, 1);
  const rate = values.rate === undefined ? 0 : positiveNumber('rate', values.rate, 0);
  const tickMs = config.pipeline.tickMs;
  const ticks = Math.round((days * 86_400_000) / tickMs);
  const catalogue = await loadHxCatalogue(config.pipeline.catalogue ?? DEFAULT_HX_CATALOGUE);
  const report = await publishTelemetry({
    brokers: config.kafka.brokers,
    registry: config.schemaRegistry.url,
    topic: config.topics.input,
    partitions: config.topics.partitions,
    schema: hxTelemetrySchema,
    source: new HeatExchangerSimulator(catalogue, { seed, days, tickMs }),
    ticks,
    rate,
    keyOf: (t) => t.exchangerId,
    onProgress: (p) => {
      if (p.ticks % 144 === 0 || p.ticks === p.totalTicks) {
        io.err(
          `  ${p.ticks}/${p.totalTicks} ticks  ${p.events} readings  ${Math.round(p.eventsPerSec)} events/s`,
        );
      }
    },
  });
  io.out(
    `produced ${report.events} readings (${report.ticks} ticks) to ${report.topic} at ${Math.round(report.eventsPerSec)} events/s`,
  );
  return 0;
}
