/** The asset catalogue: sites, lines and assets with their rated parameters and load bounds. */
export type { Catalogue, DemandProfile, LineSpec, LoadBounds, Shift, SiteSpec } from './catalogue.js';
export type { CatalogueIssue } from './catalogueError.js';
export { CatalogueError } from './catalogueError.js';
export { loadCatalogue, parseCatalogue } from './loadCatalogue.js';
export { scaleCatalogue } from './scaleCatalogue.js';
