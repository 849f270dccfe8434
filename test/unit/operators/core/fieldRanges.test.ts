import { describe, expect, it } from 'vitest';
import { fieldRanges } from '../../../../operators/core/fieldRanges.js';

interface Reading {
  name: string;
  temperatureC: number | null;
  count: number;
}

const check = fieldRanges<Reading>({
  temperatureC: { min: -273.15, max: 2_000, nullable: true },
  count: { min: 0, integer: true },
});
const ok: Reading = { name: 'a', temperatureC: 20, count: 3 };

describe('fieldRanges', () => {
  it('accepts values within their ranges, and null where nullable', () => {
    expect(check(ok)).toBeUndefined();
    expect(check({ ...ok, temperatureC: null })).toBeUndefined();
    expect(check({ ...ok, temperatureC: -273.15, count: 0 })).toBeUndefined();
  });

  it.each([
    [{ temperatureC: Number.NaN }, 'temperatureC is NaN, not a finite number'],
    [{ temperatureC: Number.POSITIVE_INFINITY }, 'temperatureC is Infinity, not a finite number'],
    [{ temperatureC: Number.NEGATIVE_INFINITY }, 'temperatureC is -Infinity, not a finite number'],
    [{ temperatureC: -300 }, 'temperatureC is -300, below its minimum -273.15'],
    [{ temperatureC: 2_000.5 }, 'temperatureC is 2000.5, above its maximum 2000'],
    [{ count: -1 }, 'count is -1, below its minimum 0'],
    [{ count: 1.5 }, 'count is 1.5, not a safe integer'],
    [{ count: 2 ** 53 }, `count is ${2 ** 53}, not a safe integer`],
    [{ count: null }, 'count is null, but it is required'],
  ])('refuses %o, naming the field and the value', (change, reason) => {
    expect(check({ ...ok, ...change } as Reading)).toBe(reason);
  });

  it('refuses a range whose minimum is above its maximum at once', () => {
    expect(() => fieldRanges<Reading>({ count: { min: 2, max: 1 } })).toThrow('count has min 2 above max 1');
  });
});
