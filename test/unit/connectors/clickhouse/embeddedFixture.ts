import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ClickHouseClient, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { EmbeddedClickHouse } from '../../../../connectors/clickhouse/embeddedServer.js';

/** A real embedded ClickHouse on a free port in a fresh temp dir, with a quiet client. */
export interface EmbeddedFixture {
  readonly ch: EmbeddedClickHouse;
  readonly client: ClickHouseClient;
  readonly dataDir: string;
  /** Closes client and server and removes the data dir. */
  close(): Promise<void>;
}

export async function startEmbeddedFixture(name: string): Promise<EmbeddedFixture> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `twinflow-ch-${name}-`));
  const ch = await EmbeddedClickHouse.start({ dataDir });
  const client = createClient({ url: ch.url, log: { level: ClickHouseLogLevel.OFF } });
  return {
    ch,
    client,
    dataDir,
    async close() {
      await client.close();
      await ch.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
