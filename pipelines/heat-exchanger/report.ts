import type { HxExchangerTruth, HxGroundTruth } from './exchangerSimulator.js';

interface Line {
  readonly label: string;
  readonly of: (t: HxExchangerTruth) => number;
  readonly digits: number;
}

const LINES: readonly Line[] = [
  { label: 'heat demanded (MWh)', of: (t) => t.demandedKwh / 1000, digits: 1 },
  { label: 'heat delivered (MWh)', of: (t) => t.deliveredKwh / 1000, digits: 1 },
  { label: 'unmet demand (MWh)', of: (t) => t.unmetKwh / 1000, digits: 2 },
  { label: 'energy lost to fouling (MWh)', of: (t) => t.foulingLossKwh / 1000, digits: 2 },
  { label: 'hours below contract capacity', of: (t) => t.belowContractH, digits: 1 },
  { label: 'cleanings', of: (t) => t.cleanings, digits: 0 },
  { label: 'cleaning cost (EUR)', of: (t) => t.cleaningCostEur, digits: 0 },
  { label: 'downtime (h)', of: (t) => t.downtimeH, digits: 1 },
  { label: 'bypass (h)', of: (t) => t.bypassH, digits: 1 },
  { label: 'water leaked (t)', of: (t) => t.leakedTonnes, digits: 1 },
  { label: 'valve stuck (h)', of: (t) => t.stuckValveH, digits: 1 },
];

/**
 * Baseline against twin on the same seeded site, one line per figure from
 * the simulators' ground truth, with the change; then when each fault was
 * put right in either run.
 *
 * @example
 * for (const line of heatExchangerReport(result.baseline, result.twin)) console.log(line);
 */
export function heatExchangerReport(baseline: HxGroundTruth, twin: HxGroundTruth): string[] {
  const rows = [['', 'baseline', 'twin', 'change']];
  for (const l of LINES) {
    const b = l.of(baseline.totals);
    const t = l.of(twin.totals);
    const change =
      b === t ? '=' : b === 0 ? 'new' : `${t > b ? '+' : ''}${(((t - b) / b) * 100).toFixed(0)} %`;
    rows.push([l.label, b.toFixed(l.digits), t.toFixed(l.digits), change]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const out = [`seed ${twin.seed}, ${twin.ticks} ticks`];
  for (const r of rows)
    out.push(`  ${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')}`);
  const repaired = (truth: HxGroundTruth, kind: string) => {
    const f = truth.faults.find((x) => x.kind === kind);
    if (f === undefined) return 'none';
    return f.repairedTs === null ? 'never' : `after ${((f.repairedTs - f.startTs) / 3_600_000).toFixed(1)} h`;
  };
  for (const kind of ['leak', 'stuck-valve', 'drifting-sensor']) {
    out.push(`  ${kind} put right: baseline ${repaired(baseline, kind)}, twin ${repaired(twin, kind)}`);
  }
  return out;
}
