import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const DOCKER = 'infra/docker';
// biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile ARG syntax, not a JavaScript template.
const NODE_IMAGE_ARG = '${NODE_IMAGE}';

/** One instruction of a Dockerfile: keyword, its flags (`--from=build`) and the rest of the line. */
interface Instruction {
  readonly keyword: string;
  readonly flags: Record<string, string>;
  readonly args: string;
  readonly line: number;
}

interface Stage {
  readonly name: string;
  readonly base: string;
  readonly instructions: Instruction[];
}

/**
 * Splits a Dockerfile into stages of instructions: comment lines dropped (also
 * inside a continued instruction, as Docker does), `\` continuations joined.
 */
function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let pending = '';
  let startLine = 0;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (/^\s*#/.test(raw) || (pending === '' && raw.trim() === '')) continue;
    if (pending === '') startLine = i + 1;
    const continued = /\\\s*$/.test(raw);
    pending += `${raw.replace(/\\\s*$/, '').trim()} `;
    if (continued) continue;
    const [, keyword, rest] = /^(\S+)\s*(.*)$/.exec(pending.trim()) as RegExpExecArray;
    pending = '';
    const flags: Record<string, string> = {};
    let args = rest;
    for (let m = /^--([a-z-]+)=(\S+)\s*/.exec(args); m !== null; m = /^--([a-z-]+)=(\S+)\s*/.exec(args)) {
      flags[m[1]] = m[2];
      args = args.slice(m[0].length);
    }
    const instruction = { keyword: keyword.toUpperCase(), flags, args: args.trim(), line: startLine };
    if (instruction.keyword === 'FROM') {
      const [base, as, name] = instruction.args.split(/\s+/);
      expect(as?.toUpperCase(), `FROM on line ${startLine} names its stage`).toBe('AS');
      stages.push({ name, base, instructions: [] });
    } else if (instruction.keyword !== 'ARG' || stages.length > 0) {
      expect(stages.length, `${instruction.keyword} on line ${startLine} before any FROM`).toBeGreaterThan(0);
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

const stages = parseDockerfile(fs.readFileSync(path.join(DOCKER, 'Dockerfile'), 'utf8'));
const final = stages[stages.length - 1];
const byName = new Map(stages.map((s) => [s.name, s]));

/** A stage's instructions, those of the stages it is built FROM first. */
function lineage(stage: Stage): Instruction[] {
  const parent = byName.get(stage.base);
  return [...(parent === undefined ? [] : lineage(parent)), ...stage.instructions];
}
const runs = (stage: Stage) =>
  lineage(stage)
    .filter((i) => i.keyword === 'RUN')
    .map((i) => i.args);
const copies = (stage: Stage) => stage.instructions.filter((i) => i.keyword === 'COPY');
/** `COPY [--from=x] <src...> <dest>` as its sources and destination. */
function copyParts(copy: Instruction): { sources: string[]; dest: string } {
  const parts = copy.args.split(/\s+/);
  return { sources: parts.slice(0, -1), dest: parts[parts.length - 1] };
}

describe('infra/docker/Dockerfile', () => {
  it('is multi-stage on node:24-bookworm-slim', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const arg = /ARG NODE_IMAGE=(\S+)/.exec(fs.readFileSync(path.join(DOCKER, 'Dockerfile'), 'utf8'));
    expect(arg?.[1]).toBe('node:24-bookworm-slim');
    for (const s of stages) expect([NODE_IMAGE_ARG, ...byName.keys()], s.name).toContain(s.base);
    expect(final.base).toBe(NODE_IMAGE_ARG);
  });

  it('builds kafka-javascript from source against Debian libraries, linked dynamically', () => {
    const build = stages.filter((s) => s !== final);
    const env = build.flatMap((s) => lineage(s).filter((i) => i.keyword === 'ENV')).map((i) => i.args);
    expect(env.join(' ')).toMatch(/CKJS_LINKING=dynamic/);
    const installs = build.flatMap(runs).join(' ');
    for (const pkg of ['python3', 'make', 'g++', 'zlib1g-dev', 'libssl-dev', 'libzstd-dev', 'liblz4-dev']) {
      expect(installs).toContain(` ${pkg} `);
    }
    expect(installs).toContain('libsasl2-dev');
    expect(installs).toContain('libcurl4-openssl-dev');
    expect(build.flatMap(runs).some((r) => /npm run build/.test(r))).toBe(true);
  });

  it('ships production dependencies from `npm ci --omit=dev` and the build output only', () => {
    const fromStage = (dest: string) => {
      const copy = copies(final).find(
        (c) => c.flags.from !== undefined && copyParts(c).dest.startsWith(dest),
      );
      expect(copy, `COPY --from=… ${dest}`).toBeDefined();
      return byName.get(copy?.flags.from as string) as Stage;
    };
    const deps = fromStage('./node_modules');
    expect(runs(deps).some((r) => /npm ci\b.*--omit=dev/.test(r))).toBe(true);
    expect(runs(deps).some((r) => /npm ci\b(?!.*--omit=dev)/.test(r))).toBe(false);
    const build = fromStage('./dist');
    expect(runs(build).some((r) => /npm run build/.test(r))).toBe(true);
    // The final stage neither installs packages with npm nor has a compiler or -dev libraries.
    const finalRuns = final.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(finalRuns.join(' ')).not.toMatch(/\bnpm (ci|install)\b|-dev\b|\bg\+\+|\bmake\b|python3/);
  });

  it('installs the runtime libraries the native modules link against in the final stage', () => {
    const finalRuns = final.instructions
      .filter((i) => i.keyword === 'RUN')
      .map((i) => i.args)
      .join(' ');
    for (const lib of [
      'zlib1g',
      'libssl3',
      'libzstd1',
      'liblz4-1',
      'libsasl2-2',
      'libcurl4',
      'ca-certificates',
    ]) {
      expect(finalRuns).toContain(` ${lib} `);
    }
  });

  it('copies the runtime folders next to dist/', () => {
    const copied = copies(final).flatMap((c) =>
      copyParts(c).sources.map((s) => (c.flags.from ? `${c.flags.from}:${s}` : s)),
    );
    expect(copied).toEqual(
      expect.arrayContaining([
        'package.json',
        'schemas',
        'models',
        'pipelines/machine-health/catalogue.yaml',
        expect.stringMatching(/^[a-z]+:\/app\/dist$/),
        expect.stringMatching(/^[a-z]+:\/app\/node_modules$/),
      ]),
    );
    for (const source of copied.filter((s) => !s.includes(':'))) {
      expect(fs.existsSync(source), `${source} exists at the repository root`).toBe(true);
    }
  });

  it('runs as the non-root user 10001 with the twinflow CLI as entrypoint on port 9464', () => {
    const users = final.instructions.filter((i) => i.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1].args;
    // Numeric, so Kubernetes can check runAsNonRoot; the last instruction that sets the user wins.
    expect(user).toMatch(/^10001(:10001)?$/);
    const last = (keyword: string) => final.instructions.filter((i) => i.keyword === keyword).pop()?.args;
    const entrypoint = JSON.parse(last('ENTRYPOINT') as string) as string[];
    expect(entrypoint.slice(-2)).toEqual(['node', 'dist/runtime/cli/main.js']);
    expect(last('EXPOSE')).toBe('9464');
    expect(last('WORKDIR')).toBe('/app');
    expect(last('HEALTHCHECK')).toContain('/healthz');
  });

  it('lets every file the Dockerfile copies from the context through Dockerfile.dockerignore', () => {
    const ignore = fs
      .readFileSync(path.join(DOCKER, 'Dockerfile.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    expect(ignore[0]).toBe('**');
    const allowed = ignore.filter((l) => l.startsWith('!')).map((l) => l.slice(1).replace(/\/$/, ''));
    const fromContext = stages
      .flatMap(copies)
      .filter((c) => c.flags.from === undefined)
      .flatMap((c) => copyParts(c).sources);
    expect(fromContext.length).toBeGreaterThan(5);
    for (const source of fromContext) {
      expect(
        allowed.some((a) => source === a || source.startsWith(`${a}/`)),
        `${source} is excluded from the build context`,
      ).toBe(true);
    }
  });
});
