import { parseArgs } from 'node:util';
import { tap } from 'rxjs';
import { syntheticTelemetry } from '../../connectors/synthetic/syntheticTelemetry.js';
import { positiveInteger } from '../../runtime/cli/flags.js';
import { type MinuteHealth, windowedDemo } from './windowedDemo.js';

export interface DemoOptions {
  readonly assets: number;
  readonly minutes: number;
  readonly seed: number;
}

const START = Date.UTC(2026, 0, 1);
const INTERVAL_MS = 1_000;
const MAX_DELAY_MS = 5_000;

/**
 * Runs the windowed demo over generated telemetry and prints live progress
 * (to stderr) and a summary (to stdout).
 */
export async function runDemo(
  options: DemoOptions,
  log: (line: string) => void = console.log,
): Promise<void> {
  const expected = options.assets * options.minutes * 60;
  log(
    `twinflow windowed-demo: ${options.assets} assets, ${options.minutes} min of event time, one reading per asset per second (${expected.toLocaleString('en')} readings), seed ${options.seed}`,
  );
  let readings = 0;
  let tooLate = 0;
  let windows = 0;
  let lateFirings = 0;
  let watermark = Number.NEGATIVE_INFINITY;
  let maxTs = Number.NEGATIVE_INFINITY;
  const hottest = new Map<string, MinuteHealth>();
  const started = performance.now();
  let lastReport = started;

  const input = syntheticTelemetry({
    assets: options.assets,
    startTs: START,
    durationMs: options.minutes * 60_000,
    intervalMs: INTERVAL_MS,
    maxDelayMs: MAX_DELAY_MS,
    lateFraction: 0.002,
    seed: options.seed,
  });
  const counted = input.pipe(
    tap((r) => {
      readings++;
      if (r.ts > maxTs) maxTs = r.ts;
    }),
  );

  await new Promise<void>((resolve, reject) => {
    windowedDemo(counted, MAX_DELAY_MS, () => tooLate++).subscribe({
      next(e) {
        if (e.kind === 'watermark') {
          watermark = e.ts;
          return;
        }
        if (e.kind !== 'record') return;
        windows++;
        if (e.value.late) lateFirings++;
        const best = hottest.get(e.value.assetId);
        if (best === undefined || e.value.maxTemperature > best.maxTemperature)
          hottest.set(e.value.assetId, e.value);
        const now = performance.now();
        if (now - lastReport >= 500) {
          lastReport = now;
          const rate = Math.round(readings / ((now - started) / 1000));
          const lag = Number.isFinite(watermark) ? `${((maxTs - watermark) / 1000).toFixed(1)} s` : 'n/a';
          process.stderr.write(
            `  ${readings.toLocaleString('en')}/${expected.toLocaleString('en')} readings, ${rate.toLocaleString('en')} events/s, watermark lag ${lag}, ${windows.toLocaleString('en')} windows fired\n`,
          );
        }
      },
      error: reject,
      complete: resolve,
    });
  });

  const seconds = (performance.now() - started) / 1000;
  log(
    `processed ${readings.toLocaleString('en')} readings in ${seconds.toFixed(2)} s (${Math.round(readings / seconds).toLocaleString('en')} events/s)`,
  );
  log(
    `windows fired: ${windows.toLocaleString('en')} (late re-firings: ${lateFirings}), readings too late even for allowed lateness: ${tooLate}`,
  );
  const top = Array.from(hottest.values())
    .sort((a, b) => b.maxTemperature - a.maxTemperature)
    .slice(0, 5);
  log('hottest assets (max temperature in any minute):');
  for (const h of top) {
    log(
      `  ${h.assetId}  minute ${new Date(h.minute).toISOString().slice(11, 16)}  max ${h.maxTemperature.toFixed(1)} °C  mean ${h.meanTemperature.toFixed(1)} °C  vibration p95 ${h.vibrationP95.toFixed(2)} mm/s  (${h.readings} readings)`,
    );
  }
}

export const USAGE = `twinflow run windowed-demo [options]   per-asset minute statistics over generated telemetry
  --assets N    assets to simulate (default 1000)
  --minutes M   minutes of event time (default 120)
  --seed S      random seed (default 42)`;

/** `twinflow run windowed-demo`. */
export async function runFromCli(args: string[], log: (line: string) => void = console.log): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      assets: { type: 'string' },
      minutes: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    log(USAGE);
    return 0;
  }
  await runDemo(
    {
      assets: positiveInteger('assets', values.assets, 1000),
      minutes: positiveInteger('minutes', values.minutes, 120),
      seed: positiveInteger('seed', values.seed, 42),
    },
    log,
  );
  return 0;
}
