import { type WhatIfChange, WhatIfInputError } from './whatIf.js';

/** The settings a what-if can change, as typed (`--set load=0.6`, `?load=0.6`), with what each means. */
export const WHAT_IF_SETTINGS = {
  load: 'fraction of rated load 0..1.2, or a percentage like 60%',
  cooling: 'cooling effectiveness, 1 = normal; alias coolant',
} as const;

const ALIASES: Readonly<Record<string, keyof typeof WHAT_IF_SETTINGS>> = {
  load: 'load',
  cooling: 'cooling',
  coolant: 'cooling',
};

/**
 * The change a list of `key=value` settings asks for. A load may be a
 * fraction (0.6) or a percentage (60%). Throws {@link WhatIfInputError} for
 * an unknown key (naming the valid ones), a value that is not a number, or
 * a key given twice.
 *
 * @example
 * parseWhatIfSettings(['load=0.6', 'cooling=0.8']); // { load: 0.6, coolingFactor: 0.8 }
 * parseWhatIfSettings(['load=60%']);                // { load: 0.6 }
 * parseWhatIfSettings(['speed=2']);                 // throws: unknown setting "speed"; valid: load, cooling
 */
export function parseWhatIfSettings(settings: readonly string[]): WhatIfChange {
  const out: { load?: number; coolingFactor?: number } = {};
  for (const setting of settings) {
    const eq = setting.indexOf('=');
    if (eq <= 0) {
      throw new WhatIfInputError(
        `setting "${setting}" is not key=value (e.g. load=0.6); valid keys: ${validKeys()}`,
        'change',
      );
    }
    const rawKey = setting.slice(0, eq).trim().toLowerCase();
    const key = ALIASES[rawKey];
    if (key === undefined) {
      throw new WhatIfInputError(`unknown setting "${rawKey}"; valid: ${validKeys()}`, rawKey);
    }
    const value = setting.slice(eq + 1).trim();
    const field = key === 'load' ? 'load' : 'coolingFactor';
    if (out[field] !== undefined) throw new WhatIfInputError(`${key} is set twice`, key);
    out[field] = key === 'load' ? loadValue(value) : numberValue(key, value);
  }
  return out;
}

/**
 * A horizon as typed: a number with a unit s, m, h or d (`6h`, `90m`, `2d`);
 * a bare number is hours. Throws {@link WhatIfInputError} for anything
 * else, and for a horizon that is not positive.
 *
 * @example
 * parseHorizonHours('6h');  // 6
 * parseHorizonHours('90m'); // 1.5
 * parseHorizonHours('-1h'); // throws: horizon must be positive
 */
export function parseHorizonHours(text: string): number {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*([smhd]?)\s*$/i.exec(text);
  if (m === null) {
    throw new WhatIfInputError(`horizon "${text}" is not a duration like 6h, 90m or 2d`, 'horizon');
  }
  const value = Number(m[1]);
  const perHour: Record<string, number> = { s: 1 / 3600, m: 1 / 60, h: 1, d: 24, '': 1 };
  const hours = value * (perHour[(m[2] as string).toLowerCase()] as number);
  if (!(hours > 0)) throw new WhatIfInputError(`horizon must be positive, got "${text}"`, 'horizon');
  return hours;
}

function loadValue(value: string): number {
  if (value.endsWith('%')) return numberValue('load', value.slice(0, -1)) / 100;
  return numberValue('load', value);
}

function numberValue(key: string, value: string): number {
  const n = value === '' ? Number.NaN : Number(value);
  if (!Number.isFinite(n)) throw new WhatIfInputError(`${key} must be a number, got "${value}"`, key);
  return n;
}

function validKeys(): string {
  return Object.entries(WHAT_IF_SETTINGS)
    .map(([k, what]) => `${k} (${what})`)
    .join(', ');
}
