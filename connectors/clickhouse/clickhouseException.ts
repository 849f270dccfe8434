/**
 * ClickHouse's own exception model, as its HTTP interface shows it: a numeric
 * code, an upper-case code name, a text body `Code: N. DB::Exception: …
 * (NAME) (version V)` and an HTTP status chosen from the code (ClickHouse's
 * `exceptionCodeToHTTPStatus`). The embedded server answers every failure in
 * this shape so clients (@clickhouse/client's `parseError`, curl users,
 * Grafana) read it as they read a real server's.
 */

/** Codes the embedded server raises itself (the engine's own come with their name). */
export const ErrorCode = {
  BAD_ARGUMENTS: 36,
  SYNTAX_ERROR: 62,
  UNKNOWN_FORMAT: 73,
  QUERY_IS_TOO_LARGE: 78,
  UNKNOWN_DATABASE: 81,
  UNKNOWN_SETTING: 115,
  READONLY: 164,
  REQUIRED_PASSWORD: 194,
  ACCESS_DENIED: 497,
  AUTHENTICATION_FAILED: 516,
  NOT_IMPLEMENTED: 48,
  UNKNOWN_EXCEPTION: 1002,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;

const BAD_REQUEST = new Set([
  'BAD_ARGUMENTS',
  'CANNOT_COMPILE_REGEXP',
  'CANNOT_PARSE_TEXT',
  'CANNOT_PARSE_ESCAPE_SEQUENCE',
  'CANNOT_PARSE_QUOTED_STRING',
  'CANNOT_PARSE_DATE',
  'CANNOT_PARSE_DATETIME',
  'CANNOT_PARSE_NUMBER',
  'CANNOT_PARSE_DOMAIN_VALUE_FROM_STRING',
  'CANNOT_PARSE_IPV4',
  'CANNOT_PARSE_IPV6',
  'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
  'CANNOT_PARSE_UUID',
  'DUPLICATE_COLUMN',
  'ILLEGAL_COLUMN',
  'UNKNOWN_ELEMENT_IN_AST',
  'UNKNOWN_TYPE_OF_AST_NODE',
  'THERE_IS_NO_COLUMN',
  'TOO_DEEP_AST',
  'TOO_BIG_AST',
  'UNEXPECTED_AST_STRUCTURE',
  'SYNTAX_ERROR',
  'INCORRECT_DATA',
  'TYPE_MISMATCH',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
]);

const NOT_FOUND = new Set([
  'UNKNOWN_TABLE',
  'UNKNOWN_FUNCTION',
  'UNKNOWN_IDENTIFIER',
  'UNKNOWN_TYPE',
  'UNKNOWN_STORAGE',
  'UNKNOWN_DATABASE',
  'UNKNOWN_SETTING',
  'UNKNOWN_DIRECTION_OF_SORTING',
  'UNKNOWN_AGGREGATE_FUNCTION',
  'UNKNOWN_FORMAT',
  'UNKNOWN_DATABASE_ENGINE',
  'UNKNOWN_TYPE_OF_QUERY',
  'UNKNOWN_ROLE',
]);

const FORBIDDEN = new Set([
  'UNKNOWN_USER',
  'WRONG_PASSWORD',
  'AUTHENTICATION_FAILED',
  'SET_NON_GRANTED_ROLE',
  'ACCESS_DENIED',
]);

/**
 * The HTTP status ClickHouse answers for an exception, by code name.
 *
 * @example
 * httpStatusOf('SYNTAX_ERROR'); // 400
 * httpStatusOf('UNKNOWN_TABLE'); // 404
 */
export function httpStatusOf(codeName: string): number {
  if (codeName === 'REQUIRED_PASSWORD') return 401;
  if (FORBIDDEN.has(codeName)) return 403;
  if (BAD_REQUEST.has(codeName)) return 400;
  if (NOT_FOUND.has(codeName)) return 404;
  switch (codeName) {
    case 'QUERY_IS_TOO_LARGE':
      return 413;
    case 'NOT_IMPLEMENTED':
      return 501;
    case 'SOCKET_TIMEOUT':
    case 'CANNOT_OPEN_FILE':
    case 'CANNOT_SCHEDULE_TASK':
      return 503;
    case 'HTTP_LENGTH_REQUIRED':
      return 411;
    case 'TIMEOUT_EXCEEDED':
      return 408;
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 415;
    default:
      return 500;
  }
}

/**
 * A ClickHouse exception: `code` (e.g. 62), `codeName` (e.g. `SYNTAX_ERROR`)
 * and the message text without the `Code: N. DB::Exception:` prefix.
 *
 * @example
 * const e = new ClickHouseException(ErrorCode.BAD_ARGUMENTS, 'BAD_ARGUMENTS', 'Invalid setting name "a b" in the URL');
 * e.httpStatus; // 400
 */
export class ClickHouseException extends Error {
  override readonly name = 'ClickHouseException';
  readonly httpStatus: number;

  constructor(
    readonly code: number,
    readonly codeName: string,
    readonly text: string,
    options?: { cause?: unknown },
  ) {
    super(`Code: ${code}. DB::Exception: ${text}. (${codeName})`, options);
    this.httpStatus = httpStatusOf(codeName);
  }

  /** The response body ClickHouse sends for this exception. */
  body(version: string): string {
    return `${this.message} (version ${version})\n`;
  }
}

/**
 * Builds a {@link ClickHouseException} from one of the codes the server raises itself.
 *
 * @example
 * throw clickHouseException('SYNTAX_ERROR', 'Empty query');
 */
export function clickHouseException(
  codeName: ErrorCodeName,
  text: string,
  cause?: unknown,
): ClickHouseException {
  return new ClickHouseException(
    ErrorCode[codeName],
    codeName,
    text,
    cause === undefined ? undefined : { cause },
  );
}

const CODE_PREFIX = /^Code: (\d+)\. (?:DB::Exception: )?/;
const CODE_NAME_SUFFIX = /\(([A-Z][A-Z0-9_]+)\)(?: \(version [^)]*\))?\s*$/;

/**
 * Maps an error thrown by the engine (chDB carries ClickHouse's own message,
 * `Code: 62. DB::Exception: … (SYNTAX_ERROR)`) to a {@link ClickHouseException}
 * with the same code and name; anything else becomes `UNKNOWN_EXCEPTION`.
 *
 * @example
 * exceptionFromEngine(new Error('Code: 60. DB::Exception: Unknown table t. (UNKNOWN_TABLE)')).httpStatus; // 404
 */
export function exceptionFromEngine(err: unknown): ClickHouseException {
  if (err instanceof ClickHouseException) return err;
  const message = err instanceof Error ? err.message : String(err);
  const prefix = CODE_PREFIX.exec(message);
  const suffix = CODE_NAME_SUFFIX.exec(message);
  const fromProperty = (err as { clickhouseCode?: unknown } | null)?.clickhouseCode;
  const code = prefix ? Number(prefix[1]) : typeof fromProperty === 'number' ? fromProperty : undefined;
  if (code === undefined) {
    return new ClickHouseException(ErrorCode.UNKNOWN_EXCEPTION, 'UNKNOWN_EXCEPTION', message, { cause: err });
  }
  const codeName = suffix ? suffix[1] : 'UNKNOWN_EXCEPTION';
  let text = prefix ? message.slice(prefix[0].length) : message;
  // chDB nests the same exception up to three times ("Code: 73. DB::Exception: Code: 73. …"); ClickHouse shows it once.
  for (
    let inner = CODE_PREFIX.exec(text);
    inner && Number(inner[1]) === code;
    inner = CODE_PREFIX.exec(text)
  ) {
    text = text.slice(inner[0].length);
  }
  if (suffix) {
    const at = text.indexOf(`(${codeName})`);
    if (at >= 0) text = text.slice(0, at);
  }
  text = text.replace(/\s*(?:\(version [^)]*\))?[\s.]*$/, '');
  return new ClickHouseException(code, codeName, text, { cause: err });
}
