import type { Command, RunState, Telemetry } from '../../operators/control/contracts.js';
import {
  type AssetCondition,
  type AssetSpec,
  failureOf,
  nextTemperature,
  powerOf,
  rejectShare,
  steadyTemperature,
  unitRate,
  vibrationOf,
  wearRatePerS,
} from '../../operators/scoring/assetPhysics.js';
import { hashString, unitHash } from '../../operators/scoring/stableHash.js';
import type { Catalogue, LoadBounds, SiteSpec } from '../catalogue/catalogue.js';
import { demandAt, inShift } from './demandProfile.js';
import {
  bearingWearFactor,
  coolingFactorAfterLoss,
  defaultDurationS,
  FAULT_KINDS,
  type FaultKind,
  type FaultPlan,
  type FaultSpec,
} from './faultPlan.js';
import type {
  AssetTruth,
  CommandEffect,
  CommandReason,
  FailureRecord,
  FaultRecord,
  GroundTruth,
  StateChange,
} from './groundTruth.js';
import { RandomStream } from './randomStream.js';

/**
 * How the simulated plant is built.
 *
 * @example
 * const options: PlantSimulatorOptions = { catalogue, seed: 7, startTs: Date.UTC(2025, 0, 1), tickMs: 10_000 };
 */
export interface PlantSimulatorOptions {
  readonly catalogue: Catalogue;
  readonly seed: number;
  /** Simulated time of the first tick's start, epoch ms. */
  readonly startTs: number;
  /** Simulated ms per tick (one reading per asset per tick); default 10 000. */
  readonly tickMs?: number;
  readonly faults?: FaultPlan;
  /**
   * Probability that an asset is in local/manual mode during a given
   * `localModeWindowMs` window (default 1 h) and ignores commands; default 0.05.
   */
  readonly localModeProbability?: number;
  readonly localModeWindowMs?: number;
  /** Range of the assets' wear at the start (they are not all new); default 0.05..0.35. */
  readonly initialWear?: { readonly min: number; readonly max: number };
}

/**
 * The simulator's true view of one asset (what the twin cannot see), for tests and reports.
 *
 * @example
 * const { wear, coolingFactor, runState } = sim.conditionOf('pump-001');
 */
export interface TrueCondition extends AssetCondition {
  readonly runState: RunState;
  readonly loadLimitPct: number;
}

/**
 * The whole state of a simulator, JSON-serialisable. Restoring it into a
 * simulator built with the same options continues the run exactly.
 *
 * @example
 * const saved = JSON.stringify(sim.snapshot());
 * other.restore(JSON.parse(saved) as PlantSnapshot);
 */
export interface PlantSnapshot {
  readonly version: 1;
  readonly seed: number;
  readonly tickMs: number;
  readonly startTs: number;
  readonly now: number;
  readonly assetIds: readonly string[];
  readonly noiseState: number;
  readonly explicitCursor: number;
  readonly assets: readonly AssetRuntimeData[];
  readonly timelines: readonly (readonly StateChange[])[];
  readonly failures: readonly FailureRecord[];
  readonly faults: readonly FaultRecord[];
  readonly commands: readonly CommandEffect[];
}

/**
 * Bad simulator options (unknown asset in a fault plan, severity out of
 * range) or a snapshot that does not fit this simulator. Not retriable.
 *
 * @example
 * try { sim.restore(snapshot); } catch (e) { if (e instanceof PlantSimulatorError) console.error(e.message); }
 */
export class PlantSimulatorError extends Error {
  override readonly name = 'PlantSimulatorError';
  readonly retriable = false;
}

/** Far-future sentinel; JSON keeps it (it would turn Infinity into null). */
const NEVER = Number.MAX_SAFE_INTEGER;
/** Wear of a freshly replaced bearing. */
const RESIDUAL_WEAR = 0.02;
/** Share of readings that are wild during a spike burst. */
const BURST_SPIKE_SHARE = 0.2;
const TEMPERATURE_NOISE_C = 0.3;
const VIBRATION_NOISE_REL = 0.03;
const POWER_NOISE_REL = 0.01;
// Salts keep the hash-derived draws of different purposes independent.
const SALT_PROFILE = 101;
const SALT_WEAR = 102;
const SALT_LOCAL = 103;
const SALT_FAULT_TIME = 200;
/** Wear from which a technician on an inspection changes the bearing. */
const INSPECTION_WEAR = 0.6;
const SALT_FAULT_SEVERITY = 300;

/** Mutable per-asset state; plain fields only, so a snapshot is a structured clone. */
class AssetRuntime {
  seq = 0;
  state: RunState = 'RUNNING';
  stopped = false;
  downUntil = NEVER;
  temperatureC = 0;
  wear = 0;
  load = 0;
  loadLimitPct = 100;
  units = 0;
  rejected = 0;
  energyKwh = 0;
  failures = 0;
  wearFactor = 1;
  bearingFault = -1;
  bearingUntil = NEVER;
  coolingFactor = 1;
  coolingFault = -1;
  coolingUntil = NEVER;
  dropoutFault = -1;
  dropoutUntil = NEVER;
  stuckFault = -1;
  stuckUntil = NEVER;
  stuckTemp: number | null = null;
  stuckVib: number | null = null;
  spikeFault = -1;
  spikeUntil = NEVER;
  spikeOnce = false;
  spikeSeverity = 0;
  lastTemp: number | null = null;
  lastVib: number | null = null;
  runningS = 0;
  idleS = 0;
  failedS = 0;
  maintenanceS = 0;
  stoppedS = 0;
  /** Per fault kind (FAULT_KINDS order): time of the next random fault and how many came before. */
  randomNextAt: number[] = [];
  randomCount: number[] = [];
}

type AssetRuntimeData = { -readonly [K in keyof AssetRuntime]: AssetRuntime[K] };

function round(x: number, scale: number): number {
  return Math.round(x * scale) / scale;
}

/**
 * The simulated plant and its control system, seeded and deterministic.
 * Each `step()` advances simulated time by one tick for every asset with the
 * physics of `operators/scoring/assetPhysics.ts` (heat from load, cooling to
 * ambient, bearing wear accelerated by heat and load, failure on worn-out
 * bearing or overheat, then downtime until repaired) and returns one reading
 * per asset, with sensor noise and injected faults. `apply()` is the control
 * system: commands change the load limit, stop the asset or take it down
 * for maintenance, so the twin's loop is really closed.
 *
 * Noise and faults never depend on commands, so the same seed with and
 * without a twin gives the same plant: the baseline for measuring its value.
 *
 * @example
 * const sim = new PlantSimulator({ catalogue, seed: 1, startTs: Date.UTC(2025, 0, 1),
 *   faults: { faults: [{ assetId: 'pump-001', kind: 'bearing-defect', at: Date.UTC(2025, 0, 1, 2) }] } });
 * for (let i = 0; i < 360; i++) for (const reading of sim.step()) publish(reading);
 * sim.apply(command);                      // e.g. SCHEDULE_MAINTENANCE for pump-001
 * sim.groundTruth().failures;              // what really happened
 */
export class PlantSimulator {
  readonly tickMs: number;
  readonly startTs: number;
  private readonly seed: number;
  private readonly specs: readonly AssetSpec[];
  private readonly bounds: readonly LoadBounds[];
  private readonly sites: readonly SiteSpec[];
  private readonly idHash: Uint32Array;
  private readonly profileShiftH: Float64Array;
  private readonly ripplePeriodH: Float64Array;
  private readonly index = new Map<string, number>();
  private readonly explicit: readonly FaultSpec[];
  private readonly randomRatePerMs: Float64Array;
  private readonly randomSeverity: { readonly min: number; readonly max: number };
  private readonly localModeProbability: number;
  private readonly localModeWindowMs: number;
  private readonly noise: RandomStream;
  /** Reused for every physics call: no allocation per reading. */
  private readonly cond: AssetCondition = {
    temperatureC: 0,
    wear: 0,
    load: 0,
    coolingFactor: 1,
    wearFactor: 1,
  };
  private currentTs: number;
  private explicitCursor = 0;
  private assets: AssetRuntime[];
  private timelines: StateChange[][];
  private failures: FailureRecord[] = [];
  private faults: FaultRecord[] = [];
  private commands: CommandEffect[] = [];

  constructor(options: PlantSimulatorOptions) {
    const { catalogue } = options;
    if (catalogue.assets.length === 0)
      throw new PlantSimulatorError(`${catalogue.source}: the catalogue has no assets`);
    this.tickMs = options.tickMs ?? 10_000;
    if (!(this.tickMs > 0)) throw new PlantSimulatorError(`tickMs must be positive (got ${this.tickMs})`);
    this.seed = options.seed >>> 0;
    this.startTs = options.startTs;
    this.currentTs = options.startTs;
    this.specs = catalogue.assets;
    this.bounds = catalogue.assets.map((a) => catalogue.bounds[a.id]);
    const siteById = new Map(catalogue.sites.map((s) => [s.id, s]));
    this.sites = catalogue.assets.map((a) => {
      const site = siteById.get(a.site);
      if (site === undefined)
        throw new PlantSimulatorError(`asset ${a.id}: site ${a.site} is not in the catalogue`);
      return site;
    });
    const n = this.specs.length;
    this.idHash = new Uint32Array(n);
    this.profileShiftH = new Float64Array(n);
    this.ripplePeriodH = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const id = this.specs[i].id;
      if (this.index.has(id)) throw new PlantSimulatorError(`duplicate asset id ${id} in the catalogue`);
      this.index.set(id, i);
      this.idHash[i] = hashString(id);
      this.profileShiftH[i] = (unitHash(this.seed, this.idHash[i], SALT_PROFILE, 0) - 0.5) * 1.5;
      this.ripplePeriodH[i] = 2 + 4 * unitHash(this.seed, this.idHash[i], SALT_PROFILE, 1);
    }
    this.localModeProbability = options.localModeProbability ?? 0.05;
    this.localModeWindowMs = options.localModeWindowMs ?? 3_600_000;
    this.explicit = this.validateFaults(options.faults?.faults ?? []);
    const random = options.faults?.random;
    this.randomSeverity = random?.severity ?? { min: 0.3, max: 1 };
    this.randomRatePerMs = new Float64Array(FAULT_KINDS.length);
    FAULT_KINDS.forEach((kind, k) => {
      const rate = random?.perAssetDay[kind] ?? 0;
      if (!(rate >= 0))
        throw new PlantSimulatorError(`faults.random.perAssetDay.${kind} must be >= 0 (got ${rate})`);
      this.randomRatePerMs[k] = rate / 86_400_000;
    });
    this.noise = new RandomStream(this.seed ^ 0x5bd1e995);
    const wearRange = options.initialWear ?? { min: 0.05, max: 0.35 };
    this.assets = [];
    this.timelines = [];
    for (let i = 0; i < n; i++) {
      const a = new AssetRuntime();
      const spec = this.specs[i];
      a.wear =
        wearRange.min + (wearRange.max - wearRange.min) * unitHash(this.seed, this.idHash[i], SALT_WEAR, 0);
      a.loadLimitPct = this.bounds[i].maxLoadLimitPct;
      a.state = inShift(this.sites[i].shifts, this.startTs) ? 'RUNNING' : 'IDLE';
      const load = a.state === 'RUNNING' ? this.demandedLoad(i, a, this.startTs) : 0;
      a.temperatureC = steadyTemperature(spec, load, 1);
      a.load = load;
      for (let k = 0; k < FAULT_KINDS.length; k++) {
        a.randomCount.push(0);
        a.randomNextAt.push(this.nextRandomFaultAt(i, k, 0, this.startTs));
      }
      this.assets.push(a);
      this.timelines.push([{ ts: this.startTs, state: a.state, reason: 'start' }]);
    }
  }

  /** Simulated time of the latest reading (the start time before the first step). */
  get now(): number {
    return this.currentTs;
  }

  /** Asset ids in catalogue order (the order of `step()`'s readings). */
  get assetIds(): readonly string[] {
    return this.specs.map((s) => s.id);
  }

  /**
   * Advances every asset by one tick and returns one reading per asset,
   * stamped at the end of the tick, in catalogue order.
   *
   * @example
   * const readings = sim.step(); // readings[i].ts === sim.now
   */
  step(): Telemetry[] {
    const t0 = this.currentTs;
    const t1 = t0 + this.tickMs;
    const dtS = this.tickMs / 1000;
    while (this.explicitCursor < this.explicit.length && this.explicit[this.explicitCursor].at <= t1) {
      const f = this.explicit[this.explicitCursor++];
      const i = this.index.get(f.assetId)!;
      this.inject(i, f.kind, f.severity ?? 0.5, f.durationS ?? defaultDurationS(f.kind), t1);
    }
    const out = new Array<Telemetry>(this.specs.length);
    const cond = this.cond;
    const noise = this.noise;
    for (let i = 0; i < this.specs.length; i++) {
      const spec = this.specs[i];
      const a = this.assets[i];
      this.expireFaults(a, t1);
      for (let k = 0; k < FAULT_KINDS.length; k++) {
        while (a.randomNextAt[k] <= t1) {
          const n = a.randomCount[k]++;
          const u = unitHash(this.seed, this.idHash[i], SALT_FAULT_SEVERITY + k, n);
          const severity = this.randomSeverity.min + (this.randomSeverity.max - this.randomSeverity.min) * u;
          this.inject(i, FAULT_KINDS[k], severity, defaultDurationS(FAULT_KINDS[k]), t1);
          a.randomNextAt[k] = this.nextRandomFaultAt(i, k, n + 1, a.randomNextAt[k]);
        }
      }

      // The state in force over this tick.
      if ((a.state === 'FAILED' || a.state === 'MAINTENANCE') && a.downUntil <= t0) {
        const repaired = a.state === 'FAILED';
        this.recommission(i, a, repaired ? 'repair' : 'maintenance');
        a.state = a.stopped ? 'STOPPED' : inShift(this.sites[i].shifts, t0) ? 'RUNNING' : 'IDLE';
        this.timelines[i].push({ ts: t0, state: a.state, reason: repaired ? 'repaired' : 'maintained' });
      } else if (a.state === 'RUNNING' || a.state === 'IDLE') {
        const next: RunState = inShift(this.sites[i].shifts, t0) ? 'RUNNING' : 'IDLE';
        if (next !== a.state) {
          a.state = next;
          this.timelines[i].push({ ts: t0, state: next, reason: 'shift' });
        }
      }
      const running = a.state === 'RUNNING';
      const load = running ? this.demandedLoad(i, a, t0) : 0;
      a.load = load;

      cond.temperatureC = a.temperatureC;
      cond.wear = a.wear;
      cond.load = load;
      cond.coolingFactor = a.coolingFactor;
      cond.wearFactor = a.wearFactor;
      a.wear += wearRatePerS(spec, cond) * dtS;
      a.temperatureC = nextTemperature(spec, cond, dtS);
      if (running) {
        const units = unitRate(spec, load) * dtS;
        a.units += units;
        a.rejected += units * rejectShare(a.wear);
        a.energyKwh += (powerOf(spec, a.wear, load) * dtS) / 3600;
        a.runningS += dtS;
        cond.temperatureC = a.temperatureC;
        cond.wear = a.wear;
        const cause = failureOf(spec, cond);
        if (cause !== undefined) {
          a.state = 'FAILED';
          a.downUntil = t1 + spec.repairTimeS * 1000;
          a.failures++;
          a.load = 0;
          this.failures.push({ assetId: spec.id, ts: t1, cause });
          this.timelines[i].push({ ts: t1, state: 'FAILED', reason: cause });
        }
      } else if (a.state === 'IDLE') a.idleS += dtS;
      else if (a.state === 'FAILED') a.failedS += dtS;
      else if (a.state === 'MAINTENANCE') a.maintenanceS += dtS;
      else a.stoppedS += dtS;

      out[i] = this.reading(spec, a, t1, noise);
    }
    this.currentTs = t1;
    return out;
  }

  /**
   * Hands a command to the asset's controller at simulated time `atTs`
   * (default: now); it takes effect from the next tick. Obeyed unless the
   * asset is in local/manual mode in that hour (seeded), unknown, or already
   * down. REDUCE_LOAD lowers the load limit (to `loadLimitPct`, else by the
   * bounds' step), RESTORE_LOAD raises it (default: the maximum) and restarts
   * a stopped asset, SHUTDOWN stops it, SCHEDULE_MAINTENANCE takes it down
   * for its maintenance time, after which wear is reset and bearing and
   * cooling faults are cleared. DISPATCH_TECHNICIAN is an inspection: sensor
   * faults are fixed at once, and the asset goes into maintenance only if
   * the technician finds a bearing defect, a cooling loss or a worn bearing. Limits are
   * clamped to the asset's bounds.
   *
   * @example
   * const effect = sim.apply({ ...command, action: 'REDUCE_LOAD', loadLimitPct: 70 });
   * effect.outcome; // 'OBEYED' (or 'IGNORED', reason 'local-mode')
   */
  apply(command: Command, atTs: number = this.currentTs): CommandEffect {
    const i = this.index.get(command.assetId);
    if (i === undefined) return this.logCommand(command, atTs, 'IGNORED', 'unknown-asset', null, null);
    const a = this.assets[i];
    const b = this.bounds[i];
    const ignore = (reason: CommandReason): CommandEffect =>
      this.logCommand(command, atTs, 'IGNORED', reason, a.loadLimitPct, a.state);
    if (this.inLocalMode(i, atTs)) return ignore('local-mode');
    const clamp = (pct: number): number => Math.min(b.maxLoadLimitPct, Math.max(b.minLoadLimitPct, pct));
    switch (command.action) {
      case 'CONTINUE':
        break;
      case 'REDUCE_LOAD':
        a.loadLimitPct = clamp(command.loadLimitPct ?? a.loadLimitPct - b.reduceStepPct);
        break;
      case 'RESTORE_LOAD':
        a.loadLimitPct = clamp(command.loadLimitPct ?? b.maxLoadLimitPct);
        if (a.state === 'STOPPED') {
          a.stopped = false;
          a.state = inShift(this.sites[i].shifts, this.currentTs) ? 'RUNNING' : 'IDLE';
          this.timelines[i].push({ ts: this.currentTs, state: a.state, reason: 'restart' });
        }
        break;
      case 'SHUTDOWN':
        if (a.state === 'FAILED') return ignore('asset-failed');
        if (a.state === 'MAINTENANCE') return ignore('in-maintenance');
        a.stopped = true;
        if (a.state !== 'STOPPED') {
          a.state = 'STOPPED';
          this.timelines[i].push({ ts: this.currentTs, state: 'STOPPED', reason: 'shutdown' });
        }
        break;
      case 'DISPATCH_TECHNICIAN':
        if (a.state === 'FAILED') return ignore('asset-failed');
        if (a.state === 'MAINTENANCE') return ignore('in-maintenance');
        // An inspection: faulty sensors are fixed on the spot; the asset comes down for
        // maintenance only when the technician finds a real problem (defect, cooling, worn bearing).
        this.fixSensors(a);
        if (a.bearingFault >= 0 || a.coolingFault >= 0 || a.wear >= INSPECTION_WEAR)
          this.startMaintenance(i, a);
        break;
      case 'SCHEDULE_MAINTENANCE':
        if (a.state === 'FAILED') return ignore('asset-failed');
        if (a.state === 'MAINTENANCE') return ignore('in-maintenance');
        this.startMaintenance(i, a);
        break;
    }
    return this.logCommand(command, atTs, 'OBEYED', 'applied', a.loadLimitPct, a.state);
  }

  /**
   * Whether the asset's controller is in local/manual mode at `atTs`: a
   * seeded draw per asset and window, independent of anything else.
   *
   * @example
   * sim.inLocalMode('pump-001', sim.now); // false most of the time (probability 0.05 by default)
   */
  inLocalMode(asset: string | number, atTs: number): boolean {
    const i = typeof asset === 'number' ? asset : this.index.get(asset);
    if (i === undefined) return false;
    const window = Math.floor(atTs / this.localModeWindowMs);
    return unitHash(this.seed, this.idHash[i], SALT_LOCAL, window) < this.localModeProbability;
  }

  /**
   * The true condition of an asset now (wear and faults the twin cannot observe).
   *
   * @example
   * sim.conditionOf('pump-001').wear; // 0.21
   */
  conditionOf(assetId: string): TrueCondition {
    const i = this.index.get(assetId);
    if (i === undefined) throw new PlantSimulatorError(`unknown asset ${assetId}`);
    const a = this.assets[i];
    return {
      temperatureC: a.temperatureC,
      wear: a.wear,
      load: a.load,
      coolingFactor: a.coolingFactor,
      wearFactor: a.wearFactor,
      runState: a.state,
      loadLimitPct: a.loadLimitPct,
    };
  }

  /**
   * What really happened so far (a copy).
   *
   * @example
   * const { failures, totals } = sim.groundTruth();
   */
  groundTruth(): GroundTruth {
    const assets: Record<string, AssetTruth> = {};
    const totals = {
      failures: 0,
      unplannedDowntimeS: 0,
      plannedDowntimeS: 0,
      energyKwh: 0,
      goodUnits: 0,
      rejectedUnits: 0,
    };
    this.specs.forEach((spec, i) => {
      const a = this.assets[i];
      const truth: AssetTruth = {
        timeInStateS: {
          RUNNING: a.runningS,
          IDLE: a.idleS,
          FAILED: a.failedS,
          MAINTENANCE: a.maintenanceS,
          STOPPED: a.stoppedS,
        },
        unplannedDowntimeS: a.failedS,
        plannedDowntimeS: a.maintenanceS + a.stoppedS,
        failures: a.failures,
        energyKwh: a.energyKwh,
        goodUnits: Math.floor(a.units - a.rejected),
        rejectedUnits: Math.floor(a.rejected),
        wear: a.wear,
        timeline: this.timelines[i].slice(),
      };
      assets[spec.id] = truth;
      totals.failures += truth.failures;
      totals.unplannedDowntimeS += truth.unplannedDowntimeS;
      totals.plannedDowntimeS += truth.plannedDowntimeS;
      totals.energyKwh += truth.energyKwh;
      totals.goodUnits += truth.goodUnits;
      totals.rejectedUnits += truth.rejectedUnits;
    });
    return {
      from: this.startTs,
      to: this.currentTs,
      failures: this.failures.slice(),
      faults: this.faults.map((f) => ({ ...f })),
      commands: this.commands.slice(),
      assets,
      totals,
    };
  }

  /**
   * The full state, JSON-serialisable; `restore` continues from it exactly.
   *
   * @example
   * const s = sim.snapshot();
   * const copy = new PlantSimulator(sameOptions); copy.restore(s); // copy.step() equals sim.step()
   */
  snapshot(): PlantSnapshot {
    return structuredClone({
      version: 1 as const,
      seed: this.seed,
      tickMs: this.tickMs,
      startTs: this.startTs,
      now: this.currentTs,
      assetIds: this.assetIds,
      noiseState: this.noise.state,
      explicitCursor: this.explicitCursor,
      assets: this.assets.map((a) => ({ ...a })),
      timelines: this.timelines,
      failures: this.failures,
      faults: this.faults,
      commands: this.commands,
    });
  }

  /**
   * Replaces the state with a snapshot taken from a simulator built with
   * the same options.
   *
   * @example
   * sim.restore(JSON.parse(savedJson));
   */
  restore(snapshot: PlantSnapshot): void {
    const mismatch = (what: string, got: unknown, want: unknown): PlantSimulatorError =>
      new PlantSimulatorError(
        `snapshot does not fit this simulator: ${what} is ${String(got)}, expected ${String(want)}`,
      );
    if (snapshot.version !== 1) throw mismatch('version', snapshot.version, 1);
    if (snapshot.seed !== this.seed) throw mismatch('seed', snapshot.seed, this.seed);
    if (snapshot.tickMs !== this.tickMs) throw mismatch('tickMs', snapshot.tickMs, this.tickMs);
    const ids = this.assetIds;
    if (snapshot.assetIds.length !== ids.length || snapshot.assetIds.some((id, i) => id !== ids[i])) {
      throw mismatch(
        'asset list',
        `${snapshot.assetIds.length} assets`,
        `${ids.length} assets in catalogue order`,
      );
    }
    const copy = structuredClone(snapshot);
    this.currentTs = copy.now;
    this.noise.state = copy.noiseState;
    this.explicitCursor = copy.explicitCursor;
    this.assets = copy.assets.map((data) => Object.assign(new AssetRuntime(), data));
    this.timelines = copy.timelines as StateChange[][];
    this.failures = copy.failures as FailureRecord[];
    this.faults = copy.faults as FaultRecord[];
    this.commands = copy.commands as CommandEffect[];
  }

  private demandedLoad(i: number, a: AssetRuntime, ts: number): number {
    const demand = demandAt(this.sites[i].demand, ts, this.profileShiftH[i], this.ripplePeriodH[i]);
    const limit = a.loadLimitPct / 100;
    return Math.min(demand, limit);
  }

  private nextRandomFaultAt(i: number, k: number, n: number, after: number): number {
    const rate = this.randomRatePerMs[k];
    if (rate === 0) return NEVER;
    const u = unitHash(this.seed, this.idHash[i], SALT_FAULT_TIME + k, n);
    return after + Math.max(1, Math.round(-Math.log(1 - u) / rate));
  }

  private reading(spec: AssetSpec, a: AssetRuntime, ts: number, noise: RandomStream): Telemetry {
    // A fixed number of draws per reading whatever the state, so commands never shift the noise of later readings.
    const nT = noise.noise();
    const nV = noise.noise();
    const uP = noise.next();
    const uS = noise.next();
    const uM = noise.next();
    const running = a.state === 'RUNNING';
    const load = running ? a.load : 0;
    let temperature: number | null = round(a.temperatureC + TEMPERATURE_NOISE_C * nT, 100);
    // A stopped machine barely vibrates; the physics' vibration applies to a turning shaft.
    let vibration: number | null = running
      ? round(vibrationOf(spec, a.wear, load) * (1 + VIBRATION_NOISE_REL * nV), 1000)
      : round(0.05 + 0.01 * Math.abs(nV), 1000);
    if (a.spikeOnce || (a.spikeFault >= 0 && uS < BURST_SPIKE_SHARE)) {
      if (uM < 0.5) temperature = round(temperature + 20 + 40 * a.spikeSeverity, 100);
      else vibration = round(vibration * (3 + 5 * a.spikeSeverity), 1000);
      if (a.spikeOnce) {
        a.spikeOnce = false;
        this.endFault(a.spikeFault, ts, 'expired');
        a.spikeFault = -1;
      }
    }
    if (a.stuckFault >= 0) {
      temperature = a.stuckTemp;
      vibration = a.stuckVib;
    }
    if (a.dropoutFault >= 0) {
      temperature = null;
      vibration = null;
    }
    a.lastTemp = temperature;
    a.lastVib = vibration;
    const powerNoise = 1 + POWER_NOISE_REL * (2 * uP - 1);
    return {
      assetId: spec.id,
      site: spec.site,
      line: spec.line,
      ts,
      seq: ++a.seq,
      temperatureC: temperature,
      vibrationMmS: vibration,
      loadPct: round(load * 100, 10),
      pressureBar:
        spec.ratedPressureBar > 0 ? round(spec.ratedPressureBar * load * load * powerNoise, 100) : null,
      powerKw: running ? round(powerOf(spec, a.wear, load) * powerNoise, 100) : 0,
      rpm: running ? Math.round(spec.ratedRpm * load) : 0,
      runState: a.state,
      goodUnits: Math.floor(a.units - a.rejected),
      rejectedUnits: Math.floor(a.rejected),
      loadLimitPct: a.loadLimitPct,
    };
  }

  private inject(
    i: number,
    kind: FaultKind,
    severity: number,
    durationS: number | undefined,
    ts: number,
  ): void {
    const a = this.assets[i];
    const until = durationS === undefined ? NEVER : ts + durationS * 1000;
    const id = this.faults.length;
    this.faults.push({ assetId: this.specs[i].id, kind, severity, injectedAt: ts });
    // A new fault of a kind already active replaces it.
    switch (kind) {
      case 'bearing-defect':
        this.endFault(a.bearingFault, ts, 'expired');
        a.bearingFault = id;
        a.bearingUntil = until;
        a.wearFactor = bearingWearFactor(severity);
        break;
      case 'cooling-loss':
        this.endFault(a.coolingFault, ts, 'expired');
        a.coolingFault = id;
        a.coolingUntil = until;
        a.coolingFactor = coolingFactorAfterLoss(severity);
        break;
      case 'sensor-dropout':
        this.endFault(a.dropoutFault, ts, 'expired');
        a.dropoutFault = id;
        a.dropoutUntil = until;
        break;
      case 'stuck-sensor':
        this.endFault(a.stuckFault, ts, 'expired');
        a.stuckFault = id;
        a.stuckUntil = until;
        a.stuckTemp = a.lastTemp;
        a.stuckVib = a.lastVib;
        break;
      case 'spike':
        this.endFault(a.spikeFault, ts, 'expired');
        a.spikeFault = id;
        a.spikeSeverity = severity;
        a.spikeOnce = durationS === undefined || durationS <= 0;
        a.spikeUntil = a.spikeOnce ? NEVER : until;
        break;
    }
  }

  private startMaintenance(i: number, a: AssetRuntime): void {
    a.state = 'MAINTENANCE';
    a.downUntil = this.currentTs + this.specs[i].maintenanceTimeS * 1000;
    this.timelines[i].push({ ts: this.currentTs, state: 'MAINTENANCE', reason: 'maintenance' });
  }

  /** A technician on site replaces or frees faulty sensors (drop-out, stuck, spiking). */
  private fixSensors(a: AssetRuntime): void {
    const ts = this.currentTs;
    this.endFault(a.dropoutFault, ts, 'maintenance');
    a.dropoutFault = -1;
    this.endFault(a.stuckFault, ts, 'maintenance');
    a.stuckFault = -1;
    this.endFault(a.spikeFault, ts, 'maintenance');
    a.spikeFault = -1;
  }

  private expireFaults(a: AssetRuntime, ts: number): void {
    if (a.bearingFault >= 0 && a.bearingUntil <= ts) {
      this.endFault(a.bearingFault, ts, 'expired');
      a.bearingFault = -1;
      a.wearFactor = 1;
    }
    if (a.coolingFault >= 0 && a.coolingUntil <= ts) {
      this.endFault(a.coolingFault, ts, 'expired');
      a.coolingFault = -1;
      a.coolingFactor = 1;
    }
    if (a.dropoutFault >= 0 && a.dropoutUntil <= ts) {
      this.endFault(a.dropoutFault, ts, 'expired');
      a.dropoutFault = -1;
    }
    if (a.stuckFault >= 0 && a.stuckUntil <= ts) {
      this.endFault(a.stuckFault, ts, 'expired');
      a.stuckFault = -1;
    }
    if (a.spikeFault >= 0 && !a.spikeOnce && a.spikeUntil <= ts) {
      this.endFault(a.spikeFault, ts, 'expired');
      a.spikeFault = -1;
    }
  }

  /** After repair or maintenance: new bearing, cooling fixed, nominal settings, running again. */
  private recommission(i: number, a: AssetRuntime, by: 'repair' | 'maintenance'): void {
    const ts = this.currentTs;
    a.wear = RESIDUAL_WEAR;
    this.endFault(a.bearingFault, ts, by);
    a.bearingFault = -1;
    a.wearFactor = 1;
    this.endFault(a.coolingFault, ts, by);
    a.coolingFault = -1;
    a.coolingFactor = 1;
    a.loadLimitPct = this.bounds[i].maxLoadLimitPct;
    a.stopped = false;
    a.downUntil = NEVER;
  }

  private endFault(id: number, ts: number, by: 'expired' | 'maintenance' | 'repair'): void {
    if (id < 0) return;
    const f = this.faults[id];
    if (f.endedAt === undefined) {
      f.endedAt = ts;
      f.endedBy = by;
    }
  }

  private logCommand(
    command: Command,
    at: number,
    outcome: CommandEffect['outcome'],
    reason: CommandReason,
    loadLimitPct: number | null,
    runState: RunState | null,
  ): CommandEffect {
    const effect: CommandEffect = {
      commandId: command.commandId,
      assetId: command.assetId,
      action: command.action,
      at,
      outcome,
      reason,
      loadLimitPct,
      runState,
    };
    this.commands.push(effect);
    return effect;
  }

  private validateFaults(faults: readonly FaultSpec[]): FaultSpec[] {
    faults.forEach((f, n) => {
      const where = `faults.faults[${n}] (${f.assetId}, ${f.kind})`;
      if (!this.index.has(f.assetId)) throw new PlantSimulatorError(`${where}.assetId: unknown asset`);
      if (!FAULT_KINDS.includes(f.kind)) throw new PlantSimulatorError(`${where}.kind: unknown fault kind`);
      if (!Number.isFinite(f.at))
        throw new PlantSimulatorError(`${where}.at: must be a finite epoch ms (got ${f.at})`);
      if (f.severity !== undefined && !(f.severity >= 0 && f.severity <= 1)) {
        throw new PlantSimulatorError(`${where}.severity: must be within 0..1 (got ${f.severity})`);
      }
      if (f.durationS !== undefined && !(f.durationS >= 0)) {
        throw new PlantSimulatorError(`${where}.durationS: must be >= 0 (got ${f.durationS})`);
      }
    });
    // Stable sort: faults at the same time are injected in the order given.
    return faults.slice().sort((x, y) => x.at - y.at);
  }
}
