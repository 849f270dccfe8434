/**
 * Why a decoded value cannot be accepted, naming the field and the value
 * at fault; undefined when it can. Sources send a refused value to the
 * dead-letter output with this reason, so it never reaches keyed state,
 * windows or a sink whose columns could not hold it.
 *
 * @example
 * const check: ValueCheck<{ rpm: number }> = (v) => (v.rpm < 0 ? `rpm is ${v.rpm}, below 0` : undefined);
 */
export type ValueCheck<T> = (value: T) => string | undefined;

/**
 * The values a numeric field may hold: a finite number (NaN and ±Infinity
 * are never accepted) within `[min, max]`, an integer when `integer` (safe
 * below 2^53, what a 64-bit counter decodes to), and null only when
 * `nullable`.
 *
 * @example
 * const counter: FieldRange = { min: 0, integer: true };
 */
export interface FieldRange {
  readonly min?: number;
  readonly max?: number;
  readonly integer?: boolean;
  readonly nullable?: boolean;
}

type NumericFields<T> = {
  [K in keyof T]-?: T[K] extends number | null | undefined ? K : never;
}[keyof T];

/**
 * A ValueCheck from the ranges of a record's numeric fields: the first
 * field out of its range is named with its value and the range.
 *
 * @example
 * const check = fieldRanges<Reading>({ temperatureC: { min: -273.15, max: 2_000, nullable: true }, count: { min: 0, integer: true } });
 * check({ temperatureC: Number.NaN, count: 3 }); // 'temperatureC is NaN, not a finite number'
 */
export function fieldRanges<T>(ranges: { readonly [K in NumericFields<T>]?: FieldRange }): ValueCheck<T> {
  const checks = Object.entries(ranges as Record<string, FieldRange>).map(([field, range]) => {
    const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY } = range;
    if (min > max) throw new RangeError(`fieldRanges: ${field} has min ${min} above max ${max}`);
    return { field, range, min, max };
  });
  return (value) => {
    const fields = value as Record<string, unknown>;
    for (const { field, range, min, max } of checks) {
      const v = fields[field];
      if (v === null || v === undefined) {
        if (range.nullable) continue;
        return `${field} is ${v}, but it is required`;
      }
      if (typeof v !== 'number' || !Number.isFinite(v))
        return `${field} is ${String(v)}, not a finite number`;
      if (range.integer && !Number.isSafeInteger(v)) return `${field} is ${v}, not a safe integer`;
      if (v < min) return `${field} is ${v}, below its minimum ${min}`;
      if (v > max) return `${field} is ${v}, above its maximum ${max}`;
    }
    return undefined;
  };
}
