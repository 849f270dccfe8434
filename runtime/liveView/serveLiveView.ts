import { type HealthServer, startHealthServer } from '../observability/healthServer.js';
import { JobMetrics } from '../observability/metrics.js';
import type { LiveView } from './liveView.js';
import { type LiveViewRoutesOptions, liveViewRoutes } from './liveViewRoutes.js';
import { combineRoutes, type RouteSet } from './routeSet.js';

/**
 * Serves a job's live view where no launcher runs one (the embedded run):
 * the same HTTP server as a Kafka job's (/metrics, /healthz, /readyz), with
 * the page at / and the JSON API, on 127.0.0.1 unless told otherwise.
 * `close()` ends open event streams and stops listening. `routes` adds
 * the job's own GET routes (e.g. a what-if endpoint), tried after the live view's.
 *
 * @example
 * const served = await serveLiveView(view, { port: 0 });
 * console.log(`live view: ${served.url}/`);
 * await served.close();
 */
export async function serveLiveView(
  view: LiveView,
  options: {
    readonly port: number;
    readonly host?: string;
    readonly routes?: RouteSet;
  } & LiveViewRoutesOptions,
): Promise<HealthServer> {
  const routes = liveViewRoutes(view, options);
  const all = combineRoutes(routes, options.routes);
  const server = await startHealthServer({
    port: options.port,
    host: options.host ?? '127.0.0.1',
    metrics: new JobMetrics(),
    ready: () => true,
    routes: all.routes,
    routePaths: all.paths,
  });
  return {
    url: server.url,
    port: server.port,
    close: async () => {
      routes.close();
      await server.close();
    },
  };
}
