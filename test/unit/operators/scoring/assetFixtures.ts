import type { AssetSpec } from '../../../../operators/scoring/assetPhysics.js';
import type { AssetFeatures } from '../../../../operators/scoring/riskModel.js';

/** A pump as the catalogue might list it: rated 70 °C, trips at 95 °C, 500 h of bearing life at rated load. */
export const pump: AssetSpec = {
  id: 'pump-1',
  kind: 'pump',
  site: 'plant-a',
  line: 'line-1',
  ratedPowerKw: 75,
  ratedRpm: 1480,
  ratedPressureBar: 6,
  ambientC: 25,
  heatRiseAtRatedC: 45,
  thermalTimeConstantS: 1200,
  temperatureAlarmC: 85,
  temperatureLimitC: 95,
  baseVibrationMmS: 1.8,
  vibrationAlarmMmS: 7.1,
  wearPerHourAtRated: 0.002,
  idealCycleTimeS: 2,
  repairTimeS: 4 * 3600,
  maintenanceTimeS: 3600,
};

export function features(over: Partial<AssetFeatures> = {}): AssetFeatures {
  return { temperatureC: 70, wearEstimate: 0.2, load: 1, coolingFactor: 1, ...over };
}
