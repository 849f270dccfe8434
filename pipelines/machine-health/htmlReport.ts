import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import type { GroundTruth } from '../../connectors/simulator/groundTruth.js';
import type { Command } from '../../operators/control/contracts.js';
import type { AlarmQualityReport } from '../../operators/kpi/alarmQuality.js';
import { cumulativeCost } from './costSeries.js';
import type { EmbeddedRunReport } from './embeddedJob.js';
import { COST_ROWS } from './plantCosts.js';
import { hourlyLineKpis } from './plantSeries.js';

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
const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? '—' : new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/**
 * An amount of money as the terminal report writes it: whole units, thousands
 * separated, a real minus sign (so a loss is not read as a dash).
 *
 * @example
 * formatMoney(-12345.6);   // '−12,346'
 * formatMoney(12.345, 1);  // '12.3'
 */
export function formatMoney(x: number, decimals = 0): string {
  const scale = 10 ** decimals;
  const rounded = Math.round(x * scale) / scale;
  const digits = { minimumFractionDigits: decimals, maximumFractionDigits: decimals };
  return `${rounded < 0 ? '−' : ''}${Math.abs(rounded).toLocaleString('en', digits)}`;
}

/**
 * A ratio of alarm quality as a percentage, 'n/a' when it had no denominator.
 *
 * @example
 * formatRatio(0.8333); // '83.3 %'
 * formatRatio(null);   // 'n/a'
 */
export function formatRatio(x: number | null): string {
  return x === null ? 'n/a' : pct(x);
}

/**
 * A duration in whole minutes, 'n/a' when absent.
 *
 * @example
 * formatMinutes(5_400_000); // '90 min'
 */
export function formatMinutes(ms: number | null): string {
  return ms === null ? 'n/a' : `${(ms / 60_000).toFixed(0)} min`;
}

/** One drawn series of a chart, for its text alternative. */
export interface ChartSeries {
  readonly label: string;
  readonly values: readonly (number | null)[];
}

/**
 * The text alternative of a chart over time: per series the mean, lowest and
 * highest value over the buckets that have one, and how many buckets did.
 *
 * @example
 * chartSummary('OEE per hour of north-l1', pct, [{ label: 'baseline', values: [0.7, null, 0.8] }]);
 * // 'OEE per hour of north-l1. baseline: mean 75.0 %, lowest 70.0 %, highest 80.0 % over 2 of 3 hours.'
 */
export function chartSummary(
  what: string,
  format: (x: number) => string,
  series: readonly ChartSeries[],
  bucket = 'hours',
): string {
  const parts = series.map((s) => {
    const xs = s.values.filter((v): v is number => v !== null && Number.isFinite(v));
    if (xs.length === 0) return `${s.label}: no value in ${s.values.length} ${bucket}`;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    return `${s.label}: mean ${format(mean)}, lowest ${format(Math.min(...xs))}, highest ${format(Math.max(...xs))} over ${xs.length} of ${s.values.length} ${bucket}`;
  });
  return `${what}. ${parts.join('; ')}.`;
}

/** A table cell holding a figure: the raw value in data-value, for tests and scripts that read the file. */
const cell = (value: number | null, text: string) =>
  `<td data-value="${value === null ? '' : value}">${escapeHtml(text)}</td>`;

/** Baseline vs twin in money per cost item, the net saving, and the net saving per line. */
function costSection(r: EmbeddedRunReport): string {
  const { baseline, twin, savings } = r.costs;
  const cur = escapeHtml(baseline.currency);
  const items = COST_ROWS.map(
    ({ label, item }) =>
      `<tr data-item="${item}"><th scope="row">${label}</th>${cell(baseline.cost[item], formatMoney(baseline.cost[item]))}${
        twin && savings
          ? cell(twin.cost[item], formatMoney(twin.cost[item])) +
            cell(savings.saved[item], formatMoney(savings.saved[item]))
          : ''
      }</tr>`,
  ).join('\n');
  const out = [
    `<p id="cost-assumptions">Money in <strong>${cur}</strong> at the rates of the <code>costs</code> section of ${escapeHtml(basename(r.catalogue.source))}: assumptions of the plant's controller, not measurements.</p>`,
    `<table id="cost-table"><caption>Cost per item (${cur})</caption><thead><tr><th scope="col">cost item</th><th scope="col">baseline (no twin)</th>${twin ? '<th scope="col">with twinflow</th><th scope="col">saved</th>' : ''}</tr></thead><tbody>\n${items}\n</tbody></table>`,
  ];
  if (!twin || !savings) return out.join('\n');
  const goodDelta = twin.facts.goodUnits - baseline.facts.goodUnits;
  const summary: [string, string, number, string][] = [
    [
      'productionValue',
      'production value',
      savings.productionValue,
      `${formatMoney(goodDelta)} good units vs baseline at the margin per unit`,
    ],
    ['net', `net saving over ${r.days} day(s)`, savings.net, 'costs saved + production value'],
    ['netPerDay', 'net saving per day', savings.netPerDay, ''],
    ['netPerAssetDay', 'net saving per asset-day', savings.netPerAssetDay, `${savings.assets} assets`],
  ];
  out.push(
    `<table id="cost-summary"><caption>Net saving of the twin (${cur})</caption><thead><tr><th scope="col">figure</th><th scope="col">${cur}</th><th scope="col">note</th></tr></thead><tbody>\n${summary
      .map(
        ([id, label, v, note]) =>
          `<tr data-item="${id}"><th scope="row">${label}</th>${cell(v, formatMoney(v, id === 'netPerAssetDay' ? 1 : 0))}<td>${escapeHtml(note)}</td></tr>`,
      )
      .join('\n')}\n</tbody></table>`,
  );
  const names = new Map(r.catalogue.lines.map((l) => [l.id, l.name]));
  const lines = Object.entries(savings.byLine)
    .map(([id, s]) => {
      const b = baseline.byLine[id]?.cost.total ?? 0;
      const t = twin.byLine[id]?.cost.total ?? 0;
      return `<tr data-line="${escapeHtml(id)}"><th scope="row">${escapeHtml(names.get(id) ?? id)} (${escapeHtml(id)})</th>${cell(b, formatMoney(b))}${cell(t, formatMoney(t))}${cell(s.productionValue, formatMoney(s.productionValue))}${cell(s.net, formatMoney(s.net))}</tr>`;
    })
    .join('\n');
  out.push(
    `<table id="cost-by-line"><caption>Net saving per line (${cur})</caption><thead><tr><th scope="col">line</th><th scope="col">baseline cost</th><th scope="col">twin cost</th><th scope="col">production value</th><th scope="col">net saving</th></tr></thead><tbody>\n${lines}\n</tbody></table>`,
  );
  return out.join('\n');
}

/** The twin's alerts and dispatches against ground truth (definitions: operators/kpi/alarmQuality.ts). */
function alarmQualitySection(q: AlarmQualityReport | undefined): string {
  if (q === undefined) return '<p id="alarm-quality-none">No twin run: nothing to score.</p>';
  const a = q.alerts;
  const d = q.dispatches;
  const rows: [string, string, number | null, string, string][] = [
    [
      'recall',
      'recall',
      q.recall,
      formatRatio(q.recall),
      `${q.detected} of ${q.physicalFaults} injected bearing defects and cooling losses detected`,
    ],
    [
      'mttd',
      'time to detect, mean',
      q.mttdMs,
      formatMinutes(q.mttdMs),
      'from injection to the first condition alert or command',
    ],
    ['p90', 'time to detect, p90', q.p90TtdMs, formatMinutes(q.p90TtdMs), 'nearest-rank 90th percentile'],
    [
      'prevented',
      'failures prevented',
      q.failuresPreventedRatio,
      formatRatio(q.failuresPreventedRatio),
      `${q.prevented} prevented, ${q.failed} failed; ${q.ranOut} ran out before anything was due (not counted)`,
    ],
    [
      'alertPrecision',
      'alert precision',
      a.precision,
      formatRatio(a.precision),
      `${a.truePositive} true, ${a.falsePositive} false, ${a.sensorArtefact} sensor artefacts; ${a.commandChannel} about the command channel (not counted)`,
    ],
    [
      'dispatchPrecision',
      'dispatch precision',
      d.precision,
      formatRatio(d.precision),
      `${d.truePositive} of ${d.count} dispatches and maintenances in the window of a fault or failure`,
    ],
    [
      'dispatchRecall',
      'dispatch recall',
      q.dispatchRecall,
      formatRatio(q.dispatchRecall),
      'physical faults with a dispatch in time',
    ],
    [
      'falseDispatchesPerAssetDay',
      'false dispatches per asset-day',
      q.falseDispatchesPerAssetDay,
      q.falseDispatchesPerAssetDay === null ? 'n/a' : q.falseDispatchesPerAssetDay.toFixed(3),
      `${d.falsePositive} false over ${q.assetDays.toFixed(0)} asset-days`,
    ],
  ];
  return `<p>Scored against the simulator's ground truth; definitions in <code>operators/kpi/alarmQuality.ts</code>.</p>
<table id="alarm-quality-table"><caption>Alarm quality of the twin</caption><thead><tr><th scope="col">figure</th><th scope="col">value</th><th scope="col">counts</th></tr></thead><tbody>
${rows.map(([id, label, v, text, note]) => `<tr data-metric="${id}"><th scope="row">${label}</th>${cell(v, text)}<td>${escapeHtml(note)}</td></tr>`).join('\n')}
</tbody></table>`;
}

/** The fault timeline from alarm quality's fault verdicts: the report's one definition of "detected". */
function faultRows(r: EmbeddedRunReport): string {
  return (r.alarmQuality?.faultVerdicts ?? [])
    .map((f) => {
      const action = r.truth?.commands.find((c) => c.assetId === f.assetId && c.at >= f.injectedAt);
      return `<tr><th scope="row">${escapeHtml(f.assetId)}</th><td>${escapeHtml(f.kind)}</td><td>${iso(f.injectedAt)}</td><td>${iso(f.detectedAt)}</td><td>${escapeHtml(f.detectedAt === null ? 'missed' : formatMinutes(f.ttdMs))}</td><td>${escapeHtml(f.detectedBy ?? '—')}</td><td>${action ? `${escapeHtml(action.action)} (${action.outcome})` : '—'}</td><td>${escapeHtml(f.outcome)}</td><td>${escapeHtml(f.endedBy ?? 'active at end')}</td></tr>`;
    })
    .join('\n');
}

const round = (x: number | null, scale: number) => (x === null ? null : Math.round(x * scale) / scale);

/** OEE per line and energy per good unit per hour, baseline and twin, with their text alternatives. */
function seriesCharts(r: EmbeddedRunReport) {
  if (r.series === undefined) return undefined;
  const base = hourlyLineKpis(r.series.baseline);
  const twin = r.series.twin ? hourlyLineKpis(r.series.twin) : undefined;
  const names = new Map(r.catalogue.lines.map((l) => [l.id, l.name]));
  const runs = (of: (k: ReturnType<typeof hourlyLineKpis>) => readonly (number | null)[]) => [
    { label: 'baseline', values: of(base) },
    ...(twin ? [{ label: 'twin', values: of(twin) }] : []),
  ];
  const lines = Object.keys(base.byLine).map((id) => {
    const series = runs((k) => k.byLine[id]?.oee ?? []);
    return {
      id,
      title: `${names.get(id) ?? id} (${id})`,
      base: series[0].values.map((v) => round(v === null ? null : 100 * v, 10)),
      twin: series[1]?.values.map((v) => round(v === null ? null : 100 * v, 10)),
      summary: chartSummary(`OEE per hour of ${names.get(id) ?? id} (${id})`, pct, series),
    };
  });
  const energy = runs((k) => k.plant.energyPerGoodUnitKwh);
  const wh = (x: number) => `${(1000 * x).toFixed(2)} Wh`;
  // The twin's dispatches with their times, from the alarm-quality verdicts (every dispatch has one).
  const dispatches = (r.alarmQuality?.dispatchVerdicts ?? []).map((d) => ({
    assetId: d.assetId,
    action: d.action,
    decidedAt: d.decidedAt,
  }));
  const cost = [
    { label: 'baseline', values: cumulativeCost(r.series.baseline, r.baselineTruth, r.catalogue) },
    ...(r.series.twin && r.truth
      ? [{ label: 'twin', values: cumulativeCost(r.series.twin, r.truth, r.catalogue, dispatches) }]
      : []),
  ];
  const currency = r.costs.baseline.currency;
  const money = (x: number) => `${Math.round(x).toLocaleString('en')} ${currency}`;
  return {
    ts: base.ts.map((t) => t / 1000),
    lines,
    energy: {
      base: energy[0].values.map((v) => round(v === null ? null : 1000 * v, 100)),
      twin: energy[1]?.values.map((v) => round(v === null ? null : 1000 * v, 100)),
      summary: chartSummary('Energy per good unit per hour, whole plant', wh, energy),
    },
    cost: {
      base: cost[0].values.map((v) => Math.round(v)),
      twin: cost[1]?.values.map((v) => Math.round(v)),
      summary: chartSummary(`Cumulative cost over the run (${currency})`, money, cost),
    },
  };
}

/**
 * The run report as one self-contained HTML file: the baseline-vs-twin
 * table, cost in money and the twin's net saving, alarm quality, cumulative
 * downtime, OEE per line and energy per good unit per hour for both runs, the
 * fault timeline (injected, detected, first action, outcome) and risk curves
 * of a few assets with the commands that changed them. uPlot is inlined.
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
  const faults = faultRows(r);
  const charts = seriesCharts(r);
  const data = { base, twin, curves, charts };
  const oeeCharts = (charts?.lines ?? [])
    .map(
      (l) =>
        `<h3 id="oee-title-${escapeHtml(l.id)}">${escapeHtml(l.title)}</h3>\n<div class="chart" id="chart-oee-${escapeHtml(l.id)}" role="img" aria-label="${escapeHtml(l.summary)}"></div>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>twinflow machine-health run report (seed ${r.seed})</title>
<style>${css}
body{font:15px/1.45 system-ui,sans-serif;color:#1b1f23;background:#fff;margin:20px;max-width:1200px}
table{border-collapse:collapse;margin:8px 0}th,td{border-bottom:1px solid #d0d7de;padding:4px 10px;text-align:left}
td[data-value]{text-align:right;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:4px 0;color:#1b1f23}
.note{color:#57606a}
.chart{margin:12px 0}</style></head>
<body>
<h1>machine-health run report</h1>
<p>Same plant, same seed (${r.seed}): ${r.assets} assets, ${r.days} simulated day(s).</p>
<h2 id="kpis">Baseline vs twin</h2>
<table id="kpi-table"><thead><tr><th scope="col"></th><th scope="col">baseline (no twin)</th><th scope="col">with twinflow</th></tr></thead><tbody>
${table}
</tbody></table>
<h2 id="cost">Cost (${escapeHtml(r.costs.baseline.currency)})</h2>
${costSection(r)}
<h2 id="alarm-quality">Alarm quality</h2>
${alarmQualitySection(r.alarmQuality)}
<h2 id="downtime">Downtime over time (cumulative hours)</h2>
<div class="chart" id="chart-downtime" role="img" aria-label="Cumulative unplanned and planned downtime, baseline and twin"></div>
<h2 id="oee">OEE by line per hour (%)</h2>
<p class="note">Baseline in red, twin in blue; gaps are hours without planned production (outside shifts).</p>
<div id="oee-charts">
${oeeCharts}
</div>
<h2 id="energy">Energy per good unit per hour (Wh), whole plant</h2>
<div class="chart" id="chart-energy" role="img" aria-label="${escapeHtml(charts?.energy.summary ?? 'no data')}"></div>
<h2 id="cost-over-time">Cost over time (cumulative, ${escapeHtml(r.costs.baseline.currency)})</h2>
<p class="note">Unplanned downtime, repairs, planned maintenance, dispatches and energy at the catalogue's rates, as in the cost table; lost production is a difference between the runs and is not in these curves.</p>
<div class="chart" id="chart-cost" role="img" aria-label="${escapeHtml(charts?.cost.summary ?? 'no data')}"></div>
<h2 id="faults">Fault timeline</h2>
<table id="fault-table"><thead><tr><th scope="col">asset</th><th scope="col">fault</th><th scope="col">injected (UTC)</th><th scope="col">detected (UTC)</th><th scope="col">time to detect</th><th scope="col">by</th><th scope="col">first command (outcome)</th><th scope="col">outcome</th><th scope="col">fault ended by</th></tr></thead><tbody>
${faults || '<tr><td colspan="9">no bearing defect or cooling loss injected, or no twin run</td></tr>'}
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
  var pair = function(unit, c, b, t){
    var ss = [{}, {label:'baseline ' + unit, stroke:'#b42318', width:2}], cs = [c, b];
    if (t) { ss.push({label:'twin ' + unit, stroke:'#0b57d0', width:2}); cs.push(t); }
    return {series: ss, cols: cs};
  };
  if (d.charts) {
    d.charts.lines.forEach(function(l){
      var p = pair('OEE (%)', d.charts.ts, l.base, l.twin);
      new uPlot({width: W, height: 200, series: p.series, scales: {y: {range: [0, 100]}}}, p.cols, document.getElementById('chart-oee-' + l.id));
    });
    var e = pair('Wh per good unit', d.charts.ts, d.charts.energy.base, d.charts.energy.twin);
    new uPlot({width: W, height: 260, series: e.series}, e.cols, document.getElementById('chart-energy'));
    var k = pair('cost', d.charts.ts, d.charts.cost.base, d.charts.cost.twin);
    new uPlot({width: W, height: 260, series: k.series}, k.cols, document.getElementById('chart-cost'));
  }
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
