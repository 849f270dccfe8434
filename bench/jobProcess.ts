/**
 * The machine-health job as the soak runs it: a production process,
 * `twinflow run machine-health --config runtime/config/examples/local.yaml`
 * with its settings as TWINFLOW__… overrides, its JSON log appended to a
 * file, its /metrics address read from its own log line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from './benchStack.js';

/** Output kept in memory for an error message; the whole log is in the file. */
const TAIL_CHARS = 8_000;
const SERVING_METRICS = '"msg":"serving /metrics';

/**
 * How a job process ended: its exit code, or the signal that killed it.
 *
 * @example
 * const exit: JobExit = { code: 0, signal: null };
 */
export interface JobExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/**
 * One job process. Started by {@link JobProcess.start}; `stop` sends
 * SIGTERM (the job finishes its open epoch and exits 0) and kills it if it
 * has not left after the grace period.
 *
 * @example
 * const job = JobProcess.start({ JOB__GROUP_ID: 'soak-1a2b', OBSERVABILITY__PORT: 0 }, '/tmp/soak.log');
 * const exit = await job.stop(60_000); // { code: 0, signal: null }
 */
export class JobProcess {
  private tailText = '';
  private partialLine = '';
  private url: string | undefined;
  private running = true;
  /** Resolves when the process has exited, however. */
  readonly exited: Promise<JobExit>;

  private constructor(
    private readonly child: ChildProcess,
    log: WriteStream,
  ) {
    const take = (chunk: Buffer) => {
      const text = chunk.toString();
      log.write(text);
      this.tailText = (this.tailText + text).slice(-TAIL_CHARS);
      if (this.url === undefined) this.findMetricsUrl(text);
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    // A process that cannot be started (or signalled) says so here; 'close' follows a failed start too.
    child.on('error', (error) => {
      this.tailText = `${this.tailText}\n[soak: the job process: ${error.message}]\n`.slice(-TAIL_CHARS);
    });
    // 'close', not 'exit': the output is all read by then, so the log can be closed.
    this.exited = new Promise((done) =>
      child.once('close', (code, signal) => {
        this.running = false;
        // A process killed by a signal leaves no line of its own: say which.
        const note = `\n[soak: the job process (pid ${child.pid}) exited with ${signal ?? `code ${code}`}]\n`;
        log.end(note);
        this.tailText = (this.tailText + note).slice(-TAIL_CHARS);
        done({ code, signal });
      }),
    );
  }

  /** Starts the job with `overrides` (TWINFLOW__ is prefixed to each name), its output appended to `logFile`. */
  static start(overrides: Readonly<Record<string, string | number>>, logFile: string): JobProcess {
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const [name, value] of Object.entries(overrides)) env[`TWINFLOW__${name}`] = String(value);
    const child = spawn(
      process.execPath,
      [
        resolve(repoRoot, 'dist/runtime/cli/main.js'),
        'run',
        'machine-health',
        '--config',
        resolve(repoRoot, 'runtime/config/examples/local.yaml'),
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return new JobProcess(child, createWriteStream(logFile, { flags: 'a' }));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  alive(): boolean {
    return this.running;
  }

  /** The base URL of its /metrics, /readyz…, once it has logged it. */
  metricsUrl(): string | undefined {
    return this.url;
  }

  /** The last lines of its output, for an error message. */
  tail(): string {
    return this.tailText;
  }

  /** SIGTERM, then SIGKILL if it is still running after `graceMs`. */
  async stop(graceMs: number): Promise<JobExit> {
    if (this.running) this.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (this.running) this.child.kill('SIGKILL');
    }, graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills it now, synchronously: for this process's own exit, when nothing can be awaited. */
  kill(): void {
    if (this.running) this.child.kill('SIGKILL');
  }

  private findMetricsUrl(text: string): void {
    const lines = (this.partialLine + text).split('\n');
    this.partialLine = lines.pop() ?? '';
    const line = lines.find((l) => l.includes(SERVING_METRICS));
    if (line !== undefined) this.url = (JSON.parse(line) as { url: string }).url;
  }
}
