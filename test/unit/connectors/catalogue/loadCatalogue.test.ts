import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadCatalogue, parseCatalogue } from '../../../../connectors/catalogue/loadCatalogue.js';
import { steadyTemperature } from '../../../../operators/scoring/assetPhysics.js';
import { PUMP_KIND_YAML, problems } from './catalogueFixtures.js';

const referencePath = fileURLToPath(
  new URL('../../../../pipelines/machine-health/catalogue.yaml', import.meta.url),
);

/** A small valid catalogue; tests break one thing at a time. */
const valid = `version: 1
${PUMP_KIND_YAML}sites:
  - id: north
    ambientC: 25
    demand: { minLoad: 0.7, maxLoad: 1.05, peakHourUtc: 14 }
    lines:
      - id: l1
        assets:
          - { id: pump-001, kind: pump }
          - { id: pump-002, kind: pump }
          - { id: pump-003, kind: pump, temperatureAlarmC: 80 }
`;

describe('loadCatalogue', () => {
  it('loads the reference catalogue: 2 sites, 4 lines, 12 assets resolved from their kinds', async () => {
    const c = await loadCatalogue(referencePath);
    expect(c.sites.map((s) => s.id)).toEqual(['north', 'south']);
    expect(c.lines).toHaveLength(4);
    expect(c.assets).toHaveLength(12);
    expect(new Set(c.assets.map((a) => a.id)).size).toBe(12);
    expect(c.lines.flatMap((l) => l.assets)).toEqual(c.assets.map((a) => a.id));
    const byId = new Map(c.assets.map((a) => [a.id, a]));
    expect(byId.get('pump-002')).toMatchObject({
      kind: 'pump',
      site: 'north',
      line: 'north-l1',
      ratedPowerKw: 75,
      temperatureLimitC: 95,
    });
    expect(byId.get('pump-001')?.ratedPowerKw).toBe(55);
    // Ambient comes from the site unless the kind or asset says otherwise.
    expect(byId.get('compressor-001')?.ambientC).toBe(30);
    expect(byId.get('pump-001')?.ambientC).toBe(25);
    expect(c.bounds['conveyor-004']).toEqual({
      minLoadLimitPct: 40,
      maxLoadLimitPct: 100,
      reduceStepPct: 20,
    });
    expect(c.bounds['conveyor-003'].maxLoadLimitPct).toBe(110);
    expect(c.sites[1].shifts).toEqual([
      { name: 'early', startMinute: 360, endMinute: 840 },
      { name: 'late', startMinute: 840, endMinute: 1320 },
    ]);
    expect(c.sites[0].shifts.find((s) => s.name === 'night')).toEqual({
      name: 'night',
      startMinute: 1320,
      endMinute: 360,
    });
  });

  it('gives every reference asset headroom: below alarm at its maximum load, and months of healthy bearing life', async () => {
    const c = await loadCatalogue(referencePath);
    for (const a of c.assets) {
      expect(steadyTemperature(a, c.bounds[a.id].maxLoadLimitPct / 100, 1), a.id).toBeLessThan(
        a.temperatureAlarmC,
      );
      expect(1 / a.wearPerHourAtRated, a.id).toBeGreaterThan(1000);
      expect(a.maintenanceTimeS, a.id).toBeLessThan(a.repairTimeS);
    }
  });

  it('accepts the small fixture', () => {
    expect(parseCatalogue(valid, 'test.yaml').assets.map((a) => a.temperatureAlarmC)).toEqual([85, 85, 80]);
  });

  it('names the asset and field of a bad value, with its line and the value', () => {
    const e = problems(
      valid.replace('{ id: pump-002, kind: pump }', '{ id: pump-002, kind: pump, ratedPowerKw: -5 }'),
    );
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({ path: 'assets[pump-002].ratedPowerKw', line: 26 });
    expect(e.issues[0].message).toContain('(got -5)');
    expect(e.message).toContain('test.yaml:26: assets[pump-002].ratedPowerKw');
    expect(e.retriable).toBe(false);
  });

  it('reports a misspelt field as unknown rather than ignoring it', () => {
    const e = problems(
      valid.replace('{ id: pump-002, kind: pump }', '{ id: pump-002, kind: pump, ratedPowr: 5 }'),
    );
    expect(e.issues).toEqual([
      { path: 'assets[pump-002].ratedPowr', message: 'unknown field', line: 26, column: expect.any(Number) },
    ]);
  });

  it('reports a missing field of a kind', () => {
    const e = problems(valid.replace('    repairTimeS: 28800\n', ''));
    expect(e.issues[0]).toMatchObject({ path: 'kinds.pump.repairTimeS', message: 'is required' });
  });

  it('reports an unknown kind, listing the known ones', () => {
    const e = problems(valid.replace('{ id: pump-002, kind: pump }', '{ id: pump-002, kind: pmp }'));
    expect(e.issues).toEqual([
      {
        path: 'assets[pump-002].kind',
        message: 'unknown kind "pmp" (known: pump)',
        line: 26,
        column: expect.any(Number),
      },
    ]);
  });

  it('reports a duplicate asset id with where it was first defined', () => {
    const e = problems(valid.replace('{ id: pump-002, kind: pump }', '{ id: pump-001, kind: pump }'));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0].path).toBe('assets[pump-001].id');
    expect(e.issues[0].message).toBe('duplicate asset id (also at sites[0].lines[0].assets[0])');
    expect(e.issues[0].line).toBe(26);
  });

  it('reports an alarm at or above the trip limit on the asset that overrides it', () => {
    const e = problems(
      valid.replace('temperatureAlarmC: 80 }', 'temperatureAlarmC: 80, temperatureLimitC: 80 }'),
    );
    expect(e.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'assets[pump-003].temperatureLimitC: must be greater than temperatureAlarmC (got 80 <= 80)',
    ]);
    expect(e.issues[0].line).toBe(27);
  });

  it('reports a rule broken by the kind once, on the kind', () => {
    const e = problems(valid.replace('temperatureAlarmC: 85', 'temperatureAlarmC: 99'));
    expect(e.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'kinds.pump.temperatureLimitC: must be greater than temperatureAlarmC (got 95 <= 99)',
    ]);
    expect(e.issues[0].line).toBe(10);
  });

  it('rejects a maximum load limit at which the asset would trip with normal cooling', () => {
    const e = problems(
      valid.replace(
        '{ id: pump-001, kind: pump }',
        '{ id: pump-001, kind: pump, bounds: { maxLoadLimitPct: 150 } }',
      ),
    );
    expect(e.issues[0].path).toBe('assets[pump-001].bounds.maxLoadLimitPct');
    expect(e.issues[0].message).toMatch(/settle at 126\.3 °C .* temperatureLimitC 95/);
  });

  it('lists every problem at once', () => {
    const text = valid
      .replace('{ id: pump-002, kind: pump }', '{ id: pump-001, kind: pump }')
      .replace(
        '{ id: pump-003, kind: pump, temperatureAlarmC: 80 }',
        '{ id: pump-003, kind: fan, temperatureAlarmC: 80 }',
      )
      .replace('minLoad: 0.7', 'minLoad: 1.1');
    const e = problems(text);
    expect(e.issues.map((i) => i.path).sort()).toEqual([
      'assets[pump-001].id',
      'assets[pump-003].kind',
      'sites[north].demand.minLoad',
    ]);
    expect(e.message).toContain('3 problems');
  });

  it('reports YAML syntax errors with their line', () => {
    const e = problems(valid.replace('    ratedRpm: 2950', '    ratedRpm: [2950'));
    expect(e.issues[0].path).toBe('(yaml)');
    expect(e.issues[0].line).toBeGreaterThanOrEqual(5);
  });

  it('names the file when it cannot be read', async () => {
    await expect(loadCatalogue('/nonexistent/catalogue.yaml')).rejects.toThrow(
      /\/nonexistent\/catalogue\.yaml: 1 problem .*cannot be read/s,
    );
  });
});
