import { type ChdbResult, Session } from 'chdb';
import { clickHouseException, exceptionFromEngine } from './clickhouseException.js';
import type { InsertHead } from './statementShape.js';
import { trailingFormatOf, unescapeParam } from './statementShape.js';

/** One statement as the HTTP layer hands it to the engine. */
export interface EngineStatement {
  /** The statement's SQL; for an insert with `data`, only its head. */
  readonly sql: string;
  /** The data of an `INSERT … FORMAT X`, kept as bytes. */
  readonly insert?: { readonly head: InsertHead; readonly data: Buffer };
  /** Current database for the statement (`USE`), or the default one. */
  readonly database?: string;
  /** Settings applied before the statement, as `SET name = 'value'`. */
  readonly settings: ReadonlyArray<readonly [string, string]>;
  /** `param_<name>` values for `{name:Type}` placeholders, as the client escaped them. */
  readonly params: ReadonlyMap<string, string>;
  readonly defaultFormat: string;
  /** GET requests run with `readonly = 2`, as in ClickHouse. */
  readonly readonly: boolean;
  /** A ClickHouse HTTP session: state (settings, temporary tables, `USE`) kept between statements. */
  readonly session?: { readonly id: string; readonly timeoutMs: number };
}

/** ClickHouse's `X-ClickHouse-Summary` (numbers as strings, as ClickHouse sends them). */
export interface QuerySummary {
  read_rows: string;
  read_bytes: string;
  written_rows: string;
  written_bytes: string;
  total_rows_to_read: string;
  result_rows: string;
  result_bytes: string;
  elapsed_ns: string;
}

export interface EngineResult {
  readonly body: Uint8Array;
  /** The output format used: the query's `FORMAT` clause, else the default. */
  readonly format: string;
  readonly summary: QuerySummary;
}

/** Formats chDB's raw (zero-copy) insert path takes, by lower-case name. */
const RAW_INSERT_FORMATS = new Map(
  [
    'JSONEachRow',
    'JSONCompactEachRow',
    'CSV',
    'CSVWithNames',
    'TSV',
    'TabSeparated',
    'TSVWithNames',
    'TabSeparatedWithNames',
  ].map((f) => [f.toLowerCase(), f] as const),
);

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLACEHOLDER = /\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*([^}]+)\}/g;

interface LiveSession {
  readonly session: Session;
  timer: NodeJS.Timeout;
}

/**
 * chDB (ClickHouse's engine, in process) behind the statements of the HTTP
 * interface. Every statement runs on a connection of its own, as every HTTP
 * request without `session_id` does in ClickHouse, so one request's `SET`,
 * `USE` or settings never leak into the next; an anchor connection keeps the
 * data directory open between requests. Callers serialise `execute` calls.
 *
 * @example
 * const engine = await ChdbEngine.open('/var/lib/twinflow/clickhouse');
 * const r = await engine.execute({ sql: 'SELECT 1', settings: [], params: new Map(), defaultFormat: 'TSV', readonly: true });
 * Buffer.from(r.body).toString(); // '1\n'
 * engine.close();
 */
export class ChdbEngine {
  private readonly sessions = new Map<string, LiveSession>();

  private constructor(
    readonly dataDir: string,
    private readonly anchor: Session,
    /** ClickHouse version of the engine, e.g. `26.7.2.1`. */
    readonly version: string,
    /** Server time zone, e.g. `Etc/UTC`. */
    readonly timezone: string,
  ) {}

  static async open(dataDir: string): Promise<ChdbEngine> {
    const anchor = new Session(dataDir);
    try {
      const info = (
        await anchor.queryAsync('SELECT version(), timezone()', { format: 'TabSeparated' })
      ).text();
      const [version, timezone] = info.trim().split('\t');
      return new ChdbEngine(dataDir, anchor, version, timezone);
    } catch (err) {
      anchor.close();
      throw err;
    }
  }

  async execute(statement: EngineStatement): Promise<EngineResult> {
    const started = process.hrtime.bigint();
    const { session, temporary } = this.sessionFor(statement);
    try {
      await prepare(session, statement);
      if (statement.insert && RAW_INSERT_FORMATS.has(statement.insert.head.format.toLowerCase())) {
        return await rawInsert(session, statement.insert.head, statement.insert.data, started);
      }
      const sql = statement.insert
        ? `${statement.sql}\n${statement.insert.data.toString('utf8')}`
        : statement.sql;
      if (sql.trim() === '') throw clickHouseException('SYNTAX_ERROR', 'Empty query');
      const format = statement.insert
        ? statement.defaultFormat
        : (trailingFormatOf(sql) ?? statement.defaultFormat);
      const result = await query(session, sql, statement.params, statement.defaultFormat);
      return { body: result.bytes(), format, summary: summaryOf(result, 0, 0, started) };
    } catch (err) {
      throw exceptionFromEngine(err);
    } finally {
      if (temporary) session.close();
    }
  }

  /** Closes every connection; the data stays in `dataDir`. */
  close(): void {
    for (const live of this.sessions.values()) {
      clearTimeout(live.timer);
      live.session.close();
    }
    this.sessions.clear();
    this.anchor.close();
  }

  private sessionFor(statement: EngineStatement): { session: Session; temporary: boolean } {
    const named = statement.session;
    if (!named) return { session: new Session(this.dataDir), temporary: true };
    let live = this.sessions.get(named.id);
    if (live) clearTimeout(live.timer);
    else {
      live = { session: new Session(this.dataDir), timer: undefined as unknown as NodeJS.Timeout };
      this.sessions.set(named.id, live);
    }
    const entry = live;
    entry.timer = setTimeout(() => {
      this.sessions.delete(named.id);
      entry.session.close();
    }, named.timeoutMs);
    // An idle HTTP session must not keep the process alive.
    entry.timer.unref();
    return { session: entry.session, temporary: false };
  }
}

async function prepare(session: Session, statement: EngineStatement): Promise<void> {
  if (statement.database !== undefined && statement.database !== '') {
    await session.queryAsync(`USE ${quoteIdentifier(statement.database)}`);
  }
  const assignments: string[] = [];
  for (const [name, value] of statement.settings) {
    if (!SETTING_NAME.test(name)) {
      throw clickHouseException(
        'BAD_ARGUMENTS',
        `Invalid setting name ${JSON.stringify(name)} in the request URL`,
      );
    }
    assignments.push(`${name} = ${quoteString(value)}`);
  }
  if (statement.readonly) assignments.push('readonly = 2');
  if (assignments.length > 0) await session.queryAsync(`SET ${assignments.join(', ')}`);
}

async function rawInsert(
  session: Session,
  head: InsertHead,
  data: Buffer,
  started: bigint,
): Promise<EngineResult> {
  const format = RAW_INSERT_FORMATS.get(head.format.toLowerCase()) as 'JSONEachRow';
  const s =
    head.columns !== undefined
      ? await session.insert({ table: head.table, values: data, format, columns: head.columns })
      : await session.insert({ table: head.table, values: data, format });
  const summary: QuerySummary = {
    read_rows: String(s.rowsWritten),
    read_bytes: String(s.bytesSent),
    written_rows: String(s.rowsWritten),
    written_bytes: String(s.bytesWritten),
    total_rows_to_read: '0',
    result_rows: String(s.rowsWritten),
    result_bytes: String(s.bytesWritten),
    elapsed_ns: String(process.hrtime.bigint() - started),
  };
  return { body: new Uint8Array(0), format: head.format, summary };
}

function query(
  session: Session,
  sql: string,
  params: ReadonlyMap<string, string>,
  format: string,
): Promise<ChdbResult> {
  if (params.size === 0) return session.queryAsync(sql, { format });
  const bound: Record<string, string> = {};
  const types = placeholderTypes(sql);
  for (const [name, value] of params) {
    // Composite values keep their quoting; a plain value was TSV-escaped by the client and is escaped again by chDB.
    bound[name] = /^(?:Nullable\()?(?:Array|Map|Tuple)\(/.test(types.get(name) ?? '')
      ? value
      : unescapeParam(value);
  }
  return session.queryBindAsync(sql, bound, { format });
}

function placeholderTypes(sql: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const m of sql.matchAll(PLACEHOLDER)) types.set(m[1], m[2].trim());
  return types;
}

function summaryOf(result: ChdbResult, written: number, writtenBytes: number, started: bigint): QuerySummary {
  return {
    read_rows: String(result.rowsRead),
    read_bytes: String(result.bytesRead),
    written_rows: String(written),
    written_bytes: String(writtenBytes),
    total_rows_to_read: '0',
    result_rows: String(result.rowsRead),
    result_bytes: String(result.bytesRead),
    elapsed_ns: String(process.hrtime.bigint() - started),
  };
}

function quoteIdentifier(name: string): string {
  return `\`${name.replaceAll('\\', '\\\\').replaceAll('`', '\\`')}\``;
}

function quoteString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}
