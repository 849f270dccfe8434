import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * docs/writing-a-pipeline.md, followed as a new user would: every block
 * that names a file (`// file: …`, `-- file: …`, `# file: …` on its first
 * line) is written into an empty project outside the repository, which
 * gets twinflow as an installed dependency (a link to this built package,
 * resolved through its `exports` like an install from the registry). The
 * project is type-checked, its tests run with node's test runner, its
 * embedded run must print what the guide says it prints, and its job is
 * found by the CLI through its package.json. The guide's shell lines are
 * not run verbatim: the same steps are run here.
 */

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const GUIDE = join(ROOT, 'docs/writing-a-pipeline.md');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const CLI = join(ROOT, 'dist/runtime/cli/main.js');

interface Block {
  readonly lang: string;
  readonly body: string;
}

function blocksOf(markdown: string): Block[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1], body: m[2] }));
}

/** The files the guide names, by path; a JSON block's marker line is dropped (JSON has no comments). */
function filesOf(blocks: readonly Block[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const { lang, body } of blocks) {
    const marker = /^(?:\/\/|--|#) file: (\S+)\n/.exec(body);
    if (marker === null) continue;
    files.set(marker[1], lang === 'json' ? body.slice(marker[0].length) : body);
  }
  return files;
}

function run(
  command: string,
  args: readonly string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.once('error', fail);
    child.once('exit', (code) => done({ code, stdout, stderr }));
  });
}

async function ok(name: string, command: string, args: readonly string[], cwd: string): Promise<string> {
  const r = await run(command, args, cwd);
  if (r.code !== 0) {
    throw new Error(`${name} exited ${r.code}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  return r.stdout;
}

const markdown = readFileSync(GUIDE, 'utf8');
const blocks = blocksOf(markdown);
let project: string;

beforeAll(async () => {
  expect(existsSync(CLI), 'dist/ is missing: run npm run build first').toBe(true);
  project = mkdtempSync(join(tmpdir(), 'twinflow-guide-'));
  for (const [path, text] of filesOf(blocks)) {
    mkdirSync(dirname(join(project, path)), { recursive: true });
    writeFileSync(join(project, path), text);
  }
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({
      name: 'pump-vibration',
      type: 'module',
      twinflow: { jobs: { 'pump-vibration': './dist/job.js' }, defaultJob: 'pump-vibration' },
    }),
  );
  // What `npm install twinflow rxjs` and `-D @types/node` leave: one copy of each, twinflow's own dependencies its own.
  mkdirSync(join(project, 'node_modules/@types'), { recursive: true });
  symlinkSync(ROOT, join(project, 'node_modules/twinflow'), 'dir');
  symlinkSync(join(ROOT, 'node_modules/rxjs'), join(project, 'node_modules/rxjs'), 'dir');
  symlinkSync(join(ROOT, 'node_modules/@types/node'), join(project, 'node_modules/@types/node'), 'dir');
  await ok('tsc', process.execPath, [TSC, '-p', 'tsconfig.json'], project);
}, 120_000);

afterAll(() => {
  if (project !== undefined) rmSync(project, { recursive: true, force: true });
});

describe('docs/writing-a-pipeline.md', () => {
  it('names every file the guide builds', () => {
    expect([...filesOf(blocks).keys()].sort()).toEqual([
      'job.yaml',
      'migrations/001_pump_minutes.sql',
      'src/contracts.ts',
      'src/job.ts',
      'src/pumpVibration.test.ts',
      'src/pumpVibration.ts',
      'src/runPumps.ts',
      'src/simulatedPumps.ts',
      'tsconfig.json',
    ]);
  });

  it("passes the guide's own tests with node's test runner", async () => {
    const out = await ok(
      'node --test',
      process.execPath,
      ['--test', '--test-reporter=tap', 'dist/pumpVibration.test.js'],
      project,
    );
    expect(out).toMatch(/# pass 3\n/);
    expect(out).toMatch(/# fail 0\n/);
  });

  it('runs embedded and prints what the guide says it prints', { timeout: 120_000 }, async () => {
    const printed = blocks.find((b) => b.lang === 'text');
    expect(printed, 'the guide shows the embedded run output in a ```text block').toBeDefined();
    const out = await ok(
      'node dist/runPumps.js',
      process.execPath,
      ['dist/runPumps.js', join(project, 'ch')],
      project,
    );
    expect(out).toBe(printed!.body);
  });

  it('is a job the CLI finds through package.json, with a config the runtime accepts', async () => {
    const jobs = await ok('twinflow jobs', process.execPath, [CLI, 'jobs'], project);
    expect(jobs).toMatch(/^pump-vibration\s+vibration per pump and minute, zone D alerts \(default\)$/m);
    const check = await ok(
      'twinflow config check',
      process.execPath,
      [CLI, 'config', 'check', 'job.yaml'],
      project,
    );
    expect(check).toContain('ok: ');
    expect(check).toContain('outputs:\n    alerts: pump-alerts');
    const usage = await run(process.execPath, [CLI, 'run', 'pump-vibration'], project);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('twinflow run pump-vibration --config FILE');
  });
});
