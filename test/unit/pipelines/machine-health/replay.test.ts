import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseReplayArgs,
  REPLAY_USAGE,
  type ReplayArgs,
  type ReplayReport,
  replayOptionsOf,
  runReplayFromCli,
  summaryLines,
} from '../../../../pipelines/machine-health/replay.js';
import { machineHealthSettings } from '../../../../pipelines/machine-health/settings.js';
import type { CommandIo } from '../../../../runtime/cli/commandIo.js';
import { UsageError } from '../../../../runtime/cli/flags.js';
import { loadJobConfig } from '../../../../runtime/config/jobConfig.js';

const LOCAL_CONFIG = resolve(import.meta.dirname, '../../../../runtime/config/examples/local.yaml');
const BASE = ['--config', 'job.yaml', '--database', 'whatif'];

function usageError(argv: string[]): UsageError {
  try {
    parseReplayArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error(`expected a UsageError for ${argv.join(' ')}`);
}

function args(argv: string[]): ReplayArgs {
  const parsed = parseReplayArgs(argv);
  if (parsed === 'help') throw new Error('unexpected help');
  return parsed;
}

describe('parseReplayArgs', () => {
  it('reads a replay from the beginning', () => {
    expect(parseReplayArgs([...BASE, '--from-beginning'])).toEqual({
      configPath: 'job.yaml',
      database: 'whatif',
      from: { kind: 'beginning' },
    });
  });

  it('reads short flags, --until-time and --assets', () => {
    expect(
      parseReplayArgs([
        '-c',
        'job.yaml',
        '-d',
        'whatif_2',
        '--from-time',
        '2026-01-05T06:00Z',
        '--until-time',
        '2026-01-05T08:30:15.5+01:00',
        '--assets',
        '32',
      ]),
    ).toEqual({
      configPath: 'job.yaml',
      database: 'whatif_2',
      from: { kind: 'time', ts: Date.UTC(2026, 0, 5, 6) },
      untilTs: Date.UTC(2026, 0, 5, 7, 30, 15, 500),
      assets: 32,
    });
  });

  it('reads --from-offsets as partition → offset', () => {
    const parsed = args([...BASE, '--from-offsets', '0:120, 1:98,7:0']);
    expect(parsed.from).toEqual({
      kind: 'offsets',
      offsets: new Map([
        [0, 120],
        [1, 98],
        [7, 0],
      ]),
    });
  });

  it('takes a date alone as midnight UTC, and fractions of a second down to the millisecond', () => {
    expect(args([...BASE, '--from-time', '2026-01-05'])).toMatchObject({
      from: { kind: 'time', ts: Date.UTC(2026, 0, 5) },
    });
    expect(args([...BASE, '--from-time', '2026-01-05 06:00:00.123456789Z'])).toMatchObject({
      from: { kind: 'time', ts: Date.UTC(2026, 0, 5, 6, 0, 0, 123) },
    });
    expect(args([...BASE, '--from-time', '2026-01-05T06:00-0230'])).toMatchObject({
      from: { kind: 'time', ts: Date.UTC(2026, 0, 5, 8, 30) },
    });
  });

  it('returns help for -h and --help', () => {
    expect(parseReplayArgs(['--help'])).toBe('help');
    expect(parseReplayArgs(['-h', '--from-time', 'whenever'])).toBe('help');
  });

  it('requires --config and --database, naming them', () => {
    expect(usageError(['--database', 'whatif', '--from-beginning']).message).toMatch(
      /--config FILE is required/,
    );
    expect(usageError(['--config', 'job.yaml', '--from-beginning']).message).toMatch(
      /--database NAME is required/,
    );
  });

  it('refuses a database name that is not an identifier, or ClickHouse’s own', () => {
    expect(usageError(['--config', 'j', '--database', 'what-if', '--from-beginning']).message).toMatch(
      /--database must be an identifier.*"what-if"/,
    );
    expect(usageError(['--config', 'j', '--database', '1st', '--from-beginning']).message).toMatch(
      /--database must be an identifier/,
    );
    expect(usageError(['--config', 'j', '--database', 'system', '--from-beginning']).message).toMatch(
      /--database system is ClickHouse's own/,
    );
  });

  it('wants exactly one start', () => {
    expect(usageError(BASE).message).toMatch(/--from-beginning, --from-time T or --from-offsets/);
    expect(usageError([...BASE, '--from-beginning', '--from-offsets', '0:1']).message).toMatch(
      /give one start, not --from-beginning and --from-offsets/,
    );
  });

  it.each([
    ['6am', /--from-time must be an ISO 8601 time with a zone.*got "6am"/],
    ['2026-01-05T06:00', /has no zone \(add Z for UTC\)/],
    ['2026-02-30T06:00Z', /"2026-02-30T06:00Z" is not a calendar date/],
    ['2026-13-01', /is not a calendar date/],
    ['2026-01-05T24:00Z', /is not a time of day/],
    ['1767600000000', /got "1767600000000"/],
  ])('refuses --from-time %s', (value, message) => {
    expect(usageError([...BASE, '--from-time', value]).message).toMatch(message);
  });

  it.each([
    ['0=120', /"0=120" is not one/],
    ['0:120,', /"" is not one/],
    ['0:-1', /"0:-1" is not one/],
    ['0:1.5', /"0:1.5" is not one/],
    ['a:1', /"a:1" is not one/],
    ['0:1:2', /"0:1:2" is not one/],
    ['0:1,0:2', /partition 0 is named twice/],
    ['0:99999999999999999999', /is too large/],
  ])('refuses --from-offsets %s', (value, message) => {
    const error = usageError([...BASE, '--from-offsets', value]);
    expect(error.message).toMatch(/--from-offsets must be PARTITION:OFFSET pairs/);
    expect(error.message).toMatch(message);
  });

  it('refuses an --until-time not after --from-time', () => {
    expect(
      usageError([...BASE, '--from-time', '2026-01-05T06:00Z', '--until-time', '2026-01-05T06:00Z']).message,
    ).toMatch(/--until-time \(2026-01-05T06:00Z\) must be after --from-time/);
    expect(usageError([...BASE, '--from-beginning', '--until-time', 'noon']).message).toMatch(
      /--until-time must be an ISO 8601 time/,
    );
  });

  it('refuses a bad --assets, an unknown flag and a positional argument', () => {
    expect(usageError([...BASE, '--from-beginning', '--assets', '0']).message).toMatch(
      /--assets must be a positive integer, got "0"/,
    );
    expect(usageError([...BASE, '--from-beginning', '--commit']).message).toMatch(/^replay: .*--commit/);
    expect(usageError([...BASE, '--from-beginning', 'machine-health']).message).toMatch(
      /unexpected argument "machine-health"/,
    );
  });
});

describe('replayOptionsOf', () => {
  it('takes the job config’s Kafka, topic, pipeline and ClickHouse server, with the scratch database', async () => {
    const config = await loadJobConfig(LOCAL_CONFIG, {}, machineHealthSettings);
    const options = replayOptionsOf(config, {
      configPath: LOCAL_CONFIG,
      database: 'whatif',
      from: { kind: 'beginning' },
      untilTs: 1_000,
      assets: 12,
    });
    expect(options).toMatchObject({
      kafka: { brokers: ['127.0.0.1:19092'], clientId: 'twinflow-replay' },
      registryUrl: 'http://127.0.0.1:18081/apis/ccompat/v7',
      topic: config.topics.input,
      from: { kind: 'beginning' },
      untilTs: 1_000,
      clickhouse: { url: 'http://127.0.0.1:18123', database: 'whatif', username: 'default' },
      barrierEvery: 5_000,
      pipeline: { assets: 12, tickMs: config.pipeline.tickMs },
    });
    expect(
      replayOptionsOf(config, { configPath: 'x', database: 'w', from: { kind: 'beginning' } }).pipeline
        .assets,
    ).toBe(100);
  });

  it('refuses the job’s own database, naming the setting', async () => {
    const config = await loadJobConfig(LOCAL_CONFIG, {}, machineHealthSettings);
    expect(() =>
      replayOptionsOf(config, {
        configPath: 'local.yaml',
        database: 'twinflow',
        from: { kind: 'beginning' },
      }),
    ).toThrow(/--database twinflow is the job's own database \(clickhouse.database in local.yaml\)/);
  });
});

describe('summaryLines', () => {
  const report: ReplayReport = {
    topic: 'telemetry',
    database: 'whatif',
    ranges: [
      { partition: 0, from: 0, to: 600 },
      { partition: 1, from: 300, to: 900 },
    ],
    read: 1_202,
    records: 1_200,
    poison: 2,
    outsideTime: 0,
    commands: 3,
    alerts: 5,
    kpis: 40,
    rows: { telemetry: 1_200, twinState: 16, kpi: 40, commands: 3, alerts: 5 },
    firstTs: Date.UTC(2026, 0, 5),
    lastTs: Date.UTC(2026, 0, 5, 1),
    elapsedMs: 2_000,
    interrupted: false,
  };

  it('says what was read, what came out, where it is and how to query it', () => {
    expect(summaryLines(report, 'deploy/my job.yaml')).toEqual([
      'replayed 1200 records of telemetry (offsets 0:0→600 1:300→900) in 2.0 s: 600 events/s; read 1202 messages; skipped 2 poison (the job dead-letters them)',
      'event time 2026-01-05T00:00:00.000Z → 2026-01-05T01:00:00.000Z',
      '3 commands, 5 alerts, 40 KPI rows',
      'into database whatif: 1200 telemetry, 40 KPI, 3 command, 5 alert and 16 twin-state rows',
      'query it (the *_dedup views hold one row per fact):',
      `  TWINFLOW__CLICKHOUSE__DATABASE=whatif twinflow sql --config 'deploy/my job.yaml' "SELECT action, count() FROM commands_dedup GROUP BY action"`,
    ]);
  });

  it('says when nothing was in range or the replay was interrupted', () => {
    const lines = summaryLines(
      { ...report, records: 0, firstTs: undefined, lastTs: undefined, ranges: [], interrupted: true },
      'job.yaml',
    );
    expect(lines[0]).toMatch(/^interrupted after replaying 0 records of telemetry \(offsets none\)/);
    expect(lines[1]).toBe('no readings in range');
  });
});

describe('runReplayFromCli', () => {
  function io(): CommandIo & { out_: string[]; err_: string[] } {
    const out_: string[] = [];
    const err_: string[] = [];
    return { out: (l) => out_.push(l), err: (l) => err_.push(l), env: {}, out_, err_ };
  }

  it('prints the usage for --help', async () => {
    const captured = io();
    expect(await runReplayFromCli(['--help'], captured)).toBe(0);
    expect(captured.out_).toEqual([REPLAY_USAGE]);
  });

  it('refuses the config’s own database before connecting to anything', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'replay-cli-'));
    const file = join(dir, 'job.yaml');
    // Nothing listens on these ports: a refusal that got as far as connecting would fail differently.
    writeFileSync(
      file,
      [
        'job: { name: machine-health, instanceId: t-0 }',
        'kafka: { brokers: ["127.0.0.1:1"] }',
        'schemaRegistry: { url: "http://127.0.0.1:1" }',
        'topics: { input: telemetry }',
        'clickhouse: { url: "http://127.0.0.1:1", database: prod_facts }',
      ].join('\n'),
    );
    const captured = io();
    await expect(
      runReplayFromCli(['--config', file, '--database', 'prod_facts', '--from-beginning'], captured),
    ).rejects.toThrow(/--database prod_facts is the job's own database/);
    expect(captured.out_).toEqual([]);
  });

  it('reports an unreadable config with exit code 1', async () => {
    const captured = io();
    const code = await runReplayFromCli(
      ['--config', '/nonexistent/job.yaml', '--database', 'whatif', '--from-beginning'],
      captured,
    );
    expect(code).toBe(1);
    expect(captured.err_.join('\n')).toMatch(/replay: .*\/nonexistent\/job.yaml/);
  });
});
