import { normalSource, uniformSource } from 'twinflow';
import type { ExchangerSpec, HxCatalogue } from './catalogue.js';
import type { HxCommand, HxTelemetry } from './contracts.js';
import { exchangerOutcome } from './effectivenessNtu.js';
import { faultSchedule, type HxFault, type HxFaultKind } from './faultSchedule.js';
import { capacityKw, foulingUa, pressureDropKpa } from './fouling.js';
import { heatDemand } from './heatDemand.js';
import type { HxOutput } from './outputs.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** A Monday, midnight UTC: a run's dates look like dates in ClickHouse, not 1970. */
const DEFAULT_START_TS = Date.UTC(2026, 0, 5);
/** A leak is found at this size when it starts (a weeping gasket), then grows. */
const LEAK_ONSET = 0.03;
const LEAK_MAX = 0.25;

export interface HxSimulatorOptions {
  readonly seed: number;
  /** How long the run is planned for; faults fall within it. */
  readonly days: number;
  /** Event time of the first tick, a midnight UTC (default 2026-01-05, a Monday). */
  readonly startTs?: number;
  /** Between readings (default 10 min). */
  readonly tickMs?: number;
  /** Default: one of each kind from {@link faultSchedule}; [] for a fault-free plant. */
  readonly faults?: readonly HxFault[];
}

/** One fault as it happened: when it started and when (if) it was put right. */
export interface HxFaultRecord {
  readonly kind: HxFaultKind;
  readonly exchangerId: string;
  readonly startTs: number;
  repairedTs: number | null;
}

/** A command the plant received and what it did with it. */
export interface HxCommandRecord {
  readonly command: HxCommand;
  readonly appliedAt: number;
  readonly effect: string;
}

/** The ground truth of one exchanger over a run. */
export interface HxExchangerTruth {
  demandedKwh: number;
  deliveredKwh: number;
  unmetKwh: number;
  /** Heat a clean exchanger would have delivered against the demand, and this one did not. */
  foulingLossKwh: number;
  cleanings: number;
  cleaningCostEur: number;
  downtimeH: number;
  bypassH: number;
  /** Hours its design capacity was below the contract minimum. */
  belowContractH: number;
  leakedTonnes: number;
  stuckValveH: number;
  peakFoulingM2KW: number;
  foulingM2KW: number;
}

/** What really happened in a run: per exchanger, totals, the faults and the commands. */
export interface HxGroundTruth {
  readonly seed: number;
  readonly ticks: number;
  readonly exchangers: Readonly<Record<string, HxExchangerTruth>>;
  readonly totals: HxExchangerTruth;
  readonly faults: readonly HxFaultRecord[];
  readonly commands: readonly HxCommandRecord[];
}

/** What an operator sees of an exchanger on the SCADA at a tick: what the customer asked and got. */
export interface HxPlantView {
  readonly exchangerId: string;
  readonly ts: number;
  readonly demandKw: number;
  readonly deliveredKw: number;
  readonly inService: boolean;
}

interface ExchangerState {
  readonly spec: ExchangerSpec;
  readonly truth: HxExchangerTruth;
  fouling: number;
  foulingNoise: number;
  downFrom: number | null;
  downUntil: number | null;
  bypassed: boolean;
  valve: number;
  stuckAt: number | null;
  seized: boolean;
  driftC: number;
  leak: number;
}

/**
 * A seeded, closed-loop simulation of a site's heat exchangers, the plant a
 * twin is tested against. Each tick every exchanger meets the time-of-day
 * demand as well as it can: the local controller opens the hot-side valve
 * until the duty matches, and fouling (growing while in service, several
 * times faster during a fouling episode) makes it open further until the
 * valve is fully open and demand goes unmet. While it is cleaned or
 * bypassed a standby carries up to `standbyDutyKw`: enough for the night
 * low, not for the peaks. Faults come from a
 * {@link faultSchedule}. Commands act from the next tick: CLEAN takes the
 * exchanger down for its downtime and then leaves it clean, resealed, its
 * valve freed and its sensors recalibrated; BYPASS isolates it (no heat, no
 * leak, no fouling); RESTORE ends a bypass; SET_VALVE strokes the valve,
 * which frees a stuck one unless it has seized. The ground truth records
 * everything the readings do not show.
 *
 * @example
 * const plant = new HeatExchangerSimulator(catalogue, { seed: 1, days: 30 });
 * const readings = plant.step(); // one reading per exchanger
 * plant.apply(outputsOfTheTick);
 * plant.groundTruth().totals.unmetKwh;
 */
export class HeatExchangerSimulator {
  private readonly tickMs: number;
  private readonly exchangers: ExchangerState[];
  private readonly faults: readonly HxFault[];
  private readonly faultRecords: HxFaultRecord[] = [];
  private readonly commands: HxCommandRecord[] = [];
  private readonly demand: (ts: number) => number;
  private readonly startTs: number;
  private readonly noise: () => number;
  private readonly drift: () => number;
  private ts: number;
  private ticks = 0;
  private view: HxPlantView[] = [];

  constructor(
    catalogue: HxCatalogue,
    private readonly options: HxSimulatorOptions,
  ) {
    this.tickMs = options.tickMs ?? 600_000;
    const startTs = options.startTs ?? DEFAULT_START_TS;
    this.startTs = startTs;
    this.ts = startTs - this.tickMs;
    const ids = catalogue.exchangers.map((e) => e.id);
    this.faults = options.faults ?? faultSchedule(options.seed, ids, startTs, options.days);
    this.demand = heatDemand(options.seed, options.days, startTs);
    this.noise = normalSource(uniformSource(options.seed));
    this.drift = uniformSource(options.seed ^ 0xd41f7);
    this.exchangers = catalogue.exchangers.map((spec) => ({
      spec,
      truth: emptyTruth(),
      fouling: 0,
      foulingNoise: 1,
      downFrom: null,
      downUntil: null,
      bypassed: false,
      valve: 0.5,
      stuckAt: null,
      seized: false,
      driftC: 0,
      leak: 0,
    }));
  }

  /** Event time of the last tick. */
  now(): number {
    return this.ts;
  }

  /** Advances one tick: every exchanger's reading. */
  step(): readonly HxTelemetry[] {
    this.ts += this.tickMs;
    this.ticks++;
    const dtH = this.tickMs / HOUR_MS;
    const readings: HxTelemetry[] = [];
    this.view = [];
    for (const x of this.exchangers) {
      this.startFaults(x);
      readings.push(this.stepExchanger(x, dtH));
    }
    return readings;
  }

  /**
   * The commands among a tick's outputs, acted on from the next tick; every
   * other output is ignored. Each command is recorded with what it did.
   */
  apply(outputs: readonly HxOutput[]): void {
    for (const o of outputs) if (o.type === 'command') this.applyCommand(o.command);
  }

  /** What the operators saw at the last tick (the baseline acts on it). */
  plantView(): readonly HxPlantView[] {
    return this.view;
  }

  /** Truth so far, per exchanger and in total. */
  groundTruth(): HxGroundTruth {
    const exchangers: Record<string, HxExchangerTruth> = {};
    const totals = emptyTruth();
    for (const x of this.exchangers) {
      exchangers[x.spec.id] = { ...x.truth };
      for (const k of Object.keys(totals) as (keyof HxExchangerTruth)[]) {
        totals[k] =
          k === 'peakFoulingM2KW' || k === 'foulingM2KW'
            ? Math.max(totals[k], x.truth[k])
            : totals[k] + x.truth[k];
      }
    }
    return {
      seed: this.options.seed,
      ticks: this.ticks,
      exchangers,
      totals,
      faults: this.faultRecords.map((f) => ({ ...f })),
      commands: [...this.commands],
    };
  }

  private startFaults(x: ExchangerState): void {
    for (const f of this.faults) {
      if (f.exchangerId !== x.spec.id || f.startTs > this.ts || f.startTs <= this.ts - this.tickMs) continue;
      this.faultRecords.push({
        kind: f.kind,
        exchangerId: f.exchangerId,
        startTs: this.ts,
        repairedTs: null,
      });
      // A valve seizes part-open, where it still passes flow but cannot follow the peaks.
      if (f.kind === 'stuck-valve') {
        x.stuckAt = Math.min(0.6, Math.max(0.3, x.valve));
        x.seized = f.severity >= 1;
      } else if (f.kind === 'leak') x.leak = LEAK_ONSET;
    }
  }

  /** The fault of this kind going on at the exchanger: started, not over, not repaired. */
  private active(kind: HxFaultKind, x: ExchangerState): HxFault | undefined {
    const repaired = this.faultRecords.some(
      (r) => r.kind === kind && r.exchangerId === x.spec.id && r.repairedTs !== null,
    );
    if (repaired) return undefined;
    return this.faults.find(
      (f) =>
        f.kind === kind &&
        f.exchangerId === x.spec.id &&
        f.startTs <= this.ts &&
        (f.endTs === null || this.ts < f.endTs),
    );
  }

  private stepExchanger(x: ExchangerState, dtH: number): HxTelemetry {
    const s = x.spec;
    const ts = this.ts;
    if (x.downUntil !== null && x.downUntil <= ts) this.finishCleaning(x);
    const demandKw = s.contractMinDutyKw * this.demand(ts);
    const hotInletC =
      s.designHotInletC +
      1.5 * Math.sin((2 * Math.PI * (ts - this.startTs)) / (5 * DAY_MS)) +
      0.1 * this.noise();
    const coldInletC = s.designColdInletC + 0.1 * this.noise();
    const coldFlowKgS = s.designColdFlowKgS * (0.7 + 0.3 * Math.min(1.2, demandKw / s.contractMinDutyKw));
    const down = x.downUntil !== null && x.downFrom !== null && x.downFrom <= ts;
    const inService = !down && !x.bypassed;
    const t = x.truth;
    t.demandedKwh += demandKw * dtH;
    if (down) t.downtimeH += dtH;
    if (x.bypassed) t.bypassH += dtH;
    if (x.stuckAt !== null) t.stuckValveH += dtH;
    if (capacityKw(s, x.fouling) < s.contractMinDutyKw) t.belowContractH += dtH;

    let valve = 0;
    let deliveredKw = 0;
    let hotOutletC = hotInletC;
    let coldOutletC = coldInletC;
    if (inService) {
      const point = (fouling: number, v: number) =>
        exchangerOutcome({
          uaWK: foulingUa(s.designUaWK, s.areaM2, fouling),
          hotInletC,
          coldInletC,
          hotFlowKgS: v * s.designHotFlowKgS * (1 - x.leak),
          coldFlowKgS,
          arrangement: s.arrangement,
        });
      valve = x.stuckAt ?? valveFor(demandKw, (v) => point(x.fouling, v).dutyW / 1000);
      const now = point(x.fouling, valve);
      const clean = point(0, x.stuckAt ?? valveFor(demandKw, (v) => point(0, v).dutyW / 1000));
      deliveredKw = now.dutyW / 1000;
      hotOutletC = now.hotOutletC;
      coldOutletC = now.coldOutletC;
      t.foulingLossKwh +=
        Math.max(0, Math.min(demandKw, clean.dutyW / 1000) - Math.min(demandKw, deliveredKw)) * dtH;
      x.foulingNoise = Math.min(1.3, Math.max(0.7, x.foulingNoise + 0.05 * this.noise()));
      const episode = this.active('fast-fouling', x)?.severity ?? 1;
      x.fouling += s.foulingRateM2KWPerDay * (0.4 + 0.6 * valve) * x.foulingNoise * episode * (dtH / 24);
      if (x.leak > 0) {
        t.leakedTonnes += x.leak * valve * s.designHotFlowKgS * dtH * 3.6;
        x.leak = Math.min(LEAK_MAX, x.leak + (this.active('leak', x)?.severity ?? 0) * (dtH / 24));
      }
    }
    const drifting = this.active('drifting-sensor', x);
    if (drifting !== undefined) x.driftC += drifting.severity * (dtH / 24) * (0.5 + this.drift());
    x.valve = valve;
    if (!inService) deliveredKw = Math.min(demandKw, s.standbyDutyKw);
    t.deliveredKwh += deliveredKw * dtH;
    t.unmetKwh += Math.max(0, demandKw - deliveredKw) * dtH;
    t.peakFoulingM2KW = Math.max(t.peakFoulingM2KW, x.fouling);
    t.foulingM2KW = x.fouling;
    this.view.push({ exchangerId: s.id, ts, demandKw, deliveredKw, inService });

    const hotFlowKgS = valve * s.designHotFlowKgS;
    const through = hotFlowKgS * (1 - x.leak);
    const measured = (v: number, sigma: number) => v + sigma * this.noise();
    return {
      exchangerId: s.id,
      ts,
      hotInletC: measured(hotInletC, 0.05),
      hotOutletC: measured(hotOutletC, 0.05),
      coldInletC: measured(coldInletC, 0.05),
      coldOutletC: measured(coldOutletC, 0.05) + x.driftC,
      hotFlowKgS: Math.max(0, hotFlowKgS * (1 + 0.003 * this.noise())),
      coldFlowKgS: inService ? Math.max(0, coldFlowKgS * (1 + 0.003 * this.noise())) : 0,
      pressureDropKpa: Math.max(
        0,
        pressureDropKpa(s.cleanPressureDropKpa, through, s.designHotFlowKgS, x.fouling) *
          (1 + 0.003 * this.noise()),
      ),
      valvePct: Math.round(valve * 10_000) / 100,
    };
  }

  private finishCleaning(x: ExchangerState): void {
    x.fouling = 0;
    x.downFrom = null;
    x.downUntil = null;
    x.bypassed = false;
    this.repair(x, 'leak', () => {
      x.leak = 0;
    });
    this.repair(x, 'stuck-valve', () => {
      x.stuckAt = null;
    });
    this.repair(x, 'drifting-sensor', () => {
      x.driftC = 0;
    });
  }

  /** Puts a fault right if it is still there. */
  private repair(x: ExchangerState, kind: HxFaultKind, fix: () => void): void {
    for (const f of this.faultRecords) {
      if (f.kind === kind && f.exchangerId === x.spec.id && f.repairedTs === null) {
        f.repairedTs = this.ts;
        fix();
      }
    }
  }

  private applyCommand(command: HxCommand): void {
    this.commands.push({ command, appliedAt: this.ts, effect: this.act(command) });
  }

  /** Acts on a command; what it did. */

  private act(command: HxCommand): string {
    const x = this.exchangers.find((e) => e.spec.id === command.exchangerId);
    if (x === undefined) return 'ignored: no such exchanger';
    if (x.downUntil !== null) return 'ignored: being cleaned';
    switch (command.action) {
      case 'CLEAN': {
        x.downFrom = this.ts + this.tickMs;
        x.downUntil = x.downFrom + x.spec.cleaningDowntimeH * HOUR_MS;
        x.truth.cleanings++;
        x.truth.cleaningCostEur += x.spec.cleaningCostEur;
        return `cleaning until ${new Date(x.downUntil).toISOString()}`;
      }
      case 'BYPASS':
        if (x.bypassed) return 'ignored: already bypassed';
        x.bypassed = true;
        return 'bypassed';
      case 'RESTORE':
        if (!x.bypassed) return 'ignored: not bypassed';
        x.bypassed = false;
        return 'back in service';
      case 'SET_VALVE':
        if (x.stuckAt === null) return 'stroked; the controller took over again';
        if (x.seized) return 'no movement: the valve has seized';
        this.repair(x, 'stuck-valve', () => {
          x.stuckAt = null;
        });
        return 'freed the stuck valve';
    }
  }
}

/** The valve opening (0..1) at which the duty meets the demand, or fully open when it cannot. */
function valveFor(demandKw: number, dutyKwAt: (valve: number) => number): number {
  if (dutyKwAt(1) <= demandKw) return 1;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (dutyKwAt(mid) < demandKw) lo = mid;
    else hi = mid;
  }
  return hi;
}

function emptyTruth(): HxExchangerTruth {
  return {
    demandedKwh: 0,
    deliveredKwh: 0,
    unmetKwh: 0,
    foulingLossKwh: 0,
    cleanings: 0,
    cleaningCostEur: 0,
    downtimeH: 0,
    bypassH: 0,
    belowContractH: 0,
    leakedTonnes: 0,
    stuckValveH: 0,
    peakFoulingM2KW: 0,
    foulingM2KW: 0,
  };
}
