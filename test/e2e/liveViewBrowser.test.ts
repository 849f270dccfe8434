import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFromCli } from '../../pipelines/machine-health/cli.js';
import type { LiveView } from '../../runtime/liveView/liveView.js';
import { serveLiveView } from '../../runtime/liveView/serveLiveView.js';

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

    await page.screenshot({ path: join(SCREENSHOTS, 'live-view.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(await run).toBe(0);
    expect(lines.some((l) => l.includes('baseline (no twin)'))).toBe(true);
    // The run ended and its server stopped: the page says so instead of showing figures as live.
    await expect.poll(() => page.locator('#banner').textContent(), { timeout: 10_000 }).toContain('finished');
    await page.screenshot({ path: join(SCREENSHOTS, 'live-view-ended.png'), fullPage: true });
    await page.close();

    // The HTML report: named in the output, opens from the file alone (network blocked), charts drawn.
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
    expect(await report.locator('#cost-placeholder').count()).toBe(1);
    await report.screenshot({ path: join(SCREENSHOTS, 'run-report.png'), fullPage: true });
    expect(requests).toEqual([]);
    expect(errors).toEqual([]);
    await report.close();
  }, 180_000);

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
