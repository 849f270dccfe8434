import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { EmbeddedClickHouseProcess } from '../../connectors/clickhouse/embeddedServerProcess.js';
import { type Migration, migrate } from '../../connectors/clickhouse/migrations.js';

/**
 * The ClickHouse of an embedded run: the embedded server in a process of
 * its own, a client, and the job's database, migrated.
 */
export interface EmbeddedClickHouse {
  readonly url: string;
  readonly database: string;
  readonly dataDir: string;
  readonly client: ClickHouseClient;
  /** Closes the client and stops the server (the data stays in `dataDir`). */
  close(): Promise<void>;
}

export interface EmbeddedClickHouseOptions {
  /** Default `.twinflow/clickhouse`, made absolute against the working directory. */
  readonly dataDir?: string;
  /** HTTP port on 127.0.0.1; 0 (the default) picks a free one, so a local stack on 18123 does not clash. */
  readonly port?: number;
  readonly database: string;
  /** The job's migrations (default: twinflow's schemas/clickhouse). */
  readonly migrations?: readonly Migration[];
  /**
   * Drop the database first (default true): the embedded database belongs
   * to the embedded run, and each run starts from an empty one so its
   * figures are its own.
   */
  readonly fresh?: boolean;
}

/**
 * Starts the embedded ClickHouse for a job run in this process and applies
 * the job's migrations: what every job's embedded default shares.
 *
 * @example
 * const ch = await startEmbeddedClickHouse({ database: 'pumps', migrations: loadMigrations(dir) });
 * try { await runEmbedded(job, { source, sinks: new ClickHouseOutputs(ch.client, ch.database, job.clickhouseTables ?? []) }); }
 * finally { await ch.close(); }
 */
export async function startEmbeddedClickHouse(
  options: EmbeddedClickHouseOptions,
): Promise<EmbeddedClickHouse> {
  const dataDir = resolve(options.dataDir ?? '.twinflow/clickhouse');
  mkdirSync(dataDir, { recursive: true });
  const server = await EmbeddedClickHouseProcess.start({ dataDir, port: options.port ?? 0 });
  const client = createClient({ url: server.url });
  const close = async () => {
    await client.close();
    await server.close();
  };
  try {
    if (options.fresh ?? true) await client.command({ query: `DROP DATABASE IF EXISTS ${options.database}` });
    await migrate(client, { database: options.database, migrations: options.migrations });
  } catch (error) {
    await close();
    throw error;
  }
  return { url: server.url, database: options.database, dataDir, client, close };
}
