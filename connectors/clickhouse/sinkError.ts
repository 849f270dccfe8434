import { ClickHouseError } from '@clickhouse/client';
import { httpStatusOf } from './clickhouseException.js';

/**
 * A batch the ClickHouse sink could not write. `retriable` says whether the
 * cause was transient (network, server overload, 5xx) — the sink already
 * retried it `attempts` times — or permanent (4xx: bad SQL, unknown table,
 * unparsable data, wrong credentials), where retrying cannot help.
 *
 * @example
 * try { await sink.flush(); } catch (e) { if (e instanceof ClickHouseSinkError && !e.retriable) alert(e.message); }
 */
export class ClickHouseSinkError extends Error {
  override readonly name = 'ClickHouseSinkError';
  constructor(
    readonly table: string,
    /** Rows in the batch that failed. */
    readonly rows: number,
    /** Tries made, the first included. */
    readonly attempts: number,
    readonly retriable: boolean,
    options: { cause: unknown },
  ) {
    super(
      `Insert of ${rows} rows into ${table} failed after ${attempts} attempt${attempts === 1 ? '' : 's'} ` +
        `(${retriable ? 'transient' : 'permanent'}): ${messageOf(options.cause)}`,
      options,
    );
  }
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);

/**
 * Whether an insert failure is worth retrying: network failures and server
 * errors ClickHouse answers with a 5xx status are; errors it answers with a
 * 4xx status (syntax, unknown table, bad data, authentication) are not.
 *
 * @example
 * isRetriableInsertError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })); // true
 */
export function isRetriableInsertError(err: unknown): boolean {
  if (err instanceof ClickHouseError) return httpStatusOf(err.type ?? '') >= 500;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  const message = messageOf(err);
  return /socket hang up|timeout|ECONNRESET|ECONNREFUSED|other side closed/i.test(message);
}

function messageOf(err: unknown): string {
  if (err instanceof ClickHouseError) return `${err.message.trim()} (${err.type}, code ${err.code})`;
  return err instanceof Error ? err.message : String(err);
}
