import type { AssetSpec } from '../../operators/scoring/assetPhysics.js';
import type { Catalogue, LineSpec, LoadBounds } from './catalogue.js';
import { CatalogueError } from './catalogueError.js';

/**
 * A catalogue of exactly `assets` assets, for load tests and `--assets 200`:
 * the catalogue's assets are taken round-robin, the first round keeps its
 * ids and later rounds get `-r2`, `-r3`… (`pump-001-r2`). A clone stays on
 * its original's line and site with the same rated parameters and bounds.
 * Fewer assets than the catalogue has takes the first ones.
 *
 * @example
 * const big = scaleCatalogue(catalogue, 200);
 * big.assets.length;    // 200
 * big.assets[12].id;    // 'pump-001-r2' (with the 12-asset reference catalogue)
 */
export function scaleCatalogue(catalogue: Catalogue, assets: number): Catalogue {
  if (!Number.isInteger(assets) || assets < 1) {
    throw new CatalogueError(catalogue.source, [
      { path: '(scale)', message: `asset count must be a positive integer (got ${assets})` },
    ]);
  }
  const base = catalogue.assets;
  const scaled: AssetSpec[] = [];
  const bounds: Record<string, LoadBounds> = {};
  const byLine = new Map<string, string[]>(catalogue.lines.map((l) => [l.id, []]));
  const ids = new Set<string>();
  for (let i = 0; i < assets; i++) {
    const original = base[i % base.length];
    const round = Math.floor(i / base.length);
    const id = round === 0 ? original.id : `${original.id}-r${round + 1}`;
    if (ids.has(id)) {
      // Only possible when the catalogue already uses an id of the -rN form.
      throw new CatalogueError(catalogue.source, [
        { path: `assets[${id}].id`, message: `scaling to ${assets} assets makes a duplicate asset id` },
      ]);
    }
    ids.add(id);
    scaled.push(round === 0 ? original : { ...original, id });
    bounds[id] = catalogue.bounds[original.id];
    byLine.get(original.line)?.push(id);
  }
  const lines: LineSpec[] = catalogue.lines.map((l) => ({ ...l, assets: byLine.get(l.id) ?? [] }));
  return { ...catalogue, lines, assets: scaled, bounds };
}
