/**
 * `twinflow/simulator`: the plant simulator (seeded asset physics,
 * injectable faults, the control system commands act on), its demand
 * profile, and the asset catalogue it simulates.
 *
 * @example
 * import { loadCatalogue, PlantSimulator, simulateTelemetry } from 'twinflow/simulator';
 */
export * from '../catalogue/index.js';
export { demandAt, inShift } from './demandProfile.js';
export type { FaultKind, FaultPlan, FaultSpec, RandomFaults } from './faultPlan.js';
export { FAULT_KINDS } from './faultPlan.js';
export type {
  AssetTruth,
  CommandEffect,
  CommandReason,
  FailureRecord,
  FaultRecord,
  GroundTruth,
  StateChange,
} from './groundTruth.js';
export type { PlantSimulatorOptions, PlantSnapshot, TrueCondition } from './plantSimulator.js';
export { PlantSimulator, PlantSimulatorError } from './plantSimulator.js';
export type { SimulateTelemetryOptions } from './simulateTelemetry.js';
export { simulateTelemetry } from './simulateTelemetry.js';
