/**
 * Raised when control configuration (policy thresholds, an asset's load
 * bounds) is inconsistent. Not retriable: the configuration must change.
 *
 * @example
 * throw new ControlConfigError('policy.restoreBelow', 0.5, 'must be below reduceAt (0.3)');
 */
export class ControlConfigError extends Error {
  readonly retriable = false;

  constructor(
    /** Which setting is at fault, e.g. "bounds of pump-1.minLoadLimitPct". */
    readonly field: string,
    readonly value: unknown,
    rule: string,
    options?: { cause?: unknown },
  ) {
    super(`${field} = ${String(value)}: ${rule}`, options);
    this.name = 'ControlConfigError';
  }
}
