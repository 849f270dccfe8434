import type { HttpRoutes } from './liveViewRoutes.js';

/**
 * GET routes a server answers beyond its own, with the paths they answer
 * (for the 404 message that lists everything the server serves).
 *
 * @example
 * const extra: RouteSet = { routes: (req, res, path) => path === '/x' && reply(res), paths: ['/x'] };
 */
export interface RouteSet {
  readonly routes: HttpRoutes;
  readonly paths: readonly string[];
}

/**
 * Route sets tried in order: the first that answers a path wins.
 *
 * @example
 * startHealthServer({ …, ...asHealthRoutes(combineRoutes(liveViewRoutes(view), whatIfRoutes(options))) });
 */
export function combineRoutes(...sets: readonly (RouteSet | undefined)[]): RouteSet {
  const present = sets.filter((s): s is RouteSet => s !== undefined);
  return {
    routes: (req, res, path) => present.some((s) => s.routes(req, res, path)),
    paths: present.flatMap((s) => s.paths),
  };
}
