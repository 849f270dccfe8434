import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseJobConfig } from '../../../../runtime/config/jobConfig.js';
import type { JobEvent } from '../../../../runtime/exactlyOnce/exactlyOnceJob.js';
import { type LaunchContext, launchJob, type RunnableJob } from '../../../../runtime/launcher/launchJob.js';

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
) {
  const config = parseJobConfig(CONFIG, 'test.yaml', { KAFKA_PASSWORD: 'hunter2-secret' });
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
        close: async () => {
          closed = true;
        },
      };
    },
    { logDestination },
  );
  return { code, lines, closed, text: lines.map((l) => JSON.stringify(l)).join('\n') };
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

  it('exits 1 with the failure logged as fatal when the job fails, and still closes', async () => {
    const { code, lines, closed } = await launch(async () => undefined, new Error('ClickHouse went away'));
    expect(code).toBe(1);
    expect(closed).toBe(true);
    const fatal = lines.find((l) => l.msg === 'job failed') as { level: number; err: { message: string } };
    expect(fatal.level).toBe(60);
    expect(fatal.err.message).toBe('ClickHouse went away');
  });
});
