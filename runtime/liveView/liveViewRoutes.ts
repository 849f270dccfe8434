import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LIVE_VIEW_API, type LiveView, type LiveViewDocument } from './liveView.js';
import { liveViewPage } from './liveViewPage.js';

/**
 * Extra GET routes of the job's HTTP server: returns true when it answered
 * the request, false to let the server go on (its own paths, then 404).
 *
 * @example
 * const routes: HttpRoutes = (req, res, path) => path === '/hello' && (res.end('hi'), true);
 */
export type HttpRoutes = (req: IncomingMessage, res: ServerResponse, path: string) => boolean;

/** The paths the live view answers: the page and its read-only JSON API. */
export const LIVE_VIEW_PATHS = {
  page: '/',
  view: '/api/v1/view',
  events: '/api/v1/events',
} as const;

export interface LiveViewRoutesOptions {
  /** How often connected pages and scripts get a new document, ms (default 1000). */
  readonly intervalMs?: number;
  /** Wall clock (tests). */
  readonly now?: () => number;
  /** Identifies this run of the job; default a random UUID per call. */
  readonly instanceId?: string;
}

/**
 * The live view's routes, served by the job's HTTP server beside /metrics
 * and /readyz:
 *
 * - `GET /` — the operator page (one HTML document, script and style inline, nothing fetched but the API);
 * - `GET /api/v1/view` — the current {@link LiveViewDocument} as JSON;
 * - `GET /api/v1/events` — server-sent events: a `view` event with the document at once and every
 *   `intervalMs` while connected (`retry: 2000`, so a browser reconnects by itself after a restart).
 *
 * Only GET and HEAD reach routes (the server answers 405 to anything else), and nothing here
 * reads a request body: the page and the API cannot send anything to the job.
 *
 * @example
 * const view = liveViewRoutes({ job: 'pumps', title: 'Pump hall', snapshot });
 * const server = await startHealthServer({ port: 0, metrics, ready: () => true, routes: view.routes, routePaths: view.paths });
 * // later: view.close(); await server.close();
 */
export function liveViewRoutes(
  view: LiveView,
  options: LiveViewRoutesOptions = {},
): {
  readonly routes: HttpRoutes;
  /** The paths `routes` answers (for the server's 404 message). */
  readonly paths: readonly string[];
  readonly document: () => LiveViewDocument;
  close(): void;
} {
  const intervalMs = options.intervalMs ?? 1000;
  const now = options.now ?? Date.now;
  const instance = { id: options.instanceId ?? randomUUID(), startedAt: new Date(now()).toISOString() };
  const page = liveViewPage({ title: view.title, paths: LIVE_VIEW_PATHS });
  const clients = new Set<ServerResponse>();
  let timer: NodeJS.Timeout | undefined;

  const document = (): LiveViewDocument => ({
    api: LIVE_VIEW_API,
    job: view.job,
    title: view.title,
    instance,
    generatedAt: new Date(now()).toISOString(),
    ...view.snapshot(),
  });
  const event = (): string => {
    try {
      return `event: view\ndata: ${JSON.stringify(document())}\n\n`;
    } catch (error) {
      // A snapshot that fails must not take the job down from a timer; the page shows why.
      return `event: view-error\ndata: ${JSON.stringify({ message: (error as Error).message })}\n\n`;
    }
  };
  const broadcast = (): void => {
    const text = event();
    for (const res of clients) res.write(text);
  };
  const stopTimerWhenIdle = (): void => {
    if (clients.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  const routes: HttpRoutes = (req, res, path) => {
    const head = req.method === 'HEAD';
    if (path === LIVE_VIEW_PATHS.page) {
      res.statusCode = 200;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Content-Security-Policy', page.contentSecurityPolicy);
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.end(head ? undefined : page.html);
      return true;
    }
    if (path === LIVE_VIEW_PATHS.view) {
      res.statusCode = 200;
      res.setHeader('Content-Type', 'application/json; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.end(head ? undefined : JSON.stringify(document()));
      return true;
    }
    if (path === LIVE_VIEW_PATHS.events) {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
      });
      if (head) {
        res.end();
        return true;
      }
      res.write(`retry: 2000\n${event()}`);
      clients.add(res);
      res.on('close', () => {
        clients.delete(res);
        stopTimerWhenIdle();
      });
      timer ??= setInterval(broadcast, intervalMs);
      return true;
    }
    return false;
  };

  return {
    routes,
    paths: Object.values(LIVE_VIEW_PATHS),
    document,
    close() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      // The last document first, so a page shows how the run ended (e.g. status 'finished').
      if (clients.size > 0) broadcast();
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}
