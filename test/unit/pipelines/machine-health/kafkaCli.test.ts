import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../../../connectors/catalogue/loadCatalogue.js';
import type { Alert } from '../../../../operators/control/alert.js';
import type { Command } from '../../../../operators/control/contracts.js';
import { DEFAULT_CATALOGUE } from '../../../../pipelines/machine-health/embeddedJob.js';
import { machineHealthOnCommitted } from '../../../../pipelines/machine-health/kafkaCli.js';
import type { MachineHealthOutput } from '../../../../pipelines/machine-health/machineHealth.js';
import { machineHealthOperatorView } from '../../../../pipelines/machine-health/operatorView.js';
import { JobMetrics } from '../../../../runtime/observability/metrics.js';

const T0 = Date.UTC(2026, 0, 5, 8);

function command(assetId: string, action: Command['action'], decidedAt: number): MachineHealthOutput {
  return {
    type: 'command',
    command: {
      commandId: `${assetId}@${decidedAt}:${action}`,
      assetId,
      action,
      loadLimitPct: action === 'REDUCE_LOAD' ? 70 : null,
      risk: 0.62,
      horizonHours: 24,
      reason: 'risk 0.62 over the reduce threshold',
      model: 'SURROGATE',
      decidedAt,
      source: null,
    },
  };
}

function alert(assetId: string, ts: number): MachineHealthOutput {
  const a: Alert = {
    alertId: `${assetId}@${ts}:RISK`,
    assetId,
    ts,
    severity: 'warning',
    kind: 'RISK',
    reason: 'failure risk 0.62 within 24 h',
    value: 0.62,
  };
  return { type: 'alert', alert: a };
}

const rowsOf = (view: ReturnType<typeof machineHealthOperatorView>, section: string) =>
  view.snapshot().sections.find((s) => s.id === section)?.rows ?? [];

describe('machineHealthOnCommitted', () => {
  it("counts each committed epoch's commands and folds its outputs into the operator view", async () => {
    const catalogue = await loadCatalogue(DEFAULT_CATALOGUE);
    const [first, second] = catalogue.assets.map((a) => a.id);
    const view = machineHealthOperatorView(catalogue);
    const metrics = new JobMetrics();
    const onCommitted = machineHealthOnCommitted({ metrics, commandsTopic: 'plant-commands', view });

    // Before any epoch committed: every asset listed, nothing known about it yet.
    expect(rowsOf(view, 'assets').find((r) => r.asset === first)).toMatchObject({
      command: null,
      outcome: null,
    });
    expect(rowsOf(view, 'alerts')).toEqual([]);

    onCommitted(1, [alert(first!, T0), command(first!, 'REDUCE_LOAD', T0)]);
    onCommitted(2, [command(second!, 'DISPATCH_TECHNICIAN', T0 + 30_000)]);

    const assets = rowsOf(view, 'assets');
    expect(assets.find((r) => r.asset === first)).toMatchObject({
      command: 'REDUCE_LOAD',
      outcome: 'PENDING',
    });
    expect(assets.find((r) => r.asset === second)).toMatchObject({
      command: 'DISPATCH_TECHNICIAN',
      outcome: 'PENDING',
    });
    expect(rowsOf(view, 'alerts')).toEqual([
      expect.objectContaining({ id: `${first}@${T0}:RISK`, asset: first, twinCommand: 'REDUCE_LOAD' }),
    ]);
    expect(view.snapshot().summary).toEqual(
      expect.arrayContaining([
        { label: 'commands', value: '2' },
        { label: 'alerts', value: '1' },
      ]),
    );

    const exported = await metrics.text();
    expect(exported).toMatch(/^twinflow_commands_total\{action="REDUCE_LOAD"\} 1$/m);
    expect(exported).toMatch(/^twinflow_commands_total\{action="DISPATCH_TECHNICIAN"\} 1$/m);
    expect(exported).toMatch(/^twinflow_records_out_total\{topic="plant-commands"\} 2$/m);
  });
});
