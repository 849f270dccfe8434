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

/**
 * A flag listing seeds, e.g. `--seeds 42,1,2,3`: non-negative integers,
 * comma-separated, or `fallback` when absent. Runs over several seeds show
 * whether a result holds beyond the one it was tuned on.
 *
 * @example
 * seedList('seeds', '42,1,2,3', [1]); // [42, 1, 2, 3]
 */
export function seedList(flag: string, raw: string | undefined, fallback: readonly number[]): number[] {
  if (raw === undefined) return [...fallback];
  const parts = raw.split(',').map((p) => p.trim());
  const seeds = parts.map(Number);
  if (parts.some((p) => p === '') || seeds.some((n) => !Number.isSafeInteger(n) || n < 0))
    throw new UsageError(`--${flag} must be comma-separated non-negative integers, got "${raw}"`);
  return seeds;
}

/**
 * A TCP port flag: 0-65535 (0 asks the system for a free one).
 *
 * @example
 * tcpPort('port', '18123', 0); // 18123
 */
export function tcpPort(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65535) {
    throw new UsageError(`--${flag} must be a TCP port (0-65535), got "${raw}"`);
  }
  return port;
}

/**
 * Refuses other flags beside `--config`: a run on the real stack takes
 * everything from its config file, so a flag beside it would be silently
 * ignored.
 *
 * @example
 * configAlone({ config: 'job.yaml', days: '2' }); // throws: drop --days
 */
export function configAlone(values: Readonly<Record<string, unknown>>): void {
  const others = Object.keys(values).filter((k) => k !== 'config' && values[k] !== undefined);
  if (others.length > 0) {
    throw new UsageError(
      `--config takes everything from the config file; drop ${others.map((k) => `--${k}`).join(', ')}`,
    );
  }
}
