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
        `(${retriable ? 'transient' : 'permanent'}): ${describeInsertError(options.cause)}`,
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
  const message = describeInsertError(err);
  return /socket hang up|timeout|ECONNRESET|ECONNREFUSED|other side closed/i.test(message);
}

/** Error names of ClickHouse that mean a value in the data could not be read into its column. */
const ROW_DATA_ERRORS = new Set([
  'INCORRECT_DATA',
  'TYPE_MISMATCH',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
  'CANNOT_READ_ALL_DATA',
  'ARGUMENT_OUT_OF_BOUND',
  'CANNOT_CONVERT_TYPE',
  'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN',
  'INCORRECT_NUMBER_OF_COLUMNS',
  'TOO_LARGE_STRING_SIZE',
]);

/**
 * Whether an insert failed because of what some row holds (a negative value
 * for an unsigned column, text where a number belongs), not because of the
 * table, the server or the credentials: then the other rows of the batch
 * can still be written, and the sink isolates the rows at fault.
 *
 * @example
 * isRowDataError(new ClickHouseError({ message: 'Unsigned type must not contain', code: '72', type: 'CANNOT_PARSE_NUMBER' })); // true
 */
export function isRowDataError(err: unknown): boolean {
  if (!(err instanceof ClickHouseError)) return false;
  const type = err.type ?? '';
  return type.startsWith('CANNOT_PARSE_') || ROW_DATA_ERRORS.has(type);
}

/**
 * A row ClickHouse refused for what it holds (see isRowDataError), isolated
 * from its batch: the rest of the batch was written. `id` is the row's
 * deterministic id; `reason` is ClickHouse's own message.
 *
 * @example
 * const sink = new ClickHouseSink({ client, table: 'telemetry_enriched', onRejected: (r) => log.warn(r) });
 */
export interface RejectedRow {
  readonly table: string;
  readonly id: string;
  /** The row as it was sent (one JSONEachRow line). */
  readonly line: string;
  readonly reason: string;
}

export function describeInsertError(err: unknown): string {
  if (err instanceof ClickHouseError) return `${err.message.trim()} (${err.type}, code ${err.code})`;
  return err instanceof Error ? err.message : String(err);
}
