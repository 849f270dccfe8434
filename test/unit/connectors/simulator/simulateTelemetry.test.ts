import { describe, expect, it } from 'vitest';
import { PlantSimulator } from '../../../../connectors/simulator/plantSimulator.js';
import { simulateTelemetry } from '../../../../connectors/simulator/simulateTelemetry.js';
import type { Telemetry } from '../../../../operators/control/contracts.js';
import { command, flatCatalogue, HOUR, START } from './plantFixtures.js';

async function collect(iterable: AsyncIterable<Telemetry[]>): Promise<Telemetry[][]> {
  const out: Telemetry[][] = [];
  for await (const readings of iterable) out.push(readings);
  return out;
}

function sim(): PlantSimulator {
  return new PlantSimulator({ catalogue: flatCatalogue(), seed: 2, startTs: START, localModeProbability: 0 });
}

describe('simulateTelemetry', () => {
  it('yields one array of readings per tick for the given number of ticks', async () => {
    const s = sim();
    const ticks = await collect(simulateTelemetry(s, { ticks: 5 }));
    expect(ticks).toHaveLength(5);
    expect(ticks.map((t) => t[0].ts)).toEqual([1, 2, 3, 4, 5].map((k) => START + k * 10_000));
    expect(ticks.every((t) => t.length === 3)).toBe(true);
  });

  it('stops when the simulated clock reaches untilTs', async () => {
    const s = sim();
    const ticks = await collect(simulateTelemetry(s, { untilTs: START + HOUR }));
    expect(ticks).toHaveLength(360);
    expect(s.now).toBe(START + HOUR);
  });

  it('gives the same readings as stepping by hand', async () => {
    const byHand = sim();
    const expected = Array.from({ length: 20 }, () => byHand.step());
    expect(await collect(simulateTelemetry(sim(), { ticks: 20 }))).toEqual(expected);
  });

  it('applies commands made between pulls from the next tick (the closed loop)', async () => {
    const s = sim();
    const seen: number[] = [];
    for await (const readings of simulateTelemetry(s, { ticks: 4 })) {
      seen.push(readings[0].loadLimitPct!);
      if (seen.length === 2) s.apply(command('pump-001', 'REDUCE_LOAD', 70));
    }
    expect(seen).toEqual([105, 105, 70, 70]);
  });

  it('paces ticks with a speedup and stops when aborted', async () => {
    const s = sim();
    const controller = new AbortController();
    const ticks: Telemetry[][] = [];
    for await (const readings of simulateTelemetry(s, { speedup: 10_000, signal: controller.signal })) {
      ticks.push(readings);
      if (ticks.length === 3) controller.abort();
    }
    expect(ticks).toHaveLength(3);
  });
});
