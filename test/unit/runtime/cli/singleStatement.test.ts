import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../runtime/cli/flags.js';
import { SqlTextError, singleStatement } from '../../../../runtime/cli/singleStatement.js';

function failure(text: string): SqlTextError {
  try {
    singleStatement(text);
  } catch (err) {
    if (err instanceof SqlTextError) return err;
    throw err;
  }
  throw new Error(`accepted: ${text}`);
}

describe('singleStatement', () => {
  it('returns the statement without its terminating semicolon, and its first keyword', () => {
    expect(singleStatement('  select 1;  \n')).toEqual({ sql: 'select 1', keyword: 'SELECT' });
    expect(singleStatement('SELECT 1;; -- done\n/* really */')).toEqual({
      sql: 'SELECT 1',
      keyword: 'SELECT',
    });
    expect(singleStatement('-- lead comment\n/* x */ WITH a AS (SELECT 1) SELECT * FROM a').keyword).toBe(
      'WITH',
    );
    expect(singleStatement('(SELECT 1) UNION ALL (SELECT 2)').keyword).toBe('SELECT');
    expect(singleStatement('1 + 1').keyword).toBe('');
  });

  it('does not count a semicolon inside strings, quoted identifiers, heredocs or comments', () => {
    for (const sql of [
      "SELECT ';' AS s",
      "SELECT 'it''s; fine'",
      "SELECT 'a\\'; b'",
      'SELECT 1 AS "a;b"',
      'SELECT 1 AS `a;b`',
      'SELECT $$ ; $$',
      'SELECT $tag$ ; $ $tag$',
      'SELECT 1 -- ; not a statement\n+ 1',
      'SELECT /* ; */ 1',
    ]) {
      expect(singleStatement(sql).sql).toBe(sql);
    }
  });

  it('refuses a second statement, saying where it starts', () => {
    const err = failure('SELECT 1;\n  DROP TABLE t');
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe('one statement at a time: a second statement starts at line 2, column 3');
    expect([err.line, err.column]).toEqual([2, 3]);
    expect(failure("SELECT ';'; SELECT 2").column).toBe(13);
  });

  it('refuses empty text and unterminated strings, identifiers and comments', () => {
    expect(failure('').message).toBe('the query is empty');
    expect(failure(' ; -- nothing').message).toBe('the query is empty');
    expect(failure("SELECT 'oops").message).toBe('unterminated string starting at line 1, column 8');
    expect(failure('SELECT 1 AS `x').message).toMatch(/^unterminated quoted identifier/);
    expect(failure('SELECT 1 /* no end').message).toMatch(
      /^unterminated comment starting at line 1, column 10/,
    );
    expect(failure('SELECT $q$ 1').message).toMatch(/^unterminated heredoc/);
  });

  it('finds a trailing FORMAT clause, but not one inside a string or a comment', () => {
    expect(singleStatement('SELECT 1 FORMAT CSV;').format).toBe('CSV');
    expect(singleStatement('SELECT 1 format JSONEachRow -- rows\n').format).toBe('JSONEachRow');
    expect(singleStatement("SELECT 'FORMAT CSV'").format).toBeUndefined();
    expect(singleStatement('SELECT 1 -- FORMAT CSV').format).toBeUndefined();
  });
});
