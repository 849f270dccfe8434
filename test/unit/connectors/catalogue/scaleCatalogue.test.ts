import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CatalogueError } from '../../../../connectors/catalogue/catalogueError.js';
import { loadCatalogue } from '../../../../connectors/catalogue/loadCatalogue.js';
import { scaleCatalogue } from '../../../../connectors/catalogue/scaleCatalogue.js';

const referencePath = fileURLToPath(
  new URL('../../../../pipelines/machine-health/catalogue.yaml', import.meta.url),
);

describe('scaleCatalogue', () => {
  it('clones assets round-robin to exactly N with unique ids', async () => {
    const base = await loadCatalogue(referencePath);
    const big = scaleCatalogue(base, 200);
    expect(big.assets).toHaveLength(200);
    const ids = big.assets.map((a) => a.id);
    expect(new Set(ids).size).toBe(200);
    expect(ids.slice(0, 12)).toEqual(base.assets.map((a) => a.id));
    expect(ids[12]).toBe('pump-001-r2');
    expect(ids[199]).toBe(`${base.assets[199 % 12].id}-r${Math.floor(199 / 12) + 1}`);
  });

  it('keeps each clone on its original line with the same parameters and bounds', async () => {
    const base = await loadCatalogue(referencePath);
    const big = scaleCatalogue(base, 30);
    const clone = big.assets.find((a) => a.id === 'pump-002-r2')!;
    expect({ ...clone, id: 'pump-002' }).toEqual(base.assets.find((a) => a.id === 'pump-002'));
    expect(big.bounds['conveyor-004-r2']).toEqual(base.bounds['conveyor-004']);
    expect(big.lines.find((l) => l.id === 'north-l1')?.assets).toContain('pump-002-r2');
    expect(big.lines.flatMap((l) => l.assets).sort()).toEqual(big.assets.map((a) => a.id).sort());
    expect(Object.keys(big.bounds)).toHaveLength(30);
  });

  it('takes the first assets when asked for fewer', async () => {
    const base = await loadCatalogue(referencePath);
    const small = scaleCatalogue(base, 3);
    expect(small.assets.map((a) => a.id)).toEqual(['pump-001', 'pump-002', 'motor-001']);
    expect(small.lines.find((l) => l.id === 'south-air')?.assets).toEqual([]);
  });

  it('rejects a count that is not a positive integer', async () => {
    const base = await loadCatalogue(referencePath);
    expect(() => scaleCatalogue(base, 0)).toThrow(CatalogueError);
    expect(() => scaleCatalogue(base, 2.5)).toThrow(/positive integer \(got 2\.5\)/);
  });
});
