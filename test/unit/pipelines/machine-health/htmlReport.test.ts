import { describe, expect, it } from 'vitest';
import { runMachineHealthEmbedded } from '../../../../pipelines/machine-health/embeddedJob.js';
import {
  chartSummary,
  formatMinutes,
  formatMoney,
  formatRatio,
  htmlReport,
} from '../../../../pipelines/machine-health/htmlReport.js';

describe('formatMoney', () => {
  it('rounds to whole units with thousands separators and a real minus sign', () => {
    expect(formatMoney(12345.6)).toBe('12,346');
    expect(formatMoney(-12345.6)).toBe('−12,346');
    expect(formatMoney(0.4)).toBe('0');
    expect(formatMoney(-0.4)).toBe('0'); // no "−0"
  });

  it('keeps the decimals asked for', () => {
    expect(formatMoney(12.345, 1)).toBe('12.3');
    expect(formatMoney(-1234.56, 1)).toBe('−1,234.6');
  });
});

describe('formatRatio and formatMinutes', () => {
  it('say n/a for a figure without a denominator', () => {
    expect(formatRatio(null)).toBe('n/a');
    expect(formatMinutes(null)).toBe('n/a');
  });

  it('write a percentage with one decimal and whole minutes', () => {
    expect(formatRatio(5 / 6)).toBe('83.3 %');
    expect(formatMinutes(5_400_000)).toBe('90 min');
  });
});

describe('chartSummary', () => {
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

  it('gives mean, lowest and highest per series over the buckets with a value', () => {
    expect(
      chartSummary('OEE per hour of L1', pct, [
        { label: 'baseline', values: [0.7, null, 0.8] },
        { label: 'twin', values: [0.9, 0.6, null] },
      ]),
    ).toBe(
      'OEE per hour of L1. baseline: mean 75.0 %, lowest 70.0 %, highest 80.0 % over 2 of 3 hours; twin: mean 75.0 %, lowest 60.0 %, highest 90.0 % over 2 of 3 hours.',
    );
  });

  it('says so when a series has no value at all', () => {
    expect(chartSummary('x', pct, [{ label: 'baseline', values: [null, null] }])).toBe(
      'x. baseline: no value in 2 hours.',
    );
  });
});

describe('htmlReport of a baseline-only run', () => {
  it('has the baseline cost per item in the catalogue currency, no twin columns, and the hourly charts', async () => {
    const r = await runMachineHealthEmbedded({ assets: 12, days: 0.25, seed: 5, baselineOnly: true });
    const html = htmlReport(r, []);
    expect(html).not.toContain('cost-placeholder');
    expect(html).toContain(`Money in <strong>${r.costs.baseline.currency}</strong>`);
    const total =
      /<tr data-item="total"><th scope="row">total<\/th><td data-value="([^"]*)">([^<]*)<\/td><\/tr>/.exec(
        html,
      );
    expect(total).not.toBeNull();
    expect(Number(total![1])).toBe(r.costs.baseline.cost.total);
    expect(total![2]).toBe(formatMoney(r.costs.baseline.cost.total));
    expect(html).not.toContain('<th scope="col">with twinflow</th><th scope="col">saved</th>');
    expect(html).toContain('id="alarm-quality-none"');
    for (const line of r.catalogue.lines)
      expect(html).toContain(`id="chart-oee-${line.id}" role="img" aria-label="OEE per hour of`);
    // 6 simulated hours: every chart summary counts 6 buckets.
    expect(html).toMatch(
      /id="chart-energy" role="img" aria-label="Energy per good unit per hour, whole plant\. baseline: mean [\d.]+ Wh, lowest [\d.]+ Wh, highest [\d.]+ Wh over \d of 6 hours\."/,
    );
    // Self-contained: no external script, style or image.
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
  });
});
