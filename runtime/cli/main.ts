#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { UsageError } from './flags.js';
import { SERVE_USAGE, serveClickHouse } from './serveClickHouse.js';

const HELP = `twinflow — Flink-style stream processing for industrial digital twins

Usage: twinflow <command> [options]

Commands:
  run <pipeline>  run a pipeline: machine-health, windowed-demo (twinflow run <pipeline> --help)
  clickhouse      serve an embedded ClickHouse data directory on 127.0.0.1
  produce         publish simulated telemetry (Avro, schema registry) to Kafka (twinflow produce --help)
  demo            same as: run windowed-demo

  ${SERVE_USAGE}

Options:
  -h, --help      show this help
  -v, --version   show the version
`;

/** Pipelines `run` knows, loaded on demand so the CLI does not depend on every pipeline. */
const PIPELINES: Record<string, () => Promise<{ runFromCli(args: string[]): Promise<number> }>> = {
  'machine-health': () => import('../../pipelines/machine-health/cli.js'),
  'windowed-demo': () => import('../../pipelines/windowed-demo/cli.js'),
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(HELP);
    return command === undefined ? 1 : 0;
  }
  if (command === '-v' || command === '--version') {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  if (command === 'run') {
    const [name, ...args] = rest;
    const load = name === undefined ? undefined : PIPELINES[name];
    if (load === undefined) {
      throw new UsageError(
        `run: unknown pipeline "${name ?? ''}"; known: ${Object.keys(PIPELINES).join(', ')}`,
      );
    }
    return (await load()).runFromCli(args);
  }
  if (command === 'clickhouse') return serveClickHouse(rest, console.log);
  // Loaded lazily: it pulls in @confluentinc/kafka-javascript, an optional dependency.
  if (command === 'produce')
    return (await import('../../pipelines/machine-health/produce.js')).runProduceFromCli(rest);
  if (command === 'demo') return (await PIPELINES['windowed-demo']()).runFromCli(rest);
  throw new UsageError(`unknown command "${command}"`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const usage =
      err instanceof UsageError ||
      (err as Error).constructor?.name?.endsWith('UsageError') ||
      (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(
      `twinflow: ${(err as Error).message}${usage ? '\nRun "twinflow --help" for usage.' : ''}\n`,
    );
    process.exitCode = usage ? 2 : 1;
  },
);
