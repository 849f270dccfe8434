/**
 * Faults the simulator can inject, and the plan that says when.
 *
 * - `bearing-defect`: multiplies the wear rate by 50 + 150·severity (50–200),
 *   so the asset fails within hours to a day or two of simulated time.
 *   Lasts until maintenance or repair unless `durationS` is given.
 * - `cooling-loss`: cooling effectiveness drops to 1 − 0.5·severity (down to
 *   0.5) for `durationS` (default 4 h), or until maintenance or repair.
 * - `sensor-dropout`: temperature and vibration read null (default 30 min).
 * - `stuck-sensor`: temperature and vibration repeat the last reported values (default 1 h).
 * - `spike`: a wild temperature or vibration value: one reading when
 *   `durationS` is 0 (the default), else a burst where about one reading in
 *   five is wild. Size grows with severity.
 */
export type FaultKind = 'bearing-defect' | 'cooling-loss' | 'sensor-dropout' | 'stuck-sensor' | 'spike';

/**
 * Every fault kind, in a fixed order (used to derive per-kind seeds).
 *
 * @example
 * FAULT_KINDS.includes('spike'); // true
 */
export const FAULT_KINDS: readonly FaultKind[] = [
  'bearing-defect',
  'cooling-loss',
  'sensor-dropout',
  'stuck-sensor',
  'spike',
];

/**
 * One fault to inject: on `assetId` at simulated time `at` (epoch ms).
 *
 * @example
 * const f: FaultSpec = { assetId: 'pump-001', kind: 'bearing-defect', at: start + 3_600_000, severity: 0.5 };
 */
export interface FaultSpec {
  readonly assetId: string;
  readonly kind: FaultKind;
  readonly at: number;
  /** How long it lasts; defaults per kind (see FaultKind). */
  readonly durationS?: number;
  /** 0..1, default 0.5. */
  readonly severity?: number;
}

/**
 * Seeded random faults: a Poisson process per asset and kind at the given
 * rate (expected faults per asset per simulated day), severity uniform in
 * `severity` (default 0.3..1). Draws depend only on the seed, the asset id,
 * the kind and the occurrence number, so a run with the twin and a baseline
 * run without it get the same faults.
 *
 * @example
 * const random: RandomFaults = { perAssetDay: { 'bearing-defect': 0.02, 'sensor-dropout': 0.2 } };
 */
export interface RandomFaults {
  readonly perAssetDay: Partial<Record<FaultKind, number>>;
  readonly severity?: { readonly min: number; readonly max: number };
}

/**
 * When faults happen: an explicit list, seeded random faults, or both.
 *
 * @example
 * const plan: FaultPlan = {
 *   faults: [{ assetId: 'pump-003', kind: 'cooling-loss', at: start + 7_200_000, durationS: 6 * 3600 }],
 *   random: { perAssetDay: { spike: 1 } },
 * };
 */
export interface FaultPlan {
  readonly faults?: readonly FaultSpec[];
  readonly random?: RandomFaults;
}

/**
 * Default duration of a fault in seconds; `undefined` means until
 * maintenance or repair clears it.
 *
 * @example
 * defaultDurationS('cooling-loss'); // 14400
 */
export function defaultDurationS(kind: FaultKind): number | undefined {
  switch (kind) {
    case 'bearing-defect':
      return undefined;
    case 'cooling-loss':
      return 4 * 3600;
    case 'sensor-dropout':
      return 30 * 60;
    case 'stuck-sensor':
      return 3600;
    case 'spike':
      return 0;
  }
}

/**
 * Wear-rate multiplier of a bearing defect of `severity` (0..1).
 *
 * @example
 * bearingWearFactor(0.5); // 125
 */
export function bearingWearFactor(severity: number): number {
  return 50 + 150 * severity;
}

/**
 * Cooling effectiveness left after a cooling loss of `severity` (0..1).
 *
 * @example
 * coolingFactorAfterLoss(0.8); // 0.6
 */
export function coolingFactorAfterLoss(severity: number): number {
  return 1 - 0.5 * severity;
}
