import type { Catalogue } from '../../connectors/catalogue/catalogue.js';
import type { AlertKind } from '../../operators/control/alert.js';
import type { Action, TwinMode } from '../../operators/control/contracts.js';
import type { LiveView, LiveViewSnapshot, ViewTone } from '../../runtime/liveView/liveView.js';
import type { MachineHealthOutput } from './machineHealth.js';

/** What a person should do about an alert of each kind (the twin's own command, if any, is shown beside it). */
export const RECOMMENDED_ACTION: Readonly<Record<AlertKind, string>> = {
  RISK: 'Plan maintenance; follow the twin command for load',
  ANOMALY: 'Inspect the flagged signal on site',
  TEMPERATURE: 'Check cooling and load now',
  MODEL_FAILURE: 'Check the sensors; risk is unknown',
  DATA_STALE: 'Check the asset connection and sensors',
  DATA_RESUMED: 'None: data is back',
  COMMAND_IGNORED: 'Asset in local mode: apply the command by hand or confirm',
  COMMAND_TIMED_OUT: 'Check the asset received the command',
};

const MODE_TONES: Readonly<Record<TwinMode, ViewTone>> = {
  NORMAL: 'ok',
  DERATED: 'warn',
  MAINTENANCE: 'info',
  SHUTDOWN: 'bad',
  STALE: 'warn',
  FAILED: 'bad',
};

interface AssetRow {
  readonly asset: string;
  readonly site: string;
  readonly line: string;
  readonly kind: string;
  mode: TwinMode | null;
  risk: number | null;
  rulHours: number | null;
  lastReadingTs: number | null;
  command: Action | null;
  commandAt: number | null;
  outcome: string | null;
  commandId: string | null;
  obeyed: number;
  alerts: number;
}

interface AlertRow {
  readonly id: string;
  readonly ts: number;
  readonly asset: string;
  readonly severity: string;
  readonly kind: AlertKind;
  readonly reason: string;
}

/**
 * The machine-health operator view: folds the job's outputs (twin states,
 * scored readings, commands, alerts) into the asset grid, the alert list and
 * a line/site roll-up, for the runtime's live page and JSON API. Every
 * catalogue asset has a row from the start ("no reading yet" until its
 * first). Feed it every output in the embedded run, or each committed
 * epoch's outputs on Kafka (so the page never shows an aborted epoch's
 * command).
 *
 * @example
 * const view = machineHealthOperatorView(catalogue);
 * runEmbedded(definition, { …, onOutput: view.observe });
 * await serveLiveView(view);
 */
export function machineHealthOperatorView(
  catalogue: Catalogue,
  options: { readonly maxAlerts?: number } = {},
): LiveView & { observe(out: MachineHealthOutput): void; finish(): void } {
  const maxAlerts = options.maxAlerts ?? 100;
  const assets = new Map<string, AssetRow>();
  for (const a of catalogue.assets) {
    assets.set(a.id, {
      asset: a.id,
      site: a.site,
      line: a.line,
      kind: a.kind,
      mode: null,
      risk: null,
      rulHours: null,
      lastReadingTs: null,
      command: null,
      commandAt: null,
      outcome: null,
      commandId: null,
      obeyed: 0,
      alerts: 0,
    });
  }
  const alerts: AlertRow[] = [];
  let eventTime: number | null = null;
  let finished = false;
  let commands = 0;
  let alertCount = 0;

  const observe = (out: MachineHealthOutput): void => {
    switch (out.type) {
      case 'enriched': {
        const t = out.reading.telemetry;
        const row = assets.get(t.assetId);
        if (row === undefined) return;
        row.lastReadingTs = t.ts;
        if (eventTime === null || t.ts > eventTime) eventTime = t.ts;
        const risk = out.reading.risk;
        if (!Number.isNaN(risk.risk)) {
          row.risk = risk.risk;
          row.rulHours = risk.rulHours;
        }
        return;
      }
      case 'state': {
        const row = assets.get(out.state.assetId);
        if (row === undefined) return;
        row.mode = out.state.mode;
        if (row.commandId !== null && out.state.commandsObeyed > row.obeyed && row.outcome === 'PENDING') {
          row.outcome = 'OBEYED';
        }
        row.obeyed = out.state.commandsObeyed;
        return;
      }
      case 'command': {
        const c = out.command;
        const row = assets.get(c.assetId);
        commands++;
        if (row === undefined) return;
        row.command = c.action;
        row.commandAt = c.decidedAt;
        row.commandId = c.commandId;
        row.outcome = 'PENDING';
        return;
      }
      case 'alert': {
        const a = out.alert;
        alertCount++;
        const row = assets.get(a.assetId);
        if (row !== undefined) {
          row.alerts++;
          if (a.kind === 'COMMAND_IGNORED') row.outcome = 'IGNORED';
          else if (a.kind === 'COMMAND_TIMED_OUT') row.outcome = 'TIMED_OUT';
        }
        alerts.unshift({
          id: a.alertId,
          ts: a.ts,
          asset: a.assetId,
          severity: a.severity,
          kind: a.kind,
          reason: a.reason,
        });
        if (alerts.length > maxAlerts) alerts.length = maxAlerts;
        return;
      }
      default:
        return;
    }
  };

  const snapshot = (): LiveViewSnapshot => {
    const rows = [...assets.values()];
    const rollup = new Map<
      string,
      { site: string; line: string; assets: number; risky: number; down: number; riskSum: number; n: number }
    >();
    for (const r of rows) {
      const key = `${r.site}/${r.line}`;
      let g = rollup.get(key);
      if (g === undefined) {
        g = { site: r.site, line: r.line, assets: 0, risky: 0, down: 0, riskSum: 0, n: 0 };
        rollup.set(key, g);
      }
      g.assets++;
      if (r.risk !== null) {
        g.riskSum += r.risk;
        g.n++;
        if (r.risk >= 0.5) g.risky++;
      }
      if (r.mode === 'FAILED' || r.mode === 'SHUTDOWN' || r.mode === 'MAINTENANCE') g.down++;
    }
    return {
      eventTime,
      status: finished ? 'finished' : eventTime === null ? 'starting' : 'running',
      summary: [
        { label: 'assets', value: String(rows.length) },
        { label: 'assets reporting', value: String(rows.filter((r) => r.lastReadingTs !== null).length) },
        { label: 'commands', value: String(commands) },
        { label: 'alerts', value: String(alertCount) },
      ],
      sections: [
        {
          id: 'assets',
          title: 'Assets',
          description:
            'Twin mode, failure risk (next hours), remaining useful life, age of the last reading in event time, and the latest command with its outcome.',
          rowKey: 'asset',
          columns: [
            { key: 'asset', label: 'Asset', kind: 'text' },
            { key: 'line', label: 'Line', kind: 'text' },
            { key: 'kind', label: 'Kind', kind: 'text' },
            { key: 'mode', label: 'Mode', kind: 'status', tones: MODE_TONES },
            { key: 'risk', label: 'Risk', kind: 'ratio', digits: 1 },
            { key: 'rulHours', label: 'RUL (h)', kind: 'number', digits: 0 },
            { key: 'readingAgeMs', label: 'Last reading', kind: 'durationMs' },
            { key: 'command', label: 'Open command', kind: 'text' },
            {
              key: 'outcome',
              label: 'Outcome',
              kind: 'status',
              tones: { OBEYED: 'ok', PENDING: 'info', IGNORED: 'bad', TIMED_OUT: 'warn' },
            },
          ],
          rows: rows.map((r) => ({
            asset: r.asset,
            line: `${r.site}/${r.line}`,
            kind: r.kind,
            mode: r.mode,
            risk: r.risk,
            rulHours: r.rulHours,
            readingAgeMs:
              r.lastReadingTs === null || eventTime === null
                ? null
                : Math.max(0, eventTime - r.lastReadingTs),
            command: r.command,
            outcome: r.outcome,
          })),
        },
        {
          id: 'alerts',
          title: 'Alerts',
          description: `The newest ${maxAlerts} alerts, newest first, with what to do about each.`,
          rowKey: 'id',
          columns: [
            { key: 'ts', label: 'Time', kind: 'eventTime' },
            { key: 'asset', label: 'Asset', kind: 'text' },
            {
              key: 'severity',
              label: 'Severity',
              kind: 'status',
              tones: { info: 'info', warning: 'warn', critical: 'bad' },
            },
            { key: 'kind', label: 'Kind', kind: 'text' },
            { key: 'reason', label: 'Why', kind: 'text' },
            { key: 'action', label: 'Recommended action', kind: 'text' },
            { key: 'twinCommand', label: 'Twin command', kind: 'text' },
          ],
          rows: alerts.map((a) => ({
            id: a.id,
            ts: a.ts,
            asset: a.asset,
            severity: a.severity,
            kind: a.kind,
            reason: a.reason,
            action: RECOMMENDED_ACTION[a.kind],
            twinCommand: assets.get(a.asset)?.command ?? null,
          })),
        },
        {
          id: 'rollup',
          title: 'Lines and sites',
          description:
            'Per line: assets, mean risk, assets at risk 50 % or more, assets down (failed, shut down, in maintenance).',
          rowKey: 'line',
          columns: [
            { key: 'line', label: 'Site/line', kind: 'text' },
            { key: 'assets', label: 'Assets', kind: 'number', digits: 0 },
            { key: 'meanRisk', label: 'Mean risk', kind: 'ratio', digits: 1 },
            { key: 'atRisk', label: 'At risk', kind: 'number', digits: 0 },
            { key: 'down', label: 'Down', kind: 'number', digits: 0 },
          ],
          rows: [...rollup.entries()]
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([key, g]) => ({
              line: key,
              assets: g.assets,
              meanRisk: g.n === 0 ? null : g.riskSum / g.n,
              atRisk: g.risky,
              down: g.down,
            })),
        },
      ],
    };
  };

  return {
    job: 'machine-health',
    title: 'machine-health — live operator view',
    snapshot,
    observe,
    finish: () => {
      finished = true;
    },
  };
}
