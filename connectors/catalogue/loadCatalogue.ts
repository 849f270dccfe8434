import { readFile } from 'node:fs/promises';
import { type Document, isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { type AssetSpec, steadyTemperature } from '../../operators/scoring/assetPhysics.js';
import type { Catalogue, LineSpec, LoadBounds, Shift, SiteSpec } from './catalogue.js';
import { CatalogueError, type CatalogueIssue } from './catalogueError.js';
import { type AssetEntry, type CatalogueFile, catalogueSchema, type KindEntry } from './catalogueSchema.js';
import { type CostRates, DEFAULT_COST_RATES, DEFAULT_CURRENCY } from './costTable.js';

type Path = readonly PropertyKey[];

/**
 * Reads and validates the asset catalogue at `path` (YAML). Throws a
 * `CatalogueError` listing every problem, each naming the asset (or kind,
 * site, line) and the field, with the line in the file.
 *
 * @example
 * const catalogue = await loadCatalogue('pipelines/machine-health/catalogue.yaml');
 * catalogue.assets.length; // 12
 */
export async function loadCatalogue(path: string): Promise<Catalogue> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new CatalogueError(path, [{ path: '(file)', message: `cannot be read: ${String(cause)}` }], {
      cause,
    });
  }
  return parseCatalogue(text, path);
}

/**
 * Validates catalogue YAML text; `source` names it in messages. Asset specs
 * are resolved from their kind, the site's ambient, then the asset's own
 * overrides (in that order of precedence, last wins).
 *
 * @example
 * const c = parseCatalogue(yamlText, 'inline');
 * c.bounds['pump-001']; // { minLoadLimitPct: 50, maxLoadLimitPct: 105, reduceStepPct: 15 }
 */
export function parseCatalogue(text: string, source: string): Catalogue {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) {
    throw new CatalogueError(
      source,
      doc.errors.map((e) => ({
        path: '(yaml)',
        message: e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, ''),
        line: e.linePos?.[0].line,
        column: e.linePos?.[0].col,
      })),
      { cause: doc.errors[0] },
    );
  }
  const raw: unknown = doc.toJS();
  const locate = locator(doc, lineCounter);
  const parsed = catalogueSchema.safeParse(raw);
  if (!parsed.success) {
    throw new CatalogueError(source, schemaIssues(parsed.error.issues, raw, locate), { cause: parsed.error });
  }
  return resolve(parsed.data, source, locate);
}

type Locate = (path: Path) => { line?: number; column?: number };

/** Line of the deepest node on `path` that exists (the parent, for a missing field). */
function locator(doc: Document, lineCounter: LineCounter): Locate {
  return (path) => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as unknown[], true);
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return {};
  };
}

function at(raw: unknown, path: Path): unknown {
  let v = raw;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** `sites.0.lines.1.assets.2.ratedPowerKw` -> `assets[pump-003].ratedPowerKw`: ids are what people search for. */
function describe(raw: unknown, path: Path): string {
  const tail = (rest: Path): string =>
    rest.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('');
  const named = (prefix: Path, label: string, fallback: string): string => {
    const entryId = at(raw, [...prefix, 'id']);
    return typeof entryId === 'string' && entryId !== '' ? `${label}[${entryId}]` : fallback;
  };
  if (path[0] === 'kinds' && path.length >= 2) return `kinds.${String(path[1])}${tail(path.slice(2))}`;
  if (path[0] === 'sites' && typeof path[1] === 'number') {
    const site = `sites[${path[1]}]`;
    if (path[2] === 'lines' && typeof path[3] === 'number') {
      const line = `${site}.lines[${path[3]}]`;
      if (path[4] === 'assets' && typeof path[5] === 'number') {
        return named(path.slice(0, 6), 'assets', `${line}.assets[${path[5]}]`) + tail(path.slice(6));
      }
      return named(path.slice(0, 4), 'lines', line) + tail(path.slice(4));
    }
    return named(path.slice(0, 2), 'sites', site) + tail(path.slice(2));
  }
  return path.length === 0 ? '(root)' : tail(path).slice(1);
}

function schemaIssues(issues: readonly z.core.$ZodIssue[], raw: unknown, locate: Locate): CatalogueIssue[] {
  const out: CatalogueIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        out.push({ path: describe(raw, path), message: 'unknown field', ...locate(path) });
      }
      continue;
    }
    const value = at(raw, issue.path);
    let message: string;
    if (value === undefined && issue.code === 'invalid_type') message = 'is required';
    else {
      message = issue.message;
      if (value !== null && typeof value !== 'object') message += ` (got ${JSON.stringify(value)})`;
    }
    out.push({ path: describe(raw, issue.path), message, ...locate(issue.path) });
  }
  return out;
}

type RatedField = Exclude<keyof AssetSpec, 'id' | 'kind' | 'site' | 'line'>;

const ratedFieldNames: readonly RatedField[] = [
  'ratedPowerKw',
  'ratedRpm',
  'ratedPressureBar',
  'ambientC',
  'heatRiseAtRatedC',
  'thermalTimeConstantS',
  'temperatureAlarmC',
  'temperatureLimitC',
  'baseVibrationMmS',
  'vibrationAlarmMmS',
  'wearPerHourAtRated',
  'idealCycleTimeS',
  'repairTimeS',
  'maintenanceTimeS',
];

function minuteOfDay(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

function resolve(file: CatalogueFile, source: string, locate: Locate): Catalogue {
  const issues: CatalogueIssue[] = [];
  const seen = new Set<string>();
  const report = (path: string, where: Path, message: string): void => {
    const dedupe = `${path}\u0000${message}`;
    if (seen.has(dedupe)) return;
    seen.add(dedupe);
    issues.push({ path, message, ...locate(where) });
  };
  const knownKinds = Object.keys(file.kinds);
  const siteIds = new Map<string, string>();
  const lineIds = new Map<string, string>();
  const assetIds = new Map<string, string>();
  const sites: SiteSpec[] = [];
  const lines: LineSpec[] = [];
  const assets: AssetSpec[] = [];
  const bounds: Record<string, LoadBounds> = {};
  const plantRates: CostRates = { ...DEFAULT_COST_RATES, ...withoutCurrency(file.costs) };
  const costsByLine: Record<string, CostRates> = {};

  file.sites.forEach((site, si) => {
    const sitePath: Path = ['sites', si];
    const firstSite = siteIds.get(site.id);
    if (firstSite !== undefined) {
      report(`sites[${site.id}].id`, [...sitePath, 'id'], `duplicate site id (also at ${firstSite})`);
    } else siteIds.set(site.id, `sites[${si}]`);
    if (site.demand.minLoad > site.demand.maxLoad) {
      report(
        `sites[${site.id}].demand.minLoad`,
        [...sitePath, 'demand', 'minLoad'],
        `must not exceed demand.maxLoad (got ${site.demand.minLoad} > ${site.demand.maxLoad})`,
      );
    }
    const shifts: Shift[] = (site.shifts ?? [{ name: 'all-day', start: '00:00', end: '00:00' }]).map((s) => ({
      name: s.name,
      startMinute: minuteOfDay(s.start),
      endMinute: minuteOfDay(s.end),
    }));
    const lineIdsOfSite: string[] = [];
    site.lines.forEach((line, li) => {
      const linePath: Path = [...sitePath, 'lines', li];
      const firstLine = lineIds.get(line.id);
      if (firstLine !== undefined) {
        report(`lines[${line.id}].id`, [...linePath, 'id'], `duplicate line id (also at ${firstLine})`);
      } else lineIds.set(line.id, `sites[${si}].lines[${li}]`);
      lineIdsOfSite.push(line.id);
      const assetIdsOfLine: string[] = [];
      line.assets.forEach((entry, ai) => {
        const assetPath: Path = [...linePath, 'assets', ai];
        const name = `assets[${entry.id}]`;
        const firstAsset = assetIds.get(entry.id);
        if (firstAsset !== undefined) {
          report(`${name}.id`, [...assetPath, 'id'], `duplicate asset id (also at ${firstAsset})`);
          return;
        }
        assetIds.set(entry.id, `sites[${si}].lines[${li}].assets[${ai}]`);
        const kind = file.kinds[entry.kind];
        if (kind === undefined) {
          report(
            `${name}.kind`,
            [...assetPath, 'kind'],
            `unknown kind ${JSON.stringify(entry.kind)} (known: ${knownKinds.join(', ')})`,
          );
          return;
        }
        const resolved = resolveAsset(entry, kind, site.id, site.ambientC, line.id);
        const checkCtx: CheckContext = { entry, assetPath, kindPath: ['kinds', entry.kind], report };
        checkAsset(resolved.spec, resolved.bounds, checkCtx);
        assets.push(resolved.spec);
        bounds[entry.id] = resolved.bounds;
        assetIdsOfLine.push(entry.id);
      });
      lines.push({ id: line.id, name: line.name ?? line.id, site: site.id, assets: assetIdsOfLine });
      costsByLine[line.id] = { ...plantRates, ...line.costs };
    });
    sites.push({
      id: site.id,
      name: site.name ?? site.id,
      ambientC: site.ambientC,
      demand: site.demand,
      shifts,
      lines: lineIdsOfSite,
    });
  });
  if (issues.length > 0) throw new CatalogueError(source, issues);
  const costs = { currency: file.costs?.currency ?? DEFAULT_CURRENCY, byLine: costsByLine };
  return { source, sites, lines, assets, bounds, costs };
}

function withoutCurrency(costs: CatalogueFile['costs']): Partial<CostRates> {
  if (costs === undefined) return {};
  const { currency: _, ...rates } = costs;
  return rates;
}

function resolveAsset(
  entry: AssetEntry,
  kind: KindEntry,
  site: string,
  siteAmbientC: number,
  line: string,
): { spec: AssetSpec; bounds: LoadBounds } {
  const spec: Record<string, string | number> = { id: entry.id, kind: entry.kind, site, line };
  for (const f of ratedFieldNames) {
    const own = entry[f];
    const fromKind = kind[f];
    spec[f] = own ?? (f === 'ambientC' ? (fromKind ?? siteAmbientC) : (fromKind as number));
  }
  return { spec: spec as unknown as AssetSpec, bounds: { ...kind.bounds, ...entry.bounds } };
}

interface CheckContext {
  readonly entry: AssetEntry;
  readonly assetPath: Path;
  readonly kindPath: Path;
  readonly report: (path: string, where: Path, message: string) => void;
}

/**
 * Rules across fields. A violation is reported on the asset when the asset
 * overrides one of the fields involved, otherwise once on the kind.
 */
function checkAsset(spec: AssetSpec, bounds: LoadBounds, ctx: CheckContext): void {
  const fail = (field: string, involved: readonly string[], message: string): void => {
    const own = involved.some((f) =>
      f.startsWith('bounds.')
        ? ctx.entry.bounds?.[f.slice(7) as keyof LoadBounds] !== undefined
        : ctx.entry[f as RatedField] !== undefined,
    );
    const segments = field.split('.');
    if (own) ctx.report(`assets[${spec.id}].${field}`, [...ctx.assetPath, ...segments], message);
    else ctx.report(`kinds.${spec.kind}.${field}`, [...ctx.kindPath, ...segments], message);
  };
  if (spec.temperatureLimitC <= spec.temperatureAlarmC) {
    fail(
      'temperatureLimitC',
      ['temperatureLimitC', 'temperatureAlarmC'],
      `must be greater than temperatureAlarmC (got ${spec.temperatureLimitC} <= ${spec.temperatureAlarmC})`,
    );
  }
  if (spec.temperatureAlarmC <= spec.ambientC) {
    fail(
      'temperatureAlarmC',
      ['temperatureAlarmC', 'ambientC'],
      `must be greater than ambientC (got ${spec.temperatureAlarmC} <= ${spec.ambientC})`,
    );
  }
  if (spec.vibrationAlarmMmS <= spec.baseVibrationMmS) {
    fail(
      'vibrationAlarmMmS',
      ['vibrationAlarmMmS', 'baseVibrationMmS'],
      `must be greater than baseVibrationMmS (got ${spec.vibrationAlarmMmS} <= ${spec.baseVibrationMmS})`,
    );
  }
  if (bounds.minLoadLimitPct > bounds.maxLoadLimitPct) {
    fail(
      'bounds.minLoadLimitPct',
      ['bounds.minLoadLimitPct', 'bounds.maxLoadLimitPct'],
      `must not exceed bounds.maxLoadLimitPct (got ${bounds.minLoadLimitPct} > ${bounds.maxLoadLimitPct})`,
    );
  }
  // An asset that trips at its own maximum load limit with healthy cooling cannot be operated within bounds.
  const hottest = steadyTemperature(spec, bounds.maxLoadLimitPct / 100, 1);
  if (hottest >= spec.temperatureLimitC) {
    fail(
      'bounds.maxLoadLimitPct',
      ['bounds.maxLoadLimitPct', 'temperatureLimitC', 'heatRiseAtRatedC', 'ambientC'],
      `lets the asset settle at ${hottest.toFixed(1)} °C with normal cooling, at or above temperatureLimitC ${spec.temperatureLimitC}`,
    );
  }
}
