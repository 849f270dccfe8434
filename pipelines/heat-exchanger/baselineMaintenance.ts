import type { HxCatalogue } from './catalogue.js';
import { hxCommandIdOf } from './contracts.js';
import {
  HeatExchangerSimulator,
  type HxGroundTruth,
  type HxPlantView,
  type HxSimulatorOptions,
} from './exchangerSimulator.js';
import type { HxOutput } from './outputs.js';

const HOUR_MS = 3_600_000;

export interface BaselineOptions {
  /** Unmet demand this long in a row makes the operators clean at once (default 6 h). */
  readonly reactAfterH?: number;
  /** Scheduled cleanings start at this hour of the due day, in the night low like the twin's (default 0). */
  readonly scheduledHour?: number;
}

/**
 * What a site does without a twin, the baseline the twin is compared with:
 * each exchanger is cleaned on a fixed calendar (every
 * `scheduledCleaningDays` since its last cleaning, in the night low, the
 * same hours the twin prefers), and early only once its customers have gone
 * short of heat for `reactAfterH` hours in a row, when the operators clean
 * it at once. Leaks, stuck valves and drifting thermometers are found at
 * the next cleaning. It sees only what a SCADA shows (demand and delivered
 * heat), through {@link HeatExchangerSimulator.plantView}.
 *
 * @example
 * const baseline = baselineMaintenance(catalogue);
 * plant.step(); plant.apply(baseline.decide(plant.plantView()));
 */
export function baselineMaintenance(
  catalogue: HxCatalogue,
  options: BaselineOptions = {},
): { decide(view: readonly HxPlantView[]): HxOutput[] } {
  const reactAfterMs = (options.reactAfterH ?? 6) * HOUR_MS;
  const hour = options.scheduledHour ?? 0;
  const specs = new Map(catalogue.exchangers.map((e) => [e.id, e]));
  const lastClean = new Map<string, number>();
  const shortSince = new Map<string, number>();
  return {
    decide(view) {
      const out: HxOutput[] = [];
      for (const v of view) {
        const spec = specs.get(v.exchangerId);
        if (spec === undefined || !v.inService) {
          shortSince.delete(v.exchangerId);
          continue;
        }
        if (!lastClean.has(v.exchangerId)) lastClean.set(v.exchangerId, v.ts);
        const short = v.deliveredKw < 0.99 * v.demandKw;
        if (!short) shortSince.delete(v.exchangerId);
        else if (!shortSince.has(v.exchangerId)) shortSince.set(v.exchangerId, v.ts);
        const since = shortSince.get(v.exchangerId);
        const dueAt = (lastClean.get(v.exchangerId) as number) + spec.scheduledCleaningDays * 24 * HOUR_MS;
        const scheduled = v.ts >= dueAt && new Date(v.ts).getUTCHours() === hour;
        const reactive = since !== undefined && v.ts - since >= reactAfterMs;
        if (!scheduled && !reactive) continue;
        lastClean.set(v.exchangerId, v.ts);
        shortSince.delete(v.exchangerId);
        out.push({
          type: 'command',
          command: {
            commandId: hxCommandIdOf(v.exchangerId, v.ts, 'CLEAN'),
            exchangerId: v.exchangerId,
            action: 'CLEAN',
            valvePct: null,
            reason: scheduled
              ? 'scheduled cleaning'
              : `customers short of heat for ${options.reactAfterH ?? 6} h`,
            decidedAt: v.ts,
            foulingM2KW: 0,
            hoursToContractLimit: null,
          },
        });
      }
      return out;
    },
  };
}

/**
 * The baseline run: the seeded site for `ticks` ticks with its calendar
 * maintenance and no twin; what both the in-memory and the embedded
 * comparison set the twin against.
 *
 * @example
 * const baseline = runBaselineSite(catalogue, { seed: 1, days: 60 }, 8_640);
 */
export function runBaselineSite(
  catalogue: HxCatalogue,
  simulatorOptions: HxSimulatorOptions,
  ticks: number,
): HxGroundTruth {
  const site = new HeatExchangerSimulator(catalogue, simulatorOptions);
  const baseline = baselineMaintenance(catalogue);
  for (let i = 0; i < ticks; i++) {
    site.step();
    site.apply(baseline.decide(site.plantView()));
  }
  return site.groundTruth();
}
