import { uniformSource } from 'twinflow';

const DAY_MS = 86_400_000;

/**
 * What can go wrong with an exchanger in the simulator:
 * - `fast-fouling`: an episode of deposits growing several times faster
 *   (a water-treatment upset, a change of process fluid);
 * - `stuck-valve`: the control valve stops moving; stroking it frees it
 *   unless it has seized, which only a maintenance visit fixes;
 * - `drifting-sensor`: the cold outlet thermometer reads ever higher;
 * - `leak`: a failed gasket loses hot-side water to the outside, growing
 *   until the pack is resealed.
 */
export type HxFaultKind = 'fast-fouling' | 'stuck-valve' | 'drifting-sensor' | 'leak';

/** One planned fault: which exchanger, from when, and how hard. */
export interface HxFault {
  readonly kind: HxFaultKind;
  readonly exchangerId: string;
  readonly startTs: number;
  /** fast-fouling: its end; the other faults last until repaired. */
  readonly endTs: number | null;
  /** fast-fouling: the rate multiplier; drifting-sensor: °C per day; leak: fraction lost per day; stuck-valve: 1 when seized. */
  readonly severity: number;
}

/**
 * One fault of each kind, each on a different exchanger where there are
 * enough (the seed shuffles them), starting between 15 % and 55 % of the
 * run so there is time before to learn the clean state and after to see the
 * consequences.
 *
 * @example
 * faultSchedule(1, ['hx-a', 'hx-b', 'hx-c', 'hx-d'], 0, 60).map((f) => f.kind); // one of each kind
 */
export function faultSchedule(
  seed: number,
  exchangerIds: readonly string[],
  startTs: number,
  days: number,
): HxFault[] {
  const draw = uniformSource(seed ^ 0xfa017);
  const order = [...exchangerIds];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(draw() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const at = () =>
    startTs + Math.round(((0.15 + 0.4 * draw()) * days * DAY_MS) / 600_000) * 600_000 + 300_000;
  const pick = (i: number) => order[i % order.length];
  const fastStart = at();
  return [
    {
      kind: 'fast-fouling',
      exchangerId: pick(0),
      startTs: fastStart,
      endTs: fastStart + 3 * DAY_MS,
      severity: 7,
    },
    { kind: 'stuck-valve', exchangerId: pick(1), startTs: at(), endTs: null, severity: draw() < 0.5 ? 1 : 0 },
    { kind: 'drifting-sensor', exchangerId: pick(2), startTs: at(), endTs: null, severity: 0.6 },
    { kind: 'leak', exchangerId: pick(3), startTs: at(), endTs: null, severity: 0.02 },
  ];
}
