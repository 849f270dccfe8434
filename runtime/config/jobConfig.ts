import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { type Document, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigIssue, formatConfigPath } from './configError.js';
import { applyEnvOverrides } from './envOverrides.js';
import { type JobConfig, jobConfigSchema, jobConfigSchemaFor } from './jobConfigSchema.js';
import type { JobSettings } from './jobSettings.js';
import { settingAt, settingKeys } from './schemaKeys.js';
import { resolveSecret, SecretError, SecretRef } from './secret.js';

export { ConfigError, type ConfigIssue, formatConfigIssue } from './configError.js';
export { ENV_OVERRIDE_PREFIX } from './envOverrides.js';
export {
  type JobConfig,
  jobConfigSchema,
  jobConfigSchemaFor,
  LOG_LEVELS,
  type LogLevel,
} from './jobConfigSchema.js';
export type { JobSettings } from './jobSettings.js';
export { Secret, SecretError } from './secret.js';

/**
 * Reads a job config file (YAML), applies `TWINFLOW__…` overrides from
 * `env`, validates it (its `pipeline:` section with the job's `settings`,
 * when given) and resolves its secrets and relative paths. Throws a
 * `ConfigError` listing every problem with its path and line.
 *
 * @example
 * const config = await loadJobConfig('runtime/config/examples/local.yaml', process.env, machineHealthSettings);
 * config.kafka.brokers; // ['127.0.0.1:19092']
 */
export async function loadJobConfig<S = Record<string, unknown>>(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  settings?: JobSettings<S>,
): Promise<JobConfig<S>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [{ path: '(file)', message: `cannot be read${code ? ` (${code})` : ''}` }], {
      cause,
    });
  }
  return parseJobConfig(text, path, env, settings);
}

/**
 * Validates job config YAML text. `source` names it in messages and its
 * folder is where relative paths (catalogue, model, TLS files, file
 * secrets) are resolved from. `job.instanceId` defaults to `POD_NAME`, else
 * `HOSTNAME`, else `local-0`.
 *
 * @example
 * const config = parseJobConfig(text, 'deploy/job.yaml', { KAFKA_PASSWORD: 'x' });
 * config.topics.changelog; // 'machine-health-state' (from job.name)
 */
export function parseJobConfig<S = Record<string, unknown>>(
  text: string,
  source: string,
  env: NodeJS.ProcessEnv = process.env,
  settings?: JobSettings<S>,
): JobConfig<S> {
  const schema = settings === undefined ? jobConfigSchema : jobConfigSchemaFor(settings.schema);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      doc.errors.map((e) => ({
        path: '(yaml)',
        message: e.message.split('\n')[0],
        line: lineCounter.linePos(e.pos[0]).line,
      })),
      { cause: doc.errors[0] },
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(source, [
      { path: '(root)', message: 'must be a mapping of sections (job, kafka, …)', line: 1 },
    ]);
  }
  const rawConfig = raw as Record<string, unknown>;
  const applied = applyEnvOverrides(rawConfig, schema, env);
  const overridden = new Map(applied.overridden);
  const instanceFrom = defaultInstanceId(rawConfig, env);
  if (instanceFrom !== undefined) overridden.set('job.instanceId', instanceFrom);

  const locate = locator(doc, lineCounter);
  const issues: ConfigIssue[] = [...applied.issues];
  /** An issue at `path`, blamed on the environment variable that set it if one did, else on its line. */
  const issueAt = (path: readonly PropertyKey[], message: string): ConfigIssue => {
    const text = formatConfigPath(path);
    for (const [setting, variable] of overridden) {
      // Either way round: a value inside an overridden setting, or a setting an override reached into.
      if (within(text, setting) || within(setting, text)) {
        return { path: text, message: `${message} (set by ${variable})` };
      }
    }
    return { path: text, message, line: locate(path) };
  };
  const parsed = schema.safeParse(rawConfig);
  if (!parsed.success) issues.push(...schemaIssues(parsed.error.issues, rawConfig, issueAt));
  if (issues.length > 0 || !parsed.success) {
    throw new ConfigError(source, inFileOrder(issues), { cause: parsed.success ? undefined : parsed.error });
  }

  const baseDir = dirname(resolve(source));
  const config = parsed.data;
  resolveSecrets(config, [], env, baseDir, (path, message) => issues.push(issueAt(path, message)));
  if (issues.length > 0) throw new ConfigError(source, inFileOrder(issues));
  resolvePaths(config as ParsedConfig, settings?.paths ?? [], baseDir);
  return config as unknown as JobConfig<S>;
}

/**
 * The config as plain JSON, safe to print or log: secrets become
 * `[redacted]`.
 *
 * @example
 * console.log(JSON.stringify(redactedConfig(config), null, 2));
 */
export function redactedConfig(config: JobConfig<unknown>): unknown {
  // Secret.toJSON gives '[redacted]', so a JSON round trip cannot carry a value out.
  return JSON.parse(JSON.stringify(config));
}

/**
 * Fills in job.instanceId from the pod's name when neither the file nor an override set it.
 * Returns the variable used, so a bad value is blamed on it.
 */
function defaultInstanceId(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): string | undefined {
  const job = raw.job;
  if (job === null || typeof job !== 'object' || Array.isArray(job)) return undefined;
  const fields = job as Record<string, unknown>;
  if (fields.instanceId !== undefined) return undefined;
  for (const variable of ['POD_NAME', 'HOSTNAME']) {
    const value = env[variable];
    if (value !== undefined && value !== '') {
      fields.instanceId = value;
      return variable;
    }
  }
  return undefined;
}

/** Line of the deepest key on `path` that is written in the file: the key itself, or for a missing key its parent's. */
function locator(
  doc: Document,
  lineCounter: LineCounter,
): (path: readonly PropertyKey[]) => number | undefined {
  return (path) => {
    let node: unknown = doc.contents;
    let line: number | undefined;
    for (const segment of path) {
      let next: { at: Node | null | undefined; value: unknown } | undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === segment);
        if (pair !== undefined) next = { at: isScalar(pair.key) ? pair.key : undefined, value: pair.value };
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = node.items[segment];
        if (item !== undefined) next = { at: item as Node, value: item };
      }
      if (next === undefined) break;
      if (next.at?.range) line = lineCounter.linePos(next.at.range[0]).line;
      node = next.value;
    }
    return line;
  };
}

function within(path: string, parent: string): boolean {
  return path === parent || path.startsWith(`${parent}.`) || path.startsWith(`${parent}[`);
}

/** Issues with a line first, top to bottom as one fixes a file; then the rest (missing sections, overrides) as found. */
function inFileOrder(issues: readonly ConfigIssue[]): ConfigIssue[] {
  return [...issues].sort(
    (a, b) => (a.line ?? Number.MAX_SAFE_INTEGER) - (b.line ?? Number.MAX_SAFE_INTEGER),
  );
}

/** Keys whose values are never quoted back in an error: secrets written inline, URLs that may carry credentials. */
const UNQUOTABLE_KEY = /password|secret|token|^key$|url$/i;

function at(raw: unknown, path: readonly PropertyKey[]): unknown {
  let v = raw;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function schemaIssues(
  issues: readonly z.core.$ZodIssue[],
  raw: unknown,
  issueAt: (path: readonly PropertyKey[], message: string) => ConfigIssue,
): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const push = (path: readonly PropertyKey[], message: string): void => {
    out.push(issueAt(path, message));
  };
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const object = settingAt(jobConfigSchema, issue.path);
      const known = object === undefined ? [] : [...(settingKeys(object)?.keys() ?? [])];
      for (const key of issue.keys) {
        push(
          [...issue.path, key],
          `unknown setting${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`,
        );
      }
      continue;
    }
    const value = at(raw, issue.path);
    let message: string;
    if (value === undefined && issue.code === 'invalid_type') message = 'is required';
    else {
      message = issue.message;
      const quotable =
        (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') &&
        !issue.path.some((k) => typeof k === 'string' && UNQUOTABLE_KEY.test(k));
      if (quotable && String(value).length <= 80) message += ` (got ${JSON.stringify(value)})`;
    }
    push(issue.path, message);
  }
  return out;
}

/** Replaces every SecretRef in the parsed config with the Secret it names, in place. */
function resolveSecrets(
  node: unknown,
  path: PropertyKey[],
  env: NodeJS.ProcessEnv,
  baseDir: string,
  report: (path: readonly PropertyKey[], message: string) => unknown,
): void {
  if (node === null || typeof node !== 'object') return;
  const entries: [PropertyKey, unknown][] = Array.isArray(node) ? [...node.entries()] : Object.entries(node);
  for (const [key, value] of entries) {
    if (value instanceof SecretRef) {
      try {
        (node as Record<PropertyKey, unknown>)[key] = resolveSecret(value, env, baseDir);
      } catch (cause) {
        if (!(cause instanceof SecretError)) throw cause;
        report([...path, key], cause.message);
      }
    } else {
      resolveSecrets(value, [...path, key], env, baseDir, report);
    }
  }
}

type ParsedConfig = z.output<typeof jobConfigSchema>;

/** Relative paths in a config mean "next to the config file", wherever the job was started from. */
function resolvePaths(config: ParsedConfig, settingPaths: readonly string[], baseDir: string): void {
  const absolute = <K extends string>(fields: Partial<Record<K, string>>, key: K): void => {
    const p = fields[key];
    if (p !== undefined && !isAbsolute(p)) fields[key] = resolve(baseDir, p);
  };
  for (const key of settingPaths) {
    if (typeof config.pipeline[key] === 'string') absolute(config.pipeline as Record<string, string>, key);
  }
  for (const tls of [config.kafka.tls, config.clickhouse.tls]) {
    if (tls === undefined) continue;
    absolute(tls, 'caFile');
    absolute(tls, 'certFile');
    absolute(tls, 'keyFile');
  }
}
