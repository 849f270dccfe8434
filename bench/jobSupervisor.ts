/**
 * Keeps the soak's job running as Kubernetes keeps a pod running: a job
 * process that exits while it should be running is started again after a
 * back-off, and every such restart is counted with how the process ended.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type JobExit, JobProcess } from './jobProcess.js';

/** Kubernetes waits 10 s before the first restart of a crashed container; half that here. */
const RESTART_BACKOFF_MS = 5_000;

/**
 * A job process that ended by itself, and when (ms from `origin()`).
 *
 * @example
 * const restart: JobRestart = { atMs: 412_300, code: 1, signal: null, tail: '…"msg":"job failed"…' };
 */
export interface JobRestart extends JobExit {
  readonly atMs: number;
  /** The end of its output, where it says why. */
  readonly tail: string;
}

/**
 * The job, restarted whenever it exits before `stop`. `generation` counts
 * the processes started (0 the first), so samples can say which process
 * they came from.
 *
 * @example
 * const job = new JobSupervisor(overrides, '/tmp/soak.log', () => performance.now() - t0);
 * job.start();
 * // … the soak …
 * const exit = await job.stop(); // { code: 0, signal: null }
 */
export class JobSupervisor {
  private process: JobProcess | undefined;
  private stopping = false;
  private supervising: Promise<void> | undefined;
  readonly restarts: JobRestart[] = [];
  generation = -1;
  private readonly killOnExit = () => this.process?.kill();

  constructor(
    private readonly overrides: Readonly<Record<string, string | number>>,
    private readonly logFile: string,
    /** The clock restarts are reported on. */
    private readonly origin: () => number,
  ) {}

  /** Starts the first process and keeps one running until `stop`. */
  start(): void {
    if (this.supervising !== undefined) throw new Error('JobSupervisor: started twice');
    // The job would outlive a soak that dies; it is killed with it.
    process.on('exit', this.killOnExit);
    this.supervising = this.supervise();
  }

  /** The process running now (or the one that just exited, until the next starts). */
  current(): JobProcess | undefined {
    return this.process;
  }

  private async supervise(): Promise<void> {
    while (!this.stopping) {
      this.generation++;
      const job = JobProcess.start(this.overrides, this.logFile);
      this.process = job;
      const exit = await job.exited;
      if (this.stopping) return;
      this.restarts.push({ ...exit, atMs: this.origin(), tail: job.tail().slice(-2_000) });
      await sleep(RESTART_BACKOFF_MS);
    }
  }

  /**
   * Stops supervising and stops the running process (SIGTERM, SIGKILL after
   * `graceMs`); how it exited, or undefined when none was running (stopped
   * during a back-off).
   */
  async stop(graceMs = 60_000): Promise<JobExit | undefined> {
    this.stopping = true;
    const job = this.process;
    const exit = job?.alive() ? await job.stop(graceMs) : undefined;
    await this.supervising;
    process.off('exit', this.killOnExit);
    return exit;
  }
}
