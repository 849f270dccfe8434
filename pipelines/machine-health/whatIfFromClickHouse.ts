import type { ClickHouseClient } from '@clickhouse/client';
import { type AssetSpec, coolingFromThermalBalance } from '../../operators/scoring/assetPhysics.js';
import type { WhatIfSubject } from './whatIfSubject.js';

/** The asset has no row in `twin_state_latest` (wrong database, or the job has not seen it yet). */
export class NoTwinStateError extends Error {
  override readonly name = 'NoTwinStateError';
  readonly retriable = false;
}

// ts_ms, not ts: an alias named like the column would shadow it in WHERE.
interface StateRow {
  ts_ms: string;
  mode: string;
  reported_temperature_c: number | null;
  reported_load_pct: number | null;
  health_wear_estimate: number;
  health_risk: number;
  health_rul_hours: number | null;
  health_model: string;
  version: string;
}

interface ReadingRow {
  ts_ms: string;
  temperature_c: number | null;
  load_pct: number;
  run_state: string;
}

/** How far back a reading may be for the cooling estimate, and how far apart the two used. */
const COOLING_WINDOW_MS = 15 * 60_000;
const COOLING_SPAN_MS = 5 * 60_000;

/**
 * The asset's latest twin state in ClickHouse (`twin_state_latest`), as a
 * what-if subject. twin_state keeps temperature, load and the wear estimate
 * but not the twin's cooling estimate, so that is worked out as the twin
 * does, from the thermal balance of two readings of `telemetry_enriched` at
 * least 5 minutes apart (as far apart as the load stayed unchanged) in the
 * quarter hour before the state; without such a pair the cooling is taken as normal (1), and
 * `coolingFrom` says which. Throws {@link NoTwinStateError} when the asset
 * has no state.
 *
 * @example
 * const subject = await whatIfSubjectFromClickHouse(client, 'twinflow', spec);
 * subject.ts; subject.version; subject.features.wearEstimate;
 */
export async function whatIfSubjectFromClickHouse(
  client: ClickHouseClient,
  database: string,
  spec: AssetSpec,
): Promise<WhatIfSubject> {
  const states = await (
    await client.query({
      query: `SELECT toUnixTimestamp64Milli(ts) AS ts_ms, mode, reported_temperature_c, reported_load_pct,
                     health_wear_estimate, health_risk, health_rul_hours, health_model, version
              FROM ${database}.twin_state_latest WHERE asset_id = {asset:String}
              ORDER BY version DESC LIMIT 1`,
      query_params: { asset: spec.id },
      format: 'JSONEachRow',
    })
  ).json<StateRow>();
  const state = states[0];
  if (state === undefined) {
    throw new NoTwinStateError(
      `asset "${spec.id}" has no twin state in ${database}.twin_state_latest (has the job run on this database?)`,
    );
  }
  const ts = Number(state.ts_ms);
  const readings = await (
    await client.query({
      query: `SELECT toUnixTimestamp64Milli(ts) AS ts_ms, temperature_c, load_pct, run_state
              FROM ${database}.telemetry_enriched_dedup
              WHERE asset_id = {asset:String}
                AND ts BETWEEN fromUnixTimestamp64Milli({from:Int64}) AND fromUnixTimestamp64Milli({to:Int64})
              ORDER BY ts`,
      query_params: { asset: spec.id, from: ts - COOLING_WINDOW_MS, to: ts },
      format: 'JSONEachRow',
    })
  ).json<ReadingRow>();
  const latestReading = readings.at(-1);
  const temperatureC = state.reported_temperature_c ?? latestReading?.temperature_c ?? null;
  if (temperatureC === null) {
    throw new NoTwinStateError(`asset "${spec.id}" has no temperature in its latest state or readings`);
  }
  const load = Math.max(0, (state.reported_load_pct ?? 0) / 100);
  const cooling = coolingOf(spec, readings);
  return {
    assetId: spec.id,
    source: 'clickhouse',
    ts,
    version: Number(state.version),
    mode: state.mode,
    features: { temperatureC, wearEstimate: state.health_wear_estimate, load, coolingFactor: cooling.factor },
    coolingFrom: cooling.from,
    twin: { risk: state.health_risk, rulHours: state.health_rul_hours, model: state.health_model },
  };
}

function coolingOf(spec: AssetSpec, readings: readonly ReadingRow[]): { factor: number; from: string } {
  const usable = readings.filter(
    (r) => r.run_state === 'RUNNING' && r.temperature_c !== null && r.load_pct / 100 > 0.3,
  );
  const last = usable.at(-1);
  if (last !== undefined) {
    const lastTs = Number(last.ts_ms);
    // The earliest reading of the unbroken stretch at the last one's load: the longer the span, the
    // less the temperature sensor's noise weighs in the rate of change.
    let first: ReadingRow | undefined;
    for (let i = usable.length - 2; i >= 0; i--) {
      const r = usable[i] as ReadingRow;
      if (Math.abs(r.load_pct - last.load_pct) > 1) break;
      if (lastTs - Number(r.ts_ms) >= COOLING_SPAN_MS) first = r;
    }
    if (first !== undefined) {
      const dtS = (lastTs - Number(first.ts_ms)) / 1000;
      const factor = coolingFromThermalBalance(spec, {
        temperatureC: last.temperature_c as number,
        previousTemperatureC: first.temperature_c as number,
        dtS,
        load: last.load_pct / 100,
      });
      if (factor !== undefined) {
        return {
          factor: Math.round(factor * 1000) / 1000,
          from: `thermal balance of readings ${Math.round(dtS / 60)} min apart; twin_state does not store the twin's estimate`,
        };
      }
    }
  }
  return {
    factor: 1,
    from: 'assumed normal: no two running readings 5+ min apart at one load in the last 15 min; twin_state does not store the estimate',
  };
}
