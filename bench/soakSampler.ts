/**
 * The soak's series, sampled while it runs: the group's lag on the input
 * every second (fine enough to time a recovery), the job's heap, RSS and
 * in-process restarts from its /metrics every five seconds, and a progress
 * line on stderr every thirty.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { GroupLag, LagReading } from './groupLag.js';
import type { JobSupervisor } from './jobSupervisor.js';
import { progress, round } from './measure.js';
import { metricValue } from './prometheusText.js';
import type { LagSample, MemorySample } from './soakFigures.js';

const LAG_EVERY_MS = 1_000;
const METRICS_EVERY = 5;
const PROGRESS_EVERY = 30;
const METRICS_TIMEOUT_MS = 3_000;
const MB = 1_048_576;

/**
 * A memory sample with what else the job's /metrics said.
 *
 * @example
 * const s: JobSample = { atMs: 5_000, process: 0, heapUsedMB: 80, rssMB: 300, externalMB: 12, inProcessRestarts: 0, epochsCommitted: 4 };
 */
export interface JobSample extends MemorySample {
  readonly externalMB: number | undefined;
  /** twinflow_epoch_aborts_total{reason="restart"}: the runtime restarting within the process. */
  readonly inProcessRestarts: number | undefined;
  readonly epochsCommitted: number | undefined;
}

/**
 * Samples until `stop`. `origin()` is the clock of the series (ms from the
 * start of production); `produced()` the events sent so far, for the
 * progress lines.
 *
 * @example
 * const sampler = new SoakSampler(lag, job, () => performance.now() - t0, () => sent, 1_200_000);
 * sampler.start();
 * // …
 * await sampler.stop();
 * sampler.lag; // [{ atMs: 0, lag: 0 }, { atMs: 1_000, lag: 4_210 }, …]
 */
export class SoakSampler {
  readonly lag: (LagSample & { readonly reading?: LagReading })[] = [];
  readonly job: JobSample[] = [];
  /** Lag reads that failed, and the last reason. */
  unreadable = 0;
  lastUnreadable: string | undefined;
  /** /metrics reads that failed or timed out. */
  jobUnreadable = 0;
  private stopped = false;
  private running: Promise<void> | undefined;

  constructor(
    private readonly groupLag: GroupLag,
    private readonly supervisor: JobSupervisor,
    private readonly origin: () => number,
    private readonly produced: () => number,
    /** The planned production time, for the progress lines. */
    private readonly durationMs: number,
  ) {}

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** The last lag read, if any could be. */
  latest(): LagReading | undefined {
    for (let i = this.lag.length - 1; i >= 0; i--) {
      const reading = this.lag[i].reading;
      if (reading !== undefined) return reading;
    }
    return undefined;
  }

  private async loop(): Promise<void> {
    const startedAt = this.origin();
    for (let tick = 0; !this.stopped; tick++) {
      const atMs = this.origin();
      const reading = await this.groupLag.sample();
      if (reading === undefined) {
        this.unreadable++;
        this.lastUnreadable = this.groupLag.lastError;
      }
      this.lag.push({ atMs, lag: reading?.lag, reading });
      if (tick % METRICS_EVERY === 0) await this.sampleJob();
      if (tick % PROGRESS_EVERY === 0) this.report();
      // On the second, whatever a sample took (a slow one is followed by the next at once).
      const wait = startedAt + (tick + 1) * LAG_EVERY_MS - this.origin();
      if (wait > 0) await sleep(wait);
    }
  }

  private async sampleJob(): Promise<void> {
    const job = this.supervisor.current();
    const url = job?.alive() ? job.metricsUrl() : undefined;
    if (url === undefined) return;
    const generation = this.supervisor.generation;
    const atMs = this.origin();
    let text: string;
    try {
      const response = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(METRICS_TIMEOUT_MS) });
      text = await response.text();
    } catch {
      // A job busy restarting or held up by a fault answers late or not at all: the sample is skipped, and counted.
      this.jobUnreadable++;
      return;
    }
    const heap = metricValue(text, 'nodejs_heap_size_used_bytes');
    const rss = metricValue(text, 'process_resident_memory_bytes');
    if (heap === undefined || rss === undefined) return;
    const external = metricValue(text, 'nodejs_external_memory_bytes');
    this.job.push({
      atMs,
      process: generation,
      heapUsedMB: round(heap / MB),
      rssMB: round(rss / MB),
      externalMB: external === undefined ? undefined : round(external / MB),
      inProcessRestarts: metricValue(text, 'twinflow_epoch_aborts_total', { reason: 'restart' }),
      epochsCommitted: metricValue(text, 'twinflow_epochs_committed_total'),
    });
  }

  private report(): void {
    const at = this.lag[this.lag.length - 1];
    const memory = this.job[this.job.length - 1];
    const lag = at?.lag === undefined ? 'unreadable' : String(at.lag);
    const seconds = Math.max(0, (at?.atMs ?? 0) / 1000);
    progress(
      `soak ${clock(seconds)}/${clock(this.durationMs / 1000)}: produced ${this.produced()}, lag ${lag}` +
        (memory === undefined ? '' : `, heap ${memory.heapUsedMB} MB, rss ${memory.rssMB} MB`) +
        `, job restarts ${this.supervisor.restarts.length}`,
    );
  }
}

function clock(seconds: number): string {
  const s = Math.floor(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
