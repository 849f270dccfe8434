import { parseArgs } from 'node:util';
import { type CommandIo, configAlone, positiveInteger, positiveNumber, tcpPort } from 'twinflow/runtime';
import { DEFAULT_HX_CATALOGUE, loadHxCatalogue } from './catalogue.js';
import { runHeatExchangerEmbedded } from './embeddedRun.js';
import { heatExchangerReport } from './report.js';

export const HX_USAGE = `twinflow run heat-exchanger [options]          the twin against the seeded site, embedded (no servers)
twinflow run heat-exchanger --config FILE      the job on Kafka, a schema registry and ClickHouse, exactly-once
twinflow run heat-exchanger --compare [--seeds 1,2,3] [--days 60]   baseline vs twin in memory, several seeds
  --days D          simulated days (default 60)
  --seed S          site seed (default 1)
  --port P          embedded ClickHouse HTTP port while the job runs (default: a free one)
  --data DIR        embedded ClickHouse data directory (default .twinflow/clickhouse)
  --catalogue FILE  exchanger catalogue (default pipelines/heat-exchanger/catalogue.yaml)`;

/**
 * `twinflow run heat-exchanger`: embedded by default (the site once with
 * its calendar maintenance, once with the twin closed loop, results in the
 * embedded ClickHouse), on Kafka with `--config`, in memory with `--compare`.
 */
export async function runHeatExchangerFromCli(args: string[], io: CommandIo): Promise<number> {
  if (args.includes('--compare')) return (await import('./compare.js')).compareFromCli(args, io.out);
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      port: { type: 'string' },
      data: { type: 'string' },
      catalogue: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    io.out(HX_USAGE);
    return 0;
  }
  if (values.config !== undefined) {
    configAlone(values);
    return (await import('./kafkaRun.js')).runHeatExchangerOnKafka(values.config);
  }
  const days = positiveNumber('days', values.days, 60);
  const seed = positiveInteger('seed', values.seed, 1);
  const port = tcpPort('port', values.port, 0);
  const catalogue = await loadHxCatalogue(values.catalogue ?? DEFAULT_HX_CATALOGUE);
  io.out(
    `twinflow heat-exchanger: ${catalogue.exchangers.length} exchangers, ${days} simulated day(s), seed ${seed}`,
  );
  const started = performance.now();
  const report = await runHeatExchangerEmbedded({
    catalogue,
    seed,
    days,
    port,
    dataDir: values.data,
    onProgress: (p) =>
      io.err(
        `  ${new Date(p.eventTs).toISOString().slice(0, 16).replace('T', ' ')}  ${((100 * p.tick) / (p.ticks ?? p.tick)).toFixed(0).padStart(3)} %  ${p.records.toLocaleString('en')} readings`,
      ),
  });
  for (const line of heatExchangerReport(report.baseline, report.twin)) io.out(line);
  const commands = Object.entries(report.commands).map(([action, n]) => `${action} ${n}`);
  io.out(`twin commands: ${commands.join(', ') || 'none'}; dead letters ${report.deadLetters}`);
  io.out(
    `throughput: ${report.readings.toLocaleString('en')} readings at ${Math.round(report.eventsPerSec).toLocaleString('en')} events/s (Avro, estimation, policy, KPIs and ClickHouse writes included)`,
  );
  io.out(
    `ClickHouse rows: ${Object.entries(report.rowsWritten)
      .map(([table, n]) => `${table} ${n.toLocaleString('en')}`)
      .join(', ')}`,
  );
  io.out(`\nResults are in ${report.clickhouse.dataDir} (database ${report.clickhouse.database}).`);
  io.out(`(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return 0;
}
