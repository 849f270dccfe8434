/** The asset catalogue: sites, lines and assets with their rated parameters and load bounds. */
export type { Catalogue, DemandProfile, LineSpec, LoadBounds, Shift, SiteSpec } from './catalogue.js';
export type { CatalogueIssue } from './catalogueError.js';
export { CatalogueError } from './catalogueError.js';
export type { CostRates, CostTable } from './costTable.js';
export { DEFAULT_COST_RATES, DEFAULT_CURRENCY } from './costTable.js';
export { loadCatalogue, parseCatalogue } from './loadCatalogue.js';
export { scaleCatalogue } from './scaleCatalogue.js';
