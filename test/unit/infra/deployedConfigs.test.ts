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
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { formatConfigPath } from '../../../runtime/config/configError.js';
import { ConfigError, jobConfigSchema, parseJobConfig, Secret } from '../../../runtime/config/jobConfig.js';
import { SecretRef } from '../../../runtime/config/secret.js';

/**
 * Every job config the repository ships for someone to run: the examples,
 * the compose stack's, and the Kubernetes base and overlays (found by
 * listing, so a new overlay is checked without being named here).
 */
function shippedConfigs(): string[] {
  const examples = readdirSync('runtime/config/examples')
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join('runtime/config/examples', f));
  const overlays = readdirSync('infra/k8s/overlays', { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => join('infra/k8s/overlays', d.name, 'config.yaml'))
    .filter((f) => existsSync(f));
  return [...examples, 'infra/docker/config.yaml', 'infra/k8s/base/config.yaml', ...overlays].sort();
}

const SHIPPED = shippedConfigs();

/** What a pod or container provides: its name, which becomes job.instanceId. */
const POD_NAME = 'machine-health-0';

interface FoundRef {
  /** Dotted path as ConfigError issues name it (`kafka.sasl.password`). */
  readonly path: string;
  readonly ref: SecretRef;
}

/** Every secret reference of a schema-parsed config, with its path. */
function secretRefs(node: unknown, path: PropertyKey[] = []): FoundRef[] {
  if (node instanceof SecretRef) return [{ path: formatConfigPath(path), ref: node }];
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    secretRefs(value, [...path, Array.isArray(node) ? Number(key) : key]),
  );
}

/** Every resolved secret of a loaded config, by origin (`env NAME`, `file /path`). */
function resolvedSecrets(node: unknown, out = new Map<string, string>()): Map<string, string> {
  if (node instanceof Secret) out.set(node.origin, node.reveal());
  else if (node !== null && typeof node === 'object') {
    for (const value of Object.values(node)) resolvedSecrets(value, out);
  }
  return out;
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A stand-in credential, as long as a real signing key must be (32 bytes or more). */
const fake = (name: string): string => `fake-${name}-0123456789abcdef0123456789abcdef`;

const scratch = mkdtempSync(join(tmpdir(), 'twinflow-deployed-configs-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('job configs shipped in the repository', () => {
  it('include the examples, the compose config and every Kubernetes config', () => {
    expect(SHIPPED).toEqual(
      expect.arrayContaining([
        'infra/docker/config.yaml',
        'infra/k8s/base/config.yaml',
        'infra/k8s/overlays/dev/config.yaml',
        'infra/k8s/overlays/prod/config.yaml',
        'runtime/config/examples/local.yaml',
        'runtime/config/examples/production.yaml',
      ]),
    );
  });

  it('listen on every interface only in a container (compose, Kubernetes), on loopback elsewhere', () => {
    const hostOf = (file: string) =>
      jobConfigSchema.parse(parse(readFileSync(file, 'utf8'))).observability.host;
    // production.yaml is the example of a Kubernetes pod's config (its header says so).
    const inContainer = (file: string) => file.startsWith('infra/') || file.endsWith('/production.yaml');
    for (const file of SHIPPED) expect(hostOf(file), file).toBe(inContainer(file) ? '0.0.0.0' : '127.0.0.1');
    expect(SHIPPED.filter((f) => !inContainer(f))).toContain('runtime/config/examples/local.yaml');
  });

  describe.each(SHIPPED)('%s', (file) => {
    const text = readFileSync(file, 'utf8');

    it('matches the job config schema', () => {
      const parsed = jobConfigSchema.safeParse(parse(text));
      // The issues, not just `false`, so a failure says which setting is wrong.
      expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
    });

    it('loads with parseJobConfig, secrets resolved, once its env and file secrets exist', () => {
      const parsed = jobConfigSchema.safeParse(parse(text));
      if (!parsed.success) throw new Error(`${file} does not match the schema (see the test above)`);
      const refs = secretRefs(parsed.data);

      // Relative file secrets resolve against the config's folder: give the text a folder of its
      // own in the scratch directory and put the files there. Absolute ones (a Kubernetes Secret
      // volume) cannot be created here: those, and only those, must be reported unreadable.
      const folder = join(scratch, file.replaceAll('/', '_'));
      const source = join(folder, basename(file));
      const env: NodeJS.ProcessEnv = { POD_NAME };
      const expected = new Map<string, string>();
      const realFiles = new Set<string>();
      const unreadable: { path: string; file: string }[] = [];
      for (const { path, ref } of refs) {
        const where = ref.source;
        if ('env' in where) {
          env[where.env] = fake(where.env);
          expected.set(`env ${where.env}`, fake(where.env));
        } else if (!isAbsolute(where.file)) {
          const target = resolve(folder, where.file);
          mkdirSync(dirname(target), { recursive: true });
          writeFileSync(target, `${fake(basename(where.file))}\n`);
          expected.set(`file ${target}`, fake(basename(where.file)));
        } else if (existsSync(where.file)) {
          // A real credential on this machine: checked for being resolved, never compared or printed.
          realFiles.add(`file ${where.file}`);
        } else {
          unreadable.push({ path, file: where.file });
        }
      }

      let config: ReturnType<typeof parseJobConfig> | undefined;
      let error: unknown;
      try {
        config = parseJobConfig(text, source, env);
      } catch (err) {
        error = err;
      }

      if (unreadable.length > 0) {
        expect(error).toBeInstanceOf(ConfigError);
        const byPath = (a: { path: string }, b: { path: string }) => a.path.localeCompare(b.path);
        const issues = (error as ConfigError).issues.map((i) => ({ path: i.path, message: i.message }));
        expect(issues.sort(byPath)).toEqual(
          unreadable.sort(byPath).map((u) => ({
            path: u.path,
            message: expect.stringMatching(
              new RegExp(`^file ${escapeRegExp(u.file)} cannot be read \\(E[A-Z]+\\)$`),
            ),
          })),
        );
        return;
      }
      expect(error).toBeUndefined();
      const loaded = config!;
      const resolved = resolvedSecrets(loaded);
      expect([...resolved.keys()].sort()).toEqual([...expected.keys(), ...realFiles].sort());
      for (const [origin, value] of expected) expect(resolved.get(origin), origin).toBe(value);
      const pinned = (parse(text) as { job: { instanceId?: string } }).job.instanceId;
      expect(loaded.job.instanceId).toBe(pinned ?? POD_NAME);
      expect(loaded.topics.changelog).toMatch(/\S/);
    });
  });
});
