import { connectable, defer, Observable, Subject } from 'rxjs';
import {
  keyBy,
  mapRecords,
  mergeWatermarks,
  processKeyed,
  type SnapshotStore,
  type StreamElement,
  tumbling,
  windowAggregate,
} from 'twinflow';
import { type GraphContext, lateTo } from 'twinflow/runtime';
import { exchangerLookup, type HxCatalogue } from './catalogue.js';
import type { HxTelemetry } from './contracts.js';
import { exchangerKpiAggregator, hxKpiOutput } from './exchangerKpis.js';
import { exchangerMonitor } from './exchangerMonitor.js';
import { defaultMaintenancePolicy, type MaintenancePolicyConfig } from './maintenancePolicy.js';
import type { HxOutput } from './outputs.js';

export interface HeatExchangerTwinDeps {
  readonly catalogue: HxCatalogue;
  readonly policy?: MaintenancePolicyConfig;
  /** No reading for this long raises STALE_DATA (default 30 min of event time). */
  readonly staleAfterMs?: number;
}

const HOUR_MS = 3_600_000;

/**
 * The heat-exchanger twin as an operator graph: per exchanger (keyed, its
 * state snapshotted at barriers) the monitor estimates fouling, predicts the
 * contract limit and decides maintenance; the estimates also feed hourly
 * and daily KPI windows. The branches merge back with aligned barriers, so
 * a barrier at the output means the whole graph has finished its epoch.
 *
 * @example
 * heatExchangerTwin(telemetry$, undefined, { catalogue }).subscribe((e) => { if (e.kind === 'record') console.log(e.value.type); });
 */
export function heatExchangerTwin(
  telemetry$: Observable<StreamElement<HxTelemetry>>,
  snapshots: SnapshotStore | undefined,
  deps: HeatExchangerTwinDeps,
  context?: GraphContext,
): Observable<StreamElement<HxOutput>> {
  const specOf = exchangerLookup(deps.catalogue);
  const monitor = exchangerMonitor(specOf, {
    policy: deps.policy ?? defaultMaintenancePolicy,
    staleAfterMs: deps.staleAfterMs ?? 30 * 60_000,
  });
  return defer(() => {
    const twin = connectable(
      telemetry$.pipe(
        keyBy((t) => t.exchangerId),
        // Timers in record order: the stale timer fires the same way however partitions interleave.
        processKeyed(monitor, { id: 'hx-monitor', snapshots, fireTimersInRecordOrder: true }),
      ),
      { connector: () => new Subject(), resetOnDisconnect: false },
    );
    const windowed = (id: string, sizeMs: number, window: 'hour' | 'day') =>
      twin.pipe(
        windowAggregate(tumbling(sizeMs), exchangerKpiAggregator(), {
          id,
          snapshots,
          // An estimate too late for its hour or day is counted (and kept by the test driver), not lost silently.
          lateOutput: lateTo(context, id),
        }),
        mapRecords((w) => hxKpiOutput(w, window)),
      );
    const merged = mergeWatermarks<HxOutput>([
      twin,
      windowed('hx-kpi-hour', HOUR_MS, 'hour'),
      windowed('hx-kpi-day', 24 * HOUR_MS, 'day'),
    ]);
    return new Observable<StreamElement<HxOutput>>((subscriber) => {
      const subscription = merged.subscribe(subscriber);
      subscription.add(twin.connect());
      return subscription;
    });
  });
}
