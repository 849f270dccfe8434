import type { Aggregator, WindowResult } from 'twinflow';
import type { HxKpi, HxOutput } from './outputs.js';

/** A KPI window's running sums (plain JSON, so windows snapshot). */
export interface HxKpiAccumulator {
  readings: number;
  energyKwh: number;
  dutySum: number;
  foulingSum: number;
  fouled: number;
  minCapacityKw: number | null;
  outOfService: number;
  implausible: number;
}

/**
 * Per-exchanger KPIs over a window of the twin's estimates (its other
 * outputs pass by): heat delivered (duty integrated over each reading's
 * interval), mean duty, mean fouling and the lowest capacity while in
 * service, and how many readings were out of service or implausible.
 *
 * @example
 * estimates$.pipe(windowAggregate(tumbling(3_600_000), exchangerKpiAggregator(), { id: 'hx-kpi-hour', snapshots }))
 */
export function exchangerKpiAggregator(): Aggregator<HxOutput, HxKpiAccumulator, HxKpiAccumulator> {
  return {
    create: () => ({
      readings: 0,
      energyKwh: 0,
      dutySum: 0,
      foulingSum: 0,
      fouled: 0,
      minCapacityKw: null,
      outOfService: 0,
      implausible: 0,
    }),
    add(acc, out) {
      if (out.type !== 'estimate') return acc;
      const e = out.estimate;
      acc.readings++;
      if (e.status === 'out-of-service') acc.outOfService++;
      else if (e.status === 'implausible') acc.implausible++;
      else {
        acc.energyKwh += (e.dutyKw * e.dtS) / 3600;
        acc.dutySum += e.dutyKw;
        acc.foulingSum += e.foulingM2KW;
        acc.fouled++;
        acc.minCapacityKw =
          acc.minCapacityKw === null ? e.capacityKw : Math.min(acc.minCapacityKw, e.capacityKw);
      }
      return acc;
    },
    merge(a, b) {
      a.readings += b.readings;
      a.energyKwh += b.energyKwh;
      a.dutySum += b.dutySum;
      a.foulingSum += b.foulingSum;
      a.fouled += b.fouled;
      a.minCapacityKw =
        a.minCapacityKw === null
          ? b.minCapacityKw
          : Math.min(a.minCapacityKw, b.minCapacityKw ?? a.minCapacityKw);
      a.outOfService += b.outOfService;
      a.implausible += b.implausible;
      return a;
    },
    result: (acc) => ({ ...acc }),
  };
}

/**
 * A fired KPI window as the twin's output.
 *
 * @example
 * kpis$.pipe(mapRecords((w) => hxKpiOutput(w, 'hour')))
 */
export function hxKpiOutput(w: WindowResult<HxKpiAccumulator>, window: HxKpi['window']): HxOutput {
  const a = w.value;
  return {
    type: 'kpi',
    kpi: {
      exchangerId: w.key,
      window,
      start: w.start,
      end: w.end,
      late: w.late,
      readings: a.readings,
      energyKwh: a.energyKwh,
      meanDutyKw: a.fouled > 0 ? a.dutySum / a.fouled : 0,
      meanFoulingM2KW: a.fouled > 0 ? a.foulingSum / a.fouled : 0,
      minCapacityKw: a.minCapacityKw ?? 0,
      outOfService: a.outOfService,
      implausible: a.implausible,
    },
  };
}
