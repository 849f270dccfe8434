import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpRoutes } from '../liveView/liveViewRoutes.js';
import type { JobMetrics } from './metrics.js';

/**
 * Whether the job should receive traffic now, and if not, why (shown in the
 * /readyz body and so in `kubectl describe pod`).
 *
 * @example
 * const state: Readiness = { ready: false, reason: 'restoring state for 3 partitions' };
 */
export interface Readiness {
  readonly ready: boolean;
  readonly reason?: string;
}

/**
 * What the health server serves.
 *
 * @example
 * const options: HealthServerOptions = { port: 9464, metrics, ready: () => job.isRunning() };
 */
export interface HealthServerOptions {
  /** TCP port; 0 picks a free one (read it back from the result). */
  readonly port: number;
  /**
   * Default `127.0.0.1`: nothing off this machine reaches it unless asked. A
   * container sets `0.0.0.0` (config `observability.host`), so the kubelet,
   * Prometheus and the Service reach it from outside its network namespace.
   */
  readonly host?: string;
  readonly metrics: JobMetrics;
  /** Readiness probe: the job has restored its state and is consuming. */
  readonly ready: () => boolean | Readiness;
  /** Liveness probe: false when the process is wedged and should be restarted. Default: always live. */
  readonly live?: () => boolean;
  /** More GET routes, tried before the 404 (the live view: runtime/liveView/liveViewRoutes.ts). */
  readonly routes?: HttpRoutes;
  /** The paths `routes` answers, for the 404 message that lists what the server serves. */
  readonly routePaths?: readonly string[];
}

/**
 * A running health server.
 *
 * @example
 * const server = await startHealthServer({ port: 0, metrics, ready: () => true });
 * await fetch(`${server.url}/readyz`); // 200
 * await server.close();
 */
export interface HealthServer {
  /** Base URL to reach it from this machine, e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and closes open (keep-alive) connections. */
  close(): Promise<void>;
}

/**
 * The health server could not listen (port in use, no permission).
 * Retriable only in the sense that another port or a later attempt may work.
 *
 * @example
 * try { await startHealthServer({ port: 9464, metrics, ready }); }
 * catch (e) { if (e instanceof HealthServerError) console.error(e.port, e.cause); }
 */
export class HealthServerError extends Error {
  override readonly name = 'HealthServerError';
  readonly retriable = false;

  constructor(
    readonly host: string,
    readonly port: number,
    options: { cause: unknown },
  ) {
    super(`health server cannot listen on ${host}:${port}: ${(options.cause as Error).message}`, options);
  }
}

const TEXT = 'text/plain; charset=utf-8';

/** The paths the server answers itself, before any extra routes. */
const OWN_PATHS = ['/metrics', '/healthz', '/readyz'] as const;

/**
 * Serves GET /metrics (Prometheus text), /healthz (200 while live, else 503)
 * and /readyz (200 when ready, else 503 with the reason), then the extra
 * `routes`; 404 naming every path it serves for any other path, 405 for
 * methods other than GET and HEAD.
 *
 * @example
 * const server = await startHealthServer({ port: config.observability.port, metrics, ready: () => ready });
 * logger.info({ url: server.url }, 'health server listening');
 */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const host = options.host ?? '127.0.0.1';
  const live = options.live ?? (() => true);
  const notFound = `not found: try ${orList([...OWN_PATHS, ...(options.routePaths ?? [])])}\n`;
  const server = createServer((req, res) => {
    handle(req, res, options, live, notFound).catch((err: unknown) => {
      reply(res, 500, TEXT, `internal error: ${(err as Error).message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (cause: unknown): void => reject(new HealthServerError(host, options.port, { cause }));
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${connectableHost(host)}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // A scraper's keep-alive connection would otherwise hold close() open until it times out.
        server.closeAllConnections();
      }),
  };
}

/** A wildcard listen address is not one to connect to; loopback reaches it. */
function connectableHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: HealthServerOptions,
  live: () => boolean,
  notFound: string,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    reply(res, 405, TEXT, 'method not allowed\n');
    return;
  }
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/metrics') {
    reply(res, 200, options.metrics.contentType, await options.metrics.text());
  } else if (path === '/healthz') {
    if (live()) reply(res, 200, TEXT, 'ok\n');
    else reply(res, 503, TEXT, 'not live\n');
  } else if (path === '/readyz') {
    const state = readiness(options.ready);
    if (state.ready) reply(res, 200, TEXT, 'ready\n');
    else reply(res, 503, TEXT, `not ready${state.reason ? `: ${state.reason}` : ''}\n`);
  } else if (options.routes?.(req, res, path)) {
    // answered by the extra routes
  } else {
    reply(res, 404, TEXT, notFound);
  }
}

/** `a, b or c`. */
function orList(items: readonly string[]): string {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

function readiness(ready: () => boolean | Readiness): Readiness {
  try {
    const state = ready();
    return typeof state === 'boolean' ? { ready: state } : state;
  } catch (err) {
    // A probe that throws is a job that cannot say it is ready.
    return { ready: false, reason: `readiness check failed: ${(err as Error).message}` };
  }
}

function reply(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', contentType);
  res.setHeader('Cache-Control', 'no-store');
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
