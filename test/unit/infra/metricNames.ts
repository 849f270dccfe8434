import { JobMetrics } from '../../../runtime/observability/metrics.js';

/** What the job registers, read from the job's own metrics: dashboards and rules cannot drift from it. */
const registered = (await new JobMetrics().registry.getMetricsAsJSON()).filter((m) =>
  m.name.startsWith('twinflow_'),
);

/**
 * The Prometheus metrics a twinflow job exports (all prefixed `twinflow_`), as
 * exposed on /metrics: counters with their `_total`, histograms by their base
 * name (Prometheus adds `_bucket`, `_sum` and `_count`). Dashboards and alert
 * rules may reference only these, plus Prometheus' own `up`.
 *
 * @example
 * expect(TWINFLOW_METRICS.has('twinflow_consumer_lag')).toBe(true);
 */
export const TWINFLOW_METRICS: ReadonlySet<string> = new Set(registered.map((m) => m.name));

/** The histograms among {@link TWINFLOW_METRICS}: only they have `_bucket`, `_sum` and `_count` series. */
const HISTOGRAMS: ReadonlySet<string> = new Set(
  registered.filter((m) => String(m.type) === 'histogram').map((m) => m.name),
);

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
