import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cellText,
  displayWidth,
  formatTable,
  isNumericType,
  NULL_CELL,
  truncateToWidth,
} from '../../../../runtime/cli/textTable.js';

describe('formatTable', () => {
  it('aligns columns under their headers, numbers to the right, text to the left', () => {
    expect(
      formatTable(
        [{ name: 'asset', type: 'String' }, { name: 'risk', type: 'Float64' }, { name: 'n' }],
        [
          ['a-1', 0.25, 7],
          ['b-22', 1, 12345],
        ],
      ),
    ).toEqual([
      'asset | risk |     n',
      '------+------+------',
      'a-1   | 0.25 |     7',
      'b-22  |    1 | 12345',
    ]);
  });

  it('right-aligns numeric types even when the values arrive as strings (64-bit integers in JSON)', () => {
    expect(
      formatTable(
        [
          { name: 'id', type: 'UInt64' },
          { name: 'code', type: 'String' },
        ],
        [
          ['18446744073709551615', '7'],
          ['1', '12'],
        ],
      ),
    ).toEqual([
      '                  id | code',
      '---------------------+-----',
      '18446744073709551615 | 7',
      '                   1 | 12',
    ]);
  });

  it('shows NULL distinctly from the string "NULL" and keeps a nullable numeric column right-aligned', () => {
    const lines = formatTable(
      [
        { name: 'v', type: 'Nullable(Int32)' },
        { name: 's', type: 'Nullable(String)' },
      ],
      [
        [null, 'NULL'],
        [42, null],
      ],
    );
    expect(lines).toEqual(['   v | s', '-----+-----', `${NULL_CELL} | NULL`, `  42 | ${NULL_CELL}`]);
  });

  it('infers alignment from the values when no type is given', () => {
    expect(
      formatTable(
        [{ name: 'x' }, { name: 'y' }],
        [
          [1, 'a'],
          [null, 2],
          [300, 'c'],
        ],
      ),
    ).toEqual(['   x | y', '-----+--', '   1 | a', `${NULL_CELL} | 2`, ' 300 | c']);
  });

  it('cuts cells and headers wider than maxCellWidth with an ellipsis', () => {
    const lines = formatTable([{ name: 'a_rather_long_column_name' }], [['short'], ['x'.repeat(100)]], {
      maxCellWidth: 10,
    });
    expect(lines).toEqual(['a_rather_…', '----------', 'short', 'xxxxxxxxx…']);
  });

  it('escapes control characters so one row stays one line, and prints nested values as JSON', () => {
    const lines = formatTable(
      [{ name: 'text' }, { name: 'nested' }],
      [['line 1\nline 2\ttab', { a: [1, 2], b: 'x' }]],
    );
    expect(lines[2]).toBe('line 1\\nline 2\\ttab | {"a":[1,2],"b":"x"}');
    expect(lines).toHaveLength(3);
  });

  it('pads by terminal columns, so wide and combining characters line up', () => {
    const lines = formatTable(
      [{ name: 'name' }, { name: 'n', type: 'UInt8' }],
      [
        ['温度计', 1],
        ['cafe\u0301', 2],
        ['ok', 3],
      ],
    );
    expect(lines).toEqual(['name   | n', '-------+--', '温度计 | 1', 'cafe\u0301   | 2', 'ok     | 3']);
    const bars = lines.filter((_, i) => i !== 1).map((l) => displayWidth(l.slice(0, l.indexOf('|'))));
    expect(new Set(bars).size).toBe(1);
  });

  it('prints just the header and rule for no rows, and nothing trailing', () => {
    expect(formatTable([{ name: 'a' }, { name: 'b' }], [])).toEqual(['a | b', '--+--']);
  });

  it('every line of any table has the same width and no trailing spaces', () => {
    const value = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 3 }),
    );
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 4 })
          .chain((cols) =>
            fc.tuple(
              fc.array(fc.string({ minLength: 1, maxLength: 8 }), { minLength: cols, maxLength: cols }),
              fc.array(fc.array(value, { minLength: cols, maxLength: cols }), { maxLength: 6 }),
            ),
          ),
        ([names, rows]) => {
          const lines = formatTable(
            names.map((name) => ({ name })),
            rows,
            { maxCellWidth: 12 },
          );
          expect(lines).toHaveLength(rows.length + 2);
          const ruleWidth = displayWidth(lines[1]);
          for (const line of lines) {
            expect(displayWidth(line)).toBeLessThanOrEqual(ruleWidth);
            expect(line).toBe(line.trimEnd());
            expect(line).not.toMatch(/\n/);
          }
        },
      ),
    );
  });
});

describe('displayWidth', () => {
  it('counts ASCII one each, CJK and emoji two, combining marks none', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('温度')).toBe(4);
    expect(displayWidth('e\u0301')).toBe(1);
    expect(displayWidth('🔥')).toBe(2);
    expect(displayWidth('👩‍🔧')).toBe(2);
    expect(displayWidth('ｱ')).toBe(1);
    expect(displayWidth('ＡＢ')).toBe(4);
    expect(displayWidth('')).toBe(0);
  });
});

describe('truncateToWidth', () => {
  it('keeps text that fits and cuts the rest to the width, ellipsis included', () => {
    expect(truncateToWidth('temperature', 11)).toBe('temperature');
    expect(truncateToWidth('temperature', 6)).toBe('tempe…');
    expect(displayWidth(truncateToWidth('temperature', 6))).toBe(6);
  });

  it('never splits a grapheme or overshoots with a wide character', () => {
    expect(truncateToWidth('温度温度', 4)).toBe('温…');
    expect(truncateToWidth('cafe\u0301s and more', 5)).toBe('cafe\u0301…');
    expect(truncateToWidth('👩‍🔧👩‍🔧👩‍🔧', 4)).toBe('👩‍🔧…');
  });
});

describe('cellText and isNumericType', () => {
  it('renders values as a table shows them', () => {
    expect(cellText(null)).toBe(NULL_CELL);
    expect(cellText(undefined)).toBe(NULL_CELL);
    expect(cellText(1.5)).toBe('1.5');
    expect(cellText(10n)).toBe('10');
    expect(cellText(true)).toBe('true');
    expect(cellText('\u001b[31mred')).toBe('\\x1b[31mred');
    expect(cellText({ k: 2n })).toBe('{"k":"2"}');
  });

  it('knows the numeric ClickHouse types through Nullable and LowCardinality', () => {
    for (const t of ['UInt8', 'Int64', 'Int256', 'Float32', 'BFloat16', 'Decimal(18, 4)', 'Decimal64(3)']) {
      expect(isNumericType(t)).toBe(true);
    }
    expect(isNumericType('Nullable(Float64)')).toBe(true);
    expect(isNumericType('LowCardinality(Nullable(UInt16))')).toBe(true);
    for (const t of ['String', 'DateTime64(3)', 'Array(UInt8)', 'Nullable(String)', "Enum8('a' = 1)"]) {
      expect(isNumericType(t)).toBe(false);
    }
  });
});
