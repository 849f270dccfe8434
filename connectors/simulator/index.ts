/** The plant simulator: seeded asset physics, injectable faults, and the control system commands act on. */
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
