import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';

const positive = (unit: string) =>
  z.number({ error: `must be a number (${unit})` }).positive(`must be a positive number (${unit})`);
const nonNegative = (unit: string) =>
  z.number({ error: `must be a number (${unit})` }).nonnegative(`must be >= 0 (${unit})`);

const exchangerSchema = z.strictObject({
  id: z
    .string({ error: 'must be a string' })
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower case, digits and "-"'),
  site: z.string({ error: 'must be a string' }).min(1, 'must not be empty'),
  /** Plate packs behave as pure counter-flow; shell-and-tube as one shell pass, two tube passes. */
  arrangement: z.enum(['counterflow', 'shell-and-tube-1-2'], {
    error: 'must be "counterflow" or "shell-and-tube-1-2"',
  }),
  designUaWK: positive('W/K, clean'),
  areaM2: positive('m²'),
  designHotFlowKgS: positive('kg/s'),
  designColdFlowKgS: positive('kg/s'),
  designHotInletC: z.number({ error: 'must be a number (°C)' }),
  designColdInletC: z.number({ error: 'must be a number (°C)' }),
  cleanPressureDropKpa: positive('kPa, hot side at design flow'),
  contractMinDutyKw: positive('kW at design conditions'),
  cleaningCostEur: nonNegative('EUR per cleaning'),
  cleaningDowntimeH: positive('hours'),
  /** What the standby (a parallel unit or a temporary boiler) delivers while the exchanger is down or bypassed. */
  standbyDutyKw: nonNegative('kW'),
  /** How fast the simulated exchanger fouls in normal service (the simulator's, not the twin's). */
  foulingRateM2KWPerDay: nonNegative('m²K/W per day'),
  /** The fixed cleaning interval of the baseline maintenance plan. */
  scheduledCleaningDays: positive('days'),
});

const catalogueSchema = z.strictObject({
  exchangers: z.array(exchangerSchema, { error: 'must be a list of exchangers' }).min(1, 'must not be empty'),
});

/**
 * One exchanger of the catalogue: its design (clean UA, area, flows and
 * inlet temperatures, which fix its clean capacity), its contract, what a
 * cleaning costs, how fast the simulator fouls it and the baseline's
 * cleaning interval.
 */
export type ExchangerSpec = z.output<typeof exchangerSchema>;

/** The exchangers of a site, as `catalogue.yaml` lists them. */
export interface HxCatalogue {
  readonly exchangers: readonly ExchangerSpec[];
}

/** A catalogue that cannot be used, naming its file and the field at fault. */
export class HxCatalogueError extends Error {
  override readonly name = 'HxCatalogueError';
  constructor(
    readonly file: string,
    readonly problems: readonly string[],
    options?: { cause: unknown },
  ) {
    super(`${file}: ${problems.join('; ')}`, options);
  }
}

/**
 * The reference catalogue shipped next to this file.
 *
 * @example
 * const catalogue = await loadHxCatalogue(DEFAULT_HX_CATALOGUE);
 */
export const DEFAULT_HX_CATALOGUE = besideSources('catalogue.yaml');

/**
 * A file shipped in this folder of the sources: the build puts the modules
 * in dist/ but not the YAML and SQL files, which stay in pipelines/.
 *
 * @example
 * besideSources('migrations'); // '/…/twinflow/pipelines/heat-exchanger/migrations'
 */
export function besideSources(name: string): string {
  return fileURLToPath(new URL(name, import.meta.url)).replace(
    /([\\/])dist[\\/]pipelines[\\/]/,
    '$1pipelines$1',
  );
}

/**
 * Parses and validates a catalogue's YAML text. `file` names it in errors.
 *
 * @example
 * parseHxCatalogue('exchangers: []', 'site.yaml'); // throws HxCatalogueError 'site.yaml: exchangers: must not be empty'
 */
export function parseHxCatalogue(text: string, file: string): HxCatalogue {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new HxCatalogueError(file, [`not valid YAML: ${(error as Error).message}`], { cause: error });
  }
  const parsed = catalogueSchema.safeParse(raw);
  if (!parsed.success) {
    throw new HxCatalogueError(
      file,
      parsed.error.issues.map((i) => `${pathOf(i.path)}: ${i.message}`),
    );
  }
  const seen = new Set<string>();
  const problems: string[] = [];
  parsed.data.exchangers.forEach((e, i) => {
    if (seen.has(e.id)) problems.push(`exchangers[${i}].id: "${e.id}" is listed twice`);
    seen.add(e.id);
    if (e.designHotInletC <= e.designColdInletC)
      problems.push(`exchangers[${i}].designHotInletC: must be above designColdInletC`);
  });
  if (problems.length > 0) throw new HxCatalogueError(file, problems);
  return parsed.data;
}

/**
 * Reads, parses and validates a catalogue file.
 *
 * @example
 * const { exchangers } = await loadHxCatalogue('pipelines/heat-exchanger/catalogue.yaml');
 */
export async function loadHxCatalogue(file: string): Promise<HxCatalogue> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new HxCatalogueError(file, [`cannot be read: ${(error as Error).message}`], { cause: error });
  }
  return parseHxCatalogue(text, file);
}

/**
 * An exchanger's spec by id; throws naming the id for one the catalogue lacks.
 *
 * @example
 * const specOf = exchangerLookup(catalogue); specOf('hx-north').areaM2;
 */
export function exchangerLookup(catalogue: HxCatalogue): (id: string) => ExchangerSpec {
  const byId = new Map(catalogue.exchangers.map((e) => [e.id, e]));
  return (id) => {
    const spec = byId.get(id);
    if (spec === undefined) throw new UnknownExchangerError(id);
    return spec;
  };
}

/** A reading or command names an exchanger the catalogue does not have. */
export class UnknownExchangerError extends Error {
  override readonly name = 'UnknownExchangerError';
  constructor(readonly exchangerId: string) {
    super(`exchanger "${exchangerId}" is not in the heat-exchanger catalogue`);
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (s, p) => (typeof p === 'number' ? `${s}[${p}]` : s === '' ? String(p) : `${s}.${String(p)}`),
    '',
  );
}
