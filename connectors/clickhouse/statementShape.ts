/**
 * The little the embedded server needs to know about a statement before the
 * engine sees it: where an `INSERT … FORMAT X` header ends and its data
 * begins (so the data can go to the engine as bytes, never as SQL text), and
 * which output format a query asks for (for `X-ClickHouse-Format`). Anything
 * these patterns do not recognise goes to the engine unchanged.
 */

/** The head of `INSERT INTO db.t (a, b) FORMAT JSONEachRow` followed by its data. */
export interface InsertHead {
  /** `t` or `db.t`, unquoted. */
  readonly table: string;
  readonly columns?: readonly string[];
  readonly format: string;
  /** Characters (= bytes: the head is ASCII) before the data. */
  readonly headLength: number;
}

const IDENT = '(?:`[A-Za-z0-9_]+`|[A-Za-z_][A-Za-z0-9_]*)';
const INSERT_HEAD = new RegExp(
  `^\\s*INSERT\\s+INTO\\s+(?:TABLE\\s+)?(${IDENT}(?:\\.${IDENT})?)\\s*(?:\\(([A-Za-z0-9_\`,\\s]*)\\))?\\s*FORMAT\\s+([A-Za-z][A-Za-z0-9_]*)(?:[ \\t]*\\r?\\n|[ \\t]+|$)`,
  'i',
);

/**
 * Recognises a plain `INSERT INTO t [(cols)] FORMAT F` head (no SETTINGS, no
 * SELECT, no functions) at the start of `text`; undefined otherwise.
 *
 * @example
 * parseInsertHead('INSERT INTO db.t (a, b) FORMAT JSONEachRow\n{"a":1}');
 * // { table: 'db.t', columns: ['a', 'b'], format: 'JSONEachRow', headLength: 43 }
 */
export function parseInsertHead(text: string): InsertHead | undefined {
  const m = INSERT_HEAD.exec(text);
  if (!m) return undefined;
  const table = m[1].replaceAll('`', '');
  const columns = m[2]
    ?.split(',')
    .map((c) => c.trim().replaceAll('`', ''))
    .filter((c) => c !== '');
  if (columns?.some((c) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(c))) return undefined;
  const head: InsertHead = { table, format: m[3], headLength: m[0].length };
  return columns !== undefined && columns.length > 0 ? { ...head, columns } : head;
}

const TRAILING_FORMAT = /\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*;?\s*$/i;

/**
 * The format named by a query's trailing `FORMAT` clause, if any.
 *
 * @example
 * trailingFormatOf('SELECT 1 \nFORMAT JSONEachRow'); // 'JSONEachRow'
 */
export function trailingFormatOf(sql: string): string | undefined {
  return TRAILING_FORMAT.exec(sql)?.[1];
}

/**
 * Undoes the TSV escaping that ClickHouse clients apply to `param_*` values
 * (the engine's binding escapes them again).
 *
 * @example
 * unescapeParam('a\\tb'); // 'a\tb'
 */
export function unescapeParam(value: string): string {
  if (!value.includes('\\')) return value;
  return value.replace(/\\(.)/g, (_, c: string) => {
    switch (c) {
      case 't':
        return '\t';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case '0':
        return '\0';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      default:
        return c;
    }
  });
}
