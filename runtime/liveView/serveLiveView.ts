import { type HealthServer, startHealthServer } from '../observability/healthServer.js';
import { JobMetrics } from '../observability/metrics.js';
import type { LiveView } from './liveView.js';
import { type LiveViewRoutesOptions, liveViewRoutes } from './liveViewRoutes.js';

/**
 * Serves a job's live view where no launcher runs one (the embedded run):
 * the same HTTP server as a Kafka job's (/metrics, /healthz, /readyz), with
 * the page at / and the JSON API, on 127.0.0.1 unless told otherwise.
 * `close()` ends open event streams and stops listening.
 *
 * @example
 * const served = await serveLiveView(view, { port: 0 });
 * console.log(`live view: ${served.url}/`);
 * await served.close();
 */
export async function serveLiveView(
  view: LiveView,
  options: { readonly port: number; readonly host?: string } & LiveViewRoutesOptions,
): Promise<HealthServer> {
  const routes = liveViewRoutes(view, options);
  const server = await startHealthServer({
    port: options.port,
    host: options.host ?? '127.0.0.1',
    metrics: new JobMetrics(),
    ready: () => true,
    routes: routes.routes,
    routePaths: routes.paths,
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
