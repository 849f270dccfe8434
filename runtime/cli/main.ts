#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { processIo } from './commandIo.js';
import { CONFIG_CHECK_USAGE, runConfigCheck } from './configCheck.js';
import { UsageError } from './flags.js';
import { runMigrate } from './migrateCommand.js';
import { reportFailure } from './reportFailure.js';
import { SERVE_USAGE, serveClickHouse } from './serveClickHouse.js';
import { runSql } from './sqlCommand.js';
import { runStack } from './stackCommand.js';

const HELP = `twinflow — Flink-style stream processing for industrial digital twins

Usage: twinflow <command> [options]

Commands:
  run <pipeline>       run a pipeline: machine-health, windowed-demo
  produce              publish simulated telemetry (Avro, schema registry) to Kafka
  replay               what-if: re-run machine-health from offsets or a time into a scratch database
  migrate              apply the pending ClickHouse migrations (schemas/clickhouse)
  sql "<statement>"    run one SQL statement against ClickHouse and print the result as a table, JSON or CSV
  config check <file>  validate job config files and print the effective config (secrets redacted)
  stack <action>       start, stop or inspect the local stack: up, down, status, fetch
  clickhouse           serve an embedded ClickHouse data directory on 127.0.0.1
  demo                 same as: run windowed-demo

  Every command takes --help (twinflow run <pipeline> --help, twinflow sql --help, …).

  ${SERVE_USAGE}

Options:
  -h, --help           show this help
  -v, --version        show the version
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
  if (command === 'migrate') return runMigrate(rest, processIo());
  if (command === 'sql') return runSql(rest, processIo());
  if (command === 'stack') return runStack(rest, processIo());
  if (command === 'config') {
    const [sub] = rest;
    if (sub === '-h' || sub === '--help') {
      process.stdout.write(`${CONFIG_CHECK_USAGE}\n`);
      return 0;
    }
    if (sub === undefined) throw new UsageError('config: name the subcommand: check');
    if (sub !== 'check') throw new UsageError(`config: unknown subcommand "${sub}"; known: check`);
    return runConfigCheck(rest, console.log);
  }
  // Loaded lazily: it pulls in @confluentinc/kafka-javascript, an optional dependency.
  if (command === 'produce')
    return (await import('../../pipelines/machine-health/produce.js')).runProduceFromCli(rest);
  if (command === 'replay')
    return (await import('../../pipelines/machine-health/replay.js')).runReplayFromCli(rest);
  if (command === 'demo') return (await PIPELINES['windowed-demo']()).runFromCli(rest);
  throw new UsageError(`unknown command "${command}"`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportFailure(err, process.argv[2], (text) => process.stderr.write(text));
  },
);
