import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfluentSchemaRegistry } from '../../../../connectors/avro/confluentSchemaRegistry.js';
import { openClickHouse } from '../../../../runtime/cli/clickhouseConnection.js';
import { reportFailure } from '../../../../runtime/cli/reportFailure.js';
import { Secret } from '../../../../runtime/config/secret.js';
import { createLogger } from '../../../../runtime/observability/logger.js';

/**
 * A refused login must not put the credential in what twinflow writes: the
 * CLI's failure line, the job's JSON log of the error (pino's err
 * serialiser, cause chain included) or the error's own inspection. The
 * server answers as ClickHouse and the Confluent-compatible registry do on
 * a bad password (401 with their error body); the clients are the real ones
 * twinflow uses. Each form of the secret is looked for: as given, and in
 * the Basic authorization header the client built from it.
 */
const PASSWORD = 'hunter2-secret-password-4f9c';
const USER = 'svc-twinflow';
const BASIC = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');

let server: Server;
let url: string;
const authorizations: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    authorizations.push(String(req.headers.authorization ?? req.headers['x-clickhouse-key'] ?? ''));
    req.resume();
    if (req.url?.startsWith('/registry')) {
      res.writeHead(401, { 'content-type': 'application/vnd.schemaregistry.v1+json' });
      res.end(JSON.stringify({ error_code: 40101, message: 'Unauthorized' }));
      return;
    }
    res.writeHead(401, { 'content-type': 'text/plain', 'x-clickhouse-exception-code': '516' });
    res.end(
      `Code: 516. DB::Exception: ${USER}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)\n`,
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

/** Everything twinflow would write about the error. */
function written(error: unknown): string {
  const lines: string[] = [];
  reportFailure(error, 'sql', (t) => lines.push(t));
  const logger = createLogger({
    job: 'test',
    instanceId: 't-0',
    level: 'info',
    destination: { write: (line: string) => lines.push(line) },
  });
  logger.error({ err: error }, 'job failed');
  lines.push(inspect(error, { depth: 10 }));
  return lines.join('\n');
}

function expectNoSecret(text: string): void {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(BASIC);
}

describe('secrets on failure paths', () => {
  it('a ClickHouse 401: the error says authentication failed, never the password', async () => {
    const client = openClickHouse({
      url,
      database: 'twinflow',
      username: USER,
      password: new Secret(PASSWORD, 'env CLICKHOUSE_PASSWORD'),
    });
    const error = await client.query({ query: 'SELECT 1' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await client.close();
    // The password did go to the server (so the test is about what is logged, not what is sent).
    expect(authorizations.some((a) => a.includes(BASIC) || a.includes(PASSWORD))).toBe(true);
    expect(error).toBeInstanceOf(Error);
    const text = written(error);
    expect(text).toContain('Authentication failed');
    expectNoSecret(text);
  });

  it('a registry 401: the error names the registry and the status, never the password', async () => {
    const registry = new ConfluentSchemaRegistry({
      host: `${url}/registry`,
      retries: 0,
      auth: { username: USER, password: () => PASSWORD },
    });
    const error = await registry
      .register('telemetry-value', {
        type: 'record',
        name: 'T',
        fields: [{ name: 'x', type: 'int' }],
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(authorizations.some((a) => a.includes(BASIC))).toBe(true);
    expect(error).toBeInstanceOf(Error);
    const text = written(error);
    expect(text).toMatch(/401|Unauthorized/);
    expectNoSecret(text);
  });
});
