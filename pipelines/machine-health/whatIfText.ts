import type { FailureCause } from '../../operators/scoring/assetPhysics.js';
import type { WhatIfOutcome } from '../../operators/scoring/whatIf.js';
import { formatTable } from '../../runtime/cli/textTable.js';
import type { WhatIfReport } from './whatIfSubject.js';

/**
 * A what-if report as the CLI prints it: the state it started from, a
 * table of as-is against the change (risk within the horizon ± its 95 %
 * interval, RUL p10/median/p90, cause split), then any warnings.
 *
 * @example
 * for (const line of formatWhatIfReport(report)) console.log(line);
 */
export function formatWhatIfReport(report: WhatIfReport): string[] {
  const { state, answer } = report;
  const f = state.features;
  const lookahead = `${answer.lookaheadHours} h`;
  const changeText = [
    answer.change.load === undefined ? undefined : `load ${pct(answer.change.load)}`,
    answer.change.coolingFactor === undefined ? undefined : `cooling ${answer.change.coolingFactor}`,
  ]
    .filter((x) => x !== undefined)
    .join(', ');
  const rul = (o: WhatIfOutcome, q: 'p10' | 'median' | 'p90') =>
    o.rulHours[q] === null ? `> ${lookahead}` : `${o.rulHours[q]?.toFixed(1)} h`;
  const row = (label: string, cell: (o: WhatIfOutcome) => string) => [
    label,
    cell(answer.asIs),
    cell(answer.changed),
  ];
  const causes = (o: WhatIfOutcome, of: 'causesWithinHorizon' | 'causesWithinLookahead') =>
    (['bearing', 'overheat'] as FailureCause[]).map((c) => `${c} ${pct(o[of][c])}`).join(', ');
  const lines = [
    `what-if for ${state.assetId}, from its ${state.source === 'job' ? "running job's" : 'ClickHouse'} twin state at ${state.eventTime} (version ${state.version}, mode ${state.mode})`,
    `  now: ${f.temperatureC.toFixed(1)} °C, load ${pct(f.load)}, wear estimate ${f.wearEstimate.toFixed(3)}, cooling ${f.coolingFactor} (${state.coolingFrom})`,
    `  the twin's own risk then: ${pct(state.twin.risk)} (${state.twin.model}), RUL ${state.twin.rulHours === null ? '—' : `${state.twin.rulHours} h`}`,
    '',
    ...formatTable(
      [
        { name: `physics model, ${answer.samples} samples, seed ${answer.seed}` },
        { name: 'as is' },
        { name: `with ${changeText}` },
      ],
      [
        row(
          `failure risk within ${answer.horizonHours} h`,
          (o) => `${pct(o.risk)} (${pct(o.riskInterval[0])}–${pct(o.riskInterval[1])})`,
        ),
        row('RUL p10', (o) => rul(o, 'p10')),
        row('RUL median', (o) => rul(o, 'median')),
        row('RUL p90', (o) => rul(o, 'p90')),
        row(`cause within ${answer.horizonHours} h`, (o) => causes(o, 'causesWithinHorizon')),
        row(`cause within ${lookahead}`, (o) => causes(o, 'causesWithinLookahead')),
      ],
      { maxCellWidth: 80 },
    ),
    '',
    `risk change: ${answer.riskDelta >= 0 ? '+' : ''}${(answer.riskDelta * 100).toFixed(1)} points (the same samples in both, so the change's own effect); interval: 95 % Wilson, Monte Carlo error`,
    'what-if only answers: nothing was sent, and the twin controller decides as before.',
  ];
  for (const w of answer.warnings) lines.push(`warning: ${w}`);
  return lines;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(x > 0 && x < 0.01 ? 2 : 1)} %`;
}
