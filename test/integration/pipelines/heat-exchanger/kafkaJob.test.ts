import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishTelemetry } from '../../../../connectors/kafka/publishTelemetry.js';
import { DEFAULT_HX_CATALOGUE, loadHxCatalogue } from '../../../../pipelines/heat-exchanger/catalogue.js';
import { type HxTelemetry, hxTelemetrySchema } from '../../../../pipelines/heat-exchanger/contracts.js';
import { heatExchangerStreamingJob } from '../../../../pipelines/heat-exchanger/definition.js';
import { HeatExchangerSimulator } from '../../../../pipelines/heat-exchanger/exchangerSimulator.js';
import type { HxOutput } from '../../../../pipelines/heat-exchanger/outputs.js';
import { JobTestDriver } from '../../../../runtime/testing/jobTestDriver.js';
import { endOffsetSum, waitCommitted } from '../../kafkaOffsets.js';
import { STACK } from '../../localStackSetup.js';
import { readToEnd } from '../../readTopics.js';

/**
 * The second reference twin on the real stack, run as a user runs it
 * (`twinflow run heat-exchanger --config FILE`, a process of its own): an
 * uninterrupted run must give the commands the test driver derives from
 * the same readings, and a run SIGKILLed twice and restarted must equal the
 * uninterrupted one — every command once on the topic, the same rows in
 * every ClickHouse table.
 *
 * The input: 4 exchangers × 20 days of 10-minute readings (11,520) on one
 * partition, open loop (the site does not act on the commands here).
 */

const DAYS = 20;
const TICK_MS = 600_000;
const SEED = 2;
const run = randomUUID().slice(0, 8);
const inputTopic = `it-hx-telemetry-${run}`;
const repoRoot = resolve(import.meta.dirname, '../../../..');
const configDir = mkdtempSync(join(tmpdir(), 'it-hx-'));
const configFile = join(configDir, 'hx.yaml');
const jobs: JobProcess[] = [];
let inputOffsets = 0;
let expectedCommands: string[] = [];
let uninterrupted: Facts;

interface JobProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly output: () => string;
  readonly alive: () => boolean;
}

function names(name: string) {
  return {
    groupId: `it-hx-${name}-${run}`,
    commands: `it-hx-commands-${name}-${run}`,
    changelog: `it-hx-state-${name}-${run}`,
    database: `it_hx_${name}_${run.replace(/-/g, '_')}`,
  };
}

function startJob(name: string): JobProcess {
  const n = names(name);
  const overrides: Record<string, string | number> = {
    JOB__INSTANCE_ID: `${name}-0`,
    JOB__GROUP_ID: n.groupId,
    TOPICS__OUTPUTS__COMMANDS: n.commands,
    TOPICS__CHANGELOG: n.changelog,
    CLICKHOUSE__DATABASE: n.database,
  };
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const [key, value] of Object.entries(overrides)) env[`TWINFLOW__${key}`] = String(value);
  const child = spawn(
    process.execPath,
    [resolve(repoRoot, 'dist/runtime/cli/main.js'), 'run', 'heat-exchanger', '--config', configFile],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  const append = (chunk: Buffer) => {
    text += chunk.toString();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  let running = true;
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code, signal) => {
      running = false;
      if (signal !== null) text += `\n[the job process was killed by ${signal}]\n`;
      done(code);
    }),
  );
  const job = { child, exited, output: () => text, alive: () => running };
  jobs.push(job);
  return job;
}

async function stop(job: JobProcess, signal: NodeJS.Signals): Promise<number | null> {
  job.child.kill(signal);
  return job.exited;
}

/** Readings of the seeded site, open loop: what is produced, and what the reference run is given. */
function site(catalogue: Awaited<ReturnType<typeof loadHxCatalogue>>) {
  return new HeatExchangerSimulator(catalogue, { seed: SEED, days: DAYS, tickMs: TICK_MS });
}

interface Facts {
  readonly commands: string[];
  readonly duplicates: number;
  readonly tables: Record<string, string[]>;
}

/** What a finished run left behind: command ids on its topic, and every table's rows (without insert time or epoch). */
async function facts(name: string): Promise<Facts> {
  const n = names(name);
  const ids = (await readToEnd([STACK.kafkaBroker], n.commands)).map((m) => m.headers['twinflow-command-id']);
  const client = createClient({ url: STACK.clickhouseUrl });
  const tables: Record<string, string[]> = {};
  try {
    for (const table of [
      'hx_estimates',
      'hx_kpi_hour',
      'hx_kpi_day',
      'hx_commands',
      'hx_command_outcomes',
      'hx_alerts',
    ]) {
      const columns = await client.query({
        query: `SELECT name FROM system.columns WHERE database = {db:String} AND table = {t:String} AND name NOT IN ('inserted_at', 'epoch') ORDER BY position`,
        query_params: { db: n.database, t: table },
        format: 'JSONEachRow',
      });
      const list = (await columns.json<{ name: string }>()).map((c) => c.name);
      const rows = await client.query({
        query: `SELECT ${list.join(', ')} FROM ${n.database}.${table} FINAL`,
        format: 'JSONEachRow',
      });
      tables[table] = (await rows.json<object>()).map((r) => JSON.stringify(r)).sort();
    }
  } finally {
    await client.close();
  }
  return { commands: [...ids].sort(), duplicates: ids.length - new Set(ids).size, tables };
}

describe('heat-exchanger on Kafka, exactly-once, as a process', () => {
  beforeAll(async () => {
    writeFileSync(
      configFile,
      [
        'job: { name: heat-exchanger }',
        `kafka: { brokers: ["${STACK.kafkaBroker}"] }`,
        `schemaRegistry: { url: "${STACK.registryUrl}" }`,
        `topics: { input: ${inputTopic}, deadLetter: ${inputTopic}-dlq, partitions: 1 }`,
        `clickhouse: { url: "${STACK.clickhouseUrl}" }`,
        'epochs: { intervalMs: 200, maxRecords: 500 }',
        `pipeline: { tickMs: ${TICK_MS} }`,
        'observability: { port: 0, logLevel: info }',
      ].join('\n'),
    );
    const catalogue = await loadHxCatalogue(DEFAULT_HX_CATALOGUE);
    const ticks = DAYS * 144;
    const produced = await publishTelemetry({
      brokers: [STACK.kafkaBroker],
      registry: STACK.registryUrl,
      topic: inputTopic,
      partitions: 1,
      schema: hxTelemetrySchema,
      source: site(catalogue),
      ticks,
      keyOf: (t) => t.exchangerId,
    });
    expect(produced.events).toBe(ticks * catalogue.exchangers.length);
    inputOffsets = await endOffsetSum(inputTopic);
    expect(inputOffsets).toBe(produced.events);

    // The reference: the same definition over the same readings in memory.
    const driver = new JobTestDriver<HxTelemetry, HxOutput>(
      heatExchangerStreamingJob({ catalogue }, { commandsTopic: 'unused' }),
    );
    const readings = site(catalogue);
    for (let i = 0; i < ticks; i++) {
      await driver.pipeAll(readings.step());
      await driver.advanceWatermark(readings.now());
    }
    await driver.barrier();
    expectedCommands = driver
      .kafka('commands')
      .map((m) => m.headers?.['twinflow-command-id'] ?? '')
      .sort();
    driver.close();
    expect(expectedCommands.length).toBeGreaterThan(0);
  }, 180_000);

  afterAll(() => {
    for (const job of jobs) if (job.alive()) job.child.kill('SIGKILL');
  });

  it('uninterrupted: the commands the test driver derives, once each, and rows in every table', {
    timeout: 180_000,
  }, async () => {
    const job = startJob('once');
    await waitCommitted(names('once').groupId, inputTopic, inputOffsets, {
      alive: job.alive,
      timeoutMs: 150_000,
    });
    expect(job.alive(), job.output()).toBe(true);
    expect(await stop(job, 'SIGTERM'), job.output()).toBe(0);
    expect(job.output()).toContain('stopped cleanly');
    uninterrupted = await facts('once');
    expect(uninterrupted.duplicates).toBe(0);
    expect(uninterrupted.commands).toEqual(expectedCommands);
    expect(uninterrupted.tables.hx_estimates.length).toBe(inputOffsets);
    expect(uninterrupted.tables.hx_commands.length).toBe(expectedCommands.length);
    expect(uninterrupted.tables.hx_kpi_hour.length).toBeGreaterThan(0);
  });

  it('SIGKILLed twice mid-stream and restarted: equal to the uninterrupted run', {
    timeout: 300_000,
  }, async () => {
    expect(uninterrupted, 'the uninterrupted run is the reference').toBeDefined();
    for (const share of [0.3, 0.65]) {
      const job = startJob('crash');
      await waitCommitted(names('crash').groupId, inputTopic, Math.floor(inputOffsets * share), {
        alive: job.alive,
        timeoutMs: 150_000,
      });
      // Inside the next epoch: mid-transaction or mid-ClickHouse write.
      await new Promise((r) => setTimeout(r, 150));
      expect(job.alive(), job.output()).toBe(true);
      await stop(job, 'SIGKILL');
    }
    const last = startJob('crash');
    await waitCommitted(names('crash').groupId, inputTopic, inputOffsets, {
      alive: last.alive,
      timeoutMs: 150_000,
    });
    expect(last.alive(), last.output()).toBe(true);
    expect(await stop(last, 'SIGTERM'), last.output()).toBe(0);
    expect(last.output()).toMatch(/state restored in \d+ ms: [1-9]\d* keys/);
    const crashed = await facts('crash');
    expect(crashed.duplicates).toBe(0);
    expect(crashed.commands).toEqual(uninterrupted.commands);
    for (const [table, rows] of Object.entries(uninterrupted.tables)) {
      expect({ table, rows: crashed.tables[table]?.length }).toEqual({ table, rows: rows.length });
      expect(crashed.tables[table], table).toEqual(rows);
    }
  });
});
