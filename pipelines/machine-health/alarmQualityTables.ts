import type { ClickHouseClient } from '@clickhouse/client';
import type { Catalogue } from '../../connectors/catalogue/catalogue.js';
import type { AlarmQualityReport } from '../../operators/kpi/alarmQuality.js';

/**
 * Writes a run's alarm quality to ClickHouse: one `fault_outcomes` row per
 * physical fault and one `alarm_verdicts` row per alert and dispatch, under
 * the run's name, for `alarm_quality_by_line`. Only a simulated run has the
 * ground truth these need, so only the embedded run writes them.
 *
 * @example
 * await writeAlarmQuality(client, 'twinflow', report.alarmQuality, catalogue, 'embedded, seed 42');
 */
export async function writeAlarmQuality(
  client: ClickHouseClient,
  database: string,
  quality: AlarmQualityReport,
  catalogue: Catalogue,
  run: string,
): Promise<void> {
  const lineOf = new Map(catalogue.assets.map((a) => [a.id, a.line]));
  const line = (assetId: string) => lineOf.get(assetId) ?? '';
  const faults = quality.faultVerdicts.map((f) => ({
    run,
    asset_id: f.assetId,
    line: line(f.assetId),
    kind: f.kind,
    injected_at: f.injectedAt,
    ended_at: f.endedAt,
    ended_by: f.endedBy,
    detected_at: f.detectedAt,
    ttd_s: f.ttdMs === null ? null : f.ttdMs / 1000,
    detected_by: f.detectedBy,
    outcome: f.outcome,
    failure_at: f.failureAt,
    dispatched_at: f.dispatchedAt,
  }));
  const verdicts = [
    ...quality.alertVerdicts.map((a) => ({ ...a, item: 'alert' })),
    ...quality.dispatchVerdicts.map(({ decidedAt, action, ...d }) => ({
      ...d,
      ts: decidedAt,
      kind: action,
      item: 'dispatch',
    })),
  ].map((v) => ({
    run,
    item: v.item,
    item_index: v.index,
    asset_id: v.assetId,
    line: line(v.assetId),
    ts: v.ts,
    kind: v.kind,
    verdict: v.verdict,
    matched_source: v.matchedSource,
    matched_kind: v.matchedKind,
    matched_at: v.matchedAt,
  }));
  if (faults.length > 0) {
    await client.insert({ table: `${database}.fault_outcomes`, values: faults, format: 'JSONEachRow' });
  }
  if (verdicts.length > 0) {
    await client.insert({ table: `${database}.alarm_verdicts`, values: verdicts, format: 'JSONEachRow' });
  }
}
