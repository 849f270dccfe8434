import { describe, expect, it } from 'vitest';
import {
  parseInsertHead,
  trailingFormatOf,
  unescapeParam,
} from '../../../../connectors/clickhouse/statementShape.js';

describe('parseInsertHead', () => {
  it('finds table, columns, format and where the data starts', () => {
    const text = 'INSERT INTO db.t (a, `b`) FORMAT JSONEachRow\n{"a":1}';
    const head = parseInsertHead(text);
    expect(head).toEqual({
      table: 'db.t',
      columns: ['a', 'b'],
      format: 'JSONEachRow',
      headLength: text.indexOf('{'),
    });
  });

  it('accepts data on the same line after a space', () => {
    const text = 'insert into t format CSV 1,2';
    expect(parseInsertHead(text)).toMatchObject({ table: 't', format: 'CSV', headLength: text.indexOf('1') });
  });

  it('leaves anything else to the engine', () => {
    expect(parseInsertHead('INSERT INTO t SELECT 1')).toBeUndefined();
    expect(parseInsertHead('INSERT INTO t (* EXCEPT (a)) FORMAT CSV\n1')).toBeUndefined();
    expect(parseInsertHead('SELECT 1 FORMAT CSV')).toBeUndefined();
  });
});

describe('trailingFormatOf', () => {
  it('reads the trailing FORMAT clause', () => {
    expect(trailingFormatOf('SELECT 1 \nFORMAT JSONEachRow')).toBe('JSONEachRow');
    expect(trailingFormatOf('SELECT 1 FORMAT CSV;')).toBe('CSV');
    expect(trailingFormatOf('SELECT 1')).toBeUndefined();
  });
});

describe('unescapeParam', () => {
  it('undoes TSV escaping', () => {
    expect(unescapeParam("it\\'s\\ta\\\\b\\n")).toBe("it's\ta\\b\n");
  });
});
