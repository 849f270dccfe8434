import type { HxAction, HxCommand } from './contracts.js';

/** How a reading could be used: for an estimate, not at all (no flow), or not trusted. */
export type EstimateStatus = 'ok' | 'out-of-service' | 'implausible';

/** What the twin makes of one reading: duty, UA, fouling, its trend and what it means for the contract. */
export interface HxEstimate {
  readonly exchangerId: string;
  readonly ts: number;
  /** Seconds since the exchanger's previous reading (0 for its first): what the duty is integrated over. */
  readonly dtS: number;
  readonly status: EstimateStatus;
  /** Why the reading was not used, when it was not. */
  readonly note: string;
  /** Heat released by the hot side, kW. */
  readonly dutyKw: number;
  /** (hot-side duty − cold-side duty) / hot-side duty: 0 when the heat balance closes. */
  readonly heatBalanceMismatch: number;
  /** UA from this reading, W/K (NaN when not estimated). */
  readonly uaWK: number;
  /** Fouling resistance, smoothed, m²K/W. */
  readonly foulingM2KW: number;
  /** Its trend, m²K/W per day; null until there are enough hourly samples. */
  readonly foulingSlopePerDay: number | null;
  /** The duty the exchanger can deliver at design conditions with this fouling, kW. */
  readonly capacityKw: number;
  readonly hoursToContractLimit: number | null;
}

export type HxAlertKind =
  | 'LEAK'
  | 'SENSOR_DRIFT'
  | 'VALVE_STUCK'
  | 'STALE_DATA'
  | 'IMPLAUSIBLE_DATA'
  | 'CONTRACT_AT_RISK'
  | 'COMMAND_NO_EFFECT';

/** Something the operators should know, once per episode. */
export interface HxAlert {
  /** Deterministic (exchanger, time, kind). */
  readonly alertId: string;
  readonly exchangerId: string;
  readonly ts: number;
  readonly kind: HxAlertKind;
  readonly severity: 'warning' | 'critical';
  readonly message: string;
  readonly value: number;
}

/** Whether a command's effect showed up in the readings, judged some time after it. */
export interface HxCommandOutcome {
  readonly commandId: string;
  readonly exchangerId: string;
  readonly action: HxAction;
  readonly decidedAt: number;
  readonly judgedAt: number;
  readonly effective: boolean;
  readonly detail: string;
}

/** Per exchanger and window: what it delivered and how fouled it was. */
export interface HxKpi {
  readonly exchangerId: string;
  readonly window: 'hour' | 'day';
  readonly start: number;
  readonly end: number;
  readonly late: boolean;
  readonly readings: number;
  readonly energyKwh: number;
  readonly meanDutyKw: number;
  readonly meanFoulingM2KW: number;
  readonly minCapacityKw: number;
  readonly outOfService: number;
  readonly implausible: number;
}

/**
 * Everything the heat-exchanger twin produces, tagged by kind.
 *
 * @example
 * const commands = outputs.filter((o): o is Extract<HxOutput, { type: 'command' }> => o.type === 'command');
 */
export type HxOutput =
  | { readonly type: 'estimate'; readonly estimate: HxEstimate }
  | { readonly type: 'command'; readonly command: HxCommand }
  | { readonly type: 'alert'; readonly alert: HxAlert }
  | { readonly type: 'outcome'; readonly outcome: HxCommandOutcome }
  | { readonly type: 'kpi'; readonly kpi: HxKpi };
