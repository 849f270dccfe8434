import type { TypedAvroSchema } from 'twinflow/kafka';

/**
 * One reading of one heat exchanger: primary (hot) and secondary (cold)
 * side temperatures and mass flows, the hot-side pressure drop and the
 * control valve's measured position. The valve throttles the hot side.
 *
 * @example
 * const t: HxTelemetry = { exchangerId: 'hx-north', ts: 0, hotInletC: 95, hotOutletC: 55, coldInletC: 45,
 *   coldOutletC: 70, hotFlowKgS: 6, coldFlowKgS: 9.6, pressureDropKpa: 40, valvePct: 80 };
 */
export interface HxTelemetry {
  readonly exchangerId: string;
  /** Event time, ms since the epoch. */
  readonly ts: number;
  readonly hotInletC: number;
  readonly hotOutletC: number;
  readonly coldInletC: number;
  readonly coldOutletC: number;
  readonly hotFlowKgS: number;
  readonly coldFlowKgS: number;
  readonly pressureDropKpa: number;
  readonly valvePct: number;
}

/**
 * What the twin may ask of an exchanger: take it down to be cleaned (which
 * also reseals a leaking plate pack), isolate it (bypass: no heat, no leak),
 * return it to service, or stroke its control valve to a position.
 */
export type HxAction = 'CLEAN' | 'BYPASS' | 'RESTORE' | 'SET_VALVE';

/** One decision of the twin for one exchanger, as it goes to the commands topic. */
export interface HxCommand {
  /** Deterministic (exchanger, decision time, action): a replay reproduces it. */
  readonly commandId: string;
  readonly exchangerId: string;
  readonly action: HxAction;
  /** SET_VALVE's position, within [0, 100]; null for the other actions. */
  readonly valvePct: number | null;
  readonly reason: string;
  /** Event time of the reading or timer that decided it. */
  readonly decidedAt: number;
  /** The fouling resistance estimated when deciding, m²K/W. */
  readonly foulingM2KW: number;
  /** Hours until the capacity falls below the contract minimum, as predicted; null without a trend. */
  readonly hoursToContractLimit: number | null;
}

/**
 * The deterministic id of a command.
 *
 * @example
 * hxCommandIdOf('hx-north', 3_600_000, 'CLEAN'); // 'hx-north@3600000:CLEAN'
 */
export function hxCommandIdOf(exchangerId: string, decidedAt: number, action: HxAction): string {
  return `${exchangerId}@${decidedAt}:${action}`;
}

const celsius = (name: string) => ({ name, type: 'double', doc: '°C' });

/**
 * The Avro contract of the telemetry topic.
 *
 * @example
 * const serde = new AvroSerde(registry, hxTelemetrySchema); // AvroSerde<HxTelemetry>
 */
export const hxTelemetrySchema: TypedAvroSchema<HxTelemetry> = {
  type: 'record',
  name: 'HxTelemetry',
  namespace: 'twinflow.heatexchanger',
  doc: 'One reading of one heat exchanger, keyed by exchangerId.',
  fields: [
    { name: 'exchangerId', type: 'string' },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
    celsius('hotInletC'),
    celsius('hotOutletC'),
    celsius('coldInletC'),
    celsius('coldOutletC'),
    { name: 'hotFlowKgS', type: 'double', doc: 'kg/s, primary side' },
    { name: 'coldFlowKgS', type: 'double', doc: 'kg/s, secondary side' },
    { name: 'pressureDropKpa', type: 'double', doc: 'hot-side pressure drop, kPa' },
    { name: 'valvePct', type: 'double', doc: 'measured control valve position, % open' },
  ],
};

/**
 * The Avro contract of the commands topic.
 *
 * @example
 * const commands: KafkaOutput<HxOutput> = { name: 'commands', topic: 'hx-commands', schema: hxCommandSchema, messages };
 */
export const hxCommandSchema: TypedAvroSchema<HxCommand> = {
  type: 'record',
  name: 'HxCommand',
  namespace: 'twinflow.heatexchanger',
  doc: 'A decision of the heat-exchanger twin for one exchanger, keyed by exchangerId; exactly once per decision.',
  fields: [
    { name: 'commandId', type: 'string' },
    { name: 'exchangerId', type: 'string' },
    {
      name: 'action',
      type: { type: 'enum', name: 'HxAction', symbols: ['CLEAN', 'BYPASS', 'RESTORE', 'SET_VALVE'] },
    },
    { name: 'valvePct', type: ['null', 'double'], default: null },
    { name: 'reason', type: 'string' },
    { name: 'decidedAt', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'foulingM2KW', type: 'double' },
    { name: 'hoursToContractLimit', type: ['null', 'double'], default: null },
  ],
};
