export type { Alert, AlertKind, AlertSeverity } from './control/alert.js';
export { alertIdOf } from './control/alert.js';
export type {
  Action,
  Command,
  CommandSource,
  ModelUsedSymbol,
  RunState,
  Telemetry,
  TwinMode,
  TwinState,
} from './control/contracts.js';
export { ControlConfigError } from './control/controlConfigError.js';
export type { ControlBounds, GuardrailContext, GuardrailVerdict } from './control/guardrails.js';
export { enforceGuardrails, validateBounds } from './control/guardrails.js';
export type {
  AnomalyThresholds,
  Decision,
  DesiredState,
  FailSafeConfig,
  PolicyConfig,
  PolicyInput,
  PolicyMemory,
  SilenceInput,
} from './control/policy.js';
export {
  commandIdOf,
  decide,
  decideOnSilence,
  defaultPolicyConfig,
  initialPolicyMemory,
  isAnomalyActive,
  isModelFailure,
  nextPolicyMemory,
  validatePolicyConfig,
} from './control/policy.js';
export type { ScoredReading } from './control/scoredReading.js';
export { TELEMETRY_RANGES, telemetryCheck } from './control/telemetryCheck.js';
export type {
  AlertEpisodes,
  PendingCommand,
  TwinControllerDeps,
  TwinControllerState,
  TwinOutput,
} from './control/twinController.js';
export { twinController } from './control/twinController.js';
export type {
  Barrier,
  EventTime,
  SourcePosition,
  StreamElement,
  StreamRecord,
  Watermark,
} from './core/element.js';
export { barrier, isRecord, record, watermark } from './core/element.js';
export type { ElementHandlers, Emitter } from './core/elementOperator.js';
export { elementOperator } from './core/elementOperator.js';
export type { FieldRange, ValueCheck } from './core/fieldRanges.js';
export { fieldRanges } from './core/fieldRanges.js';
export { keyBy } from './core/keyBy.js';
export type { MapAsyncOptions } from './core/mapAsync.js';
export { mapAsync } from './core/mapAsync.js';
export type { MapAsyncBatchOptions } from './core/mapAsyncBatch.js';
export { MapAsyncError, mapAsyncBatch } from './core/mapAsyncBatch.js';
export { mapRecords } from './core/mapRecords.js';
export { type EpochSinks, throughSinks } from './core/throughSinks.js';
export { values } from './core/values.js';
export type {
  AlarmQualityInput,
  AlarmQualityOptions,
  AlarmQualityReport,
  AlertCounts,
  AlertVerdict,
  AlertVerdictKind,
  DispatchAction,
  DispatchCounts,
  DispatchVerdict,
  FaultOutcome,
  GroundTruthMatch,
  PhysicalFaultCounts,
  PhysicalFaultKind,
  PhysicalFaultVerdict,
  ScoredAlert,
  ScoredCommand,
  SensorFaultCounts,
  SensorFaultKind,
  TruthFailure,
  TruthFault,
  TruthFaultKind,
} from './kpi/alarmQuality.js';
export {
  AlarmQualityInputError,
  DEFAULT_ALARM_QUALITY_OPTIONS,
  scoreAlarmQuality,
} from './kpi/alarmQuality.js';
export type { KpiAccumulator, KpiMinute } from './kpi/kpiAggregator.js';
export { kpiAggregator, kpiOf } from './kpi/kpiAggregator.js';
export type { LineKpi, LineRollupAccumulator } from './kpi/lineRollup.js';
export { lineRollup, rollupLine } from './kpi/lineRollup.js';
export type { Detection, FaultDetection, InjectedFault, MttdOptions, MttdReport } from './kpi/mttd.js';
export { MttdInputError, timeToDetect } from './kpi/mttd.js';
export type {
  AnomalyDetectorOptions,
  AnomalySignal,
  AnomalyState,
  SignalAnomalyState,
} from './scoring/anomalyDetector.js';
export { ANOMALY_SIGNALS, detectAnomaly, initialAnomalyState } from './scoring/anomalyDetector.js';
export type { AssetCondition, AssetSpec, FailureCause } from './scoring/assetPhysics.js';
export { coolingFromThermalBalance } from './scoring/assetPhysics.js';
export type { CusumOptions, CusumState } from './scoring/cusum.js';
export { cusumInit, cusumUpdate } from './scoring/cusum.js';
export type { EwmaZOptions, EwmaZState } from './scoring/ewmaZScore.js';
export { ewmaZInit, ewmaZUpdate } from './scoring/ewmaZScore.js';
export type { HybridCounters, HybridRiskModel, HybridRiskOptions } from './scoring/hybridRiskModel.js';
export { hybridRiskModel } from './scoring/hybridRiskModel.js';
export type { PhysicsRiskModel, PhysicsRiskOptions, SampleOutcomes } from './scoring/physicsRiskModel.js';
export { PhysicsInputError, physicsRiskModel } from './scoring/physicsRiskModel.js';
export type {
  AnomalyScore,
  AssetFeatures,
  ModelUsed,
  RiskAssessment,
  RiskModel,
} from './scoring/riskModel.js';
export { Mulberry32, normalSource, uniformSource } from './scoring/seededRandom.js';
export { hashString, mixHash, unitHash } from './scoring/stableHash.js';
export type { FeatureEnvelope, SurrogateFeatureName } from './scoring/surrogateFeatures.js';
export {
  SURROGATE_FEATURE_COUNT,
  SURROGATE_FEATURE_NAMES,
  writeSurrogateFeatures,
} from './scoring/surrogateFeatures.js';
export type { SurrogateMetadata, SurrogateRiskModel } from './scoring/surrogateMetadata.js';
export { SurrogateContractError } from './scoring/surrogateMetadata.js';
export type { WhatIfAnswer, WhatIfChange, WhatIfOutcome, WhatIfQuestion } from './scoring/whatIf.js';
export { WHAT_IF_LIMITS, WhatIfInputError, whatIf } from './scoring/whatIf.js';
export { parseHorizonHours, parseWhatIfSettings, WHAT_IF_SETTINGS } from './scoring/whatIfInput.js';
export type {
  KeyedContext,
  KeyedProcessFunction,
  ProcessKeyedOptions,
  TimeDomain,
} from './state/processKeyed.js';
export { MissingKeyError, processKeyed } from './state/processKeyed.js';
export type { OperatorSnapshot, SnapshotStore, StatefulOptions } from './state/snapshots.js';
export { InMemorySnapshotStore } from './state/snapshots.js';
export { InvalidEventTimeError } from './time/eventTimeOf.js';
export type { MergeWatermarksOptions } from './time/mergeWatermarks.js';
export { mergeWatermarks } from './time/mergeWatermarks.js';
export type { WatermarkGenerator, WatermarkStrategy } from './time/watermarkStrategy.js';
export { boundedOutOfOrderness } from './time/watermarkStrategy.js';
export { withEventTime } from './time/withEventTime.js';
export type { PartitionedEventTimeOptions } from './time/withPartitionedEventTime.js';
export { withPartitionedEventTime } from './time/withPartitionedEventTime.js';
export { aggregate } from './windows/aggregators/aggregate.js';
export type { Aggregator, AggregatorResult } from './windows/aggregators/aggregator.js';
export { count } from './windows/aggregators/count.js';
export { max, min } from './windows/aggregators/minMax.js';
export type { QuantileOptions } from './windows/aggregators/quantiles.js';
export { quantiles } from './windows/aggregators/quantiles.js';
export type { MomentsAccumulator, Stats } from './windows/aggregators/stats.js';
export { mean, stats } from './windows/aggregators/stats.js';
export { sum } from './windows/aggregators/sum.js';
export type {
  AlignedWindowAssigner,
  SessionWindowAssigner,
  WindowAssigner,
} from './windows/assigners.js';
export { session, sliding, tumbling } from './windows/assigners.js';
export type { LateOutput, WindowOptions, WindowResult } from './windows/windowAggregate.js';
export { windowAggregate } from './windows/windowAggregate.js';
