/** A result column: its name and, when known, its ClickHouse type (which decides its alignment). */
export interface TableColumn {
  readonly name: string;
  /** e.g. `Nullable(UInt64)`; numeric types are right-aligned. */
  readonly type?: string;
}

/** Options of {@link formatTable}. */
export interface TableOptions {
  /** Widest a cell (or header) is shown, in terminal columns; longer ones end in "…" (default 60). */
  readonly maxCellWidth?: number;
}

/** How a SQL NULL is shown: ClickHouse's own clients' notation, which no string value is mistaken for. */
export const NULL_CELL = 'ᴺᵁᴸᴸ';

const DEFAULT_MAX_CELL_WIDTH = 60;
const ELLIPSIS = '…';

/**
 * Lays a result out as an aligned text table, one string per line: the
 * header, a rule, then one line per row, columns separated by ` | `.
 * Numeric columns (by ClickHouse type, or when untyped, when every value is
 * a number) are right-aligned; NULL shows as {@link NULL_CELL}; control
 * characters are escaped so a value never breaks a line; cells wider than
 * `maxCellWidth` end in "…". Widths count terminal columns, so CJK and emoji
 * take two and combining marks none. Lines carry no trailing spaces.
 *
 * @example
 * formatTable([{ name: 'asset' }, { name: 'risk', type: 'Float64' }], [['a-1', 0.25], ['b-22', 1]]);
 * // ['asset | risk',
 * //  '------+-----',
 * //  'a-1   | 0.25',
 * //  'b-22  |    1']
 */
export function formatTable(
  columns: readonly TableColumn[],
  rows: readonly (readonly unknown[])[],
  options: TableOptions = {},
): string[] {
  const max = Math.max(1, options.maxCellWidth ?? DEFAULT_MAX_CELL_WIDTH);
  const header = columns.map((c) => cellOf(escapeControls(c.name), max));
  const body = rows.map((row) => columns.map((_, i) => cellOf(cellText(row[i]), max)));
  const right = columns.map((c, i) => (c.type === undefined ? allNumbers(rows, i) : isNumericType(c.type)));
  const widths = header.map((h, i) => Math.max(h.width, ...body.map((cells) => cells[i].width)));
  const line = (cells: readonly Cell[]): string =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i] - cell.width);
        return right[i] ? pad + cell.text : cell.text + pad;
      })
      .join(' | ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-+-'), ...body.map(line)];
}

interface Cell {
  readonly text: string;
  readonly width: number;
}

function cellOf(text: string, max: number): Cell {
  const width = displayWidth(text);
  if (width <= max) return { text, width };
  const cut = truncateToWidth(text, max);
  return { text: cut, width: displayWidth(cut) };
}

/**
 * A value as a table shows it: NULL as {@link NULL_CELL}, strings with
 * control characters escaped (`\n`, `\t`, `\x1b`), arrays, maps and tuples
 * as JSON.
 *
 * @example
 * cellText('a\nb'); // 'a\\nb'
 * cellText([1, 2]); // '[1,2]'
 */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return NULL_CELL;
  if (typeof value === 'string') return escapeControls(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
    return String(value);
  }
  return escapeControls(
    JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value),
  );
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters to escape.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function escapeControls(text: string): string {
  return text.replace(CONTROL, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\r') return '\\r';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

const NUMERIC_TYPE =
  /^(?:U?Int(?:8|16|32|64|128|256)|Float(?:32|64)|BFloat16|Decimal(?:32|64|128|256)?\(.*\))$/;

/**
 * Whether a ClickHouse type holds numbers (through `Nullable(…)` and `LowCardinality(…)`).
 *
 * @example
 * isNumericType('Nullable(Decimal(18, 4))'); // true
 * isNumericType('String'); // false
 */
export function isNumericType(type: string): boolean {
  let t = type.trim();
  for (
    let m = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(t);
    m;
    m = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(t)
  ) {
    t = m[1].trim();
  }
  return NUMERIC_TYPE.test(t);
}

function allNumbers(rows: readonly (readonly unknown[])[], i: number): boolean {
  let any = false;
  for (const row of rows) {
    const v = row[i];
    if (v === null || v === undefined) continue;
    if (typeof v !== 'number' && typeof v !== 'bigint') return false;
    any = true;
  }
  return any;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/;
const ZERO_WIDTH = /^(?:\p{M}|\p{Cf})+$/u;
const WIDE =
  /\p{Extended_Pictographic}|[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]/u;

/**
 * The columns a string takes in a terminal: one per character, two for East
 * Asian wide characters and emoji, none for combining marks and
 * zero-width characters; a grapheme (base + marks, emoji sequence) counts once.
 *
 * @example
 * displayWidth('abc'); // 3
 * displayWidth('温度'); // 4
 * displayWidth('é'); // 1, also when written as e + U+0301
 */
export function displayWidth(text: string): number {
  if (PRINTABLE_ASCII.test(text)) return text.length;
  let width = 0;
  for (const { segment } of segmenter.segment(text)) width += graphemeWidth(segment);
  return width;
}

function graphemeWidth(grapheme: string): number {
  if (ZERO_WIDTH.test(grapheme)) return 0;
  return WIDE.test(grapheme) ? 2 : 1;
}

/**
 * `text` cut to at most `width` terminal columns, ending in "…" when cut;
 * graphemes are never split.
 *
 * @example
 * truncateToWidth('temperature', 6); // 'tempe…'
 */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  let kept = '';
  let used = 0;
  for (const { segment } of segmenter.segment(text)) {
    const w = graphemeWidth(segment);
    if (used + w > width - 1) break;
    kept += segment;
    used += w;
  }
  return kept + ELLIPSIS;
}
