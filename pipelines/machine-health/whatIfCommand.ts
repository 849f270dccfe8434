import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ClickHouseClient } from '@clickhouse/client';
import { loadCatalogue } from '../../connectors/catalogue/loadCatalogue.js';
import { WhatIfInputError } from '../../operators/scoring/whatIf.js';
import { parseHorizonHours, parseWhatIfSettings } from '../../operators/scoring/whatIfInput.js';
import {
  type ClickHouseConnection,
  describeClickHouseFailure,
  openClickHouse,
} from '../../runtime/cli/clickhouseConnection.js';
import { type CommandIo, processIo } from '../../runtime/cli/commandIo.js';
import { positiveInteger, UsageError } from '../../runtime/cli/flags.js';
import { ConfigError, type JobConfig, loadJobConfig } from '../../runtime/config/jobConfig.js';
import { DEFAULT_CATALOGUE } from './embeddedJob.js';
import { type MachineHealthSettings, machineHealthSettings } from './settings.js';
import { NoTwinStateError, whatIfSubjectFromClickHouse } from './whatIfFromClickHouse.js';
import { assetOf, type WhatIfAsk, whatIfReport } from './whatIfSubject.js';
import { formatWhatIfReport } from './whatIfText.js';

export const WHATIF_USAGE = `twinflow whatif --asset ID --set KEY=VALUE [--set …] [options]
  What the physics model (Monte Carlo) expects of an asset over a horizon as it is now and with a
  change held: failure risk (± its 95 % interval), remaining useful life p10/median/p90 over the
  model's parameter samples, and the cause split. It starts from the asset's latest twin state in
  ClickHouse (twin_state_latest) and only answers: it sends nothing, and the twin's controller
  decides as before. (\`twinflow replay\` is the other what-if: re-running the job over past input.)
  --asset ID          the asset (e.g. pump-001; clones of a scaled catalogue like pump-001-r2 too)
  --set KEY=VALUE     the change: load=0.6 (or load=60%), cooling=0.8 (alias coolant); repeatable
  --horizon D         how far ahead: 6h, 90m, 2d; a bare number is hours (default 6h)
  --samples N         Monte Carlo samples (default 1000, at most 20000)
  --seed S            seed of the samples (default 1): the same seed gives the same answer
  --data DIR          the embedded run's ClickHouse data directory (default .twinflow/clickhouse)
  -d, --database DB   with --data: the database (default twinflow)
  -c, --config FILE   or a job config: its clickhouse section and its pipeline.catalogue
  --catalogue FILE    asset catalogue (default: the config's, else pipelines/machine-health/catalogue.yaml)
  --json              print the answer as JSON (the same document as GET /api/v1/whatif)`;

/** A parsed `twinflow whatif` command line. */
export interface WhatIfArgs {
  readonly assetId: string;
  readonly ask: WhatIfAsk & { readonly samples: number; readonly seed: number };
  readonly from:
    | { readonly kind: 'data'; readonly dataDir: string; readonly database: string }
    | { readonly kind: 'config'; readonly configPath: string };
  readonly cataloguePath?: string;
  readonly json: boolean;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses `twinflow whatif` arguments; `'help'` for --help. Throws UsageError
 * naming the flag at fault (the settings and horizon checks are the
 * what-if's own, WhatIfInputError, shown as usage errors).
 *
 * @example
 * parseWhatIfArgs(['--asset', 'pump-001', '--set', 'load=0.6', '--horizon', '6h']);
 * // { assetId: 'pump-001', ask: { change: { load: 0.6 }, horizonHours: 6, samples: 1000, seed: 1 }, from: { kind: 'data', … }, json: false }
 */
export function parseWhatIfArgs(argv: readonly string[]): WhatIfArgs | 'help' {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(argv).values;
  } catch (error) {
    throw new UsageError(`whatif: ${(error as Error).message}`);
  }
  if (values.help) return 'help';
  if (values.asset === undefined || values.asset === '')
    throw new UsageError('whatif: name the asset with --asset ID');
  const settings = values.set ?? [];
  if (settings.length === 0) {
    throw new UsageError('whatif: say what changes with --set, e.g. --set load=0.6 or --set cooling=0.8');
  }
  if (values.config !== undefined && (values.data !== undefined || values.database !== undefined)) {
    throw new UsageError('whatif: give --config or --data [--database], not both');
  }
  const database = values.database ?? 'twinflow';
  if (!IDENTIFIER.test(database)) {
    throw new UsageError(`whatif: --database must be an identifier, got "${database}"`);
  }
  try {
    return {
      assetId: values.asset,
      ask: {
        change: parseWhatIfSettings(settings),
        horizonHours: parseHorizonHours(values.horizon ?? '6h'),
        samples: positiveInteger('samples', values.samples, 1000),
        seed: seedOf(values.seed),
      },
      from:
        values.config === undefined
          ? { kind: 'data', dataDir: resolve(values.data ?? '.twinflow/clickhouse'), database }
          : { kind: 'config', configPath: values.config },
      ...(values.catalogue === undefined ? {} : { cataloguePath: values.catalogue }),
      json: values.json ?? false,
    };
  } catch (error) {
    if (error instanceof WhatIfInputError) throw new UsageError(`whatif: ${error.message}`);
    throw error;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    options: {
      asset: { type: 'string' },
      set: { type: 'string', multiple: true },
      horizon: { type: 'string' },
      samples: { type: 'string' },
      seed: { type: 'string' },
      data: { type: 'string' },
      database: { type: 'string', short: 'd' },
      config: { type: 'string', short: 'c' },
      catalogue: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
}

/** A question the what-if refuses is a command line to change: a usage error (exit 2). */
function asUsage<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof WhatIfInputError) throw new UsageError(`whatif: ${error.message}`);
    throw error;
  }
}

function seedOf(raw: string | undefined): number {
  if (raw === undefined) return 1;
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new UsageError(`--seed must be an integer, got "${raw}"`);
  return n;
}

/**
 * `twinflow whatif`: reads the asset's latest twin state from ClickHouse
 * (an embedded data directory, served for the command, or the job
 * config's), runs the what-if and prints the comparison (or JSON). Exit 1
 * when the asset has no state or ClickHouse fails.
 *
 * @example
 * process.exitCode = await runWhatIfFromCli(['--asset', 'pump-001', '--set', 'load=0.6'], processIo());
 */
export async function runWhatIfFromCli(argv: string[], io: CommandIo = processIo()): Promise<number> {
  const args = parseWhatIfArgs(argv);
  if (args === 'help') {
    io.out(WHATIF_USAGE);
    return 0;
  }
  let cataloguePath = args.cataloguePath;
  let connect: () => Promise<{
    client: ClickHouseClient;
    database: string;
    conn: ClickHouseConnection;
    close(): Promise<void>;
  }>;
  if (args.from.kind === 'config') {
    let config: JobConfig<MachineHealthSettings>;
    try {
      config = await loadJobConfig(args.from.configPath, io.env, machineHealthSettings);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.err(`whatif: ${error.message}`);
      return 1;
    }
    cataloguePath ??= config.pipeline.catalogue;
    const conn = config.clickhouse;
    connect = async () => {
      const client = openClickHouse(conn, conn.database);
      return { client, database: conn.database, conn, close: () => client.close() };
    };
  } else {
    const { dataDir, database } = args.from;
    connect = async () => {
      // Loaded here: the embedded server is needed by this path alone.
      const { EmbeddedClickHouseProcess } = await import(
        '../../connectors/clickhouse/embeddedServerProcess.js'
      );
      const { createClient } = await import('@clickhouse/client');
      const server = await EmbeddedClickHouseProcess.start({ dataDir });
      const client = createClient({ url: server.url });
      return {
        client,
        database,
        conn: { url: server.url, database, username: 'default' },
        close: async () => {
          await client.close();
          await server.close();
        },
      };
    };
  }
  const catalogue = await loadCatalogue(cataloguePath ?? DEFAULT_CATALOGUE);
  const { spec } = asUsage(() => assetOf(catalogue, args.assetId));
  const ch = await connect();
  let subject: Awaited<ReturnType<typeof whatIfSubjectFromClickHouse>>;
  try {
    subject = await whatIfSubjectFromClickHouse(ch.client, ch.database, spec);
  } catch (error) {
    if (error instanceof NoTwinStateError) {
      io.err(`whatif: ${error.message}`);
      return 1;
    }
    io.err(`whatif: ${describeClickHouseFailure(error, ch.conn)}`);
    return 1;
  } finally {
    await ch.close();
  }
  const report = asUsage(() => whatIfReport(catalogue, subject, args.ask));
  if (args.json) io.out(JSON.stringify(report, null, 2));
  else for (const line of formatWhatIfReport(report)) io.out(line);
  return 0;
}
