import { afterEach, describe, expect, it } from 'vitest';
import {
  type HealthServer,
  HealthServerError,
  startHealthServer,
} from '../../../../runtime/observability/healthServer.js';
import { JobMetrics } from '../../../../runtime/observability/metrics.js';

describe('startHealthServer', () => {
  const servers: HealthServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  async function start(
    options: Partial<Parameters<typeof startHealthServer>[0]> = {},
  ): Promise<HealthServer> {
    const server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      metrics: new JobMetrics(),
      ready: () => true,
      ...options,
    });
    servers.push(server);
    return server;
  }

  it('serves Prometheus metrics with their content type on a free port', async () => {
    const metrics = new JobMetrics();
    metrics.commandsTotal.inc({ action: 'reduce-speed' });
    const server = await start({ metrics });
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(metrics.contentType);
    expect(await res.text()).toContain('twinflow_commands_total{action="reduce-speed"} 1');
  });

  it('answers /healthz from the liveness check', async () => {
    let live = true;
    const server = await start({ live: () => live });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    live = false;
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('not live\n');
  });

  it('answers /readyz 200 when ready, else 503 with the reason', async () => {
    let state: boolean | { ready: boolean; reason?: string } = {
      ready: false,
      reason: 'restoring state for 3 partitions',
    };
    const server = await start({ ready: () => state });
    let res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('not ready: restoring state for 3 partitions\n');
    state = true;
    res = await fetch(`${server.url}/readyz?verbose`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ready\n');
    state = false;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
  });

  it('is not ready when the readiness check throws', async () => {
    const server = await start({
      ready: () => {
        throw new Error('consumer not assigned');
      },
    });
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('not ready: readiness check failed: consumer not assigned\n');
  });

  it('answers 404 naming the paths it serves for other paths, and 405 for other methods', async () => {
    const server = await start();
    expect((await fetch(`${server.url}/`)).status).toBe(404);
    const missing = await fetch(`${server.url}/metricsx`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('not found: try /metrics, /healthz or /readyz\n');
    const post = await fetch(`${server.url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('listens on loopback by default', async () => {
    const server = await start({ host: undefined });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('listens on all interfaces when told, reachable on loopback', async () => {
    const server = await start({ host: '0.0.0.0' });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('tries extra routes before the 404, which then lists their paths too', async () => {
    const server = await start({
      routes: (_req, res, path) => {
        if (path !== '/hello') return false;
        res.end('hi');
        return true;
      },
      routePaths: ['/hello'],
    });
    expect(await (await fetch(`${server.url}/hello`)).text()).toBe('hi');
    const missing = await fetch(`${server.url}/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('not found: try /metrics, /healthz, /readyz or /hello\n');
  });

  it('fails with a HealthServerError when the port is taken', async () => {
    const first = await start();
    const err = await startHealthServer({
      port: first.port,
      host: '127.0.0.1',
      metrics: new JobMetrics(),
      ready: () => true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HealthServerError);
    expect((err as HealthServerError).message).toContain(`127.0.0.1:${first.port}`);
    expect(((err as HealthServerError).cause as NodeJS.ErrnoException).code).toBe('EADDRINUSE');
  });

  it('closes while a client holds a keep-alive connection', async () => {
    const server = await startHealthServer({
      port: 0,
      host: '127.0.0.1',
      metrics: new JobMetrics(),
      ready: () => true,
    });
    const res = await fetch(`${server.url}/healthz`, { headers: { connection: 'keep-alive' } });
    await res.text();
    await server.close();
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
