import { describe, expect, it } from 'vitest';
import {
  ClickHouseException,
  exceptionFromEngine,
  httpStatusOf,
} from '../../../../connectors/clickhouse/clickhouseException.js';

describe('exceptionFromEngine', () => {
  it('keeps the engine’s code and name and picks ClickHouse’s HTTP status', () => {
    const e = exceptionFromEngine(
      new Error("Code: 60. DB::Exception: Unknown table expression identifier 't'. (UNKNOWN_TABLE)"),
    );
    expect(e).toMatchObject({ code: 60, codeName: 'UNKNOWN_TABLE', httpStatus: 404 });
    expect(e.body('26.7.2.1')).toBe(
      "Code: 60. DB::Exception: Unknown table expression identifier 't'. (UNKNOWN_TABLE) (version 26.7.2.1)\n",
    );
  });

  it('shows a nested exception once', () => {
    const nested =
      "Code: 73. DB::Exception: Code: 73. DB::Exception: Unknown format Nope. Maybe you meant: ['One']. (UNKNOWN_FORMAT) (version 26.7.2.1). (UNKNOWN_FORMAT) (version 26.7.2.1)";
    const e = exceptionFromEngine(new Error(nested));
    expect(e.message).toBe(
      "Code: 73. DB::Exception: Unknown format Nope. Maybe you meant: ['One']. (UNKNOWN_FORMAT)",
    );
  });

  it('maps an error without a code to UNKNOWN_EXCEPTION (500)', () => {
    const e = exceptionFromEngine(new Error('boom'));
    expect(e).toBeInstanceOf(ClickHouseException);
    expect(e).toMatchObject({ code: 1002, codeName: 'UNKNOWN_EXCEPTION', httpStatus: 500 });
  });

  it('uses ClickHouse’s status table', () => {
    expect(httpStatusOf('REQUIRED_PASSWORD')).toBe(401);
    expect(httpStatusOf('AUTHENTICATION_FAILED')).toBe(403);
    expect(httpStatusOf('CANNOT_PARSE_INPUT_ASSERTION_FAILED')).toBe(400);
    expect(httpStatusOf('UNKNOWN_DATABASE')).toBe(404);
    expect(httpStatusOf('TIMEOUT_EXCEEDED')).toBe(408);
    expect(httpStatusOf('MEMORY_LIMIT_EXCEEDED')).toBe(500);
  });
});
