import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { GroundTruth } from '../../connectors/simulator/groundTruth.js';
import type { Command } from '../../operators/control/contracts.js';
import type { EmbeddedRunReport } from './embeddedJob.js';

/**
 * uPlot's browser build and style, read from the installed package (npm
 * registry) so the report opens offline: nothing is fetched at view time.
 */
export function uplotAssets(): { readonly js: string; readonly css: string } {
  const dist = join(dirname(createRequire(import.meta.url).resolve('uplot')), '.');
  return {
    js: readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(join(dist, 'uPlot.min.css'), 'utf8'),
  };
}

/** Risk over event time of one asset, and the twin's commands for it (what the report charts). */
export interface RiskCurve {
  readonly assetId: string;
  /** [event time ms, max risk in the bucket] */
  readonly points: readonly (readonly [number, number])[];
  readonly commands: readonly Pick<Command, 'action' | 'decidedAt' | 'loadLimitPct'>[];
}

/**
 * Cumulative downtime hours (unplanned: FAILED; planned: MAINTENANCE or
 * STOPPED) at each step of `stepMs`, from the assets' state timelines.
 */
export function downtimeSeries(
  truth: GroundTruth,
  stepMs: number,
): { ts: number[]; unplannedH: number[]; plannedH: number[] } {
  const ts: number[] = [];
  for (let t = truth.from; t <= truth.to; t += stepMs) ts.push(t);
  const unplanned = new Array<number>(ts.length).fill(0);
  const planned = new Array<number>(ts.length).fill(0);
  for (const asset of Object.values(truth.assets)) {
    const tl = asset.timeline;
    for (let i = 0; i < tl.length; i++) {
      const kind =
        tl[i].state === 'FAILED'
          ? unplanned
          : tl[i].state === 'MAINTENANCE' || tl[i].state === 'STOPPED'
            ? planned
            : null;
      if (kind === null) continue;
      const from = tl[i].ts;
      const to = i + 1 < tl.length ? tl[i + 1].ts : truth.to;
      ts.forEach((t, k) => {
        if (t > from) kind[k] += (Math.min(t, to) - from) / 3_600_000;
      });
    }
  }
  return { ts, unplannedH: unplanned, plannedH: planned };
}

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const json = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/**
 * The run report as one self-contained HTML file: the baseline-vs-twin
 * table, cumulative downtime over time for both runs, the fault timeline
 * (injected, detected, first action, outcome) and risk curves of a few
 * assets with the commands that changed them. uPlot is inlined.
 *
 * @example
 * writeFileSync('report.html', htmlReport(report, curves));
 */
export function htmlReport(r: EmbeddedRunReport, curves: readonly RiskCurve[]): string {
  const { js, css } = uplotAssets();
  const hour = 3_600_000;
  const base = downtimeSeries(r.baselineTruth, hour);
  const twin = r.truth ? downtimeSeries(r.truth, hour) : undefined;
  const rows: [string, (k: NonNullable<EmbeddedRunReport['twin']>) => string][] = [
    ['failures', (k) => String(k.failures)],
    ['unplanned downtime (h)', (k) => k.unplannedDowntimeH.toFixed(1)],
    ['planned downtime (h)', (k) => k.plannedDowntimeH.toFixed(1)],
    ['availability', (k) => pct(k.availability)],
    ['OEE', (k) => pct(k.oee)],
    ['energy per good unit (Wh)', (k) => (k.energyPerUnitKwh * 1000).toFixed(2)],
  ];
  const table = rows
    .map(
      ([label, of]) =>
        `<tr><th scope="row">${label}</th><td>${of(r.baseline)}</td><td>${r.twin ? of(r.twin) : '—'}</td></tr>`,
    )
    .join('\n');
  const faults = (r.mttd?.faults ?? [])
    .map((f) => {
      const truthFault = r.truth?.faults.find(
        (x) => x.assetId === f.fault.assetId && x.injectedAt === f.fault.injectedAt,
      );
      const action = r.truth?.commands.find(
        (c) => c.assetId === f.fault.assetId && c.at >= f.fault.injectedAt,
      );
      const iso = (ms: number | null | undefined) =>
        ms === null || ms === undefined ? '—' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
      return `<tr><td>${escapeHtml(f.fault.assetId)}</td><td>${escapeHtml(f.fault.kind)}</td><td>${iso(f.fault.injectedAt)}</td><td>${iso(f.detectedAt)}</td><td>${escapeHtml(f.detectedBy ?? 'missed')}</td><td>${action ? `${escapeHtml(action.action)} (${action.outcome})` : '—'}</td><td>${escapeHtml(truthFault?.endedBy ?? 'active at end')}</td></tr>`;
    })
    .join('\n');
  const data = { base, twin, curves };
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>twinflow machine-health run report (seed ${r.seed})</title>
<style>${css}
body{font:15px/1.45 system-ui,sans-serif;color:#1b1f23;margin:20px;max-width:1200px}
table{border-collapse:collapse;margin:8px 0}th,td{border-bottom:1px solid #d0d7de;padding:4px 10px;text-align:left}
.chart{margin:12px 0}</style></head>
<body>
<h1>machine-health run report</h1>
<p>Same plant, same seed (${r.seed}): ${r.assets} assets, ${r.days} simulated day(s).</p>
<h2 id="kpis">Baseline vs twin</h2>
<table id="kpi-table"><thead><tr><th scope="col"></th><th scope="col">baseline (no twin)</th><th scope="col">with twinflow</th></tr></thead><tbody>
${table}
</tbody></table>
<h2 id="cost">Cost</h2>
<p id="cost-placeholder">Not computed yet: the ROI cost model is a separate issue; its figures belong here.</p>
<h2 id="downtime">Downtime over time (cumulative hours)</h2>
<div class="chart" id="chart-downtime" role="img" aria-label="Cumulative unplanned and planned downtime, baseline and twin"></div>
<h2 id="faults">Fault timeline</h2>
<table id="fault-table"><thead><tr><th scope="col">asset</th><th scope="col">fault</th><th scope="col">injected (UTC)</th><th scope="col">detected</th><th scope="col">by</th><th scope="col">first command (outcome)</th><th scope="col">fault ended by</th></tr></thead><tbody>
${faults || '<tr><td colspan="7">no bearing defect or cooling loss injected</td></tr>'}
</tbody></table>
<h2 id="risk">Risk of a few assets, with the twin's commands</h2>
<div id="risk-charts"></div>
<script type="application/json" id="report-data">${json(data)}</script>
<script>${js}</script>
<script>
(function(){
  var d = JSON.parse(document.getElementById('report-data').textContent);
  var W = Math.min(1100, window.innerWidth - 60);
  var s = function(v){ return v.map(function(t){ return t / 1000; }); };
  var series = [{}, {label:'baseline unplanned (h)', stroke:'#b42318', width:2}, {label:'baseline planned (h)', stroke:'#b42318', dash:[6,4]}];
  var cols = [s(d.base.ts), d.base.unplannedH, d.base.plannedH];
  if (d.twin) { series.push({label:'twin unplanned (h)', stroke:'#0b57d0', width:2}, {label:'twin planned (h)', stroke:'#0b57d0', dash:[6,4]}); cols.push(d.twin.unplannedH, d.twin.plannedH); }
  new uPlot({width: W, height: 300, series: series}, cols, document.getElementById('chart-downtime'));
  d.curves.forEach(function(c){
    var box = document.createElement('div'); box.className = 'chart'; box.id = 'risk-' + c.assetId;
    var h = document.createElement('h3'); h.textContent = c.assetId + ': ' + c.commands.map(function(k){ return new Date(k.decidedAt).toISOString().slice(11,16) + ' ' + k.action; }).join(', ');
    document.getElementById('risk-charts').appendChild(h); document.getElementById('risk-charts').appendChild(box);
    var marks = c.commands.map(function(k){ return k.decidedAt / 1000; });
    new uPlot({width: W, height: 220, series: [{}, {label: 'risk', stroke:'#6f2dbd', width:2}],
      hooks: {draw: [function(u){ var ctx = u.ctx; ctx.save(); ctx.strokeStyle = '#b42318'; ctx.lineWidth = 2; marks.forEach(function(x){ var px = u.valToPos(x, 'x', true); ctx.beginPath(); ctx.moveTo(px, u.bbox.top); ctx.lineTo(px, u.bbox.top + u.bbox.height); ctx.stroke(); }); ctx.restore(); }]}},
      [c.points.map(function(p){ return p[0] / 1000; }), c.points.map(function(p){ return p[1]; })], box);
  });
})();
</script>
</body></html>
`;
}

/**
 * Collects every asset's risk (the maximum per 10 minutes of event time) and
 * commands from the twin's outputs; `curves(n)` gives the n assets with the
 * most commands (ties by id).
 *
 * @example
 * const risk = riskCurveCollector(); runEmbedded(…, { onOutput: risk.observe }); htmlReport(report, risk.curves(4));
 */
export function riskCurveCollector(bucketMs = 600_000) {
  const byAsset = new Map<
    string,
    { points: [number, number][]; commands: RiskCurve['commands'][number][] }
  >();
  const of = (id: string) => {
    let a = byAsset.get(id);
    if (a === undefined) {
      a = { points: [], commands: [] };
      byAsset.set(id, a);
    }
    return a;
  };
  return {
    observe(out: import('./machineHealth.js').MachineHealthOutput): void {
      if (out.type === 'enriched') {
        const risk = out.reading.risk.risk;
        if (Number.isNaN(risk)) return;
        const a = of(out.reading.telemetry.assetId);
        const bucket = Math.floor(out.reading.telemetry.ts / bucketMs) * bucketMs;
        const last = a.points[a.points.length - 1];
        if (last !== undefined && last[0] === bucket) last[1] = Math.max(last[1], risk);
        else a.points.push([bucket, risk]);
      } else if (out.type === 'command') {
        const c = out.command;
        of(c.assetId).commands.push({
          action: c.action,
          decidedAt: c.decidedAt,
          loadLimitPct: c.loadLimitPct,
        });
      }
    },
    curves(n: number): RiskCurve[] {
      return [...byAsset.entries()]
        .sort(([ia, a], [ib, b]) => b.commands.length - a.commands.length || (ia < ib ? -1 : 1))
        .slice(0, n)
        .map(([assetId, a]) => ({ assetId, points: a.points, commands: a.commands }));
    },
  };
}
