import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../../runtime/cli/flags.js';
import { jobOfCommand } from '../../../../runtime/cli/jobCommands.js';
import { JobModuleError, JobRegistry, UnknownJobError } from '../../../../runtime/job/jobRegistry.js';
import { startEmbeddedFixture } from '../../connectors/clickhouse/embeddedFixture.js';

const repo = resolve(import.meta.dirname, '../../../..');
const main = join(repo, 'dist/runtime/cli/main.js');
const dirs: string[] = [];

/** A user's project outside the repository: a package.json and job modules written as plain ESM. */
function project(twinflow: unknown, modules: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'twinflow-jobs-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-twins', type: 'module', twinflow }));
  for (const [path, text] of Object.entries(modules)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const pumpJob = `export default {
  name: 'pump-health',
  description: 'pumps, scored per minute',
  run: async (args, io) => { io.out('pump-health ran with ' + JSON.stringify(args)); return 0; },
  produce: async (args, io) => { io.out('pump-health produced ' + JSON.stringify(args)); return 0; },
};
`;

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('JobRegistry', () => {
  it("finds twinflow's reference jobs by name from its own package.json", async () => {
    const registry = new JobRegistry(tmpdir());
    expect(registry.entries().map((e) => e.name)).toEqual([
      'machine-health',
      'windowed-demo',
      'heat-exchanger',
    ]);
    expect(registry.defaultJob()).toBe('machine-health');
    const job = await registry.load('machine-health');
    expect(job.name).toBe('machine-health');
    expect(job.description).toMatch(/health/);
    expect(typeof job.produce).toBe('function');
  });

  it("asks the user's package.json first: their jobs, their default, their module for a shared name", async () => {
    const dir = project(
      {
        jobs: { 'pump-health': './dist/pump.js', 'windowed-demo': './dist/demo.js' },
        defaultJob: 'pump-health',
      },
      {
        'dist/pump.js': pumpJob,
        'dist/demo.js': `export const job = { name: 'windowed-demo', description: 'my own demo', run: async () => 0 };`,
      },
    );
    const registry = new JobRegistry(join(dir, 'dist'));
    expect(registry.entries().map((e) => e.name)).toEqual([
      'pump-health',
      'windowed-demo',
      'machine-health',
      'heat-exchanger',
    ]);
    expect(registry.defaultJob()).toBe('pump-health');
    expect((await registry.load('windowed-demo')).description).toBe('my own demo');
    expect((await registry.load('pump-health')).description).toBe('pumps, scored per minute');
  });

  it('loads a job by its module path', async () => {
    const dir = project(undefined, { 'jobs/pump.mjs': pumpJob });
    const job = await new JobRegistry(dir).load(join(dir, 'jobs/pump.mjs'));
    expect(job.name).toBe('pump-health');
  });

  it('refuses an unknown name as a usage error listing the known jobs', async () => {
    const error = await new JobRegistry(tmpdir()).load('pump-health').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownJobError);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(
      'unknown job "pump-health"; known: machine-health, windowed-demo, heat-exchanger',
    );
  });

  it('says what is wrong with a module that is missing, exports nothing or a broken definition', async () => {
    const dir = project(
      {
        jobs: {
          missing: './dist/missing.js',
          empty: './empty.js',
          broken: './broken.js',
          other: './other.js',
        },
      },
      {
        'empty.js': 'export const x = 1;',
        'broken.js': "export default { name: 'broken', description: 'no run' };",
        'other.js': pumpJob,
      },
    );
    const registry = new JobRegistry(dir);
    const failure = (name: string) =>
      registry.load(name).then(
        () => new Error(`${name} loaded`),
        (e: unknown) => e as Error,
      );
    for (const name of ['missing', 'empty', 'broken', 'other'])
      expect(await failure(name)).toBeInstanceOf(JobModuleError);
    expect((await failure('missing')).message).toMatch(/missing\.js does not exist \(built yet\?\)/);
    expect((await failure('empty')).message).toContain('exports no job: export default defineJob');
    expect((await failure('broken')).message).toContain('run must be a function');
    expect((await failure('other')).message).toContain('declares job "other"');
    expect((await failure('other')).message).toContain('which defines job "pump-health"');
  });

  it('refuses a "twinflow.jobs" that is not a map of module paths', () => {
    const dir = project({ jobs: ['pump'] });
    expect(() => new JobRegistry(dir).entries()).toThrow(
      /"twinflow.jobs" must map job names to module paths/,
    );
  });
});

describe('jobOfCommand', () => {
  const registry = new JobRegistry(tmpdir());

  it('takes --job NAME or --job=NAME out of the arguments', async () => {
    const spaced = await jobOfCommand(registry, 'produce', [
      '--rate',
      '5',
      '--job',
      'windowed-demo',
      '--seed',
      '1',
    ]);
    expect(spaced.job.name).toBe('windowed-demo');
    expect(spaced.args).toEqual(['--rate', '5', '--seed', '1']);
    expect((await jobOfCommand(registry, 'produce', ['--job=windowed-demo'])).job.name).toBe('windowed-demo');
  });

  it("falls back to the package's default job", async () => {
    const { job, args } = await jobOfCommand(registry, 'replay', ['--from-beginning']);
    expect(job.name).toBe('machine-health');
    expect(args).toEqual(['--from-beginning']);
  });

  it('refuses --job without a value', async () => {
    await expect(jobOfCommand(registry, 'produce', ['--job', '--rate'])).rejects.toThrow(
      'produce: --job needs a job name or module path',
    );
  });
});

describe('twinflow migrate --job', () => {
  it("applies the job's own migrations folder", async () => {
    const fixture = await startEmbeddedFixture('job-migrations');
    try {
      const dir = project({ jobs: { pumps: './pumps.js' } }, {});
      mkdirSync(join(dir, 'migrations'));
      writeFileSync(
        join(dir, 'migrations/0001_pumps.sql'),
        'CREATE TABLE IF NOT EXISTS {database}.pump_kwh (pump String, kwh Float64) ENGINE = MergeTree ORDER BY pump;\n',
      );
      writeFileSync(
        join(dir, 'pumps.js'),
        `export default { name: 'pumps', description: 'pumps', migrations: ${JSON.stringify(join(dir, 'migrations'))}, run: async () => 0 };\n`,
      );
      // Not spawnSync: the embedded ClickHouse answers from this process's event loop.
      const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
        const child = spawn(
          process.execPath,
          [main, 'migrate', '--job', 'pumps', '--url', fixture.ch.url, '--database', 'pumps'],
          { cwd: dir },
        );
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (b: Buffer) => {
          stdout += b.toString();
        });
        child.stderr.on('data', (b: Buffer) => {
          stderr += b.toString();
        });
        child.on('close', (status) => done({ status, stdout, stderr }));
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('0001_pumps');
      const tables = await (
        await fixture.client.query({
          query: "SELECT name FROM system.tables WHERE database = 'pumps' ORDER BY name",
          format: 'JSONEachRow',
        })
      ).json<{ name: string }>();
      expect(tables.map((t) => t.name)).toContain('pump_kwh');
    } finally {
      await fixture.close();
    }
  });
});

describe('twinflow CLI with a user project', () => {
  const dir = project(
    { jobs: { 'pump-health': './dist/pump.js' }, defaultJob: 'pump-health' },
    { 'dist/pump.js': pumpJob },
  );
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [main, ...args], { cwd: dir, encoding: 'utf8' });

  it('runs a job by name and by module path, and its produce command by default', () => {
    expect(cli('run', 'pump-health', '--minutes', '3').stdout).toBe(
      'pump-health ran with ["--minutes","3"]\n',
    );
    expect(cli('run', './dist/pump.js').stdout).toBe('pump-health ran with []\n');
    expect(cli('produce', '--rate', '9').stdout).toBe('pump-health produced ["--rate","9"]\n');
  });

  it("lists the jobs, the project's first, with the default marked", () => {
    const r = cli('jobs');
    expect(r.status, r.stderr).toBe(0);
    const names = r.stdout
      .split('\n')
      .filter((l) => /^\S/.test(l))
      .map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(['pump-health', 'machine-health', 'windowed-demo', 'heat-exchanger']);
    expect(r.stdout).toContain('pumps, scored per minute (default)');
  });

  it('exits 2 naming the known jobs for an unknown one, and says when a job lacks a command', () => {
    const unknown = cli('run', 'pump-vibration');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain(
      'unknown job "pump-vibration"; known: pump-health, machine-health, windowed-demo, heat-exchanger',
    );
    const noReplay = cli('replay', '--from-beginning');
    expect(noReplay.status).toBe(2);
    expect(noReplay.stderr).toContain('replay: job "pump-health" has no replay command');
  });
});
