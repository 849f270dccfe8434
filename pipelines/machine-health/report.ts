import { basename } from 'node:path';
import type { AlarmQualityReport } from '../../operators/kpi/alarmQuality.js';
import type { EmbeddedRunReport } from './embeddedJob.js';
import { COST_ROWS } from './plantCosts.js';
import type { PlantKpis } from './plantKpis.js';

const n0 = (x: number) => Math.round(x).toLocaleString('en');
const n1 = (x: number) => x.toLocaleString('en', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

interface Row {
  readonly label: string;
  readonly of: (k: PlantKpis) => number;
  readonly format: (x: number) => string;
  /** Whether more is better, for the verdict column. */
  readonly higherIsBetter: boolean;
}

const ROWS: Row[] = [
  { label: 'failures', of: (k) => k.failures, format: n0, higherIsBetter: false },
  { label: 'unplanned downtime (h)', of: (k) => k.unplannedDowntimeH, format: n1, higherIsBetter: false },
  { label: 'planned downtime (h)', of: (k) => k.plannedDowntimeH, format: n1, higherIsBetter: false },
  { label: 'availability', of: (k) => k.availability, format: pct, higherIsBetter: true },
  { label: 'performance', of: (k) => k.performance, format: pct, higherIsBetter: true },
  { label: 'quality', of: (k) => k.quality, format: pct, higherIsBetter: true },
  { label: 'OEE', of: (k) => k.oee, format: pct, higherIsBetter: true },
  { label: 'good units', of: (k) => k.goodUnits, format: n0, higherIsBetter: true },
  { label: 'energy (kWh)', of: (k) => k.energyKwh, format: n0, higherIsBetter: false },
  {
    label: 'energy per good unit (Wh)',
    of: (k) => k.energyPerUnitKwh * 1000,
    format: (x) => x.toFixed(2),
    higherIsBetter: false,
  },
];

function alignColumns(table: readonly (readonly string[])[]): string[] {
  const widths = table[0].map((_, i) => Math.max(...table.map((c) => (c[i] ?? '').length)));
  return table.map(
    (cells) =>
      `  ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   ')}`,
  );
}

const ratio = (x: number | null) => (x === null ? 'n/a' : pct(x));
const minutes = (ms: number | null) => (ms === null ? 'n/a' : `${(ms / 60_000).toFixed(0)} min`);

/** The twin's alerts and dispatches against ground truth (definitions: operators/kpi/alarmQuality.ts, README). */
function formatAlarmQuality(q: AlarmQualityReport): string[] {
  const a = q.alerts;
  const d = q.dispatches;
  const by = q.dispatchesByAction;
  return [
    `injected bearing defects and cooling losses: ${q.physicalFaults}, detected ${q.detected} (recall ${ratio(q.recall)}), time to detect mean ${minutes(q.mttdMs)}, p90 ${minutes(q.p90TtdMs)}`,
    `  outcomes: ${q.prevented} prevented, ${q.failed} failed, ${q.ranOut} ran out before anything was due (failures prevented ${ratio(q.failuresPreventedRatio)})`,
    `  alerts: precision ${ratio(a.precision)} (${a.truePositive} true, ${a.falsePositive} false, ${a.sensorArtefact} sensor artefacts; ${a.commandChannel} about the command channel, not counted)`,
    `  dispatches: precision ${ratio(d.precision)} (technician ${ratio(by.DISPATCH_TECHNICIAN.precision)} of ${by.DISPATCH_TECHNICIAN.count}, maintenance ${ratio(by.SCHEDULE_MAINTENANCE.precision)} of ${by.SCHEDULE_MAINTENANCE.count}), recall ${ratio(q.dispatchRecall)}, false dispatches per asset-day ${q.falseDispatchesPerAssetDay === null ? 'n/a' : q.falseDispatchesPerAssetDay.toFixed(3)}`,
  ];
}

/** Baseline vs twin in money, by the catalogue's cost table, and the twin's net saving. */
function formatCosts(r: EmbeddedRunReport): string[] {
  const { baseline, twin, savings } = r.costs;
  const money = (x: number) => `${x < 0 ? '−' : ''}${n0(Math.abs(x))}`;
  const head = [
    `cost (${baseline.currency})`,
    'baseline (no twin)',
    twin ? 'with twinflow' : '',
    twin ? 'saved' : '',
  ];
  const table: string[][] = [head];
  for (const row of COST_ROWS) {
    const cells = [row.label, money(baseline.cost[row.item])];
    if (twin && savings) cells.push(money(twin.cost[row.item]), money(savings.saved[row.item]));
    table.push(cells);
  }
  const out = ['', ...alignColumns(table)];
  if (twin && savings) {
    out.push(
      `  production: ${money(twin.facts.goodUnits - baseline.facts.goodUnits)} good units vs baseline, worth ${money(savings.productionValue)} ${savings.currency} at the margin per unit`,
    );
    out.push(
      `  net saving: ${money(savings.net)} ${savings.currency} over ${r.days} day(s) = ${money(savings.netPerDay)} per day, ${n1(savings.netPerAssetDay)} per asset-day (rates: the costs in ${basename(r.catalogue.source)}, assumptions, not measurements)`,
    );
  }
  return out;
}

/**
 * The closing report of an embedded run: baseline vs twin on the same
 * seeded plant, what the twin did, how fast, and how to query the results.
 *
 * @example
 * for (const line of formatReport(report)) console.log(line);
 */
export function formatReport(r: EmbeddedRunReport): string[] {
  const out: string[] = [];
  out.push('');
  out.push(`Same plant, same seed (${r.seed}): ${r.assets} assets, ${r.days} simulated day(s)`);
  const head = ['', 'baseline (no twin)', r.twin ? 'with twinflow' : '', r.twin ? 'change' : ''];
  const table: string[][] = [head];
  for (const row of ROWS) {
    const b = row.of(r.baseline);
    const cells = [row.label, row.format(b)];
    if (r.twin) {
      const t = row.of(r.twin);
      cells.push(row.format(t));
      const better = row.higherIsBetter ? t > b : t < b;
      const delta =
        b === 0
          ? t === 0
            ? '='
            : 'new'
          : `${t >= b ? '+' : ''}${(((t - b) / Math.abs(b)) * 100).toFixed(1)} %`;
      cells.push(t === b ? '=' : `${delta}${better ? '  better' : '  worse'}`);
    }
    table.push(cells);
  }
  out.push(...alignColumns(table));
  out.push(...formatCosts(r));
  if (!r.twin) return out;

  const actions = Object.entries(r.commandsByAction ?? {})
    .map(([a, c]) => `${a} ${c}`)
    .join(', ');
  out.push('');
  out.push(
    `twin decisions: ${actions || 'none'} (${r.commandsIgnored ?? 0} ignored by assets in local mode); ${r.alerts ?? 0} alerts`,
  );
  if (r.alarmQuality) out.push(...formatAlarmQuality(r.alarmQuality));
  if (r.scoring) {
    const s = r.scoring;
    out.push(
      `risk scoring: ${n0(s.assessed)} assessments, surrogate decided ${pct(s.surrogateShare)}, physics ${n0(s.physics)} (outside envelope ${n0(s.outsideEnvelope)}), cross-checks ${n0(s.crossChecks)} with ${s.drifts} drifts`,
    );
  }
  if (r.readings !== undefined && r.eventsPerSec !== undefined) {
    out.push(
      `throughput: ${n0(r.readings)} readings at ${n0(r.eventsPerSec)} events/s (Avro, scoring, control, KPIs and ClickHouse writes included)`,
    );
  }
  if (r.rowsWritten) {
    const w = r.rowsWritten;
    out.push(
      `ClickHouse rows: telemetry ${n0(w.telemetry)}, KPI minutes ${n0(w.kpi)}, twin states ${n0(w.twinState)}, commands ${n0(w.commands)}, alerts ${n0(w.alerts)}`,
    );
  }
  if (r.clickhouse) {
    const c = r.clickhouse;
    out.push('');
    out.push(`Results are in ${c.dataDir} (database ${c.database}). Serve them and query with curl:`);
    out.push(`  node dist/runtime/cli/main.js clickhouse --data ${c.dataDir} --port 18123 &`);
    out.push(
      `  curl 'http://127.0.0.1:18123/' --data-binary "SELECT line, shift, round(oee, 3) AS oee, round(downtime_s / 3600, 1) AS downtime_h FROM ${c.database}.oee_by_line_shift ORDER BY line, shift_start LIMIT 12 FORMAT PrettyCompact"`,
    );
  }
  return out;
}
