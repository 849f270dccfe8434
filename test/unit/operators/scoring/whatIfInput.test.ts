import { describe, expect, it } from 'vitest';
import { WhatIfInputError } from '../../../../operators/scoring/whatIf.js';
import { parseHorizonHours, parseWhatIfSettings } from '../../../../operators/scoring/whatIfInput.js';

describe('parseWhatIfSettings', () => {
  it('reads load as a fraction or a percentage, and cooling (or coolant)', () => {
    expect(parseWhatIfSettings(['load=0.6'])).toEqual({ load: 0.6 });
    expect(parseWhatIfSettings(['load=60%'])).toEqual({ load: 0.6 });
    expect(parseWhatIfSettings(['load=0.6', 'cooling=0.8'])).toEqual({ load: 0.6, coolingFactor: 0.8 });
    expect(parseWhatIfSettings(['coolant=0.9'])).toEqual({ coolingFactor: 0.9 });
    expect(parseWhatIfSettings([])).toEqual({});
  });

  it('refuses an unknown key naming the valid ones, a non-number, a repeat and a missing "="', () => {
    expect(() => parseWhatIfSettings(['speed=2'])).toThrow(
      /unknown setting "speed"; valid: load .*, cooling /,
    );
    expect(() => parseWhatIfSettings(['load=fast'])).toThrow(/load must be a number, got "fast"/);
    expect(() => parseWhatIfSettings(['load='])).toThrow(/load must be a number/);
    expect(() => parseWhatIfSettings(['cooling=1', 'coolant=0.5'])).toThrow(/cooling is set twice/);
    expect(() => parseWhatIfSettings(['load'])).toThrow(WhatIfInputError);
  });
});

describe('parseHorizonHours', () => {
  it('reads s, m, h and d, and a bare number as hours', () => {
    expect(parseHorizonHours('6h')).toBe(6);
    expect(parseHorizonHours('90m')).toBe(1.5);
    expect(parseHorizonHours('2d')).toBe(48);
    expect(parseHorizonHours('1800s')).toBe(0.5);
    expect(parseHorizonHours('12')).toBe(12);
  });

  it('refuses a negative or zero horizon and anything that is not a duration', () => {
    expect(() => parseHorizonHours('-1h')).toThrow(/horizon must be positive/);
    expect(() => parseHorizonHours('0h')).toThrow(/horizon must be positive/);
    expect(() => parseHorizonHours('6 hours')).toThrow(/not a duration/);
    expect(() => parseHorizonHours('')).toThrow(/not a duration/);
  });
});
