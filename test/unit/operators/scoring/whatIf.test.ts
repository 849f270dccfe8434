import { describe, expect, it } from 'vitest';
import { physicsRiskModel } from '../../../../operators/scoring/physicsRiskModel.js';
import { WhatIfInputError, whatIf } from '../../../../operators/scoring/whatIf.js';
import { features, pump } from './assetFixtures.js';

/** Worn and running hot on a weakened cooler: at risk within hours at full load. */
const wornHot = features({ wearEstimate: 0.95, temperatureC: 85, load: 1, coolingFactor: 0.8 });

describe('whatIf', () => {
  it('gives a worn, hot asset lower risk and a longer RUL at lower load', () => {
    const a = whatIf({
      spec: pump,
      now: wornHot,
      change: { load: 0.6 },
      horizonHours: 6,
      samples: 400,
      seed: 3,
    });
    expect(a.asIs.risk).toBeGreaterThan(0.1);
    expect(a.changed.risk).toBeLessThanOrEqual(a.asIs.risk);
    expect(a.riskDelta).toBeLessThan(0);
    expect(a.asIs.rulHours.median).not.toBeNull();
    const longer = a.changed.rulHours.median ?? Number.POSITIVE_INFINITY;
    expect(longer).toBeGreaterThan(a.asIs.rulHours.median as number);
    expect(a.changed.features).toEqual({ ...wornHot, load: 0.6 });
    expect(a.asIs.features).toEqual(wornHot);
  });

  it('splits the horizon risk by cause and brackets it with its Wilson interval', () => {
    const a = whatIf({
      spec: pump,
      now: wornHot,
      change: { coolingFactor: 1 },
      horizonHours: 6,
      samples: 400,
    });
    for (const o of [a.asIs, a.changed]) {
      expect(o.causesWithinHorizon.bearing + o.causesWithinHorizon.overheat).toBeCloseTo(o.risk, 12);
      expect(o.causesWithinLookahead.bearing + o.causesWithinLookahead.overheat).toBeGreaterThanOrEqual(
        o.risk,
      );
      const [low, high] = o.riskInterval;
      expect(low).toBeLessThanOrEqual(o.risk);
      expect(high).toBeGreaterThanOrEqual(o.risk);
      expect(high - low).toBeLessThan(0.11);
      const { p10, median, p90 } = o.rulHours;
      if (p10 !== null && median !== null) expect(p10).toBeLessThanOrEqual(median);
      if (median !== null && p90 !== null) expect(median).toBeLessThanOrEqual(p90);
    }
  });

  it('agrees with the physics model it samples: same risk and RUL for the as-is scenario', () => {
    const a = whatIf({
      spec: pump,
      now: wornHot,
      change: { load: 0.8 },
      horizonHours: 6,
      samples: 256,
      seed: 5,
    });
    const model = physicsRiskModel({ samples: 256, seed: 5, horizonHours: 6 }).assessOne(pump, wornHot);
    expect(a.asIs.risk).toBe(model.risk);
    expect(a.asIs.rulHours.median).toBe(model.rulHours);
  });

  it('names overheating as the cause when the cooler is lost, and bearing wear for a worn cool asset', () => {
    const hot = whatIf({
      spec: pump,
      now: features({ wearEstimate: 0.1, temperatureC: 80 }),
      change: { coolingFactor: 0.5 },
      horizonHours: 6,
      samples: 200,
    });
    expect(hot.asIs.risk).toBe(0);
    expect(hot.changed.causesWithinHorizon.overheat).toBeGreaterThan(0.9);
    expect(hot.changed.causesWithinHorizon.bearing).toBe(0);
    const worn = whatIf({
      spec: pump,
      now: features({ wearEstimate: 0.99, temperatureC: 70 }),
      change: { load: 1.1 },
      horizonHours: 6,
      samples: 200,
    });
    expect(worn.asIs.causesWithinHorizon.bearing).toBeGreaterThan(0.3);
    expect(worn.changed.causesWithinHorizon.bearing).toBeGreaterThan(worn.asIs.causesWithinHorizon.bearing);
    expect(worn.asIs.causesWithinHorizon.overheat).toBe(0);
  });

  it('answers the same for the same seed, and differently for another', () => {
    const q = { spec: pump, now: wornHot, change: { load: 0.7 }, horizonHours: 4, samples: 300 };
    expect(whatIf({ ...q, seed: 11 })).toEqual(whatIf({ ...q, seed: 11 }));
    const other = whatIf({ ...q, seed: 12 });
    expect(other.asIs.rulHours).not.toEqual(whatIf({ ...q, seed: 11 }).asIs.rulHours);
  });

  it('flags a load outside the asset bounds but still answers', () => {
    const a = whatIf({
      spec: pump,
      now: wornHot,
      change: { load: 0.3 },
      horizonHours: 6,
      samples: 50,
      loadBounds: { minLoadLimitPct: 50, maxLoadLimitPct: 105 },
    });
    expect(a.warnings).toHaveLength(1);
    expect(a.warnings[0]).toMatch(/load 30 % is outside asset pump-1's bounds 50\.\.105 %/);
    expect(a.changed.features.load).toBe(0.3);
    const inside = whatIf({
      spec: pump,
      now: wornHot,
      change: { load: 0.6 },
      horizonHours: 6,
      samples: 50,
      loadBounds: { minLoadLimitPct: 50, maxLoadLimitPct: 105 },
    });
    expect(inside.warnings).toEqual([]);
  });

  it('refuses questions it cannot answer, naming the input', () => {
    const ask = (over: object) => () =>
      whatIf({ spec: pump, now: wornHot, change: { load: 0.6 }, horizonHours: 6, samples: 20, ...over });
    const fieldOf = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(WhatIfInputError);
        return (e as WhatIfInputError).field;
      }
      throw new Error('did not throw');
    };
    expect(fieldOf(ask({ horizonHours: -1 }))).toBe('horizon');
    expect(fieldOf(ask({ horizonHours: 0 }))).toBe('horizon');
    expect(fieldOf(ask({ horizonHours: 10_000 }))).toBe('horizon');
    expect(fieldOf(ask({ samples: 0 }))).toBe('samples');
    expect(fieldOf(ask({ samples: 1.5 }))).toBe('samples');
    expect(fieldOf(ask({ change: {} }))).toBe('change');
    expect(fieldOf(ask({ change: { load: 1.5 } }))).toBe('load');
    expect(fieldOf(ask({ change: { load: -0.1 } }))).toBe('load');
    expect(fieldOf(ask({ change: { coolingFactor: 0 } }))).toBe('cooling');
    expect(fieldOf(ask({ change: { coolingFactor: Number.NaN } }))).toBe('cooling');
    expect(ask({ horizonHours: -1 })).toThrow(/horizon must be a positive duration/);
  });
});
