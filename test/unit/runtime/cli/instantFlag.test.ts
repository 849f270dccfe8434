import { describe, expect, it } from 'vitest';
import { UsageError } from '../../../../runtime/cli/flags.js';
import { instantFlag } from '../../../../runtime/cli/instantFlag.js';

describe('instantFlag', () => {
  it('reads a date as midnight UTC and a time with its zone', () => {
    expect(instantFlag('produce', 'start-time', '2026-12-04')).toBe(Date.UTC(2026, 11, 4));
    expect(instantFlag('produce', 'start-time', '2026-12-04T06:30:15.25+01:00')).toBe(
      Date.UTC(2026, 11, 4, 5, 30, 15, 250),
    );
  });

  it('refuses a time without a zone, naming the command and the flag', () => {
    expect(() => instantFlag('produce', 'start-time', '2026-12-04T06:30')).toThrow(UsageError);
    expect(() => instantFlag('produce', 'start-time', '2026-12-04T06:30')).toThrow(
      /^produce: --start-time must be an ISO 8601 time with a zone, e\.g\. 2026-01-05T06:00Z; "2026-12-04T06:30" has no zone/,
    );
  });
});
