import { connectable, defer, Observable, Subject } from 'rxjs';
import type { Catalogue } from '../../connectors/catalogue/catalogue.js';
import type { Alert } from '../../operators/control/alert.js';
import type { Command, Telemetry, TwinState } from '../../operators/control/contracts.js';
import type { ControlBounds } from '../../operators/control/guardrails.js';
import type { PolicyConfig } from '../../operators/control/policy.js';
import type { ScoredReading } from '../../operators/control/scoredReading.js';
import { twinController } from '../../operators/control/twinController.js';
import {
  keyBy,
  mapAsyncBatch,
  mapRecords,
  mergeWatermarks,
  processKeyed,
  type SnapshotStore,
  type StreamElement,
  tumbling,
  windowAggregate,
} from '../../operators/index.js';
import { type KpiMinute, kpiAggregator } from '../../operators/kpi/kpiAggregator.js';
import type { AssetSpec } from '../../operators/scoring/assetPhysics.js';
import type { RiskAssessment, RiskModel } from '../../operators/scoring/riskModel.js';
import { assetMonitor, type MonitoredReading } from './assetMonitor.js';

/** Everything the machine-health job produces, tagged by kind. */
export type MachineHealthOutput =
  | { readonly type: 'enriched'; readonly reading: ScoredReading }
  | { readonly type: 'command'; readonly command: Command }
  | { readonly type: 'alert'; readonly alert: Alert }
  | { readonly type: 'state'; readonly state: TwinState }
  | {
      readonly type: 'kpi';
      readonly assetId: string;
      readonly start: number;
      readonly end: number;
      readonly late: boolean;
      readonly kpi: KpiMinute;
    };

export interface MachineHealthDeps {
  readonly catalogue: Catalogue;
  readonly riskModel: RiskModel;
  readonly policy: PolicyConfig;
  /** Event time after a command at which its outcome is judged. */
  readonly outcomeTimeoutMs: number;
  /** KPI window size (default one minute). */
  readonly kpiWindowMs?: number;
  /** Readings scored per risk-model call (default 128). */
  readonly scoringBatch?: number;
  /** Saves operator state at barriers and restores it on start. */
  readonly snapshots?: SnapshotStore;
  /** Called for each reading too late for its KPI window (dropped there; metrics). */
  readonly onLateReading?: (reading: ScoredReading) => void;
}

const NO_ESTIMATE_NOTE = 'no usable features (sensor drop-out before a first estimate)';

/**
 * The reference twin as an operator graph: per-asset enrichment (deltas,
 * wear and cooling estimates, anomaly detectors), batched hybrid risk
 * scoring, then three branches over the scored readings — the enriched
 * events themselves, the twin controller (commands, alerts, twin state) and
 * per-asset KPI windows — merged back with aligned barriers, so a barrier
 * at the output means the whole graph has finished its epoch.
 *
 * @example
 * machineHealth(telemetry$, { catalogue, riskModel, policy: defaultPolicyConfig, outcomeTimeoutMs: 120_000 })
 *   .subscribe((e) => { if (e.kind === 'record' && e.value.type === 'command') plant.apply(e.value.command); });
 */
export function machineHealth(
  telemetry$: Observable<StreamElement<Telemetry>>,
  deps: MachineHealthDeps,
): Observable<StreamElement<MachineHealthOutput>> {
  const specs = new Map<string, AssetSpec>(deps.catalogue.assets.map((a) => [a.id, a]));
  const specOf = (id: string): AssetSpec => {
    const spec = specs.get(id);
    if (spec === undefined) throw new UnknownAssetError(id);
    return spec;
  };
  const boundsOf = (id: string): ControlBounds => {
    const bounds = deps.catalogue.bounds[id];
    if (bounds === undefined) throw new UnknownAssetError(id);
    return bounds;
  };
  const { riskModel, snapshots } = deps;

  async function score(batch: MonitoredReading[], records: ReadonlyArray<StreamElement<MonitoredReading>>) {
    const items: Array<{ spec: AssetSpec; features: NonNullable<MonitoredReading['features']> }> = [];
    for (const r of batch) {
      if (r.features === null) continue;
      const spec = specOf(r.telemetry.assetId);
      // The twin's calibration: project wear at the rate it is observed to grow, not the catalogue's.
      items.push({
        spec:
          r.wearRateScale > 1
            ? { ...spec, wearPerHourAtRated: spec.wearPerHourAtRated * r.wearRateScale }
            : spec,
        features: r.features,
      });
    }
    const assessed = items.length > 0 ? await riskModel.assess(items) : [];
    let next = 0;
    return batch.map((r, i): ScoredReading => {
      const risk: RiskAssessment =
        r.features === null
          ? { risk: Number.NaN, rulHours: null, horizonHours: 6, model: 'FAILSAFE', note: NO_ESTIMATE_NOTE }
          : assessed[next++];
      const rec = records[i];
      const pos = rec.kind === 'record' ? rec.pos : undefined;
      const { wearRateScale: _, ...reading } = r;
      return pos === undefined ? { ...reading, risk } : { ...reading, risk, source: pos };
    });
  }

  return defer(() => {
    const scored = connectable(
      telemetry$.pipe(
        keyBy((t) => t.assetId),
        // Timers in record order: results independent of partition interleaving, so replays match.
        processKeyed(assetMonitor(specOf), { id: 'monitor', snapshots, fireTimersInRecordOrder: true }),
        mapAsyncBatch(score, { maxBatch: deps.scoringBatch ?? 128 }),
      ),
      { connector: () => new Subject(), resetOnDisconnect: false },
    );
    const enriched = scored.pipe(
      mapRecords((reading: ScoredReading): MachineHealthOutput => ({ type: 'enriched', reading })),
    );
    const twin = scored.pipe(
      processKeyed(
        twinController({ specOf, boundsOf, policy: deps.policy, outcomeTimeoutMs: deps.outcomeTimeoutMs }),
        { id: 'twin', snapshots, fireTimersInRecordOrder: true },
      ),
    );
    const kpis = scored.pipe(
      windowAggregate(tumbling(deps.kpiWindowMs ?? 60_000), kpiAggregator(specOf), {
        id: 'kpi-minute',
        snapshots,
        lateOutput: { next: (r) => deps.onLateReading?.(r.value) },
      }),
      mapRecords(
        (w): MachineHealthOutput => ({
          type: 'kpi',
          assetId: w.key,
          start: w.start,
          end: w.end,
          late: w.late,
          kpi: w.value,
        }),
      ),
    );
    const merged = mergeWatermarks<MachineHealthOutput>([
      enriched,
      twin as Observable<StreamElement<MachineHealthOutput>>,
      kpis,
    ]);
    return new Observable<StreamElement<MachineHealthOutput>>((subscriber) => {
      const subscription = merged.subscribe(subscriber);
      subscription.add(scored.connect());
      return subscription;
    });
  });
}

/** A reading or decision names an asset the catalogue does not have. */
export class UnknownAssetError extends Error {
  constructor(readonly assetId: string) {
    super(`asset "${assetId}" is not in the asset catalogue`);
    this.name = 'UnknownAssetError';
  }
}
