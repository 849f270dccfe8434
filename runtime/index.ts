/**
 * `twinflow/runtime`: running a job. The embedded mode (a closed-loop
 * source in this process, the embedded ClickHouse), the exactly-once Kafka runtime, job
 * config loaded and validated once at the edge, and the observability every
 * job shares (logger, Prometheus metrics, health endpoints, metrics sampler),
 * the job definition and registry the CLI runs jobs through, and the launcher
 * that runs any job as a production process.
 * The Kafka client is loaded on first use, so importing this needs neither
 * it nor a broker.
 *
 * @example
 * import { ExactlyOnceJob, loadJobConfig, JobMetrics, startHealthServer } from 'twinflow/runtime';
 */

export type { CommandIo } from './cli/commandIo.js';
export { processIo } from './cli/commandIo.js';
export { configAlone, positiveInteger, positiveNumber, seedList, tcpPort, UsageError } from './cli/flags.js';
export * from './config/jobConfig.js';
export { secretRefSchema } from './config/jobConfigSchema.js';
export type { EmbeddedClickHouse, EmbeddedClickHouseOptions } from './embedded/embeddedClickHouse.js';
export { startEmbeddedClickHouse } from './embedded/embeddedClickHouse.js';
export type {
  ClosedLoopSource,
  EmbeddedProgress,
  EmbeddedRunOptions,
  EmbeddedRunResult,
} from './embedded/runEmbedded.js';
export { runEmbedded } from './embedded/runEmbedded.js';
export type { ExactlyOnceJobOptions, JobEvent, JobInputStats } from './exactlyOnce/exactlyOnceJob.js';
export { EpochNotCommittedError, ExactlyOnceJob, JobFailedError } from './exactlyOnce/exactlyOnceJob.js';
export type { JobOnKafka, KafkaPlacement } from './exactlyOnce/exactlyOnceJobFor.js';
export { exactlyOnceJobFor } from './exactlyOnce/exactlyOnceJobFor.js';
export type { DeadLetter } from './job/inputRefusal.js';
export { inputRefusal } from './job/inputRefusal.js';
export type { JobCommand, JobDefinition } from './job/jobDefinition.js';
export { defineJob, jobDefinitionProblem } from './job/jobDefinition.js';
export type { JobEntry } from './job/jobRegistry.js';
export { JobModuleError, JobRegistry, loadJobModule, UnknownJobError } from './job/jobRegistry.js';
export type {
  GraphContext,
  InputContract,
  KafkaOutput,
  OutputMessage,
  StreamingJob,
} from './job/streamingJob.js';
export { lateTo } from './job/streamingJob.js';
export { kafkaClientOptionsOf } from './launcher/kafkaClientOptionsOf.js';
export { kafkaPlacementOf } from './launcher/kafkaPlacementOf.js';
export type { LaunchContext, LaunchedJob, RunnableJob } from './launcher/launchJob.js';
export { launchJob } from './launcher/launchJob.js';
export type { JobOnKafkaBuild } from './launcher/runOnKafka.js';
export { runOnKafka } from './launcher/runOnKafka.js';
export type {
  LiveView,
  LiveViewDocument,
  LiveViewSnapshot,
  ViewColumn,
  ViewColumnKind,
  ViewSection,
  ViewTone,
  ViewValue,
} from './liveView/liveView.js';
export { LIVE_VIEW_API } from './liveView/liveView.js';
export type { HttpRoutes, LiveViewRoutesOptions } from './liveView/liveViewRoutes.js';
export { LIVE_VIEW_PATHS, liveViewRoutes } from './liveView/liveViewRoutes.js';
export { serveLiveView } from './liveView/serveLiveView.js';
export type { HealthServer, HealthServerOptions, Readiness } from './observability/healthServer.js';
export { HealthServerError, startHealthServer } from './observability/healthServer.js';
export type { LogPosition } from './observability/logger.js';
export { childFor, createLogger, REDACT_PATHS } from './observability/logger.js';
export type { ScoringModel } from './observability/metrics.js';
export { JobMetrics } from './observability/metrics.js';
export type { MetricsSamplerOptions } from './observability/metricsSampler.js';
export { startMetricsSampler } from './observability/metricsSampler.js';
export type { ReplayStage } from './replay/replayError.js';
export { ReplayError } from './replay/replayError.js';
export type { ReplayJobOptions, ReplayJobProgress, ReplayJobReport } from './replay/replayJob.js';
export { replayJob } from './replay/replayJob.js';
export type { PartitionMarks, ReplayRange, ReplayStart } from './replay/replayRanges.js';
export { closingWatermark, replayRanges } from './replay/replayRanges.js';
