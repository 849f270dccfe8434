import { UsageError } from './flags.js';

/** One SQL statement, as {@link singleStatement} found it. */
export interface Statement {
  /** The statement without its terminating `;` and surrounding whitespace. */
  readonly sql: string;
  /** Its first keyword, upper-case (`SELECT`, `WITH`, `INSERT`); '' when it starts with none. */
  readonly keyword: string;
  /** The format of a trailing `FORMAT X` clause, if it has one. */
  readonly format?: string;
}

/**
 * SQL text that is not exactly one statement: empty, more than one, or with
 * an unterminated string, identifier or comment. A usage error: the text
 * must change. `line` and `column` (1-based) point at the fault.
 *
 * @example
 * try { singleStatement('SELECT 1; SELECT 2'); }
 * catch (e) { if (e instanceof SqlTextError) e.line; } // 1
 */
export class SqlTextError extends UsageError {
  override readonly name = 'SqlTextError';
  readonly retriable = false;
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

const QUOTES = new Set(["'", '"', '`']);
const HEREDOC_TAG = /\$([A-Za-z0-9_]*)\$/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
const TRAILING_FORMAT = /\bFORMAT\s+([A-Za-z][A-Za-z0-9_]*)\s*$/i;

/**
 * Checks that `text` holds exactly one SQL statement, knowing ClickHouse's
 * lexical rules well enough that a `;` inside a string (`'…'`), a quoted
 * identifier (`"…"`, `` `…` ``), a heredoc (`$tag$…$tag$`) or a comment
 * (`-- …`, `/* … *\/`) does not count. One trailing `;` (and comments after
 * it) is fine. Throws {@link SqlTextError} with the position of a second
 * statement or an unterminated token.
 *
 * @example
 * singleStatement('SELECT 1; -- done'); // { sql: 'SELECT 1', keyword: 'SELECT' }
 * singleStatement("SELECT ';'");        // { sql: "SELECT ';'", keyword: 'SELECT' }
 * singleStatement('SELECT 1; DROP TABLE t'); // throws: a second statement starts at line 1, column 11
 */
export function singleStatement(text: string): Statement {
  // `code` is the text with comments blanked out, for finding the keyword and a trailing FORMAT.
  let code = '';
  let keyword = '';
  let significant = false;
  let end = -1;
  let i = 0;
  while (i < text.length) {
    const skipped = skipComment(text, i);
    if (skipped > i) {
      code += ' '.repeat(skipped - i);
      i = skipped;
      continue;
    }
    const c = text[i];
    if (c === ';') {
      end = i;
      break;
    }
    let next = i + 1;
    if (QUOTES.has(c)) next = skipQuoted(text, i);
    else if (c === '$') next = skipHeredoc(text, i);
    else if (keyword === '' && !significant && /[A-Za-z_]/.test(c)) {
      WORD.lastIndex = i;
      const word = WORD.exec(text)?.[0] ?? c;
      keyword = word.toUpperCase();
      next = i + word.length;
    }
    if (!/\s/.test(c) && c !== '(') significant = true;
    code += text.slice(i, next);
    i = next;
  }
  if (!significant) throw new SqlTextError('the query is empty');
  if (end >= 0) {
    for (let j = end + 1; j < text.length; ) {
      const skipped = skipComment(text, j);
      if (skipped > j) j = skipped;
      else if (text[j] === ';' || /\s/.test(text[j])) j++;
      else {
        const { line, column } = positionOf(text, j);
        throw new SqlTextError(
          `one statement at a time: a second statement starts at line ${line}, column ${column}`,
          line,
          column,
        );
      }
    }
  }
  const format = TRAILING_FORMAT.exec(code.trimEnd())?.[1];
  return { sql: text.slice(0, end >= 0 ? end : text.length).trim(), keyword, ...(format ? { format } : {}) };
}

/** Where a comment starting at `i` ends, or `i` when none starts there. */
function skipComment(text: string, i: number): number {
  if (text.startsWith('--', i)) {
    const nl = text.indexOf('\n', i);
    return nl < 0 ? text.length : nl + 1;
  }
  if (text.startsWith('/*', i)) {
    const close = text.indexOf('*/', i + 2);
    if (close < 0) throw unterminated(text, i, 'comment');
    return close + 2;
  }
  return i;
}

/** Past the closing quote of the string or identifier at `i`; `\` escapes, a doubled quote is one. */
function skipQuoted(text: string, i: number): number {
  const quote = text[i];
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === quote) {
      if (text[j + 1] !== quote) return j + 1;
      j++;
    }
  }
  throw unterminated(text, i, quote === "'" ? 'string' : 'quoted identifier');
}

function skipHeredoc(text: string, i: number): number {
  HEREDOC_TAG.lastIndex = i;
  const open = HEREDOC_TAG.exec(text);
  if (!open) return i + 1;
  const close = text.indexOf(open[0], i + open[0].length);
  if (close < 0) throw unterminated(text, i, 'heredoc');
  return close + open[0].length;
}

function unterminated(text: string, i: number, what: string): SqlTextError {
  const { line, column } = positionOf(text, i);
  return new SqlTextError(`unterminated ${what} starting at line ${line}, column ${column}`, line, column);
}

function positionOf(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { line, column: index - before.lastIndexOf('\n') };
}
