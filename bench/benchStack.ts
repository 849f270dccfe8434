/**
 * Where the Kafka benchmarks run: the cluster, registry and ClickHouse of a
 * job config (`--config FILE` or BENCH_CONFIG, with its TWINFLOW__…
 * overrides), or else the local stack of infra/local, started here when it
 * is not up and stopped again afterwards (a stack that was already up is
 * left as it was).
 */
import { execFileSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KafkaClientOptions } from '../connectors/kafka/kafkaClientOptions.js';
import type { ClickHouseConnection } from '../runtime/cli/clickhouseConnection.js';
import { loadJobConfig } from '../runtime/config/jobConfig.js';
import { kafkaPlacementOf } from '../runtime/launcher/kafkaPlacementOf.js';
import { progress } from './measure.js';

export interface BenchStack {
  readonly kafka: KafkaClientOptions;
  readonly registry: { readonly url: string; readonly auth?: { username: string; password: () => string } };
  /** Without a database: each bench run makes its own. */
  readonly clickhouse: Omit<ClickHouseConnection, 'database'>;
  /** Where the addresses came from, for the report. */
  readonly from: string;
  /** Stops what this bench started (nothing, when the stack was up before or a config was given). */
  release(): void;
}

/** The repository's root, as seen from dist/bench/, where the benches run. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The local stack's script (infra/local/stack.sh: up, down, status). */
export const stackScript = resolve(repoRoot, 'infra/local/stack.sh');

/** The config file named by `--config FILE` or BENCH_CONFIG, if any. */
export function benchConfigPath(argv: readonly string[] = process.argv): string | undefined {
  const at = argv.indexOf('--config');
  if (at >= 0) {
    const path = argv[at + 1];
    if (path === undefined || path.startsWith('--')) throw new Error('bench: --config needs a file');
    return path;
  }
  return process.env.BENCH_CONFIG || undefined;
}

export async function benchStack(configPath = benchConfigPath()): Promise<BenchStack> {
  if (configPath !== undefined) {
    const placement = kafkaPlacementOf(await loadJobConfig(configPath));
    const { database: _own, ...clickhouse } = placement.clickhouse!;
    return {
      kafka: placement.kafka,
      registry: placement.registry,
      clickhouse,
      from: configPath,
      release: () => undefined,
    };
  }
  const wasUp = stackIsUp();
  if (!wasUp) {
    progress('kafka: starting the local stack (infra/local/stack.sh up); it is stopped again at the end');
    execFileSync('bash', [stackScript, 'up'], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return {
    kafka: { brokers: ['127.0.0.1:19092'] },
    registry: { url: 'http://127.0.0.1:18081/apis/ccompat/v7' },
    clickhouse: { url: 'http://127.0.0.1:18123', username: 'default' },
    from: wasUp ? 'infra/local (already up)' : 'infra/local (started and stopped by the bench)',
    release() {
      if (wasUp) return;
      progress('kafka: stopping the local stack it started');
      execFileSync('bash', [stackScript, 'down'], { stdio: ['ignore', 'ignore', 'inherit'] });
    },
  };
}

/** All three services of the local stack running (`stack.sh status` prints one line per service). */
function stackIsUp(): boolean {
  const status = execFileSync('bash', [stackScript, 'status'], { encoding: 'utf8' });
  const lines = status.split('\n').filter((l) => l.trim() !== '');
  return lines.length > 0 && lines.every((l) => /\brunning\b/.test(l));
}
