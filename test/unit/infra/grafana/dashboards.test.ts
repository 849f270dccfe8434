import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { metricsIn, TWINFLOW_METRICS } from '../metricNames.js';
import { DASHBOARDS, type Dashboard, queryPanels, readDashboard } from './dashboardFiles.js';

const PROVISIONING = 'infra/grafana/provisioning';
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana variable syntax, not a JavaScript template.
const DATASOURCE_VARIABLE = '${datasource}';

const job = readDashboard('twinflow-job.json');
const analyst = readDashboard('twinflow-analyst.json');

/** Tables and views the ClickHouse migrations create. */
const schemaObjects = new Set(
  fs
    .readdirSync('schemas/clickhouse')
    .filter((f) => f.endsWith('.sql'))
    .flatMap((f) => [
      ...fs
        .readFileSync(path.join('schemas/clickhouse', f), 'utf8')
        .matchAll(/CREATE\s+(?:TABLE|VIEW)\s+IF\s+NOT\s+EXISTS\s+\{database\}\.(\w+)/gi),
    ])
    .map((m) => m[1]),
);

/** Tables a query reads: what follows FROM or JOIN, without a database prefix. */
function tablesIn(sql: string): string[] {
  return [...sql.matchAll(/\b(?:FROM|JOIN)\s+([A-Za-z_][\w.]*)/gi)].map((m) =>
    m[1].replace(/^twinflow\./, ''),
  );
}

function sqlOf(dashboard: Dashboard): string[] {
  const variables = dashboard.templating.list.filter((v) => v.type === 'query').map((v) => String(v.query));
  return [...queryPanels(dashboard).flatMap((p) => p.targets.map((t) => t.rawSql as string)), ...variables];
}

describe.each([
  ['twinflow-job.json', job, 'prometheus'],
  ['twinflow-analyst.json', analyst, 'grafana-clickhouse-datasource'],
] as const)('%s', (_file, dashboard, datasourceType) => {
  it('has a uid, a datasource variable of its type, and panels that use it', () => {
    expect(dashboard.uid).toMatch(/^twinflow-/);
    const picker = dashboard.templating.list.find((v) => v.type === 'datasource');
    expect(picker).toMatchObject({ name: 'datasource', query: datasourceType });
    const panels = queryPanels(dashboard);
    expect(panels.length).toBeGreaterThan(8);
    for (const p of panels) {
      expect(p.datasource, p.title).toEqual({ type: datasourceType, uid: DATASOURCE_VARIABLE });
      expect(p.targets.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets) expect(t.datasource, p.title).toEqual(p.datasource);
    }
  });

  it('gives every panel a unique id and a place of its own on the grid', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Map<string, string>();
    for (const p of dashboard.panels) {
      const { x, y, w, h } = p.gridPos;
      expect(x + w, p.title).toBeLessThanOrEqual(24);
      for (let cx = x; cx < x + w; cx++) {
        for (let cy = y; cy < y + h; cy++) {
          const key = `${cx},${cy}`;
          expect(cells.get(key), `${p.title} overlaps ${cells.get(key)}`).toBeUndefined();
          cells.set(key, p.title);
        }
      }
    }
  });
});

describe('twinflow-job.json', () => {
  const exprs = queryPanels(job).flatMap((p) => p.targets.map((t) => t.expr as string));

  it('queries only metrics twinflow exports, and shows every one of them', () => {
    const used = new Set(exprs.flatMap(metricsIn));
    for (const name of used) expect(TWINFLOW_METRICS.has(name), name).toBe(true);
    expect([...TWINFLOW_METRICS].filter((name) => !used.has(name))).toEqual([]);
  });

  it('filters every query by the instance variable, which reads an exported metric', () => {
    for (const expr of exprs) expect(expr).toContain('instance=~"$instance"');
    const instance = job.templating.list.find((v) => v.name === 'instance');
    expect(metricsIn(JSON.stringify(instance?.query)).every((m) => TWINFLOW_METRICS.has(m))).toBe(true);
  });

  it('reads histograms through their buckets and counters through rate', () => {
    for (const expr of exprs) {
      for (const m of expr.matchAll(/\b(twinflow_\w+_total)\b/g)) {
        expect(expr, m[1]).toMatch(new RegExp(`(rate|increase)\\(${m[1]}\\{`));
      }
      if (expr.includes('histogram_quantile')) expect(expr).toMatch(/_bucket\{/);
    }
  });
});

describe('twinflow-analyst.json', () => {
  it('reads only tables and views the ClickHouse migrations create', () => {
    expect(schemaObjects).toEqual(
      new Set([
        'telemetry_enriched',
        'twin_state',
        'kpi_minute',
        'commands',
        'alerts',
        'telemetry_enriched_dedup',
        'twin_state_latest',
        'kpi_minute_dedup',
        'commands_dedup',
        'alerts_dedup',
        'oee_by_line_shift',
        'cost_rates',
        'cost_baseline_by_line',
        'roi_by_line_day',
        'fault_outcomes',
        'alarm_verdicts',
        'alarm_quality_by_line',
      ]),
    );
    const tables = new Set(sqlOf(analyst).flatMap(tablesIn));
    for (const table of tables) expect(schemaObjects.has(table), table).toBe(true);
    // The panels the analysts asked for: OEE by line and shift, downtime, risk by asset, commands.
    expect([...tables]).toEqual(
      expect.arrayContaining([
        'oee_by_line_shift',
        'kpi_minute_dedup',
        'twin_state_latest',
        'commands_dedup',
      ]),
    );
  });
});

describe('infra/grafana/provisioning', () => {
  it('provisions both datasource types and loads the dashboards folder that compose mounts', () => {
    const datasources = parse(
      fs.readFileSync(path.join(PROVISIONING, 'datasources/datasources.yaml'), 'utf8'),
    ) as { datasources: { type: string; uid: string; jsonData?: Record<string, unknown> }[] };
    const types = datasources.datasources.map((d) => d.type).sort();
    expect(types).toEqual(['grafana-clickhouse-datasource', 'prometheus']);
    const ch = datasources.datasources.find((d) => d.type === 'grafana-clickhouse-datasource');
    // Unqualified table names in the dashboard resolve in the datasource's default database.
    expect(ch?.jsonData?.defaultDatabase).toBe('twinflow');
    expect(fs.readFileSync(path.join(PROVISIONING, 'datasources/datasources.yaml'), 'utf8')).toMatch(
      /password: \$CLICKHOUSE_PASSWORD\n/,
    );

    const providers = parse(fs.readFileSync(path.join(PROVISIONING, 'dashboards/twinflow.yaml'), 'utf8')) as {
      providers: { type: string; options: { path: string } }[];
    };
    expect(providers.providers).toHaveLength(1);
    expect(providers.providers[0].type).toBe('file');
    // compose.yaml mounts DASHBOARDS at the provider's path.
    const compose = fs.readFileSync('infra/docker/compose.yaml', 'utf8');
    expect(compose).toContain(`../grafana/dashboards:${providers.providers[0].options.path}:ro`);
    expect(fs.readdirSync(DASHBOARDS).sort()).toEqual(['twinflow-analyst.json', 'twinflow-job.json']);
  });
});
