/**
 * `twinflow/runtime`: running a job. The exactly-once Kafka runtime, job
 * config loaded and validated once at the edge, and the observability every
 * job shares (logger, Prometheus metrics, health endpoints, metrics sampler).
 * The Kafka client is loaded on first use, so importing this needs neither
 * it nor a broker.
 *
 * @example
 * import { ExactlyOnceJob, loadJobConfig, JobMetrics, startHealthServer } from 'twinflow/runtime';
 */
export * from './config/jobConfig.js';
export type { ExactlyOnceJobOptions, JobEvent, JobInputStats } from './exactlyOnce/exactlyOnceJob.js';
export { EpochNotCommittedError, ExactlyOnceJob, JobFailedError } from './exactlyOnce/exactlyOnceJob.js';
export type { HealthServer, HealthServerOptions, Readiness } from './observability/healthServer.js';
export { HealthServerError, startHealthServer } from './observability/healthServer.js';
export type { LogPosition } from './observability/logger.js';
export { childFor, createLogger, REDACT_PATHS } from './observability/logger.js';
export type { ScoringModel } from './observability/metrics.js';
export { JobMetrics } from './observability/metrics.js';
export type { MetricsSamplerOptions } from './observability/metricsSampler.js';
export { startMetricsSampler } from './observability/metricsSampler.js';
