import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { type ConfigIssue, formatConfigPath } from './configError.js';
import { recordValues, settingKeys, valueKind } from './schemaKeys.js';

/**
 * Settings overridden from the environment, as Kubernetes manifests and CI
 * set them: `TWINFLOW__KAFKA__BROKERS=a:9092,b:9092`. Segments after the
 * prefix are separated by `__` and match the config's camelCase keys with
 * case and single underscores ignored (`EPOCHS__MAX_RECORDS` and
 * `EPOCHS__MAXRECORDS` both set `epochs.maxRecords`). Keys are looked up in
 * the schema itself, so an override can name exactly the settings a file
 * can, and a misspelt one is an error rather than ignored.
 */

/** The prefix every override variable starts with. */
export const ENV_OVERRIDE_PREFIX = 'TWINFLOW__';

/**
 * What applying the overrides did: which config paths each variable set (so
 * a problem with the value is reported against the variable, not a line of
 * the file it replaced), and the variables that could not be applied.
 *
 * @example
 * const { overridden, issues } = applyEnvOverrides(raw, jobConfigSchema, process.env);
 * overridden.get('epochs.maxRecords'); // 'TWINFLOW__EPOCHS__MAX_RECORDS'
 */
export interface AppliedOverrides {
  /** Dotted config path -> the variable that set it. */
  readonly overridden: ReadonlyMap<string, string>;
  readonly issues: readonly ConfigIssue[];
}

/**
 * Applies every `TWINFLOW__…` variable in `env` to the raw (not yet
 * validated) config object `raw`, in place. Values for string settings are
 * taken as they are, for lists of strings split on commas, and otherwise
 * parsed as YAML (`100`, `true`, `{ env: KAFKA_PASSWORD }`).
 *
 * @example
 * const raw = { epochs: {} };
 * applyEnvOverrides(raw, jobConfigSchema, { TWINFLOW__EPOCHS__MAX_RECORDS: '100' });
 * raw.epochs; // { maxRecords: 100 }
 */
export function applyEnvOverrides(
  raw: Record<string, unknown>,
  schema: z.ZodType,
  env: NodeJS.ProcessEnv,
): AppliedOverrides {
  const overridden = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  const names = Object.keys(env)
    .filter((n) => n.startsWith(ENV_OVERRIDE_PREFIX))
    .sort();
  for (const name of names) {
    const value = env[name];
    if (value === undefined) continue;
    const segments = name.slice(ENV_OVERRIDE_PREFIX.length).split('__');
    const target = findSetting(schema, segments);
    if ('unknown' in target) {
      issues.push({ path: name, message: target.unknown });
      continue;
    }
    const pathText = formatConfigPath(target.path);
    let parsed: unknown;
    try {
      parsed = convert(target.leaf, value);
    } catch (cause) {
      issues.push({
        path: pathText,
        message: `${name} is not a valid YAML value: ${(cause as Error).message.split('\n')[0]}`,
      });
      continue;
    }
    const problem = setIn(raw, target.path, parsed);
    if (problem !== undefined) {
      issues.push({ path: pathText, message: `${name} cannot be applied: ${problem}` });
      continue;
    }
    overridden.set(pathText, name);
  }
  return { overridden, issues };
}

const fold = (s: string): string => s.replace(/_/g, '').toLowerCase();

function findSetting(
  schema: z.ZodType,
  segments: readonly string[],
): { path: string[]; leaf: z.ZodType } | { unknown: string } {
  const path: string[] = [];
  let node = schema;
  for (const segment of segments) {
    const values = recordValues(node);
    if (values !== undefined && segment !== '') {
      // A name the user chose (an output's): environment variables are upper case, the names lower case.
      path.push(segment.toLowerCase());
      node = values;
      continue;
    }
    const keys = settingKeys(node);
    if (keys === undefined) {
      return { unknown: `${formatConfigPath(path)} is a single value and has no setting "${segment}"` };
    }
    const wanted = fold(segment);
    const key = wanted === '' ? undefined : [...keys.keys()].find((k) => k.toLowerCase() === wanted);
    if (key === undefined) {
      const where = path.length === 0 ? 'the config' : formatConfigPath(path);
      return { unknown: `${where} has no setting "${segment}" (known: ${[...keys.keys()].join(', ')})` };
    }
    path.push(key);
    node = keys.get(key)!;
  }
  return { path, leaf: node };
}

function convert(leaf: z.ZodType, value: string): unknown {
  const kind = valueKind(leaf);
  if (kind === 'string') return value;
  if (kind === 'string[]') {
    return value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  return parseYaml(value);
}

function setIn(raw: Record<string, unknown>, path: readonly string[], value: unknown): string | undefined {
  let node = raw;
  for (let i = 0; i < path.length - 1; i++) {
    const next = node[path[i]];
    if (next === undefined || next === null) {
      const created: Record<string, unknown> = {};
      node[path[i]] = created;
      node = created;
    } else if (typeof next === 'object' && !Array.isArray(next)) {
      node = next as Record<string, unknown>;
    } else {
      return `${formatConfigPath(path.slice(0, i + 1))} in the file is not a mapping`;
    }
  }
  node[path[path.length - 1]] = value;
  return undefined;
}
