import type { Action, RunState } from '../../operators/control/contracts.js';
import type { FailureCause } from '../../operators/scoring/assetPhysics.js';
import type { FaultKind } from './faultPlan.js';

/**
 * What the simulator did with a command. `IGNORED` commands change nothing:
 * the asset was in local/manual mode, unknown, or already down.
 *
 * @example
 * const effect = sim.apply(command);
 * if (effect.outcome === 'IGNORED') console.log(effect.assetId, effect.reason); // 'local-mode'
 */
export interface CommandEffect {
  readonly commandId: string;
  readonly assetId: string;
  readonly action: Action;
  /** Simulated time the command reached the asset (epoch ms). */
  readonly at: number;
  readonly outcome: 'OBEYED' | 'IGNORED';
  readonly reason: CommandReason;
  /** The asset's load limit and state after the command (null for an unknown asset). */
  readonly loadLimitPct: number | null;
  readonly runState: RunState | null;
}

/**
 * Why a command was obeyed or ignored.
 *
 * @example
 * if (effect.reason === 'local-mode') retryLater(effect.commandId);
 */
export type CommandReason = 'applied' | 'local-mode' | 'unknown-asset' | 'asset-failed' | 'in-maintenance';

/**
 * A failure: wear reached 1 (bearing) or temperature reached the trip limit (overheat).
 *
 * @example
 * truth.failures[0]; // { assetId: 'pump-001', ts: 1735776000000, cause: 'bearing' }
 */
export interface FailureRecord {
  readonly assetId: string;
  readonly ts: number;
  readonly cause: FailureCause;
}

/**
 * An injected fault and when it ended (absent while still active), and why.
 *
 * @example
 * truth.faults[0]; // { assetId: 'pump-001', kind: 'bearing-defect', severity: 0.5, injectedAt: …, endedAt: …, endedBy: 'maintenance' }
 */
export interface FaultRecord {
  readonly assetId: string;
  readonly kind: FaultKind;
  readonly severity: number;
  readonly injectedAt: number;
  endedAt?: number;
  endedBy?: 'expired' | 'maintenance' | 'repair';
}

/**
 * A change of an asset's state and its cause.
 *
 * @example
 * { ts: 1735776000000, state: 'FAILED', reason: 'bearing' }
 */
export interface StateChange {
  readonly ts: number;
  readonly state: RunState;
  readonly reason:
    | 'start'
    | 'shift'
    | 'bearing'
    | 'overheat'
    | 'repaired'
    | 'maintenance'
    | 'maintained'
    | 'shutdown'
    | 'restart';
}

/**
 * Per-asset truth over the run. Unplanned downtime is time FAILED; planned
 * downtime is time in MAINTENANCE or STOPPED. IDLE is outside every shift
 * (not planned production time).
 *
 * @example
 * const a = truth.assets['pump-001'];
 * const availability = a.timeInStateS.RUNNING / (a.timeInStateS.RUNNING + a.unplannedDowntimeS + a.plannedDowntimeS);
 */
export interface AssetTruth {
  readonly timeInStateS: Readonly<Record<RunState, number>>;
  readonly unplannedDowntimeS: number;
  readonly plannedDowntimeS: number;
  readonly failures: number;
  readonly energyKwh: number;
  readonly goodUnits: number;
  readonly rejectedUnits: number;
  /** True wear now (what the twin estimates from vibration). */
  readonly wear: number;
  readonly timeline: readonly StateChange[];
}

/**
 * Everything that really happened in the simulated plant, to score a twin
 * against a baseline run: failures, faults, commands and their effects, and
 * per-asset time in state, energy and production.
 *
 * @example
 * const t = sim.groundTruth();
 * t.failures.length; t.totals.unplannedDowntimeS; t.assets['pump-001'].goodUnits;
 */
export interface GroundTruth {
  readonly from: number;
  readonly to: number;
  readonly failures: readonly FailureRecord[];
  readonly faults: readonly FaultRecord[];
  readonly commands: readonly CommandEffect[];
  readonly assets: Readonly<Record<string, AssetTruth>>;
  readonly totals: {
    readonly failures: number;
    readonly unplannedDowntimeS: number;
    readonly plannedDowntimeS: number;
    readonly energyKwh: number;
    readonly goodUnits: number;
    readonly rejectedUnits: number;
  };
}
