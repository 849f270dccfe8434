import fs from 'node:fs';
import path from 'node:path';

/** The parts of a Grafana dashboard JSON the tests read. */
export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly templating: { list: Variable[] };
  readonly panels: Panel[];
}

/** A dashboard variable: a datasource picker or a query. */
export interface Variable {
  readonly name: string;
  readonly type: string;
  readonly query: unknown;
  readonly datasource?: { type: string; uid: string };
}

/** A panel; rows have no targets. */
export interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { h: number; w: number; x: number; y: number };
  readonly datasource?: { type: string; uid: string };
  readonly targets?: Target[];
}

/** A query of a panel: PromQL in `expr`, ClickHouse SQL in `rawSql`. */
export interface Target {
  readonly refId: string;
  readonly datasource: { type: string; uid: string };
  readonly expr?: string;
  readonly rawSql?: string;
  readonly format?: number;
}

/** Folder of the dashboard JSON files that Grafana's file provider loads. */
export const DASHBOARDS = 'infra/grafana/dashboards';

/**
 * A dashboard of infra/grafana/dashboards, parsed.
 *
 * @example
 * const job = readDashboard('twinflow-job.json');
 */
export function readDashboard(file: string): Dashboard {
  return JSON.parse(fs.readFileSync(path.join(DASHBOARDS, file), 'utf8')) as Dashboard;
}

/**
 * The panels that query a datasource, with their targets.
 *
 * @example
 * queryPanels(readDashboard('twinflow-job.json')).flatMap((p) => p.targets);
 */
export function queryPanels(dashboard: Dashboard): (Panel & { targets: Target[] })[] {
  return dashboard.panels.filter((p): p is Panel & { targets: Target[] } => p.type !== 'row');
}
