import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The package as a user gets it: `npm pack` of the built repository,
 * installed into a project outside it, a small job type-checked against the
 * installed declarations (moduleResolution nodenext, so only package.json's
 * `exports` are reachable) and run with node.
 *
 * The install is offline and deterministic: the consumer's lockfile is the
 * repository's own (the entries `npm ci` put in ~/.npm), so no registry
 * metadata is needed. Optional dependencies are omitted, as npm does where
 * the Kafka client and chDB's native library cannot install: the job must
 * still import every subpath, and a resolve hook fails the run if chDB,
 * onnxruntime or the Kafka client is imported while loading.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const STEP_TIMEOUT_MS = 180_000;

interface LockEntry {
  readonly version?: string;
  readonly integrity?: string;
  readonly dev?: boolean;
  readonly [field: string]: unknown;
}

interface PackageLock {
  readonly packages: Record<string, LockEntry>;
}

/** Environment for the child npm/node: the outer `npm exec`'s npm_* settings would leak into the inner npm. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.toLowerCase().startsWith('npm_')) env[name] = value;
  }
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
}

/** Runs one step; a failure names the step, its command and everything it printed. */
function step(name: string, command: string, args: readonly string[], cwd: string): string {
  const result: SpawnSyncReturns<string> = spawnSync(command, args, {
    cwd,
    env: childEnv(),
    encoding: 'utf8',
    timeout: STEP_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error !== undefined || result.status !== 0) {
    const how = result.error !== undefined ? result.error.message : `exit ${result.status}`;
    throw new Error(
      `step "${name}" failed (${how}): ${command} ${args.join(' ')} in ${cwd}\n` +
        `--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/**
 * The consumer's lockfile: twinflow from the tarball, and every package the
 * repository's lockfile installs for its production dependencies (not the
 * dev-only ones), plus rxjs (a peer dependency, dev-only here) and
 * @types/node for the consumer.
 */
function consumerLock(tarball: string, consumerPackage: Record<string, unknown>): object {
  const repoLock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as PackageLock;
  const repoPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const extra: Record<string, boolean> = {
    'node_modules/rxjs': false,
    'node_modules/tslib': false,
    'node_modules/@types/node': true,
    'node_modules/undici-types': true,
  };
  const packages: Record<string, unknown> = { '': consumerPackage };
  for (const [path, entry] of Object.entries(repoLock.packages)) {
    if (path === '') continue;
    if (path in extra) {
      const { dev: _dev, ...rest } = entry;
      packages[path] = extra[path] ? { ...rest, dev: true } : rest;
    } else if (entry.dev !== true) {
      packages[path] = entry;
    }
  }
  packages['node_modules/twinflow'] = {
    version: repoPackage.version,
    resolved: `file:${tarball}`,
    integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`,
    license: repoPackage.license,
    dependencies: repoPackage.dependencies,
    optionalDependencies: repoPackage.optionalDependencies,
    peerDependencies: repoPackage.peerDependencies,
    bin: repoPackage.bin,
    engines: repoPackage.engines,
  };
  return { name: consumerPackage.name, lockfileVersion: 3, requires: true, packages };
}

const CONSUMER_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023'],
    types: ['node'],
    strict: true,
    // The installed packages' own declarations are theirs to check; with the
    // optional Kafka client left out, twinflow's references to its types are unresolved there.
    skipLibCheck: true,
  },
  include: ['job.ts', 'kwhJob.ts'],
};

/** A user's job: a keyed tumbling-window sum from 'twinflow', one import at least from every subpath. */
const CONSUMER_JOB = `
import { from, lastValueFrom, toArray } from 'rxjs';
import {
  boundedOutOfOrderness,
  cusumInit,
  cusumUpdate,
  defaultPolicyConfig,
  keyBy,
  type StreamElement,
  sum,
  tumbling,
  values,
  type WindowResult,
  windowAggregate,
  withEventTime,
} from 'twinflow';
import { type ClickHouseSinkOptions, loadMigrations, type RetryPolicy } from 'twinflow/clickhouse';
import {
  AvroSerde,
  KafkaClientUnavailableError,
  type KafkaSourceOptions,
  LocalSchemaRegistry,
  newKafka,
  telemetrySchema,
} from 'twinflow/kafka';
import { type ExactlyOnceJobOptions, JobMetrics } from 'twinflow/runtime';
import { FAULT_KINDS, type PlantSimulatorOptions } from 'twinflow/simulator';

interface Reading {
  readonly assetId: string;
  readonly ts: number;
  readonly kwh: number;
}

const readings: Reading[] = [
  { assetId: 'pump-1', ts: 1_000, kwh: 1 },
  { assetId: 'pump-2', ts: 2_000, kwh: 10 },
  { assetId: 'pump-1', ts: 9_000, kwh: 2 },
  { assetId: 'pump-1', ts: 12_000, kwh: 4 },
  { assetId: 'pump-2', ts: 8_000, kwh: 20 },
  { assetId: 'pump-2', ts: 15_000, kwh: 40 },
];

const kwhPerWindow = (input$: import('rxjs').Observable<StreamElement<Reading>>) =>
  input$.pipe(
    keyBy((r) => r.assetId),
    windowAggregate(tumbling(10_000), sum((r: Reading) => r.kwh)),
  );

const windows: WindowResult<number>[] = await lastValueFrom(
  from(readings).pipe(
    withEventTime((r) => r.ts, boundedOutOfOrderness(5_000)),
    kwhPerWindow,
    values(),
    toArray(),
  ),
);
for (const w of windows) console.log(\`window \${w.key} [\${w.start},\${w.end}) kwh=\${w.value}\`);

// twinflow/runtime and twinflow/kafka: a job definition the exactly-once runtime would run (not run here).
export function jobOptions(serde: AvroSerde<Reading>): ExactlyOnceJobOptions<Reading, WindowResult<number>> {
  const source: KafkaSourceOptions<Reading>['topics'] = ['readings'];
  return {
    kafka: { brokers: ['127.0.0.1:19092'] },
    groupId: 'kwh',
    instanceId: 'kwh-0',
    source: { topics: source, serde, tsOf: (r) => r.ts, watermarks: boundedOutOfOrderness(5_000) },
    changelogTopic: 'kwh-state',
    epochs: { intervalMs: 1_000, maxRecords: 1_000 },
    graph: (input$) => kwhPerWindow(input$),
    route: () => [],
  };
}

const serde = new AvroSerde<Reading>(new LocalSchemaRegistry(), {
  type: 'record',
  name: 'Reading',
  fields: [
    { name: 'assetId', type: 'string' },
    { name: 'ts', type: 'long' },
    { name: 'kwh', type: 'double' },
  ],
});
const decoded = await serde.decode(await serde.encode('readings', readings[0]!));
console.log(\`avro \${decoded.value.assetId} \${decoded.value.ts} \${decoded.value.kwh} schema=\${decoded.schemaId}\`);
console.log(\`contract \${telemetrySchema.name}\`);
try {
  newKafka({ brokers: ['127.0.0.1:19092'] });
  console.log('kafka client loaded');
} catch (error) {
  console.log(\`kafka client \${error instanceof KafkaClientUnavailableError ? 'unavailable (typed)' : String(error)}\`);
}

const retry: RetryPolicy = { attempts: 3, backoffMs: 100 };
const sinkTable: ClickHouseSinkOptions<Reading>['table'] = 'kwh';
console.log(\`migrations \${loadMigrations().length} retry=\${retry.attempts} table=\${sinkTable}\`);

const metrics = new JobMetrics();
console.log(\`metrics \${(await metrics.text()).includes('twinflow_records_in_total')}\`);

const plant: Pick<PlantSimulatorOptions, 'seed'> = { seed: 7 };
console.log(\`simulator faults=\${FAULT_KINDS.length} seed=\${plant.seed}\`);

const cusum = cusumInit();
console.log(\`scoring cusum=\${typeof cusumUpdate(cusum, 1)} policy=\${typeof defaultPolicyConfig}\`);
`;

/** The user's job as the CLI runs it: declared in their package.json, defined with twinflow/runtime's defineJob. */
const CONSUMER_REGISTERED_JOB = `
import { boundedOutOfOrderness, keyBy, sum, tumbling, type WindowResult, windowAggregate } from 'twinflow';
import { tableOutput } from 'twinflow/clickhouse';
import {
  defineJob,
  loadJobConfig,
  positiveInteger,
  runEmbedded,
  runOnKafka,
  type StreamingJob,
} from 'twinflow/runtime';
import { JobTestDriver } from 'twinflow/testing';
import { parseArgs } from 'node:util';

interface Reading {
  readonly pumpId: string;
  readonly ts: number;
  readonly kwh: number;
}

// The job's definition as the README shows it: type-checked here, run on Kafka by the integration tests' twin.
export const pumpEnergy: StreamingJob<Reading, WindowResult<number>> = {
  input: {
    schema: { type: 'record', name: 'Reading', fields: [{ name: 'pumpId', type: 'string' }, { name: 'ts', type: 'long' }, { name: 'kwh', type: 'double' }] },
    eventTime: (r) => r.ts,
    watermarks: boundedOutOfOrderness(5_000),
    check: (r) => (Number.isFinite(r.kwh) ? undefined : \`kwh: \${r.kwh} is not a number\`),
  },
  graph: (input$, snapshots) =>
    input$.pipe(keyBy((r) => r.pumpId), windowAggregate(tumbling(60_000), sum((r: Reading) => r.kwh), { id: 'kwh', snapshots })),
  clickhouseTables: [
    tableOutput<WindowResult<number>, { pump: string; minute: number; kwh: number }>({
      name: 'kwh',
      table: 'pump_kwh',
      idOf: (r) => \`\${r.pump}@\${r.minute}\`,
      rowOf: (w) => ({ pump: String(w.key), minute: w.start, kwh: w.value }),
    }),
  ],
};

// twinflow/testing: the same definition, tested in memory.
export async function energyInMemory(): Promise<string> {
  const driver = new JobTestDriver(pumpEnergy);
  await driver.pipeAll([{ pumpId: 'p1', ts: 1_000, kwh: 2 }, { pumpId: 'p1', ts: 2_000, kwh: 3 }, { pumpId: 'p1', ts: 3_000, kwh: Number.NaN }]);
  await driver.advanceWatermark(60_000);
  return \`rows=\${JSON.stringify(driver.table('kwh'))} dead=\${driver.deadLetters().length}\`;
}

// The embedded mode: a source of ticks in this process, the outputs counted as they leave the graph.
export async function energyEmbedded(): Promise<string> {
  let tick = 0;
  const windows: number[] = [];
  const result = await runEmbedded(pumpEnergy, {
    source: { step: () => (tick++ < 90 ? [{ pumpId: 'p1', ts: tick * 1_000, kwh: 1 }] : undefined) },
    onOutput: (w) => void windows.push(w.value),
    closingWatermark: (lastTs) => lastTs + 60_000,
  });
  return \`embedded records=\${result.records} windows=\${JSON.stringify(windows)}\`;
}

export async function onKafka(configPath: string): Promise<number> {
  return runOnKafka(await loadJobConfig(configPath), async () => ({ definition: pumpEnergy }));
}

export default defineJob({
  name: 'kwh',
  description: 'energy per pump and window',
  run: async (args, io) => {
    const { values } = parseArgs({ args, options: { pumps: { type: 'string' }, test: { type: 'boolean' } } });
    io.out(\`kwh job: \${positiveInteger('pumps', values.pumps, 2)} pumps\`);
    if (args.includes('--test')) io.out(await energyInMemory());
    if (args.includes('--test')) io.out(await energyEmbedded());
    return 0;
  },
});
`;

/** Fails the job if a native module or the Kafka client is imported while its modules load. */
const NO_NATIVE_HOOKS = `
const FORBIDDEN = new Set(['chdb', 'onnxruntime-node', '@confluentinc/kafka-javascript']);
export async function resolve(specifier, context, next) {
  if (FORBIDDEN.has(specifier)) throw new Error(\`\${specifier} imported by \${context.parentURL}\`);
  return next(specifier, context);
}
`;
const REGISTER_HOOKS = `import { register } from 'node:module';\nregister('./noNative.mjs', import.meta.url);\n`;

let workDir: string | undefined;

afterAll(() => {
  if (workDir !== undefined) rmSync(workDir, { recursive: true, force: true });
});

describe('the packed package, installed outside the repository', () => {
  it('installs offline, type-checks a job against its subpaths and runs it', { timeout: 240_000 }, () => {
    expect(existsSync(join(ROOT, 'dist/index.js')), 'dist/ is missing: run npm run build first').toBe(true);
    workDir = mkdtempSync(join(tmpdir(), 'twinflow-packed-'));
    const consumer = join(workDir, 'consumer');

    const packed = JSON.parse(
      step('npm pack', 'npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', workDir], ROOT),
    ) as { filename: string }[];
    const tarball = join(workDir, packed[0]!.filename);

    mkdirSync(consumer);
    const consumerPackage = {
      name: 'twinflow-consumer',
      version: '1.0.0',
      private: true,
      type: 'module',
      dependencies: { rxjs: '^7.8.0', twinflow: `file:${tarball}` },
      devDependencies: { '@types/node': '^20.19.0' },
      twinflow: { jobs: { kwh: './kwhJob.js' }, defaultJob: 'kwh' },
    };
    writeFileSync(join(consumer, 'package.json'), `${JSON.stringify(consumerPackage, null, 2)}\n`);
    writeFileSync(
      join(consumer, 'package-lock.json'),
      JSON.stringify(consumerLock(tarball, consumerPackage), null, 2),
    );
    writeFileSync(join(consumer, 'tsconfig.json'), JSON.stringify(CONSUMER_TSCONFIG, null, 2));
    writeFileSync(join(consumer, 'job.ts'), CONSUMER_JOB);
    writeFileSync(join(consumer, 'kwhJob.ts'), CONSUMER_REGISTERED_JOB);
    writeFileSync(join(consumer, 'noNative.mjs'), NO_NATIVE_HOOKS);
    writeFileSync(join(consumer, 'registerHooks.mjs'), REGISTER_HOOKS);

    step(
      'npm ci (offline, no scripts, optional dependencies omitted)',
      'npm',
      ['ci', '--offline', '--ignore-scripts', '--omit=optional', '--no-audit', '--no-fund'],
      consumer,
    );
    expect(existsSync(join(consumer, 'node_modules/@confluentinc/kafka-javascript'))).toBe(false);

    step('tsc (nodenext) on the job', process.execPath, [TSC, '-p', 'tsconfig.json'], consumer);

    const output = step(
      'node job.js',
      process.execPath,
      ['--import', './registerHooks.mjs', 'job.js'],
      consumer,
    );
    const migrations = readdirSync(join(ROOT, 'schemas/clickhouse')).filter((f) => f.endsWith('.sql')).length;
    expect(output.trim().split('\n')).toEqual([
      'window pump-1 [0,10000) kwh=3',
      'window pump-2 [0,10000) kwh=30',
      'window pump-1 [10000,20000) kwh=4',
      'window pump-2 [10000,20000) kwh=40',
      'avro pump-1 1000 1 schema=1',
      'contract Telemetry',
      'kafka client unavailable (typed)',
      `migrations ${migrations} retry=3 table=kwh`,
      'metrics true',
      'simulator faults=5 seed=7',
      'scoring cusum=number policy=object',
    ]);

    // The installed CLI: it starts without the optional native packages and runs the user's job
    // from their package.json, by name and by path; the reference jobs are listed after theirs.
    const bin = join(consumer, 'node_modules/.bin/twinflow');
    expect(step('twinflow run kwh', bin, ['run', 'kwh', '--pumps', '3'], consumer)).toBe(
      'kwh job: 3 pumps\n',
    );
    expect(step('twinflow run ./kwhJob.js', bin, ['run', './kwhJob.js'], consumer)).toBe(
      'kwh job: 2 pumps\n',
    );
    // The README's definition, run by twinflow/testing's driver from the installed package.
    expect(step('twinflow run kwh --test', bin, ['run', 'kwh', '--test'], consumer)).toBe(
      'kwh job: 2 pumps\nrows=[{"pump":"p1","minute":0,"kwh":5}] dead=1\nembedded records=90 windows=[59,31]\n',
    );
    const listed = step('twinflow jobs', bin, ['jobs'], consumer);
    expect(
      listed
        .split('\n')
        .filter((l) => /^\S/.test(l))
        .map((l) => l.split(/\s+/)[0]),
    ).toEqual(['kwh', 'machine-health', 'windowed-demo', 'heat-exchanger']);
  });
});
