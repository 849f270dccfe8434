import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFromCli } from '../../pipelines/machine-health/cli.js';
import type { LiveView } from '../../runtime/liveView/liveView.js';
import { serveLiveView } from '../../runtime/liveView/serveLiveView.js';
import { contrastFailures } from './contrastCheck.js';

/** Debian's chromium; .ci/run installs it. Missing is a failure, not a skip. */
const CHROMIUM = process.env.TWINFLOW_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots the test leaves for people to look at (git-ignored). */
const SCREENSHOTS = resolve(import.meta.dirname, '../../test-output/screenshots');

describe('live operator page in headless Chromium', () => {
  let browser: Browser;
  const dataDir = mkdtempSync(join(tmpdir(), 'twinflow-view-e2e-'));

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `no Chromium at ${CHROMIUM}: install Debian's chromium (bash .ci/run does) or set TWINFLOW_CHROMIUM`,
      );
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows every asset, values that change as the run goes on, and alerts, during an embedded run', async () => {
    const lines: string[] = [];
    let announce: (url: string) => void = () => undefined;
    const url = new Promise<string>((r) => {
      announce = r;
    });
    const run = runFromCli(
      [
        '--assets',
        '12',
        '--days',
        '0.5',
        '--speed',
        '1500',
        '--seed',
        '3',
        '--data',
        dataDir,
        '--report',
        join(dataDir, 'report.html'),
      ],
      (line) => {
        lines.push(line);
        const m = /live operator view: (http:\/\/127\.0\.0\.1:\d+)\//.exec(line);
        if (m) announce(m[1]);
      },
    );
    const base = await Promise.race([
      url,
      run.then(() => Promise.reject(new Error('run ended before the view URL'))),
    ]);
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${base}/`);
    const assetRows = page.locator('#table-assets tbody tr');
    await expect.poll(() => assetRows.count(), { timeout: 20_000 }).toBe(12);
    const firstTime = await page.locator('#event-time').textContent();
    await expect
      .poll(() => page.locator('#event-time').textContent(), { timeout: 20_000 })
      .not.toBe(firstTime);
    await expect
      .poll(() => page.locator('#table-alerts tbody tr td[data-col="kind"]').count(), { timeout: 30_000 })
      .toBeGreaterThan(0);
    const alertAsset = await page
      .locator('#table-alerts tbody tr td[data-col="asset"]')
      .first()
      .textContent();
    expect(await page.locator(`#table-assets tbody tr[data-key="${alertAsset}"]`).count()).toBe(1);

    // Keyboard: the grid's first row is the tab stop, arrow keys move the focus along the rows.
    await page.locator('#table-assets tbody tr[tabindex="0"]').focus();
    await page.keyboard.press('ArrowDown');
    const focusedKey = await page.locator('#table-assets tbody tr:focus').getAttribute('data-key');
    expect(focusedKey).toBe(await assetRows.nth(1).getAttribute('data-key'));
    const focused = () => page.locator('#table-assets tbody tr:focus').getAttribute('data-key');
    await page.keyboard.press('End');
    expect(await focused()).toBe(await assetRows.nth(11).getAttribute('data-key'));
    await page.keyboard.press('Home');
    expect(await focused()).toBe(await assetRows.nth(0).getAttribute('data-key'));
    await page.keyboard.press('PageDown');
    expect(await focused()).toBe(await assetRows.nth(10).getAttribute('data-key'));
    // The focused row is visibly marked (an outline), not only by colour the reader cannot see.
    const outline = await page.evaluate(
      "getComputedStyle(document.querySelector('#table-assets tbody tr:focus')).outlineStyle",
    );
    expect(outline).not.toBe('none');
    // Readable contrast everywhere on the page, measured on the styles the browser applied.
    expect(await contrastFailures(page)).toEqual([]);

    await page.screenshot({ path: join(SCREENSHOTS, 'live-view.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(await run).toBe(0);
    expect(lines.some((l) => l.includes('baseline (no twin)'))).toBe(true);
    // The run ended and its server stopped: the page says so instead of showing figures as live.
    await expect.poll(() => page.locator('#banner').textContent(), { timeout: 10_000 }).toContain('finished');
    await page.screenshot({ path: join(SCREENSHOTS, 'live-view-ended.png'), fullPage: true });
    await page.close();

    // The HTML report: named in the output, opens from the file alone (network blocked), charts drawn, figures as in the terminal report.
    expect(
      lines.some((l) => l.includes(`HTML report (opens offline): ${join(dataDir, 'report.html')}`)),
    ).toBe(true);
    const report = await browser.newPage({ viewport: { width: 1300, height: 900 } });
    const requests: string[] = [];
    await report.route('**/*', (route) => {
      if (route.request().url().startsWith('file:')) return route.continue();
      requests.push(route.request().url());
      return route.abort();
    });
    report.on('pageerror', (e) => errors.push(e.message));
    await report.goto(`file://${join(dataDir, 'report.html')}`);
    await expect.poll(() => report.locator('#chart-downtime canvas').count()).toBe(1);
    expect(await report.locator('#risk-charts canvas').count()).toBeGreaterThan(0);
    expect(await report.locator('#kpi-table').textContent()).toContain('baseline (no twin)');
    expect(await report.locator('#cost-placeholder').count()).toBe(0);

    // Cost: every item's baseline, twin and saved figure is the terminal report's (both render the run's costs).
    expect(await report.locator('#cost-assumptions').textContent()).toMatch(/Money in EUR .*assumptions/);
    const terminal = lines.join('\n');
    const money = (text: string) => Number(text.replace(/,/g, '').replace('−', '-'));
    for (const [item, label] of [
      ['unplannedDowntime', 'unplanned downtime'],
      ['repairs', 'repairs'],
      ['maintenance', 'planned maintenance'],
      ['dispatches', 'technician dispatches'],
      ['energy', 'energy'],
      ['total', 'total'],
    ]) {
      const m = new RegExp(`^\\s+${label}\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)$`, 'm').exec(terminal);
      expect(m, `terminal cost row ${label}`).not.toBeNull();
      const cells = report.locator(`#cost-table tr[data-item="${item}"] td`);
      expect(await cells.count()).toBe(3);
      for (let i = 0; i < 3; i++) {
        const value = Number(await cells.nth(i).getAttribute('data-value'));
        expect(Math.abs(value - money(m![i + 1])), `${label} column ${i}`).toBeLessThanOrEqual(0.5);
        expect(money((await cells.nth(i).textContent()) ?? '')).toBe(Math.round(value) || 0);
      }
    }
    const net = /net saving: (\S+) EUR over [\d.]+ day\(s\) = (\S+) per day, (\S+) per asset-day/.exec(
      terminal,
    );
    expect(net).not.toBeNull();
    const summary = async (item: string) =>
      Number(
        await report
          .locator(`#cost-summary tr[data-item="${item}"] td[data-value]`)
          .getAttribute('data-value'),
      );
    expect(Math.abs((await summary('net')) - money(net![1]))).toBeLessThanOrEqual(0.5);
    expect(Math.abs((await summary('netPerDay')) - money(net![2]))).toBeLessThanOrEqual(0.5);
    expect(Math.abs((await summary('netPerAssetDay')) - money(net![3]))).toBeLessThanOrEqual(0.05);
    const worth = /worth (\S+) EUR at the margin per unit/.exec(terminal);
    expect(Math.abs((await summary('productionValue')) - money(worth![1]))).toBeLessThanOrEqual(0.5);
    // Per line: the net savings add up to the plant's.
    const lineNets = await report
      .locator('#cost-by-line tbody tr td:last-child')
      .evaluateAll((tds) => tds.map((td) => Number(td.getAttribute('data-value'))));
    expect(lineNets.length).toBeGreaterThan(0);
    expect(lineNets.reduce((a, b) => a + b, 0)).toBeCloseTo(await summary('net'), 6);

    // Alarm quality: the same figures as the terminal report.
    const aq = (metric: string) =>
      report.locator(`#alarm-quality-table tr[data-metric="${metric}"] td[data-value]`).textContent();
    const q =
      /detected \d+ \(recall ([^)]+)\), time to detect mean (.+?), p90 (.+)\n.*\(failures prevented ([^)]+)\)\n\s+alerts: precision (\S+ %|n\/a)[\s\S]*?dispatches: precision (\S+ %|n\/a) [\s\S]*?recall (\S+ %|n\/a), false dispatches per asset-day (\S+)/.exec(
        terminal,
      );
    expect(q, 'terminal alarm quality lines').not.toBeNull();
    expect(await aq('recall')).toBe(q![1]);
    expect(await aq('mttd')).toBe(q![2]);
    expect(await aq('p90')).toBe(q![3]);
    expect(await aq('prevented')).toBe(q![4]);
    expect(await aq('alertPrecision')).toBe(q![5]);
    expect(await aq('dispatchPrecision')).toBe(q![6]);
    expect(await aq('dispatchRecall')).toBe(q![7]);
    expect(await aq('falseDispatchesPerAssetDay')).toBe(q![8]);

    // OEE by line and energy per good unit over time: drawn, one chart per line, each with a text alternative.
    const oeeCharts = report.locator('#oee-charts .chart');
    expect(await oeeCharts.count()).toBeGreaterThan(0);
    await expect
      .poll(() => report.locator('#oee-charts .chart canvas').count())
      .toBe(await oeeCharts.count());
    expect(await report.locator('#chart-energy canvas').count()).toBe(1);
    // Cost over time, drawn, and its text alternative ends at the cost table's totals.
    expect(await report.locator('#chart-cost canvas').count()).toBe(1);
    expect(await report.locator('#chart-cost').getAttribute('aria-label')).toMatch(
      /^Cumulative cost over the run \(EUR\)\. baseline: mean [\d,]+ EUR, lowest [\d,]+ EUR, highest [\d,]+ EUR over \d+ of \d+ hours; twin: /,
    );
    for (const label of [
      ...(await oeeCharts.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))),
      await report.locator('#chart-energy').getAttribute('aria-label'),
    ]) {
      expect(label).toMatch(/baseline: mean .*; twin: mean /);
    }
    expect(await contrastFailures(report)).toEqual([]);
    await report.screenshot({ path: join(SCREENSHOTS, 'run-report.png'), fullPage: true });
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    await report.close();
  }, 180_000);

  it('has a contrast check that catches low contrast (so its empty result above means something)', async () => {
    const page = await browser.newPage();
    await page.setContent(
      '<main style="background:#fff"><p style="color:#aaa">grey on white</p><p style="color:#222">dark on white</p>' +
        '<h1 style="font-size:32px;color:#888">large grey heading</h1><div style="background:#0b57d0"><span style="color:#1f3f7a">dark on blue</span></div></main>',
    );
    const failures = await contrastFailures(page);
    await page.close();
    expect(failures.map((f) => [f.text, f.required])).toEqual([
      ['grey on white', 4.5],
      ['dark on blue', 4.5],
    ]);
    // #aaa on white is 2.32:1; #888 at 32 px is large text and passes 3:1 (3.54:1).
    expect(failures[0].ratio).toBeCloseTo(2.32, 1);
  });

  it('tells the operator when the job restarted, and shows the new run', async () => {
    const view = (rows: number): LiveView => ({
      job: 'demo',
      title: 'restart check',
      snapshot: () => ({
        eventTime: Date.UTC(2026, 0, 5),
        status: 'running',
        sections: [
          {
            id: 'assets',
            title: 'Assets',
            rowKey: 'asset',
            columns: [{ key: 'asset', label: 'Asset', kind: 'text' }],
            rows: Array.from({ length: rows }, (_, i) => ({ asset: `a-${i}` })),
          },
        ],
      }),
    });
    const first = await serveLiveView(view(3), { port: 0, intervalMs: 200 });
    const port = first.port;
    const page = await browser.newPage();
    await page.goto(`${first.url}/`);
    await expect.poll(() => page.locator('#table-assets tbody tr').count()).toBe(3);
    await first.close();
    await expect.poll(() => page.locator('#banner').textContent(), { timeout: 10_000 }).toContain('lost');
    const second = await serveLiveView(view(5), { port, intervalMs: 200 });
    try {
      await expect
        .poll(() => page.locator('#banner').textContent(), { timeout: 15_000 })
        .toContain('restarted');
      await expect.poll(() => page.locator('#table-assets tbody tr').count()).toBe(5);
      await page.screenshot({ path: join(SCREENSHOTS, 'live-view-restarted.png'), fullPage: true });
    } finally {
      await page.close();
      await second.close();
    }
  }, 60_000);
});
