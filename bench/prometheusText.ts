/**
 * Reading one value out of a /metrics page (Prometheus text exposition
 * format), as the soak samples the job it runs: heap, RSS, restarts.
 */

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * The value of the first sample of `name` whose labels include `labels`
 * (every one given, others ignored); undefined when the page has none.
 *
 * @example
 * metricValue('process_resident_memory_bytes 3.1e8\n', 'process_resident_memory_bytes'); // 310000000
 * metricValue(page, 'twinflow_epoch_aborts_total', { reason: 'restart' }); // 0
 */
export function metricValue(
  text: string,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const sample = SAMPLE_LINE.exec(line);
    if (sample === null || sample[1] !== name) continue;
    const found = new Map<string, string>();
    for (const [, label, value] of (sample[2] ?? '').matchAll(LABEL)) found.set(label, value);
    if (Object.entries(labels).every(([label, value]) => found.get(label) === value))
      return Number(sample[3]);
  }
  return undefined;
}
