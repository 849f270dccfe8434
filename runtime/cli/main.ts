#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { loadMigrations } from '../../connectors/clickhouse/migrations.js';
import { recentKafkaClientErrors } from '../../connectors/kafka/clientErrorLog.js';
import { JobRegistry } from '../job/jobRegistry.js';
import { processIo } from './commandIo.js';
import { CONFIG_CHECK_USAGE, runConfigCheck, type SettingsOfJob } from './configCheck.js';
import { UsageError } from './flags.js';
import { jobOfCommand, listJobs } from './jobCommands.js';
import { runMigrate } from './migrateCommand.js';
import { reportFailure } from './reportFailure.js';
import { SERVE_USAGE, serveClickHouse } from './serveClickHouse.js';
import { runSql } from './sqlCommand.js';
import { runStack } from './stackCommand.js';

const HELP = `twinflow — Flink-style stream processing for industrial digital twins

Usage: twinflow <command> [options]

Commands:
  run <job> [options]  run a job: a name from \`twinflow jobs\`, or a module path (./dist/my-job.js)
  jobs                 list the jobs package.json declares ("twinflow": { "jobs": … }), yours first
  produce              publish a job's simulated telemetry (Avro, schema registry) to Kafka  [--job NAME]
  replay               what-if: re-run a job from offsets or a time into a scratch database   [--job NAME]
  whatif               what-if on the twin: an asset's risk and RUL as is and with a change (load, cooling)  [--job NAME]
  migrate              apply a job's pending ClickHouse migrations (default: schemas/clickhouse)  [--job NAME]
  sql "<statement>"    run one SQL statement against ClickHouse and print the result as a table, JSON or CSV
  commands tail        verify and print the signed commands on the commands topic (read_committed)
  config check <file>  validate job config files and print the effective config (secrets redacted)
  stack <action>       start, stop or inspect the local stack: up, down, status, fetch
  clickhouse           serve an embedded ClickHouse data directory on 127.0.0.1

  Every command takes --help (twinflow run <job> --help, twinflow sql --help, …).
  produce, replay and whatif use the package's defaultJob unless --job names another.

  ${SERVE_USAGE}

Options:
  -h, --help           show this help
  -v, --version        show the version
`;

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
  const jobs = new JobRegistry(process.cwd());
  const settingsOf: SettingsOfJob = async (name) => {
    const ref = name ?? jobs.defaultJob();
    if (ref === undefined) return undefined;
    const job = await jobs.load(ref);
    return { job: job.name, settings: job.settings };
  };
  if (command === 'run') {
    const [name, ...args] = rest;
    if (name === undefined || name.startsWith('-')) {
      const known = jobs.entries().map((e) => e.name);
      throw new UsageError(`run: name the job (known: ${known.join(', ')}) or give its module path`);
    }
    return (await jobs.load(name)).run(args, processIo());
  }
  if (command === 'jobs') return listJobs(jobs, rest, processIo());
  if (command === 'clickhouse') return serveClickHouse(rest, console.log);
  if (command === 'migrate') {
    // Without a job named or a default one, migrate applies twinflow's own schemas/clickhouse.
    const named = rest.some((a) => a === '--job' || a.startsWith('--job='));
    if (!named && jobs.defaultJob() === undefined) return runMigrate(rest, processIo());
    const { job, args } = await jobOfCommand(jobs, command, rest);
    return runMigrate(
      args,
      processIo(),
      job.migrations === undefined ? {} : { migrations: loadMigrations(job.migrations) },
    );
  }
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
    return runConfigCheck(rest, console.log, process.env, settingsOf);
  }
  if (command === 'commands') {
    const [sub, ...args] = rest;
    // Loaded here: it brings the Avro contracts and the registry client, which other commands do not need.
    const { COMMANDS_TAIL_USAGE, runCommandsTail } = await import('./commandsTail.js');
    if (sub === '-h' || sub === '--help') {
      process.stdout.write(`${COMMANDS_TAIL_USAGE}\n`);
      return 0;
    }
    if (sub === undefined) throw new UsageError('commands: name the subcommand: tail');
    if (sub !== 'tail') throw new UsageError(`commands: unknown subcommand "${sub}"; known: tail`);
    return runCommandsTail(args, processIo(), { settingsOf });
  }
  if (command === 'produce' || command === 'replay' || command === 'whatif') {
    const { job, args } = await jobOfCommand(jobs, command, rest);
    const run = job[command];
    if (run === undefined) throw new UsageError(`${command}: job "${job.name}" has no ${command} command`);
    return run(args, processIo());
  }
  throw new UsageError(`unknown command "${command}"`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportFailure(
      err,
      process.argv[2],
      (text) => process.stderr.write(text),
      recentKafkaClientErrors(),
    );
  },
);
