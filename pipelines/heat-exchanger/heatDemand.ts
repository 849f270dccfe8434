import { uniformSource } from 'twinflow';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const bump = (h: number, at: number, width: number) => Math.exp(-(((h - at) / width) ** 2));

/**
 * The heat demand's shape over a day, relative to the contract minimum: a
 * night low (about 0.45), the morning peak near 08:00 (showers, buildings
 * heating up), a lull, the evening peak near 19:30. Hours are UTC, the
 * sites' local time in this reference.
 *
 * @example
 * dailyDemandShape(3); // ≈ 0.45, the night low
 * dailyDemandShape(8); // ≈ 0.97, the morning peak
 */
export function dailyDemandShape(hourOfDay: number): number {
  return (
    0.45 + 0.5 * bump(hourOfDay, 8, 1.6) + 0.45 * bump(hourOfDay, 19.5, 2) + 0.12 * bump(hourOfDay, 13, 3)
  );
}

/**
 * Demand over days: the daily shape times the day's weather (a seeded walk
 * between 0.97 and 1.10, colder days asking for more), interpolated between
 * days (counted from `startTs`, a midnight) so the demand has no steps.
 *
 * @example
 * const demandAt = heatDemand(7, 60); demandAt(Date.UTC(2026, 0, 3, 8)); // ≈ 1 (× the contract minimum)
 */
export function heatDemand(seed: number, days: number, startTs = 0): (ts: number) => number {
  const draw = uniformSource(seed ^ 0x5eed);
  const weather: number[] = [];
  let w = 1.035;
  for (let d = 0; d <= days + 1; d++) {
    w = Math.min(1.1, Math.max(0.97, w + (draw() - 0.5) * 0.05));
    weather.push(w);
  }
  return (ts) => {
    const day = Math.max(0, (ts - startTs) / DAY_MS);
    const i = Math.min(weather.length - 2, Math.floor(day));
    const f = Math.min(1, day - i);
    const factor = weather[i] * (1 - f) + weather[i + 1] * f;
    return dailyDemandShape((((ts % DAY_MS) + DAY_MS) % DAY_MS) / HOUR_MS) * factor;
  };
}
