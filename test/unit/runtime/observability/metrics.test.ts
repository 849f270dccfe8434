import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { JobMetrics } from '../../../../runtime/observability/metrics.js';

const NAMES = [
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
];

describe('JobMetrics', () => {
  it('exposes every twinflow metric and the default process metrics in Prometheus text', async () => {
    const text = await new JobMetrics().text();
    for (const name of NAMES) expect(text).toContain(`# TYPE ${name} `);
    expect(text).toContain('# TYPE twinflow_epoch_commit_seconds histogram');
    expect(text).toContain('# TYPE twinflow_consumer_lag gauge');
    expect(text).toContain('# TYPE twinflow_records_in_total counter');
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
  });

  it('records labelled values, and starts every scoring model at zero', async () => {
    const m = new JobMetrics({ defaultLabels: { pipeline: 'machine-health' } });
    m.recordsInTotal.inc({ topic: 'telemetry', partition: 3 }, 5);
    m.consumerLag.set({ topic: 'telemetry', partition: 3 }, 42);
    m.epochAbortsTotal.inc({ reason: 'rebalance' });
    m.epochCommitSeconds.observe(0.02);
    m.scoringTotal.inc({ model: 'surrogate' }, 10);
    m.clickhouseSinkSeconds.observe({ table: 'readings' }, 0.3);
    const text = await m.text();
    expect(text).toContain(
      'twinflow_records_in_total{topic="telemetry",partition="3",pipeline="machine-health"} 5',
    );
    expect(text).toContain(
      'twinflow_consumer_lag{topic="telemetry",partition="3",pipeline="machine-health"} 42',
    );
    expect(text).toContain('twinflow_epoch_aborts_total{reason="rebalance",pipeline="machine-health"} 1');
    expect(text).toContain('twinflow_epoch_commit_seconds_count{pipeline="machine-health"} 1');
    expect(text).toContain('twinflow_scoring_total{model="physics",pipeline="machine-health"} 0');
    expect(text).toContain('twinflow_scoring_total{model="surrogate",pipeline="machine-health"} 10');
    expect(text).toContain('twinflow_scoring_total{model="failsafe",pipeline="machine-health"} 0');
    expect(text).toContain(
      'twinflow_clickhouse_sink_seconds_bucket{le="0.5",pipeline="machine-health",table="readings"} 1',
    );
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });

  it('keeps each instance in its own registry, apart from the global one', async () => {
    const a = new JobMetrics();
    const b = new JobMetrics();
    a.epochsCommittedTotal.inc(3);
    expect(await a.text()).toContain('twinflow_epochs_committed_total 3');
    expect(await b.text()).toContain('twinflow_epochs_committed_total 0');
    expect(await globalRegistry.metrics()).not.toContain('twinflow_');
  });
});
