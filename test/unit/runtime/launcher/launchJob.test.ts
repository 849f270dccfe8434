import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseJobConfig } from '../../../../runtime/config/jobConfig.js';
import type { JobEvent } from '../../../../runtime/exactlyOnce/exactlyOnceJob.js';
import { type LaunchContext, launchJob, type RunnableJob } from '../../../../runtime/launcher/launchJob.js';
import type { LiveView, LiveViewDocument } from '../../../../runtime/liveView/liveView.js';
import type { RouteSet } from '../../../../runtime/liveView/routeSet.js';

const CONFIG = `
job: { name: pump-health, instanceId: pump-0 }
kafka:
  brokers: ["127.0.0.1:1"]
  sasl: { mechanism: plain, username: svc, password: { env: KAFKA_PASSWORD } }
schemaRegistry: { url: "http://127.0.0.1:1" }
topics: { input: telemetry }
clickhouse: { url: "http://127.0.0.1:1" }
observability: { port: 0, logLevel: debug }
`;

/** A job the test drives: it runs until `finish` is called, and emits the runtime's events through `log`. */
function fakeJob(): RunnableJob & { finish(error?: Error): void; ready: boolean } {
  let end!: (error?: Error) => void;
  const ended = new Promise<void>((resolve, reject) => {
    end = (error) => (error === undefined ? resolve() : reject(error));
  });
  return {
    ready: false,
    epochsCommitted: 3,
    run: () => ended,
    stop: async () => end(),
    isReady() {
      return this.ready;
    },
    inputStats: () => ({
      partitions: [],
      deadLetters: 0,
      eventTimeRefused: { ahead: 0, behind: 0 },
      maxEventTs: Number.NEGATIVE_INFINITY,
      watermarks: [],
    }),
    stateStats: () => [],
    finish: (error) => end(error),
  };
}

/** Runs launchJob with a fake job; `during` sees the context while the job runs. */
async function launch(
  during: (
    context: LaunchContext,
    job: ReturnType<typeof fakeJob>,
    lines: readonly Record<string, unknown>[],
  ) => Promise<void>,
  failWith?: Error,
  extra: { readonly view?: LiveView; readonly routes?: RouteSet; readonly env?: NodeJS.ProcessEnv } = {},
) {
  const config = parseJobConfig(CONFIG, 'test.yaml', { KAFKA_PASSWORD: 'hunter2-secret', ...extra.env });
  const lines: Record<string, unknown>[] = [];
  const logDestination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  let closed = false;
  const job = fakeJob();
  const code = await launchJob(
    config,
    async (context) => {
      setImmediate(() => void during(context, job, lines).then(() => job.finish(failWith)));
      return {
        job,
        view: extra.view,
        routes: extra.routes,
        close: async () => {
          closed = true;
        },
      };
    },
    { logDestination },
  );
  return { code, lines, closed, text: lines.map((l) => JSON.stringify(l)).join('\n') };
}

/** Until the launcher has logged that its server listens. */
async function serving(lines: readonly Record<string, unknown>[]): Promise<void> {
  while (!lines.some((l) => l.msg?.toString().startsWith('serving')))
    await new Promise((r) => setTimeout(r, 5));
}

const urlOf = (lines: readonly Record<string, unknown>[]) =>
  lines.find((l) => l.msg === 'serving /metrics, /healthz and /readyz')?.url as string;

describe('launchJob', () => {
  it('logs the config without its secrets, serves health and metrics, counts job events, exits 0 and closes', async () => {
    let readyBefore = 0;
    let readyAfter = 0;
    let exported = '';
    const { code, lines, closed, text } = await launch(async ({ onJobEvent, logger }, job, lines) => {
      // The server is up once start() has returned; wait for its log line.
      while (!lines.some((l) => l.msg?.toString().startsWith('serving')))
        await new Promise((r) => setTimeout(r, 5));
      const url = urlOf(lines);
      readyBefore = (await fetch(`${url}/readyz`)).status;
      job.ready = true;
      readyAfter = (await fetch(`${url}/readyz`)).status;
      const events: JobEvent[] = [
        { event: 'committed', epoch: 1, records: 10, latencyMs: 12 },
        { event: 'restored', partitions: [0], keys: 7, records: 7, durationMs: 30 },
        { event: 'fenced', message: 'a newer producer with the same transactional id' },
      ];
      for (const event of events) onJobEvent(event);
      logger.info('the job says hello');
      exported = await (await fetch(`${url}/metrics`)).text();
    });
    expect(code).toBe(0);
    expect(closed).toBe(true);
    expect([readyBefore, readyAfter]).toEqual([503, 200]);
    expect(exported).toMatch(/^twinflow_epochs_committed_total 1$/m);
    expect(exported).toMatch(/^twinflow_state_restore_keys 7$/m);
    expect(exported).toMatch(/^twinflow_epoch_aborts_total\{reason="fenced"\} 1$/m);
    expect(lines[0]).toMatchObject({ msg: 'starting', job: 'pump-health', instance: 'pump-0' });
    expect(text).not.toContain('hunter2-secret');
    expect(text).toContain('state restored in 30 ms: 7 keys');
    expect(text).toContain('the job says hello');
    expect(lines.at(-1)).toMatchObject({ msg: 'stopped cleanly', epochs: 3 });
  });

  it('serves no live view without one: the 404 lists only the health paths', async () => {
    let missing = '';
    await launch(async (_context, _job, lines) => {
      await serving(lines);
      missing = await (await fetch(`${urlOf(lines)}/`)).text();
    });
    expect(missing).toBe('not found: try /metrics, /healthz or /readyz\n');
  });

  it("serves the job's own routes beside the health paths, and lists them in the 404", async () => {
    let answer = '';
    let missing = '';
    const routes: RouteSet = {
      routes: (_req, res, path) => {
        if (path !== '/api/v1/whatif') return false;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
        return true;
      },
      paths: ['/api/v1/whatif'],
    };
    await launch(
      async (_context, _job, lines) => {
        await serving(lines);
        answer = await (await fetch(`${urlOf(lines)}/api/v1/whatif?asset=a`)).text();
        missing = await (await fetch(`${urlOf(lines)}/nope`)).text();
      },
      undefined,
      { routes },
    );
    expect(answer).toBe('{"ok":true}');
    expect(missing).toBe('not found: try /metrics, /healthz, /readyz or /api/v1/whatif\n');
  });

  it("serves the job's live view on the health server's port, read-only, on loopback by default", async () => {
    let rows = 0;
    const view: LiveView = {
      job: 'pump-health',
      title: 'Pump hall',
      snapshot: () => ({
        eventTime: rows === 0 ? null : Date.UTC(2026, 0, 5, 12),
        status: rows === 0 ? 'starting' : 'running',
        sections: [
          {
            id: 'assets',
            title: 'Assets',
            rowKey: 'asset',
            columns: [{ key: 'asset', label: 'Asset', kind: 'text' }],
            rows: Array.from({ length: rows }, (_, i) => ({ asset: `pump-${i}` })),
          },
        ],
      }),
    };
    const seen: Record<string, unknown> = {};
    const { code, lines } = await launch(
      async (_context, _job, lines) => {
        await serving(lines);
        const url = urlOf(lines);
        seen.url = url;
        const page = await fetch(`${url}/`);
        seen.page = [
          page.status,
          page.headers.get('content-type'),
          page.headers.get('content-security-policy'),
        ];
        seen.html = await page.text();
        const before = (await (await fetch(`${url}/api/v1/view`)).json()) as LiveViewDocument;
        rows = 2;
        const after = (await (await fetch(`${url}/api/v1/view`)).json()) as LiveViewDocument;
        seen.documents = [before, after];
        const events = await fetch(`${url}/api/v1/events`);
        seen.eventsType = events.headers.get('content-type');
        const reader = events.body!.getReader();
        seen.firstEvent = new TextDecoder().decode((await reader.read()).value);
        await reader.cancel();
        const post = await fetch(`${url}/api/v1/view`, { method: 'POST', body: '{}' });
        seen.post = [post.status, post.headers.get('allow')];
        seen.missing = await (await fetch(`${url}/nope`)).text();
        seen.metrics = (await fetch(`${url}/metrics`)).status;
      },
      undefined,
      { view },
    );
    expect(code).toBe(0);
    expect(seen.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(lines.find((l) => l.msg === 'serving /metrics, /healthz and /readyz')?.host).toBe('127.0.0.1');
    expect(lines.find((l) => l.msg === 'serving the live view at / and /api/v1/view')?.url).toBe(
      `${seen.url}/`,
    );
    const [status, type, csp] = seen.page as [number, string, string];
    expect([status, type]).toEqual([200, 'text/html; charset=utf-8']);
    expect(csp).toContain("default-src 'none'");
    expect(seen.html).toContain('Pump hall');
    const [before, after] = seen.documents as LiveViewDocument[];
    expect(before).toMatchObject({
      api: 'twinflow.view/v1',
      job: 'pump-health',
      status: 'starting',
      eventTime: null,
    });
    expect(after.status).toBe('running');
    expect(after.sections[0]?.rows).toEqual([{ asset: 'pump-0' }, { asset: 'pump-1' }]);
    expect(after.instance).toEqual(before.instance);
    expect(seen.eventsType).toBe('text/event-stream; charset=utf-8');
    expect(seen.firstEvent).toMatch(/^retry: 2000\nevent: view\ndata: \{"api":"twinflow.view\/v1"/);
    expect(seen.post).toEqual([405, 'GET, HEAD']);
    expect(seen.missing).toBe(
      'not found: try /metrics, /healthz, /readyz, /, /api/v1/view or /api/v1/events\n',
    );
    expect(seen.metrics).toBe(200);
  });

  it('listens on observability.host (0.0.0.0 in a container), logged beside the URL to connect to', async () => {
    let status = 0;
    const { lines } = await launch(
      async (_context, _job, lines) => {
        await serving(lines);
        status = (await fetch(`${urlOf(lines)}/healthz`)).status;
      },
      undefined,
      { env: { TWINFLOW__OBSERVABILITY__HOST: '0.0.0.0' } },
    );
    expect(status).toBe(200);
    const logged = lines.find((l) => l.msg === 'serving /metrics, /healthz and /readyz');
    // A wildcard address is not one to connect to: the URL is loopback's.
    expect(logged).toMatchObject({
      host: '0.0.0.0',
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
  });

  it('exits 1 with the failure logged as fatal when the job fails, and still closes', async () => {
    const { code, lines, closed } = await launch(async () => undefined, new Error('ClickHouse went away'));
    expect(code).toBe(1);
    expect(closed).toBe(true);
    const fatal = lines.find((l) => l.msg === 'job failed') as { level: number; err: { message: string } };
    expect(fatal.level).toBe(60);
    expect(fatal.err.message).toBe('ClickHouse went away');
  });
});
