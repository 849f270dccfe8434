import type { DemandProfile, Shift } from '../catalogue/catalogue.js';

const DAY_MS = 86_400_000;
const TWO_PI = 2 * Math.PI;

/**
 * Demanded load (fraction of rated) at `ts`: the site's daily swing between
 * `minLoad` and `maxLoad` peaking at `peakHourUtc`, shifted per asset by
 * `shiftHours` and rippled with a small per-asset wave of period
 * `ripplePeriodH`, so assets on a line differ but each is a pure function of
 * time (no state, identical under replay).
 *
 * @example
 * demandAt({ minLoad: 0.7, maxLoad: 1.05, peakHourUtc: 14 }, Date.UTC(2025, 0, 1, 14), 0, 3); // ≈ 1.05
 */
export function demandAt(
  profile: DemandProfile,
  ts: number,
  shiftHours: number,
  ripplePeriodH: number,
): number {
  const hour = (((ts % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000;
  const mid = (profile.minLoad + profile.maxLoad) / 2;
  const half = (profile.maxLoad - profile.minLoad) / 2;
  const d =
    mid +
    half * Math.cos((TWO_PI * (hour - profile.peakHourUtc - shiftHours)) / 24) +
    0.04 * half * Math.sin((TWO_PI * hour) / ripplePeriodH);
  return Math.min(profile.maxLoad, Math.max(profile.minLoad, d));
}

/**
 * Whether `ts` falls in one of the shifts (planned production time). A
 * shift whose start equals its end covers the whole day.
 *
 * @example
 * inShift([{ name: 'day', startMinute: 360, endMinute: 1320 }], Date.UTC(2025, 0, 1, 23)); // false
 */
export function inShift(shifts: readonly Shift[], ts: number): boolean {
  const minute = Math.floor((((ts % DAY_MS) + DAY_MS) % DAY_MS) / 60_000);
  for (let i = 0; i < shifts.length; i++) {
    const s = shifts[i];
    if (s.startMinute === s.endMinute) return true;
    if (s.startMinute < s.endMinute) {
      if (minute >= s.startMinute && minute < s.endMinute) return true;
    } else if (minute >= s.startMinute || minute < s.endMinute) return true;
  }
  return false;
}
