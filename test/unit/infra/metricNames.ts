/**
 * The Prometheus metrics a twinflow job exports (all prefixed `twinflow_`), as
 * exposed on /metrics: counters with their `_total`, histograms by their base
 * name (Prometheus adds `_bucket`, `_sum` and `_count`). Dashboards and alert
 * rules may reference only these, plus Prometheus' own `up`.
 *
 * @example
 * expect(TWINFLOW_METRICS.has('twinflow_consumer_lag')).toBe(true);
 */
export const TWINFLOW_METRICS: ReadonlySet<string> = new Set([
  'twinflow_records_in_total',
  'twinflow_records_out_total',
  'twinflow_consumer_lag',
  'twinflow_watermark_lag_seconds',
  'twinflow_window_firings_total',
  'twinflow_late_records_dropped_total',
  'twinflow_state_keys',
  'twinflow_state_bytes',
  'twinflow_epoch_commit_seconds',
  'twinflow_epochs_committed_total',
  'twinflow_epoch_aborts_total',
  'twinflow_dead_letters_total',
  'twinflow_scoring_seconds',
  'twinflow_scoring_total',
  'twinflow_clickhouse_sink_seconds',
  'twinflow_clickhouse_rows_total',
  'twinflow_clickhouse_retries_total',
  'twinflow_commands_total',
  'twinflow_state_restore_seconds',
  'twinflow_state_restore_keys',
]);

/** The histograms among {@link TWINFLOW_METRICS}: only they have `_bucket`, `_sum` and `_count` series. */
const HISTOGRAMS: ReadonlySet<string> = new Set([
  'twinflow_epoch_commit_seconds',
  'twinflow_scoring_seconds',
  'twinflow_clickhouse_sink_seconds',
  'twinflow_state_restore_seconds',
]);

/**
 * The twinflow metric names a PromQL expression reads, with a histogram's
 * series suffix (`_bucket`, `_sum`, `_count`) mapped back to its name; a
 * suffix on a metric that is not a histogram is kept, so it fails the lookup.
 *
 * @example
 * metricsIn('histogram_quantile(0.99, rate(twinflow_scoring_seconds_bucket[5m]))'); // ['twinflow_scoring_seconds']
 */
export function metricsIn(expr: string): string[] {
  const names = new Set<string>();
  for (const [name] of expr.matchAll(/\btwinflow_[a-z0-9_]+/g)) {
    const base = name.replace(/_(bucket|sum|count)$/, '');
    names.add(base !== name && HISTOGRAMS.has(base) ? base : name);
  }
  return [...names];
}
