import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { ClickHouseClient } from '@clickhouse/client';
import { ConfigError } from '../config/jobConfig.js';
import {
  CONNECTION_OPTIONS,
  CONNECTION_USAGE,
  describeClickHouseFailure,
  openClickHouse,
  refusePasswordFlag,
  resolveConnection,
} from './clickhouseConnection.js';
import type { CommandIo } from './commandIo.js';
import { positiveInteger, UsageError } from './flags.js';
import { SqlTextError, type Statement, singleStatement } from './singleStatement.js';
import { formatTable, type TableColumn } from './textTable.js';

export const SQL_USAGE = `twinflow sql (--config FILE | --url URL [--database DB] [--user USER]) [options] "SELECT …"
  runs one statement against ClickHouse and prints its result

Options:
${CONNECTION_USAGE}
  -f, --file FILE       read the statement from FILE instead of the argument
      --format FORMAT   table (default): aligned, for reading; json: one object per row (JSON Lines);
                        csv: RFC 4180 with a header row
      --max-rows N      print at most N rows (default 1000), with a note when the result has more
  -h, --help            show this help

Table cells longer than 60 columns end in "…"; use --format json or csv for whole values.
Statements that return no rows (CREATE, INSERT, ALTER, …) print "ok".
Exit code: 0 done, 1 ClickHouse refused the statement or cannot be reached, 2 a mistake in the command line.`;

/** How `twinflow sql` prints rows. */
export type OutputFormat = 'table' | 'json' | 'csv';

const FORMATS: readonly OutputFormat[] = ['table', 'json', 'csv'];
const DEFAULT_MAX_ROWS = 1000;

/** Statements whose first keyword means they answer with rows; everything else runs as a command. */
const ROW_STATEMENTS = new Set(['SELECT', 'WITH', 'SHOW', 'DESC', 'DESCRIBE', 'EXPLAIN', 'EXISTS', 'CHECK']);

/**
 * `twinflow sql`: runs one statement against the configured ClickHouse and
 * prints its rows as an aligned table, JSON Lines or CSV, at most
 * `--max-rows` of them (rows beyond are not fetched). `argv` is what follows
 * `twinflow sql`. Returns the exit code: 0 done, 1 when ClickHouse refused
 * the statement or could not be reached (its message printed on `io.err`,
 * the password never); throws `UsageError` for a mistake in the command line
 * (more than one statement, an unknown format, …).
 *
 * @example
 * const code = await runSql(['--url', 'http://127.0.0.1:18123', 'SELECT 1 AS one'], processIo());
 * // one
 * // ---
 * //   1
 * // (1 row)
 */
export async function runSql(argv: string[], io: CommandIo): Promise<number> {
  refusePasswordFlag('sql', argv);
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...CONNECTION_OPTIONS,
      file: { type: 'string', short: 'f' },
      format: { type: 'string' },
      'max-rows': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    io.out(SQL_USAGE);
    return 0;
  }
  const format = (values.format ?? 'table') as OutputFormat;
  if (!FORMATS.includes(format)) {
    throw new UsageError(`sql: --format must be one of ${FORMATS.join(', ')}, got "${values.format}"`);
  }
  const maxRows = positiveInteger('max-rows', values['max-rows'], DEFAULT_MAX_ROWS);
  const statement = await statementOf(positionals, values.file);

  let conn: Awaited<ReturnType<typeof resolveConnection>>;
  try {
    conn = await resolveConnection('sql', values, io.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err(`sql: ${err.message}`);
    return 1;
  }
  let client: ClickHouseClient | undefined;
  try {
    client = openClickHouse(conn, conn.database);
    if (ROW_STATEMENTS.has(statement.keyword)) {
      await printRows(client, statement.sql, { format, maxRows }, io);
    } else {
      const { summary } = await client.command({ query: statement.sql });
      const written = Number(summary?.written_rows ?? 0);
      io.out(written > 0 ? `ok: ${written} row${written === 1 ? '' : 's'} written` : 'ok');
    }
    return 0;
  } catch (err) {
    io.err(`sql: ${describeClickHouseFailure(err, conn)}`);
    return 1;
  } finally {
    await client?.close();
  }
}

async function statementOf(positionals: readonly string[], file: string | undefined): Promise<Statement> {
  if (positionals.length > 1) {
    throw new UsageError(
      `sql: expected the statement as one argument, got ${positionals.length}; quote it: twinflow sql … "SELECT …"`,
    );
  }
  if (file !== undefined && positionals.length === 1) {
    throw new UsageError('sql: give the statement as an argument or with -f FILE, not both');
  }
  let text: string;
  let where: string;
  if (file !== undefined) {
    where = `-f ${file}`;
    try {
      text = await readFile(file, 'utf8');
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      throw new UsageError(`sql: cannot read -f ${file}${code ? ` (${code})` : ''}`, { cause });
    }
  } else if (positionals.length === 1) {
    where = 'the statement';
    text = positionals[0];
  } else {
    throw new UsageError('sql: give the statement to run as an argument ("SELECT …") or with -f FILE');
  }
  let statement: Statement;
  try {
    statement = singleStatement(text);
  } catch (err) {
    if (!(err instanceof SqlTextError)) throw err;
    throw new SqlTextError(`sql: ${where}: ${err.message}`, err.line, err.column);
  }
  if (statement.format !== undefined && ROW_STATEMENTS.has(statement.keyword)) {
    throw new UsageError(
      `sql: ${where} ends in FORMAT ${statement.format}; leave it out and choose with --format ${FORMATS.join('|')}`,
    );
  }
  return statement;
}

async function printRows(
  client: ClickHouseClient,
  query: string,
  options: { format: OutputFormat; maxRows: number },
  io: CommandIo,
): Promise<void> {
  const rs = await client.query({
    query,
    // Names and types first, so the table can right-align numbers even when 64-bit ones arrive quoted.
    format: 'JSONCompactEachRowWithNamesAndTypes',
    clickhouse_settings: {
      // As strings, 64-bit integers and decimals keep every digit (a JS number would round them)...
      output_format_json_quote_64bit_integers: 1,
      output_format_json_quote_decimals: 1,
      // ...and inf and nan stay themselves rather than becoming null, which would show as NULL.
      output_format_json_quote_denormals: 1,
    },
  });
  let names: string[] | undefined;
  let types: string[] | undefined;
  const rows: unknown[][] = [];
  let more = false;
  // Stops reading at one row past the limit: a huge result is never held in memory.
  read: for await (const batch of rs.stream<unknown[]>()) {
    for (const row of batch) {
      const value = row.json<unknown[]>();
      if (names === undefined) names = value as string[];
      else if (types === undefined) types = value as string[];
      else if (rows.length < options.maxRows) rows.push(value);
      else {
        more = true;
        break read;
      }
    }
  }
  if (more) rs.close();
  const columns: TableColumn[] = (names ?? []).map((name, i) => ({ name, type: types?.[i] }));
  const count = rowCountLine(rows.length, more);
  if (options.format === 'table') {
    for (const line of formatTable(columns, rows)) io.out(line);
    io.out(count);
    return;
  }
  if (options.format === 'json') {
    for (const row of rows)
      io.out(JSON.stringify(Object.fromEntries(columns.map((c, i) => [c.name, row[i]]))));
  } else {
    io.out(csvLine(columns.map((c) => c.name)));
    for (const row of rows) io.out(csvLine(row));
  }
  // Kept off stdout, which a pipe reads as data.
  io.err(count);
}

function rowCountLine(shown: number, more: boolean): string {
  if (more) return `(first ${shown} rows shown; the result has more: raise --max-rows or add a LIMIT)`;
  return `(${shown} row${shown === 1 ? '' : 's'})`;
}

function csvLine(values: readonly unknown[]): string {
  return values.map(csvField).join(',');
}

function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
