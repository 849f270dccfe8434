/** A command line that cannot be run; the CLI prints its message with the usage hint and exits 2. */
export class UsageError extends Error {
  override readonly name: string = 'UsageError';
}

/**
 * A flag that must be a positive integer, or `fallback` when absent.
 *
 * @example
 * positiveInteger('assets', values.assets, 100); // throws UsageError for "--assets many"
 */
export function positiveInteger(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new UsageError(`--${flag} must be a positive integer, got "${raw}"`);
  return n;
}

/**
 * A flag that must be a positive number, or `fallback` when absent.
 *
 * @example
 * positiveNumber('days', values.days, 2); // 0.5 is fine, "-1" is not
 */
export function positiveNumber(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new UsageError(`--${flag} must be a positive number, got "${raw}"`);
  return n;
}
