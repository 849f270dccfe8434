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
export { values } from './core/values.js';
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
