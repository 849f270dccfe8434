/**
 * The physics of one asset, shared by the plant simulator (which advances
 * it as ground truth) and the physics risk model (which forward-simulates
 * it under uncertainty). One set of equations, so the twin's model and the
 * plant differ only by what the twin cannot observe (wear, faults) and by
 * parameter uncertainty.
 *
 * Units: temperature °C, load as a fraction of rated (0..1.2), time in
 * seconds, wear dimensionless (0 new, 1 = bearing failure).
 */

const LN2_PER_10C = Math.LN2 / 10;

/** Rated parameters of an asset, from the asset catalogue. */
export interface AssetSpec {
  readonly id: string;
  readonly kind: string;
  readonly site: string;
  readonly line: string;
  readonly ratedPowerKw: number;
  readonly ratedRpm: number;
  readonly ratedPressureBar: number;
  readonly ambientC: number;
  /** Steady-state temperature rise above ambient at rated load with normal cooling. */
  readonly heatRiseAtRatedC: number;
  readonly thermalTimeConstantS: number;
  /** Alarm and trip (failure) temperatures. */
  readonly temperatureAlarmC: number;
  readonly temperatureLimitC: number;
  /** Vibration RMS of a new bearing at rated load, mm/s. */
  readonly baseVibrationMmS: number;
  readonly vibrationAlarmMmS: number;
  /** Wear per hour at rated load and the reference temperature (ambient + heat rise). */
  readonly wearPerHourAtRated: number;
  /** Ideal time per unit at rated load, seconds. */
  readonly idealCycleTimeS: number;
  readonly repairTimeS: number;
  readonly maintenanceTimeS: number;
}

/** What physically drives an asset at a moment; `coolingFactor` < 1 is a cooling loss. */
export interface AssetCondition {
  temperatureC: number;
  wear: number;
  load: number;
  coolingFactor: number;
  /** Multiplies the wear rate; > 1 for an injected bearing defect. */
  wearFactor: number;
}

/** Temperature the asset settles at under `load` and `coolingFactor`. */
export function steadyTemperature(spec: AssetSpec, load: number, coolingFactor: number): number {
  return spec.ambientC + (spec.heatRiseAtRatedC * load * load) / Math.max(coolingFactor, 0.05);
}

/** First-order thermal response, integrated exactly over `dtS` (stable for any step). */
export function nextTemperature(spec: AssetSpec, c: AssetCondition, dtS: number): number {
  const target = steadyTemperature(spec, c.load, c.coolingFactor);
  return target + (c.temperatureC - target) * Math.exp(-dtS / spec.thermalTimeConstantS);
}

/**
 * Wear rate per second: grows with load^1.5 and doubles every 10 °C above
 * the reference temperature (Arrhenius-like), times the defect factor.
 */
export function wearRatePerS(spec: AssetSpec, c: AssetCondition, wearRateScale = 1): number {
  if (c.load <= 0) return 0;
  const reference = spec.ambientC + spec.heatRiseAtRatedC;
  // exp and sqrt rather than 2 ** x and load ** 1.5: the same law, and this is the innermost
  // call of every Monte Carlo step (Math.pow is several times slower in V8).
  const thermal = Math.exp((c.temperatureC - reference) * LN2_PER_10C);
  const load = c.load;
  return ((spec.wearPerHourAtRated * wearRateScale) / 3600) * load * Math.sqrt(load) * thermal * c.wearFactor;
}

/**
 * Cooling effectiveness implied by the thermal balance: the temperature the
 * asset is heading for (from its rate of change over `dtS`, first-order
 * response) against the heat rise its load makes with normal cooling.
 * Clamped to 0.2..1.2; undefined when the rise is too small to say (the
 * asset barely above ambient).
 *
 * @example
 * coolingFromThermalBalance(spec, { temperatureC: 80, previousTemperatureC: 79, dtS: 600, load: 1 }); // ~0.79 (heading for 82 °C)
 */
export function coolingFromThermalBalance(
  spec: AssetSpec,
  r: {
    readonly temperatureC: number;
    readonly previousTemperatureC: number;
    readonly dtS: number;
    readonly load: number;
  },
): number | undefined {
  const heading =
    r.temperatureC + (spec.thermalTimeConstantS * (r.temperatureC - r.previousTemperatureC)) / r.dtS;
  const rise = heading - spec.ambientC;
  if (!(rise > 1)) return undefined;
  return Math.min(1.2, Math.max(0.2, (spec.heatRiseAtRatedC * r.load * r.load) / rise));
}

/** Vibration RMS from wear and load (a worn bearing vibrates more). */
export function vibrationOf(spec: AssetSpec, wear: number, load: number): number {
  return spec.baseVibrationMmS * (1 + 4 * wear * wear) * (0.5 + 0.5 * load);
}

/** Inverse of vibrationOf: the wear a (smoothed) vibration reading implies. */
export function wearFromVibration(spec: AssetSpec, vibrationMmS: number, load: number): number {
  const ratio = vibrationMmS / (spec.baseVibrationMmS * (0.5 + 0.5 * Math.max(load, 0)));
  return Math.sqrt(Math.max(0, ratio - 1) / 4);
}

export function powerOf(spec: AssetSpec, wear: number, load: number): number {
  if (load <= 0) return 0;
  return spec.ratedPowerKw * (0.15 + 0.85 * load) * (1 + 0.2 * wear);
}

/** Units per second at `load` (performance is proportional to load). */
export function unitRate(spec: AssetSpec, load: number): number {
  return load <= 0 ? 0 : load / spec.idealCycleTimeS;
}

/** Share of units rejected: rises once wear passes 0.5. */
export function rejectShare(wear: number): number {
  return 0.01 + 0.1 * Math.max(0, wear - 0.5);
}

export type FailureCause = 'bearing' | 'overheat';

/** Whether the condition is a failure, and of what kind. */
export function failureOf(spec: AssetSpec, c: AssetCondition): FailureCause | undefined {
  if (c.wear >= 1) return 'bearing';
  if (c.temperatureC >= spec.temperatureLimitC) return 'overheat';
  return undefined;
}
