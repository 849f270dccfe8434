import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createClient } from '@clickhouse/client';
import { Subject } from 'rxjs';
import { AvroSerde } from '../../../../connectors/avro/avroSerde.js';
import { ConfluentSchemaRegistry } from '../../../../connectors/avro/confluentSchemaRegistry.js';
import { commandSchema, telemetrySchema } from '../../../../connectors/avro/contractSchemas.js';
import { AvroDecodeError } from '../../../../connectors/avro/errors.js';
import { loadCatalogue } from '../../../../connectors/catalogue/loadCatalogue.js';
import { scaleCatalogue } from '../../../../connectors/catalogue/scaleCatalogue.js';
import { OnnxSurrogate } from '../../../../connectors/onnx/onnxSurrogate.js';
import type { Command, Telemetry } from '../../../../operators/control/contracts.js';
import { telemetryCheck } from '../../../../operators/control/telemetryCheck.js';
import type { StreamElement } from '../../../../operators/core/element.js';
import {
  DEFAULT_CATALOGUE,
  DEFAULT_MODEL,
  machineHealthRiskModel,
} from '../../../../pipelines/machine-health/embeddedJob.js';
import {
  type MachineHealthOutput,
  machineHealth,
} from '../../../../pipelines/machine-health/machineHealth.js';
import { machineHealthPolicyConfig } from '../../../../pipelines/machine-health/machineHealthPolicy.js';
import { STACK } from '../../localStackSetup.js';
import { readToEnd } from '../../readTopics.js';

/**
 * Shared parts of the machine-health-on-Kafka integration tests: the
 * embedded reference run, waiting for a group to catch up, reading back
 * commands, state and ClickHouse rows, and the job as a child process.
 */

export const TICK_MS = 30_000;
export const OUT_OF_ORDERNESS_MS = 5_000;
const repoRoot = resolve(import.meta.dirname, '../../../..');

export { admin, committedSum, endOffsetSum, waitCommitted } from '../../kafkaOffsets.js';

export function registrySerdes(): { telemetry: AvroSerde<Telemetry>; command: AvroSerde<Command> } {
  const registry = new ConfluentSchemaRegistry({ host: STACK.registryUrl });
  return {
    telemetry: new AvroSerde(registry, telemetrySchema),
    command: new AvroSerde(registry, commandSchema),
  };
}

/** Every committed command on the topic, decoded. */
export async function readCommands(topic: string): Promise<Command[]> {
  const serde = registrySerdes().command;
  const messages = await readToEnd([STACK.kafkaBroker], topic);
  return Promise.all(messages.map(async (m) => (await serde.decode(m.value)).value));
}

/** The latest committed state per changelog key (`<operator>/k/<key>`), without the epoch it was written in. */
export async function readFinalState(changelogTopic: string): Promise<Map<string, string>> {
  const latest = new Map<string, string>();
  for (const m of await readToEnd([STACK.kafkaBroker], changelogTopic)) {
    if (!m.key.includes('/k/')) continue;
    if (m.value.length === 0) latest.delete(m.key);
    else latest.set(m.key, JSON.stringify((JSON.parse(m.value.toString()) as { state: unknown }).state));
  }
  return latest;
}

/** What ClickHouse's deduplicated views hold for a run, in a comparable form. */
export interface ClickHouseFacts {
  readonly telemetry: number;
  readonly kpis: string[];
  readonly commands: string[];
  readonly alerts: string[];
}

export async function clickhouseFacts(database: string): Promise<ClickHouseFacts> {
  const client = createClient({ url: STACK.clickhouseUrl });
  const rows = async (query: string) =>
    (await (await client.query({ query, format: 'JSONEachRow' })).json<Record<string, unknown>>()).map((r) =>
      JSON.stringify(r),
    );
  try {
    const [count] = await rows(`SELECT count() AS n FROM ${database}.telemetry_enriched_dedup`);
    return {
      telemetry: Number((JSON.parse(count!) as { n: string }).n),
      kpis: await rows(
        `SELECT asset_id, toUnixTimestamp64Milli(minute) AS minute, round(oee, 9) AS oee, readings, late FROM ${database}.kpi_minute_dedup ORDER BY asset_id, minute, late`,
      ),
      commands: await rows(`SELECT command_id FROM ${database}.commands_dedup ORDER BY command_id`),
      alerts: await rows(`SELECT alert_id FROM ${database}.alerts_dedup ORDER BY alert_id`),
    };
  } finally {
    await client.close();
  }
}

/** The outputs of the embedded reference run over the same telemetry. */
export interface Reference {
  readonly commands: Command[];
  /** Alert ids. */
  readonly alerts: string[];
  readonly kpis: Extract<MachineHealthOutput, { type: 'kpi' }>[];
  readonly readings: number;
  readonly poison: number;
}

/**
 * The embedded runtime (no Kafka) over exactly the records in the telemetry
 * topic, read back and decoded (poison and readings telemetryCheck refuses counted and left out); see
 * embeddedReference.
 */
export async function referenceRun(telemetryTopic: string, assets: number): Promise<Reference> {
  const serde = registrySerdes().telemetry;
  let poison = 0;
  const readings: Telemetry[] = [];
  for (const m of await readToEnd([STACK.kafkaBroker], telemetryTopic)) {
    try {
      const reading = (await serde.decode(m.value)).value;
      // A reading the contract refuses (a sensor fault) is a dead letter for the job too.
      if (telemetryCheck(reading) === undefined) readings.push(reading);
      else poison++;
    } catch (error) {
      if (!(error instanceof AvroDecodeError)) throw error;
      poison++;
    }
  }
  return { ...(await embeddedReference(readings, assets)), poison };
}

/**
 * The embedded runtime over `readings`, state starting empty: ticks in
 * event-time order, the watermark a bounded-out-of-orderness source gives
 * after each tick, then `closeAt(maxTs)` as a last watermark when given (by
 * default none: a streaming job never sees its input end).
 */
export async function embeddedReference(
  readings: readonly Telemetry[],
  assets: number,
  options: { closeAt?: (maxTs: number) => number } = {},
): Promise<Omit<Reference, 'poison'>> {
  const sorted = [...readings].sort(
    (a, b) => a.ts - b.ts || (a.assetId < b.assetId ? -1 : a.assetId > b.assetId ? 1 : 0),
  );
  const catalogue = scaleCatalogue(await loadCatalogue(DEFAULT_CATALOGUE), assets);
  const surrogate = await OnnxSurrogate.load(DEFAULT_MODEL);
  const input = new Subject<StreamElement<Telemetry>>();
  const commands: Command[] = [];
  const alerts: string[] = [];
  const kpis: Reference['kpis'] = [];
  const done = new Promise<void>((resolveDone, reject) => {
    machineHealth(input, {
      catalogue,
      riskModel: machineHealthRiskModel(surrogate),
      // The job's own policy, as the Kafka job and replay run it.
      policy: machineHealthPolicyConfig,
      outcomeTimeoutMs: 10 * TICK_MS,
    }).subscribe({
      next: (e) => {
        if (e.kind !== 'record') return;
        if (e.value.type === 'command') commands.push(e.value.command);
        else if (e.value.type === 'alert') alerts.push(e.value.alert.alertId);
        else if (e.value.type === 'kpi') kpis.push(e.value);
      },
      error: reject,
      complete: resolveDone,
    });
  });
  try {
    let maxTs = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < sorted.length; i++) {
      const r = sorted[i]!;
      input.next({ kind: 'record', value: r, ts: r.ts, key: r.assetId });
      maxTs = Math.max(maxTs, r.ts);
      if (i + 1 === sorted.length || sorted[i + 1]!.ts !== r.ts) {
        input.next({ kind: 'watermark', ts: maxTs - OUT_OF_ORDERNESS_MS - 1 });
      }
    }
    if (options.closeAt !== undefined) input.next({ kind: 'watermark', ts: options.closeAt(maxTs) });
    // Everything fired by the last watermark is out once the scoring batches drain.
    input.next({ kind: 'barrier', epoch: 1 });
    input.complete();
    await done;
  } finally {
    await surrogate.close();
  }
  return { commands, alerts, kpis, readings: sorted.length };
}

/** A KPI row in one comparable line, from a job output or a ClickHouse row alike. */
export function kpiFact(
  asset: unknown,
  minute: unknown,
  oee: unknown,
  readings: unknown,
  late: unknown,
): string {
  return `${asset}@${Number(minute)} oee=${Number(oee).toFixed(6)} readings=${Number(readings)} late=${Boolean(late)}`;
}

/**
 * The job as `twinflow run machine-health --config`, with its settings as
 * environment overrides (`TWINFLOW__` is prefixed to each name) and `env`,
 * variables set as they are (a secret the config refers to, a crash point).
 */
export interface JobProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  readonly output: () => string;
  alive(): boolean;
}

export function startJobProcess(
  overrides: Record<string, string | number>,
  variables: Record<string, string> = {},
): JobProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, ...variables };
  for (const [name, value] of Object.entries(overrides)) env[`TWINFLOW__${name}`] = String(value);
  const child = spawn(
    process.execPath,
    [
      resolve(repoRoot, 'dist/runtime/cli/main.js'),
      'run',
      'machine-health',
      '--config',
      resolve(repoRoot, 'runtime/config/examples/local.yaml'),
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let text = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  let running = true;
  const exited = new Promise<number | null>((done) =>
    child.once('exit', (code, signal) => {
      running = false;
      // A process killed by a signal leaves no log line of its own: say which, for the assertion.
      if (signal !== null) text += `\n[the job process was killed by ${signal}]\n`;
      done(code);
    }),
  );
  return { child, exited, output: () => text, alive: () => running };
}
