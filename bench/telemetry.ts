/**
 * Benchmark input: plain telemetry readings from many assets, with event
 * time increasing and a little out of order, as a fleet's gateway delivers
 * them. Deterministic (seeded), so every run and every machine sees the same
 * stream.
 */
import { uniformSource } from '../operators/scoring/seededRandom.js';

export interface Telemetry {
  readonly assetId: string;
  readonly ts: number;
  readonly temperature: number;
}

export const KEYS = 10_000;
/** How far behind the newest reading a reading may arrive; also the watermark's bound. */
export const JITTER_MS = 500;
const T0 = Date.UTC(2026, 0, 1);

/** Interned once: a fleet has a fixed set of ids, and building a string per record would be measured too. */
export const ASSET_IDS: readonly string[] = Array.from({ length: KEYS }, (_, k) => `asset-${k}`);

/** The project's seeded PRNG (mulberry32), under the name the benchmarks use. */
export const seededRandom = uniformSource;

/**
 * The i-th reading of a steady fleet: every asset reports once a second,
 * round-robin, so one second of event time holds KEYS readings.
 */
export function steadyReading(i: number, random: () => number): Telemetry {
  return {
    assetId: ASSET_IDS[i % KEYS],
    ts: T0 + Math.floor((i * 1000) / KEYS) - Math.floor(random() * JITTER_MS),
    temperature: 60 + random() * 10,
  };
}

export function steadyTelemetry(n: number, seed: number): Telemetry[] {
  const random = seededRandom(seed);
  const out = new Array<Telemetry>(n);
  for (let i = 0; i < n; i++) out[i] = steadyReading(i, random);
  return out;
}

/** Seconds an asset of the bursty fleet is active, then silent, in each cycle. */
export const BURST_S = 20;
export const SILENCE_S = 60;

/**
 * A bursty fleet: each asset reports once a second for BURST_S seconds, then
 * is silent for SILENCE_S seconds, its cycle shifted by a random phase, so
 * at any second about a quarter of the assets report.
 */
export function burstyTelemetry(n: number, seed: number): Telemetry[] {
  const random = seededRandom(seed);
  const period = BURST_S + SILENCE_S;
  const phase = Array.from({ length: KEYS }, () => Math.floor(random() * period));
  const out = new Array<Telemetry>(n);
  let i = 0;
  for (let s = 0; i < n; s++) {
    for (let k = 0; k < KEYS && i < n; k++) {
      if ((s + phase[k]) % period >= BURST_S) continue;
      out[i++] = {
        assetId: ASSET_IDS[k],
        ts: T0 + s * 1000 + Math.floor((k * 1000) / KEYS) - Math.floor(random() * JITTER_MS),
        temperature: 60 + random() * 10,
      };
    }
  }
  return out;
}
