import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCatalogue } from '../../connectors/catalogue/loadCatalogue.js';
import { scaleCatalogue } from '../../connectors/catalogue/scaleCatalogue.js';
import {
  configAlone,
  positiveInteger,
  positiveNumber,
  seedList,
  tcpPort,
  UsageError,
} from '../../runtime/cli/flags.js';
import { serveLiveView } from '../../runtime/liveView/serveLiveView.js';
import { DEFAULT_CATALOGUE, runMachineHealthEmbedded } from './embeddedJob.js';
import { htmlReport, riskCurveCollector } from './htmlReport.js';
import { machineHealthOperatorView } from './operatorView.js';
import { formatReport } from './report.js';
import { seedSummaryLine } from './seedSummary.js';
import { whatIfJobState } from './whatIfJobState.js';
import { WHAT_IF_PATH, whatIfRoutes } from './whatIfRoute.js';

export const USAGE = `twinflow run machine-health [options]   the reference twin on the embedded default
twinflow run machine-health --config FILE   the job on Kafka, a schema registry and ClickHouse, exactly-once
  --config FILE     job config (YAML; see runtime/config/examples/); takes no other flag
  --assets N        assets (the catalogue's are cloned round-robin; default 100)
  --days D          simulated days (default 2)
  --seed S          plant seed (default 42)
  --seeds S,S,…     run each seed in turn and print one line per seed (recall, MTTD, dispatch precision,
                    failures prevented, net saving); no live view or HTML report
  --speed X         simulated time per wall time, e.g. 3600 = one hour per second (default: as fast as possible)
  --tick S          simulated seconds per reading (default 30)
  --baseline-only   run the plant without the twin and report it
  --port P          embedded ClickHouse HTTP port while the job runs (default: a free one)
  --view-port P     live operator page and JSON API on 127.0.0.1 while the twin runs (default: a free one)
  --data DIR        embedded ClickHouse data directory (default .twinflow/clickhouse)
  --report FILE     also write the run report as one self-contained HTML file (default .twinflow/report.html)
  --catalogue FILE  asset catalogue (default pipelines/machine-health/catalogue.yaml)
  --model FILE      ONNX surrogate with the twinflow feature contract (default models/machine-health-surrogate.onnx)`;

/**
 * `twinflow run machine-health`: parses flags, runs baseline and twin with
 * live progress on stderr, prints the report on stdout.
 */
export async function runFromCli(args: string[], log: (line: string) => void = console.log): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      assets: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      seeds: { type: 'string' },
      speed: { type: 'string' },
      tick: { type: 'string' },
      'baseline-only': { type: 'boolean' },
      port: { type: 'string' },
      'view-port': { type: 'string' },
      report: { type: 'string' },
      data: { type: 'string' },
      catalogue: { type: 'string' },
      model: { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    log(USAGE);
    return 0;
  }
  if (values.config !== undefined) {
    configAlone(values);
    // Loaded lazily: it pulls in @confluentinc/kafka-javascript, an optional dependency the embedded run does without.
    return (await import('./kafkaCli.js')).runOnKafkaFromConfig(values.config);
  }
  const assets = positiveInteger('assets', values.assets, 100);
  const days = positiveNumber('days', values.days, 2);
  const seed = positiveInteger('seed', values.seed, 42);
  const speed = values.speed === undefined ? 0 : positiveNumber('speed', values.speed, 0);
  const tickS = positiveInteger('tick', values.tick, 30);
  const port = tcpPort('port', values.port, 0);
  const viewPort = tcpPort('view-port', values['view-port'], 0);
  const runOptions = {
    assets,
    days,
    seed,
    tickS,
    speed,
    port,
    dataDir: values.data,
    cataloguePath: values.catalogue,
    modelPath: values.model,
  };
  if (values.seeds !== undefined) {
    if (values.seed !== undefined || values['baseline-only'] || values.report !== undefined)
      throw new UsageError('--seeds takes no --seed, --baseline-only or --report');
    const seeds = seedList('seeds', values.seeds, []);
    log(
      `twinflow machine-health: ${assets} assets, ${days} simulated day(s), a reading every ${tickS} s, seeds ${seeds.join(', ')}`,
    );
    const started = performance.now();
    for (const s of seeds) {
      const report = await runMachineHealthEmbedded({ ...runOptions, seed: s });
      log(seedSummaryLine(report));
    }
    log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
    return 0;
  }
  log(
    `twinflow machine-health: ${assets} assets, ${days} simulated day(s), a reading every ${tickS} s, seed ${seed}${values['baseline-only'] ? ', baseline only' : ''}`,
  );
  const started = performance.now();
  const base = await loadCatalogue(values.catalogue ?? DEFAULT_CATALOGUE);
  const catalogue = assets === base.assets.length ? base : scaleCatalogue(base, assets);
  const view = machineHealthOperatorView(catalogue);
  const states = whatIfJobState(catalogue);
  const risk = riskCurveCollector();
  const served = values['baseline-only']
    ? undefined
    : await serveLiveView(view, {
        port: viewPort,
        routes: whatIfRoutes({ catalogue, subjectOf: states.subjectOf }),
      });
  if (served) {
    log(`live operator view: ${served.url}/ (JSON: ${served.url}/api/v1/view), while the twin runs`);
    log(
      `what-if on the running twin: ${served.url}${WHAT_IF_PATH}?asset=${catalogue.assets[0]?.id}&load=0.6&horizon=6h`,
    );
  }
  let report: Awaited<ReturnType<typeof runMachineHealthEmbedded>>;
  try {
    report = await runMachineHealthEmbedded({
      ...runOptions,
      baselineOnly: values['baseline-only'],
      onOutput: (out) => {
        view.observe(out);
        states.observe(out);
        risk.observe(out);
      },
      onProgress: (p) => {
        const rate = Math.round(p.records / (p.elapsedMs / 1000));
        process.stderr.write(
          `  ${new Date(p.eventTs).toISOString().slice(0, 16).replace('T', ' ')}  ${((100 * p.tick) / (p.ticks ?? p.tick)).toFixed(0).padStart(3)} %  ${p.records.toLocaleString('en')} readings  ${rate.toLocaleString('en')} events/s  watermark lag ${(p.watermarkLagMs / 1000).toFixed(0)} s  commands ${p.commands}  alerts ${p.alerts}\n`,
        );
      },
    });
  } finally {
    view.finish();
    await served?.close();
  }
  for (const line of formatReport(report)) log(line);
  const reportFile = resolve(values.report ?? '.twinflow/report.html');
  mkdirSync(dirname(reportFile), { recursive: true });
  writeFileSync(reportFile, htmlReport(report, risk.curves(4)));
  log(`\nHTML report (opens offline): ${reportFile}`);
  log(`\n(${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return 0;
}
