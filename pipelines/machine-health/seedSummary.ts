import type { EmbeddedRunReport } from './embeddedJob.js';

const pct = (x: number | null | undefined) => (x == null ? 'n/a' : `${(100 * x).toFixed(1)} %`);
const minutes = (ms: number | null | undefined) => (ms == null ? 'n/a' : `${(ms / 60_000).toFixed(0)} min`);

/**
 * One line of a run over several seeds (`--seeds`): the detection and
 * dispatch figures issue 14 sets targets for (recall of injected faults,
 * mean time to detect, dispatch precision, failures prevented) and the net
 * saving, so seeds the twin was not tuned on sit next to the one it was.
 *
 * @example
 * seedSummaryLine(await runMachineHealthEmbedded({ assets: 100, days: 2, seed: 1 }));
 * // e.g. 'seed 1: recall 96.0 % (72/75), MTTD 48 min, dispatch precision 81.2 % (65/80), failures prevented 100.0 % (61/61), net saving 301,220 EUR'
 */
export function seedSummaryLine(r: EmbeddedRunReport): string {
  const q = r.alarmQuality;
  const savings = r.costs.savings;
  if (q === undefined || savings === undefined) return `seed ${r.seed}: baseline only (no twin run)`;
  const d = q.dispatches;
  return [
    `seed ${r.seed}: recall ${pct(q.recall)} (${q.detected}/${q.physicalFaults})`,
    `MTTD ${minutes(q.mttdMs)}`,
    `dispatch precision ${pct(d.precision)} (${d.truePositive}/${d.count})`,
    `failures prevented ${pct(q.failuresPreventedRatio)} (${q.prevented}/${q.prevented + q.failed})`,
    `net saving ${Math.round(savings.net).toLocaleString('en')} ${savings.currency}`,
  ].join(', ');
}
