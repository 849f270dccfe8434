import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { type ClickHouseClient, ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { loadJobConfig } from '../config/jobConfig.js';
import { Secret } from '../config/secret.js';
import { UsageError } from './flags.js';

/** The variable `--url` connections read their password from: never a flag, so it stays out of `ps` and shell history. */
export const PASSWORD_ENV = 'CLICKHOUSE_PASSWORD';

/** The database `--url` connections use without `--database`: the config file's default too. */
export const DEFAULT_DATABASE = 'twinflow';

/**
 * The `parseArgs` options naming a ClickHouse, shared by the commands that
 * talk to one (`migrate`, `sql`).
 *
 * @example
 * parseArgs({ args, options: { ...CONNECTION_OPTIONS, help: { type: 'boolean' } } });
 */
export const CONNECTION_OPTIONS = {
  config: { type: 'string', short: 'c' },
  url: { type: 'string' },
  database: { type: 'string', short: 'd' },
  user: { type: 'string', short: 'u' },
} as const;

/** Help text for {@link CONNECTION_OPTIONS}. */
export const CONNECTION_USAGE = `  -c, --config FILE     a job config file: its clickhouse section (url, database, username, password, tls)
      --url URL         or a ClickHouse HTTP(S) URL, without credentials
  -d, --database DB     with --url: the database (default ${DEFAULT_DATABASE})
  -u, --user USER       with --url: the user (default "default"); the password is read from ${PASSWORD_ENV}`;

/** The connection flags as `parseArgs` returns them. */
export interface ConnectionFlags {
  readonly config?: string;
  readonly url?: string;
  readonly database?: string;
  readonly user?: string;
}

/**
 * A ClickHouse to talk to, from a job config or from flags. The password is a
 * {@link Secret}: printing a connection never shows it.
 *
 * @example
 * const conn: ClickHouseConnection = { url: 'http://127.0.0.1:18123', database: 'twinflow', username: 'default' };
 */
export interface ClickHouseConnection {
  readonly url: string;
  readonly database: string;
  readonly username: string;
  readonly password?: Secret;
  /** PEM files (absolute paths once loaded from a config). */
  readonly tls?: { readonly caFile?: string; readonly certFile?: string; readonly keyFile?: string };
}

/** A TLS file of the connection cannot be read. Not retriable: the file or the config must change. */
export class TlsFileError extends Error {
  override readonly name = 'TlsFileError';
  readonly retriable = false;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Refuses `--password` with a reason, before `parseArgs` would call it merely
 * unknown: a password given as a flag is visible to every user of the machine.
 *
 * @example
 * refusePasswordFlag('sql', ['--url', 'http://h:8123', '--password', 'x']); // throws UsageError
 */
export function refusePasswordFlag(command: string, argv: readonly string[]): void {
  if (argv.some((a) => a === '--password' || a.startsWith('--password=') || a === '-p')) {
    throw new UsageError(
      `${command}: there is no --password flag (it would show in ps and shell history); set ${PASSWORD_ENV}, or use --config with a password reference`,
    );
  }
}

/**
 * The ClickHouse named by the flags: the `clickhouse` section of `--config`
 * (loaded as a job loads it, environment overrides and secrets included), or
 * `--url` with `--database`, `--user` and the password from
 * {@link PASSWORD_ENV}. Throws {@link UsageError} naming the flag at fault,
 * and `ConfigError` for an invalid config file.
 *
 * @example
 * const conn = await resolveConnection('migrate', { url: 'http://127.0.0.1:18123' }, process.env);
 * conn.database; // 'twinflow'
 */
export async function resolveConnection(
  command: string,
  flags: ConnectionFlags,
  env: NodeJS.ProcessEnv,
): Promise<ClickHouseConnection> {
  if (flags.config !== undefined) {
    if (flags.url !== undefined) throw new UsageError(`${command}: give --config or --url, not both`);
    for (const [flag, setting] of [
      ['database', 'DATABASE'],
      ['user', 'USERNAME'],
    ] as const) {
      if (flags[flag] !== undefined) {
        throw new UsageError(
          `${command}: --${flag} goes with --url; with --config the file decides (or set TWINFLOW__CLICKHOUSE__${setting})`,
        );
      }
    }
    const { clickhouse } = await loadJobConfig(flags.config, env);
    return clickhouse;
  }
  if (flags.url === undefined) {
    throw new UsageError(
      `${command}: say which ClickHouse: --config FILE, or --url URL [--database DB] [--user USER]`,
    );
  }
  const url = checkedUrl(command, flags.url);
  const database = flags.database ?? DEFAULT_DATABASE;
  if (!IDENTIFIER.test(database)) {
    throw new UsageError(
      `${command}: --database must be an identifier (letters, digits, "_", not starting with a digit), got "${database}"`,
    );
  }
  if (flags.user === '') throw new UsageError(`${command}: --user must not be empty`);
  const password = env[PASSWORD_ENV];
  return {
    url,
    database,
    username: flags.user ?? 'default',
    ...(password ? { password: new Secret(password, `env ${PASSWORD_ENV}`) } : {}),
  };
}

function checkedUrl(command: string, raw: string): string {
  // Whatever looks like userinfo is never quoted back: it may hold a password.
  const shown = raw.includes('@') ? 'a URL with "@" in it' : `"${raw}"`;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new UsageError(`${command}: --url must be an http:// or https:// URL, got ${shown}`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new UsageError(`${command}: --url must not contain credentials; use --user and ${PASSWORD_ENV}`);
  }
  return raw.replace(/\/+$/, '');
}

/**
 * A client for the connection; `database` is the default database of its
 * queries (leave it out for statements that may create that database, which
 * ClickHouse refuses to run "inside" a database that does not exist yet).
 * Throws {@link TlsFileError} when a TLS file cannot be read.
 *
 * @example
 * const client = openClickHouse(conn, conn.database);
 * try { await client.query({ query: 'SELECT 1' }); } finally { await client.close(); }
 */
export function openClickHouse(conn: ClickHouseConnection, database?: string): ClickHouseClient {
  return createClient({
    url: conn.url,
    username: conn.username,
    password: conn.password?.reveal() ?? '',
    ...(database === undefined ? {} : { database }),
    ...(conn.tls === undefined ? {} : { tls: tlsOptions(conn.tls) }),
    application: 'twinflow-cli',
    // The command reports failures itself, once, with the password scrubbed.
    log: { level: ClickHouseLogLevel.OFF },
  });
}

type TlsOptions = { ca_cert: Buffer } | { ca_cert: Buffer; cert: Buffer; key: Buffer };

function tlsOptions(tls: NonNullable<ClickHouseConnection['tls']>): TlsOptions {
  // The client wants a CA even for a client certificate alone; Node's own bundle is what https would use.
  const ca_cert =
    tls.caFile === undefined ? Buffer.from(rootCertificates.join('\n')) : readTlsFile('caFile', tls.caFile);
  if (tls.certFile === undefined || tls.keyFile === undefined) return { ca_cert };
  return { ca_cert, cert: readTlsFile('certFile', tls.certFile), key: readTlsFile('keyFile', tls.keyFile) };
}

function readTlsFile(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new TlsFileError(`clickhouse.tls.${setting} ${path} cannot be read${code ? ` (${code})` : ''}`, {
      cause,
    });
  }
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ETIMEDOUT',
]);

/**
 * One line saying why talking to ClickHouse failed: ClickHouse's own message
 * and error name, or that the server cannot be reached, always with the
 * connection's password (and its basic-auth encoding) replaced by
 * `[redacted]`, whatever the error text carried.
 *
 * @example
 * describeClickHouseFailure(err, conn);
 * // 'ClickHouse error UNKNOWN_TABLE (code 60): Unknown table expression identifier 'nope' …'
 */
export function describeClickHouseFailure(err: unknown, conn: ClickHouseConnection): string {
  let text: string;
  if (err instanceof ClickHouseError) {
    text = `ClickHouse error ${err.type ?? 'UNKNOWN'} (code ${err.code}): ${err.message.trim()}`;
  } else if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    text =
      code !== undefined && UNREACHABLE.has(code)
        ? `cannot reach ClickHouse at ${conn.url} (${err.message}); is it running? (twinflow stack up starts a local one)`
        : err.message;
  } else {
    text = String(err);
  }
  return redact(text, conn);
}

function redact(text: string, conn: ClickHouseConnection): string {
  const password = conn.password?.reveal();
  if (!password) return text;
  const basic = Buffer.from(`${conn.username}:${password}`).toString('base64');
  return text.replaceAll(basic, '[redacted]').replaceAll(password, '[redacted]');
}
