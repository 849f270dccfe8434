import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { metricsIn, TWINFLOW_METRICS } from '../metricNames.js';

const PROMETHEUS = 'infra/prometheus';

interface Rule {
  alert: string;
  expr: string;
  for?: string;
  labels: { severity: string };
  annotations: { summary: string; description?: string };
}

const alerts = parse(fs.readFileSync(path.join(PROMETHEUS, 'alerts.yml'), 'utf8')) as {
  groups: { name: string; rules: Rule[] }[];
};
const rules = alerts.groups.flatMap((g) => g.rules);
const config = parse(fs.readFileSync(path.join(PROMETHEUS, 'prometheus.yml'), 'utf8')) as {
  rule_files: string[];
  scrape_configs: { job_name: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
};

/** Prometheus' duration syntax, as `for:` takes it. */
const DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

describe('infra/prometheus/alerts.yml', () => {
  it('parses into named groups of alert rules with a severity and a summary', () => {
    expect(alerts.groups.length).toBeGreaterThan(0);
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const r of rules) {
      expect(r.alert, JSON.stringify(r)).toMatch(/^Twinflow[A-Za-z]+$/);
      expect(r.expr.trim(), r.alert).not.toBe('');
      expect(['warning', 'critical'], r.alert).toContain(r.labels.severity);
      expect(r.annotations.summary, r.alert).toBeTruthy();
      if (r.for !== undefined) expect(r.for, r.alert).toMatch(DURATION);
      // Balanced brackets: a cheap guard against a truncated expression.
      for (const [open, close] of ['()', '[]', '{}']) {
        expect(r.expr.split(open).length, `${r.alert} ${open}${close}`).toBe(r.expr.split(close).length);
      }
    }
  });

  it('reads only metrics twinflow exports (and up)', () => {
    for (const r of rules) {
      for (const name of metricsIn(r.expr))
        expect(TWINFLOW_METRICS.has(name), `${r.alert}: ${name}`).toBe(true);
    }
  });

  it('covers job down, growing lag, epoch aborts, dead letters and no commits for 5 minutes', () => {
    const reading = (metric: string) => rules.filter((r) => r.expr.includes(metric));
    expect(reading('up{job="twinflow"}').length).toBeGreaterThan(0);
    expect(reading('deriv(twinflow_consumer_lag[').length).toBe(1);
    expect(reading('twinflow_epoch_aborts_total').length).toBe(1);
    expect(reading('rate(twinflow_dead_letters_total[').length).toBe(1);
    const noCommits = reading('twinflow_epochs_committed_total');
    expect(noCommits.map((r) => r.expr)).toEqual(['increase(twinflow_epochs_committed_total[5m]) == 0']);
  });
});

describe('infra/prometheus/prometheus.yml', () => {
  it('loads the alert rules and scrapes the compose job on its metrics port', () => {
    expect(config.rule_files.map((f) => path.basename(f))).toEqual(['alerts.yml']);
    const twinflow = config.scrape_configs.find((s) => s.job_name === 'twinflow');
    expect(twinflow?.metrics_path ?? '/metrics').toBe('/metrics');
    expect(twinflow?.static_configs.flatMap((s) => s.targets)).toEqual(['machine-health:9464']);
    // The alert rules select job="twinflow": the scrape job must carry that name.
    expect(rules.some((r) => r.expr.includes('job="twinflow"'))).toBe(true);
  });
});
