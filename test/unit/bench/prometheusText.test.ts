import { describe, expect, it } from 'vitest';
import { metricValue } from '../../../bench/prometheusText.js';
import { JobMetrics } from '../../../runtime/observability/metrics.js';

const PAGE = `# HELP twinflow_epoch_aborts_total Epochs whose Kafka transaction was aborted, by reason.
# TYPE twinflow_epoch_aborts_total counter
twinflow_epoch_aborts_total{reason="fenced"} 2
twinflow_epoch_aborts_total{reason="restart"} 3
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 312475648
twinflow_consumer_lag{topic="telemetry",partition="1"} 1.5e3
`;

describe('metricValue', () => {
  it('reads a sample without labels', () => {
    expect(metricValue(PAGE, 'process_resident_memory_bytes')).toBe(312_475_648);
  });

  it('picks the sample whose labels include the ones asked for', () => {
    expect(metricValue(PAGE, 'twinflow_epoch_aborts_total', { reason: 'restart' })).toBe(3);
    expect(metricValue(PAGE, 'twinflow_consumer_lag', { partition: '1' })).toBe(1_500);
  });

  it('is undefined for a metric or a label set the page does not have', () => {
    expect(metricValue(PAGE, 'process_resident')).toBeUndefined();
    expect(metricValue(PAGE, 'twinflow_epoch_aborts_total', { reason: 'shutdown' })).toBeUndefined();
  });

  it("finds the heap and RSS the soak samples on a job's own /metrics page", async () => {
    const page = await new JobMetrics().text();
    expect(metricValue(page, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect(metricValue(page, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(metricValue(page, 'twinflow_epochs_committed_total')).toBe(0);
  });
});
