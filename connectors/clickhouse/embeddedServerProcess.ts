import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface EmbeddedClickHouseProcessOptions {
  readonly dataDir: string;
  /** TCP port on 127.0.0.1; 0 (the default) picks a free one. */
  readonly port?: number;
  /** How long to wait for the server to be ready (default 30 s). */
  readonly startTimeoutMs?: number;
}

/** The embedded ClickHouse process did not start or answer. */
export class EmbeddedClickHouseStartError extends Error {
  readonly retriable = false;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddedClickHouseStartError';
  }
}

/** `twinflow clickhouse` from the built CLI, found from this module in dist/ or in the source tree. */
function cliEntry(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '../../runtime/cli/main.js'), join(here, '../../dist/runtime/cli/main.js')];
  const found = candidates.find((c) => existsSync(c));
  if (found === undefined) {
    throw new EmbeddedClickHouseStartError(
      `the built CLI is missing (looked for ${candidates.join(', ')}): run npm run build`,
    );
  }
  return found;
}

/**
 * The embedded ClickHouse (chDB behind ClickHouse's HTTP interface) in a
 * process of its own, as a ClickHouse server would be: chDB answers
 * synchronously, so in the job's process every insert would stall the
 * stream. The child exits when this process does (it watches its stdin).
 *
 * @example
 * const ch = await EmbeddedClickHouseProcess.start({ dataDir: '.twinflow/clickhouse', port: 18123 });
 * const client = createClient({ url: ch.url });
 * await ch.close();
 */
export class EmbeddedClickHouseProcess {
  private exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly port: number,
    readonly version: string,
  ) {
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }

  static async start(options: EmbeddedClickHouseProcessOptions): Promise<EmbeddedClickHouseProcess> {
    const args = [
      cliEntry(),
      'clickhouse',
      '--data',
      options.dataDir,
      '--port',
      String(options.port ?? 0),
      '--ready-json',
    ];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    try {
      const ready = await new Promise<{ url: string; port: number; version: string }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
        const lines = createInterface({ input: child.stdout! });
        lines.once('line', (line) => {
          clearTimeout(timer);
          try {
            resolve(JSON.parse(line));
          } catch (err) {
            reject(new Error(`unexpected first line ${JSON.stringify(line)}`, { cause: err }));
          }
        });
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`exited with code ${code}`));
        });
        child.once('error', reject);
      });
      child.stdout?.resume();
      return new EmbeddedClickHouseProcess(child, ready.url, ready.port, ready.version);
    } catch (err) {
      child.kill('SIGKILL');
      throw new EmbeddedClickHouseStartError(
        `embedded ClickHouse on ${options.dataDir} failed to start: ${(err as Error).message}${stderr ? `\n${stderr.trim()}` : ''}`,
        { cause: err },
      );
    }
  }

  /** Asks the server to finish its queued statements and exit; kills it if it does not within 10 s. */
  async close(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
