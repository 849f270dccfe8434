import { CatalogueError } from '../../../../connectors/catalogue/catalogueError.js';
import { parseCatalogue } from '../../../../connectors/catalogue/loadCatalogue.js';

/** The `kinds:` section of the small test catalogues: one pump kind, as the reference catalogue rates it. */
export const PUMP_KIND_YAML = `kinds:
  pump:
    ratedPowerKw: 55
    ratedRpm: 2950
    ratedPressureBar: 6
    heatRiseAtRatedC: 45
    thermalTimeConstantS: 1200
    temperatureAlarmC: 85
    temperatureLimitC: 95
    baseVibrationMmS: 1.8
    vibrationAlarmMmS: 7.1
    wearPerHourAtRated: 0.0005
    idealCycleTimeS: 2
    repairTimeS: 28800
    maintenanceTimeS: 7200
    bounds: { minLoadLimitPct: 50, maxLoadLimitPct: 105, reduceStepPct: 15 }
`;

/** The CatalogueError a catalogue text raises (fails the test when it parses). */
export function problems(text: string): CatalogueError {
  try {
    parseCatalogue(text, 'test.yaml');
  } catch (e) {
    if (e instanceof CatalogueError) return e;
    throw e;
  }
  throw new Error('expected a CatalogueError');
}
