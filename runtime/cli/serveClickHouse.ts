import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export const SERVE_USAGE = `twinflow clickhouse --data DIR [--port P]   serve an embedded ClickHouse data directory on 127.0.0.1 (HTTP interface)`;

/**
 * Serves an embedded ClickHouse data directory (e.g. the results of `npm
 * start`) on ClickHouse's HTTP interface until SIGINT or SIGTERM.
 */
export async function serveClickHouse(args: string[], log: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      // For a parent process that starts this one: a JSON line on stdout when ready, and exit
      // when the parent goes away (its end of our stdin closes).
      'ready-json': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    log(SERVE_USAGE);
    return 0;
  }
  const dataDir = resolve(values.data ?? '.twinflow/clickhouse');
  const port = values.port === undefined ? 18123 : Number(values.port);
  // Loaded here, not with the CLI: chDB's native library is needed by this command alone, and
  // an installed twinflow without it (optional dependencies left out) must still start.
  const { EmbeddedClickHouse } = await import('../../connectors/clickhouse/embeddedServer.js');
  const server = await EmbeddedClickHouse.start({ dataDir, port });
  if (values['ready-json']) {
    process.stdout.write(
      `${JSON.stringify({ url: server.url, port: server.port, version: server.version })}\n`,
    );
  } else {
    log(`ClickHouse (embedded, ${server.version}) serving ${dataDir} on ${server.url} — Ctrl-C to stop`);
  }
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (values['ready-json']) {
      process.stdin.once('end', done);
      process.stdin.resume();
    }
  });
  await server.close();
  process.stdin.destroy();
  return 0;
}
