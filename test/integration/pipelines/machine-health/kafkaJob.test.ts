import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AvroSerde } from '../../../../connectors/avro/avroSerde.js';
import { ConfluentSchemaRegistry } from '../../../../connectors/avro/confluentSchemaRegistry.js';
import { telemetrySchema } from '../../../../connectors/avro/contractSchemas.js';
import { verifyCommandMessage } from '../../../../connectors/kafka/commandSigning.js';
import { DEAD_LETTER_HEADERS } from '../../../../connectors/kafka/deadLetterHeaders.js';
import type { Telemetry } from '../../../../operators/control/contracts.js';
import { uniformSource } from '../../../../operators/scoring/seededRandom.js';
import { DEFAULT_CATALOGUE } from '../../../../pipelines/machine-health/embeddedJob.js';
import {
  type MachineHealthKafkaOptions,
  startMachineHealthOnKafka,
} from '../../../../pipelines/machine-health/kafkaJob.js';
import {
  machineHealthSimulator,
  type ProduceConfig,
  produceMachineHealthTelemetry,
} from '../../../../pipelines/machine-health/produce.js';
import { anchoredStartTs } from '../../../../pipelines/machine-health/produceTimeline.js';
import { CRASH_AT_VARIABLE, type CrashPoint } from '../../../../runtime/exactlyOnce/crashPoints.js';
import type { JobEvent } from '../../../../runtime/exactlyOnce/exactlyOnceJob.js';
import { abortedMessageCount, auditCommands, rawTableFacts } from '../../independentAudit.js';
import { STACK } from '../../localStackSetup.js';
import { readToEnd } from '../../readTopics.js';
import {
  type ClickHouseFacts,
  clickhouseFacts,
  endOffsetSum,
  type JobProcess,
  kpiFact,
  OUT_OF_ORDERNESS_MS,
  type Reference,
  readCommands,
  readFinalState,
  referenceRun,
  startJobProcess,
  TICK_MS,
  waitCommitted,
} from './machineHealthOnKafka.js';

/**
 * The machine-health job on the real stack, exactly-once, proved by
 * comparison: an uninterrupted run must equal the embedded runtime over the
 * same records; runs killed with SIGKILL, scaled out and back, or hit by a
 * broker restart and a ClickHouse outage must equal the uninterrupted run —
 * the same commands exactly once, the same ClickHouse facts in the
 * deduplicated views, the same final twin state in the changelog.
 *
 * The input: 32 assets × 300 readings on 4 partitions (each partition gets
 * some assets: an empty one would hold the watermark back until it idles), then one more tick
 * written with a v2 schema (an added field), and poison messages among it.
 */

const SIGNING_KEY = 'a-test-signing-key-of-32-bytes-or-more';
const ASSETS = 32;
const TICKS = 300;
/** The crash audit's own input: a simulated day (32 assets × 2,880 readings). */
const AUDIT_TICKS = 2_880;
const PARTITIONS = 4;
const run = randomUUID().slice(0, 8);
const telemetryTopic = `it-mh-telemetry-${run}`;

let inputOffsets = 0;
let reference: Reference;
let uninterrupted: { commands: string[]; clickhouse: ClickHouseFacts; state: Map<string, string> };

/** Topics, group and database of one run of the job. */
function runNames(name: string) {
  return {
    groupId: `it-mh-${name}-${run}`,
    commands: `it-mh-commands-${name}-${run}`,
    changelog: `it-mh-state-${name}-${run}`,
    deadLetter: `it-mh-dlq-${name}-${run}`,
    database: `it_mh_${name.replace(/-/g, '_')}_${run.replace(/-/g, '_')}`,
  };
}

const attempts = new Map<string, number>();

/**
 * A run name of its own for each attempt of a test: a retried test must not
 * find the group, topics and database of the failed attempt.
 */
function attempt(name: string): string {
  const n = (attempts.get(name) ?? 0) + 1;
  attempts.set(name, n);
  return n === 1 ? name : `${name}-${n}`;
}

function inProcessOptions(
  name: string,
  instanceId: string,
  events: JobEvent[],
  epochs = { intervalMs: 300, maxRecords: 700 },
): MachineHealthKafkaOptions {
  const names = runNames(name);
  return {
    kafka: { brokers: [STACK.kafkaBroker] },
    registryUrl: STACK.registryUrl,
    groupId: names.groupId,
    instanceId,
    topics: {
      telemetry: telemetryTopic,
      commands: names.commands,
      changelog: names.changelog,
      deadLetter: names.deadLetter,
      partitions: PARTITIONS,
    },
    clickhouse: { url: STACK.clickhouseUrl, database: names.database, username: 'default' },
    epochs,
    pipeline: { assets: ASSETS, tickMs: TICK_MS, outOfOrdernessMs: OUT_OF_ORDERNESS_MS },
    sessionTimeoutMs: 6_000,
    log: (e) => events.push(e),
  };
}

function processOverrides(name: string, instanceId: string): Record<string, string | number> {
  const names = runNames(name);
  return {
    JOB__INSTANCE_ID: instanceId,
    JOB__GROUP_ID: names.groupId,
    TOPICS__INPUT: telemetryTopic,
    TOPICS__OUTPUTS__COMMANDS: names.commands,
    TOPICS__CHANGELOG: names.changelog,
    TOPICS__DEAD_LETTER: names.deadLetter,
    TOPICS__PARTITIONS: PARTITIONS,
    CLICKHOUSE__DATABASE: names.database,
    EPOCHS__INTERVAL_MS: 200,
    EPOCHS__MAX_RECORDS: 300,
    PIPELINE__ASSETS: ASSETS,
    OBSERVABILITY__PORT: 0,
    OBSERVABILITY__LOG_LEVEL: 'info',
  };
}

/** What a finished run left behind, in the form runs are compared in. */
async function outcome(name: string) {
  const names = runNames(name);
  const commands = (await readCommands(names.commands)).map((c) => c.commandId);
  return {
    commands: [...commands].sort(),
    duplicates: commands.length - new Set(commands).size,
    clickhouse: await clickhouseFacts(names.database),
    state: await readFinalState(names.changelog),
  };
}

function expectSameAsUninterrupted(
  result: Awaited<ReturnType<typeof outcome>>,
  expected: typeof uninterrupted = uninterrupted,
): void {
  const uninterrupted = expected;
  const missing = <T>(a: readonly T[], b: readonly T[]) => {
    const other = new Set(b);
    return a.filter((x) => !other.has(x)).slice(0, 5);
  };
  // Named differences first: a plain toEqual of thousands of rows says little.
  expect({
    duplicates: result.duplicates,
    commandsMissing: missing(uninterrupted.commands, result.commands),
    commandsExtra: missing(result.commands, uninterrupted.commands),
    telemetry: result.clickhouse.telemetry - uninterrupted.clickhouse.telemetry,
    kpisMissing: missing(uninterrupted.clickhouse.kpis, result.clickhouse.kpis),
    kpisExtra: missing(result.clickhouse.kpis, uninterrupted.clickhouse.kpis),
    alertsMissing: missing(uninterrupted.clickhouse.alerts, result.clickhouse.alerts),
    alertsExtra: missing(result.clickhouse.alerts, uninterrupted.clickhouse.alerts),
    stateDiffering: [...uninterrupted.state]
      .filter(([key, state]) => result.state.get(key) !== state)
      .map(([key]) => key)
      .slice(0, 5),
  }).toEqual({
    duplicates: 0,
    commandsMissing: [],
    commandsExtra: [],
    telemetry: 0,
    kpisMissing: [],
    kpisExtra: [],
    alertsMissing: [],
    alertsExtra: [],
    stateDiffering: [],
  });
  expect(result.duplicates).toBe(0);
  expect(result.commands).toEqual(uninterrupted.commands);
  expect(result.clickhouse).toEqual(uninterrupted.clickhouse);
  expect(result.state.size).toBe(uninterrupted.state.size);
  expect(Object.fromEntries(result.state)).toEqual(Object.fromEntries(uninterrupted.state));
}

/** A run's commands and ClickHouse KPIs equal the embedded runtime's over the same records. */
function expectEqualToReference(result: Awaited<ReturnType<typeof outcome>>, expected: Reference): void {
  expect(result.duplicates).toBe(0);
  const commands = expected.commands.map((c) => c.commandId).sort();
  expect(commands.length).toBeGreaterThan(0);
  expect(result.commands).toEqual(commands);
  expect(result.clickhouse.commands.map((r) => (JSON.parse(r) as { command_id: string }).command_id)).toEqual(
    commands,
  );
  expect(result.clickhouse.telemetry).toBe(expected.readings);
  const kpis = expected.kpis
    .map((k) => kpiFact(k.assetId, k.start, k.kpi.oee ?? 0, k.kpi.readings, k.late))
    .sort();
  expect(kpis.length).toBeGreaterThan(ASSETS * 100);
  expect(
    result.clickhouse.kpis
      .map((r) => {
        const row = JSON.parse(r) as Record<string, unknown>;
        return kpiFact(row.asset_id, row.minute, row.oee, row.readings, row.late);
      })
      .sort(),
  ).toEqual(kpis);
}

async function stopProcess(job: JobProcess, signal: NodeJS.Signals): Promise<number | null> {
  job.child.kill(signal);
  return job.exited;
}

const produceConfig: ProduceConfig = {
  brokers: [STACK.kafkaBroker],
  registry: STACK.registryUrl,
  topic: telemetryTopic,
  partitions: PARTITIONS,
  assets: ASSETS,
  ticks: TICKS,
  tickS: TICK_MS / 1000,
  rate: 0,
  seed: 42,
  cataloguePath: DEFAULT_CATALOGUE,
  // Ends now: the record timestamp is the event time, and Kafka's retention counts from it.
  startTs: anchoredStartTs(TICKS, TICK_MS, Date.now()),
};

/**
 * One more tick of the same plant, encoded with a v2 schema (an added field); three poison
 * messages; and two well-framed readings a sensor fault made impossible (the auditor's negative
 * counter with rpm at -Infinity, and a NaN temperature), which once crash-looped the job.
 */
async function appendEvolvedTickAndPoison(config: ProduceConfig = produceConfig): Promise<void> {
  const telemetryTopic = config.topic;
  const simulator = await machineHealthSimulator(config);
  for (let i = 0; i < config.ticks; i++) simulator.step();
  const lastTick = simulator.step();
  const registry = new ConfluentSchemaRegistry({ host: STACK.registryUrl });
  const v2 = {
    ...telemetrySchema,
    fields: [
      ...(telemetrySchema as unknown as { fields: object[] }).fields,
      { name: 'firmware', type: 'string', default: 'unknown' },
    ],
  };
  const v2Serde = new AvroSerde<Telemetry & { firmware: string }>(registry, v2 as never);
  const v1Id = await new AvroSerde(registry, telemetrySchema).prepare(telemetryTopic);
  const messages = [];
  for (const reading of lastTick) {
    messages.push({
      key: reading.assetId,
      value: await v2Serde.encode(telemetryTopic, { ...reading, firmware: '2.1.0' }),
    });
  }
  const truncated = Buffer.alloc(8);
  truncated.writeUInt8(0, 0);
  truncated.writeUInt32BE(v1Id, 1);
  const unknownId = Buffer.from([0, 0x7f, 0xff, 0xff, 0x01, 2, 4, 6]);
  messages.splice(3, 0, { key: 'asset-poison-1', value: Buffer.from('not avro at all') });
  messages.splice(9, 0, { key: 'asset-poison-2', value: unknownId });
  messages.splice(15, 0, { key: 'asset-poison-3', value: truncated });
  const v1Serde = new AvroSerde<Telemetry>(registry, telemetrySchema);
  const faulty = [
    { ...lastTick[0]!, goodUnits: -4, rpm: Number.NEGATIVE_INFINITY },
    { ...lastTick[1]!, temperatureC: Number.NaN },
  ];
  for (const [i, reading] of faulty.entries()) {
    messages.splice(20 + 6 * i, 0, {
      key: reading.assetId,
      value: await v1Serde.encode(telemetryTopic, reading),
    });
  }
  const producer = new KafkaJS.Kafka({
    kafkaJS: { brokers: [STACK.kafkaBroker], logLevel: KafkaJS.logLevel.NOTHING },
  }).producer({ kafkaJS: { idempotent: true, acks: -1 } });
  await producer.connect();
  try {
    await producer.send({ topic: telemetryTopic, messages });
  } finally {
    await producer.disconnect();
  }
}

/** The dead-letter reasons of the two impossible readings appendEvolvedTickAndPoison writes. */
const FAULTY_READINGS = [
  'invalid-value: rpm is -Infinity, not a finite number',
  'invalid-value: temperatureC is NaN, not a finite number',
];

describe('machine-health on Kafka, exactly-once', () => {
  const jobs: JobProcess[] = [];

  beforeAll(async () => {
    const report = await produceMachineHealthTelemetry(produceConfig);
    expect(report.events).toBe(ASSETS * TICKS);
    await appendEvolvedTickAndPoison();
    inputOffsets = await endOffsetSum(telemetryTopic);
    expect(inputOffsets).toBe(ASSETS * (TICKS + 1) + 3 + FAULTY_READINGS.length);
    reference = await referenceRun(telemetryTopic, ASSETS);
    expect(reference.poison).toBe(3 + FAULTY_READINGS.length);
  }, 120_000);

  afterAll(async () => {
    for (const job of jobs) if (job.alive()) job.child.kill('SIGKILL');
  });

  it('end to end: every command once and signed, equal to the embedded runtime; KPIs in ClickHouse equal; poison dead-lettered', async () => {
    const events: JobEvent[] = [];
    const running = await startMachineHealthOnKafka({
      ...inProcessOptions('once', 'once-0', events),
      commands: { signing: { keyId: 'k1', key: { reveal: () => SIGNING_KEY } } },
    });
    const done = running.job.run();
    try {
      await waitCommitted(runNames('once').groupId, telemetryTopic, inputOffsets);
      await running.job.stop('test');
      await done;
    } finally {
      await running.close();
    }
    const result = await outcome('once');
    expectEqualToReference(result, reference);
    // Every command is signed: a downstream controller can verify it came from this job.
    const signed = await readToEnd([STACK.kafkaBroker], runNames('once').commands);
    expect(signed.length).toBe(result.commands.length);
    for (const m of signed) {
      expect(
        verifyCommandMessage(m.value, m.headers, (id) => (id === 'k1' ? SIGNING_KEY : undefined)),
      ).toEqual({
        ok: true,
        keyId: 'k1',
      });
    }
    const deadLetters = await readToEnd([STACK.kafkaBroker], runNames('once').deadLetter);
    expect(deadLetters).toHaveLength(3 + FAULTY_READINGS.length);
    for (const m of deadLetters) {
      expect(m.headers[DEAD_LETTER_HEADERS.error]).toBeTruthy();
      expect(m.headers[DEAD_LETTER_HEADERS.source]).toMatch(new RegExp(`^${telemetryTopic}/\\d+/\\d+$`));
    }
    // The readings a sensor fault made impossible are dead-lettered with the field at fault; the job went on.
    const refused = deadLetters
      .map((m) => String(m.headers[DEAD_LETTER_HEADERS.error]))
      .filter((e) => e.startsWith('invalid-value: '));
    expect(refused.sort()).toEqual([...FAULTY_READINGS].sort());
    expect(events.some((e) => e.event === 'restored')).toBe(true);
    uninterrupted = result;
  }, 180_000);

  it('crash audit: 10 SIGKILLs at seeded moments (during restore, between the ClickHouse flush and the Kafka commit, at random), then an independent reader finds every command once, signed, none aborted; raw tables and dedup views as uninterrupted', {
    timeout: 600_000,
  }, async () => {
    const name = attempt('crash');
    const names = runNames(name);
    // An input of its own, a simulated day long: enough decisions (dispatches, maintenance,
    // speed changes) for the audit of commands to mean something; the shared input has few.
    const auditInput: ProduceConfig = {
      ...produceConfig,
      topic: `it-mh-telemetry-audit-${name}-${run}`,
      ticks: AUDIT_TICKS,
      startTs: anchoredStartTs(AUDIT_TICKS, TICK_MS, Date.now()),
    };
    expect((await produceMachineHealthTelemetry(auditInput)).events).toBe(ASSETS * AUDIT_TICKS);
    await appendEvolvedTickAndPoison(auditInput);
    const auditOffsets = await endOffsetSum(auditInput.topic);
    // The uninterrupted run over the same input, in-process, equal to the embedded runtime's.
    const once = attempt('crash-once');
    const events: JobEvent[] = [];
    const inProcess = inProcessOptions(once, `${once}-0`, events);
    const running = await startMachineHealthOnKafka({
      ...inProcess,
      topics: { ...inProcess.topics, telemetry: auditInput.topic },
      commands: { signing: { keyId: 'audit-1', key: { reveal: () => SIGNING_KEY } } },
    });
    const done = running.job.run();
    try {
      await waitCommitted(runNames(once).groupId, auditInput.topic, auditOffsets);
      await running.job.stop('test');
      await done;
    } finally {
      await running.close();
    }
    const expected = await outcome(once);
    expectEqualToReference(expected, await referenceRun(auditInput.topic, ASSETS));
    expect(expected.commands.length).toBeGreaterThan(10);

    const overrides = {
      ...processOverrides(name, 'crash-0'),
      TOPICS__INPUT: auditInput.topic,
      // Signed as a plant would run it: the auditor recomputes every HMAC with the key.
      PIPELINE__COMMANDS__SIGNING: '{ keyId: audit-1, key: { env: TWINFLOW_TEST_SIGNING_KEY } }',
    };
    const secret = { TWINFLOW_TEST_SIGNING_KEY: SIGNING_KEY };
    const kills = crashSchedule(uniformSource(7));
    const killed: string[] = [];
    for (const kill of kills) {
      if (kill.kind === 'random') {
        const job = startJobProcess(overrides, secret);
        jobs.push(job);
        await waitCommitted(names.groupId, auditInput.topic, Math.floor(auditOffsets * kill.share), {
          alive: job.alive,
        });
        // Somewhere inside the next epoch: mid-transaction, mid-ClickHouse write or between them.
        await new Promise((r) => setTimeout(r, kill.delayMs));
        expect(job.alive(), job.output()).toBe(true);
        await stopProcess(job, 'SIGKILL');
      } else {
        // The process kills itself at the point (TWINFLOW_CRASH_AT): SIGKILL, nothing flushed or closed.
        const job = startJobProcess(overrides, {
          ...secret,
          [CRASH_AT_VARIABLE]: `${kill.point}:${kill.nth}`,
        });
        jobs.push(job);
        const exit = await Promise.race([
          job.exited.then(() => 'exited'),
          new Promise((r) => setTimeout(() => r('still running'), 120_000)),
        ]);
        expect(exit, job.output()).toBe('exited');
        expect(job.output()).toContain('killed by SIGKILL');
      }
      killed.push(
        kill.kind === 'random'
          ? `random at ${kill.share.toFixed(2)}+${kill.delayMs}ms`
          : `${kill.point}:${kill.nth}`,
      );
    }
    expect(killed).toHaveLength(10);
    const last = startJobProcess(overrides, secret);
    jobs.push(last);
    await waitCommitted(names.groupId, auditInput.topic, auditOffsets, { alive: last.alive });
    expect(last.alive(), last.output()).toBe(true);
    // The restarted job is ready and exports its epochs and restore time.
    await until(() => last.output().includes('"msg":"serving /metrics'));
    const serving = last
      .output()
      .split('\n')
      .find((line) => line.includes('"msg":"serving /metrics'));
    const url = serving === undefined ? undefined : (JSON.parse(serving) as { url: string }).url;
    expect(url, last.output()).toBeDefined();
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const exported = await (await fetch(`${url}/metrics`)).text();
    expect(exported).toMatch(/^twinflow_epochs_committed_total [1-9]/m);
    expect(exported).toMatch(/^twinflow_state_restore_seconds_count [1-9]/m);
    expect(exported).toMatch(/^twinflow_state_restore_keys [1-9]/m);
    expect(await stopProcess(last, 'SIGTERM'), last.output()).toBe(0);
    expect(last.output()).toContain('stopped cleanly');
    expect(last.output()).toMatch(/state restored in \d+ ms: [1-9]\d* keys/);
    expectSameAsUninterrupted(await outcome(name), expected);

    // The independent reader: raw bytes, writer schemas from the registry, HMACs recomputed.
    const audit = await auditCommands([STACK.kafkaBroker], STACK.registryUrl, names.commands, {
      'audit-1': SIGNING_KEY,
    });
    expect({
      duplicates: audit.duplicates,
      badSignatures: audit.badSignatures.slice(0, 5),
      commandIds: audit.commandIds,
    }).toEqual({ duplicates: [], badSignatures: [], commandIds: expected.commands });
    // Aborted attempts did write (a read_uncommitted reader sees them), and none of it is visible committed.
    const abortedChangelog = await abortedMessageCount([STACK.kafkaBroker], names.changelog);
    expect(abortedChangelog).toBeGreaterThan(0);
    // ClickHouse read raw, no FINAL: the same distinct facts as the uninterrupted run's raw tables.
    const raw = await rawTableFacts(STACK.clickhouseUrl, names.database);
    const rawUninterrupted = await rawTableFacts(STACK.clickhouseUrl, runNames(once).database);
    for (const table of Object.keys(rawUninterrupted)) {
      expect({ table, facts: raw[table]!.facts.length }).toEqual({
        table,
        facts: rawUninterrupted[table]!.facts.length,
      });
      expect(raw[table]!.facts).toEqual(rawUninterrupted[table]!.facts);
    }
    expect(raw.telemetry_enriched!.facts.length).toBe(expected.clickhouse.telemetry);
    // Dead letters are written in the epoch's transaction: a read_committed reader finds each
    // poison message once, none from an aborted attempt.
    const deadLetters = await readToEnd([STACK.kafkaBroker], names.deadLetter);
    const sources = deadLetters.map((m) => String(m.headers[DEAD_LETTER_HEADERS.source]));
    expect(sources).toHaveLength(3 + FAULTY_READINGS.length);
    expect(new Set(sources).size).toBe(sources.length);
    // The audit's figures, for the note (vitest prints them with the test's output).
    console.log(
      JSON.stringify({
        crashAudit: {
          kills: killed,
          commands: audit.commandIds.length,
          schemaIds: audit.schemaIds,
          abortedCommandMessages: audit.abortedMessages,
          abortedCommandIdsNotRepeated: audit.onlyInAborted.length,
          abortedChangelogMessages: abortedChangelog,
          rawRows: Object.fromEntries(Object.entries(raw).map(([t, f]) => [t, f.rows])),
          rawRowsUninterrupted: Object.fromEntries(
            Object.entries(rawUninterrupted).map(([t, f]) => [t, f.rows]),
          ),
          distinctFacts: Object.fromEntries(Object.entries(raw).map(([t, f]) => [t, f.facts.length])),
          deadLetters: sources.length,
        },
      }),
    );
  });

  it('scale-out on a live stream: a second instance joins, the first leaves, state moves through the changelog', {
    timeout: 300_000,
  }, async () => {
    const name = attempt('scale');
    const names = runNames(name);
    const liveTopic = `it-mh-telemetry-live-${name}-${run}`;
    const overrides = (instanceId: string) => ({
      ...processOverrides(name, instanceId),
      TOPICS__INPUT: liveTopic,
      EPOCHS__MAX_RECORDS: 700,
    });
    // The input arrives while the group changes: about 32 s of telemetry at 300 events/s (a
    // second instance can take 15 s to start on a loaded machine; at 800 events/s the stream once
    // ended before the scale-in). A fixed amount: the comparison with the embedded reference is
    // over the same input every run.
    let producing = true;
    const produced = produceMachineHealthTelemetry({ ...produceConfig, topic: liveTopic, rate: 300 }).finally(
      () => {
        producing = false;
      },
    );
    const first = startJobProcess(overrides('scale-1'));
    jobs.push(first);
    await waitCommitted(names.groupId, liveTopic, 1, { alive: first.alive });
    const second = startJobProcess(overrides('scale-0'));
    jobs.push(second);
    // Scale-out: the newcomer gets partitions, their state restored from the changelog first.
    const outputs = () => `first:\n${first.output()}\nsecond:\n${second.output()}`;
    await until(() => /"event":"restored","partitions":\[\d/.test(second.output()), 90_000, outputs);
    await until(() => (first.output().match(/"event":"restored"/g) ?? []).length >= 2, 90_000, outputs);
    // Scale-in while the stream goes on: the first instance leaves (SIGTERM, clean).
    expect(await stopProcess(first, 'SIGTERM'), first.output()).toBe(0);
    expect(producing).toBe(true);
    const report = await produced;
    await waitCommitted(names.groupId, liveTopic, report.events, { alive: second.alive });
    expect(await stopProcess(second, 'SIGTERM'), second.output()).toBe(0);
    // The survivor ends up with every partition, restored with the leaver's state.
    expect(second.output()).toMatch(/"event":"restored","partitions":\[0,1,2,3\],"keys":[1-9]/);
    expectEqualToReference(await outcome(name), await referenceRun(liveTopic, ASSETS));
  });

  it('faults: broker restart and a ClickHouse outage mid-stream; nothing lost, nothing doubled', {
    timeout: 300_000,
  }, async () => {
    const name = attempt('faults');
    const names = runNames(name);
    const overrides = processOverrides(name, 'faults-0');
    let job = startJobProcess(overrides);
    jobs.push(job);
    const restartIfGone = () => {
      if (!job.alive()) {
        job = startJobProcess(overrides);
        jobs.push(job);
      }
    };
    await waitCommitted(names.groupId, telemetryTopic, Math.floor(inputOffsets * 0.3), {
      alive: job.alive,
      context: () => job.output().slice(-6_000),
    });
    await restartBroker();
    restartIfGone();
    await waitCommitted(names.groupId, telemetryTopic, Math.floor(inputOffsets * 0.6), {
      alive: () => {
        restartIfGone();
        return true;
      },
      // Where a stalled job stands: the tail of its log (and of the one before it, if it was restarted).
      context: () =>
        jobs
          .slice(-2)
          .map((j) => j.output().slice(-6_000))
          .join('\n--- next process\n'),
    });
    const clickhousePid = Number(readFileSync(resolve(stackRun, 'clickhouse.pid'), 'utf8'));
    process.kill(clickhousePid, 'SIGSTOP');
    try {
      await new Promise((r) => setTimeout(r, 8_000));
    } finally {
      process.kill(clickhousePid, 'SIGCONT');
    }
    await waitCommitted(names.groupId, telemetryTopic, inputOffsets, {
      alive: () => {
        restartIfGone();
        return true;
      },
      // Where a stalled job stands: the tail of its log (and of the one before it, if it was restarted).
      context: () =>
        jobs
          .slice(-2)
          .map((j) => j.output().slice(-6_000))
          .join('\n--- next process\n'),
    });
    expect(await stopProcess(job, 'SIGTERM'), job.output()).toBe(0);
    expectSameAsUninterrupted(await outcome(name));
  });
});

/** One kill of the crash audit: at a crash point of the protocol, or from outside at a random moment. */
type Kill =
  | { readonly kind: 'point'; readonly point: CrashPoint; readonly nth: number }
  | { readonly kind: 'random'; readonly share: number; readonly delayMs: number };

/**
 * Ten kills in a seeded order: twice during restore, three times between the ClickHouse flush
 * and the Kafka commit (at the 1st to 4th epoch of that process), five times from outside once
 * a growing share of the input is committed, plus up to 400 ms (inside the next epoch).
 */
function crashSchedule(random: () => number): Kill[] {
  const shares = Array.from({ length: 5 }, () => 0.1 + random() * 0.75).sort((a, b) => a - b);
  const kills: Kill[] = [
    { kind: 'point', point: 'restore', nth: 1 },
    { kind: 'point', point: 'restore', nth: 1 },
    ...[0, 1, 2].map(
      (): Kill => ({ kind: 'point', point: 'before-commit', nth: 1 + Math.floor(random() * 4) }),
    ),
    ...shares.map((share): Kill => ({ kind: 'random', share, delayMs: Math.floor(random() * 400) })),
  ];
  // Fisher-Yates with the seeded source, the random kills kept in rising order of share.
  const order = kills.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const randomKills = kills.filter((k) => k.kind === 'random');
  let nextRandom = 0;
  return order.map((i) => (kills[i]!.kind === 'random' ? randomKills[nextRandom++]! : kills[i]!));
}

/** Waits for `condition`; on a timeout the error carries `context()` (the job processes' output, say). */
async function until(condition: () => boolean, timeoutMs = 60_000, context?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(
        `condition not met within ${timeoutMs} ms${context === undefined ? '' : `\n${context()}`}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stackRun = resolve(import.meta.dirname, '../../../../.stack/run');

/** Stops the Kafka broker (SIGTERM, as an orchestrator would) and starts it again through the stack script. */
async function restartBroker(): Promise<void> {
  const { execFile } = await import('node:child_process');
  const pid = Number(readFileSync(resolve(stackRun, 'kafka.pid'), 'utf8'));
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 300; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // Asynchronously: the test's own clients keep being served while the broker starts.
  await new Promise<void>((done, fail) =>
    execFile('bash', [resolve(import.meta.dirname, '../../../../infra/local/stack.sh'), 'up'], (error) =>
      error ? fail(error) : done(),
    ),
  );
}
